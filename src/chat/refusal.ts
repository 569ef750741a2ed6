// What a chat handler throws to stop with an answer: a refusal (the user may not do this; it is
// audited as denied) or a usage problem (the command was mistyped; audited as an error).
import { LookoutError } from '../lib/errors.js';

/** The user lacks the role, the namespace or the identity for what they asked. */
export class Refusal extends LookoutError {}

/** The command's arguments are wrong; the message says how to write it. */
export class UsageError extends LookoutError {}
