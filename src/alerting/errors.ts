// Errors the alerting service raises to its callers (the HTTP API, the intake, rules).
import { LookoutError } from '../lib/errors.js';

/** Alerts arrived before `start()` or after `stop()`. Retrying shortly will succeed. */
export class AlertingNotRunningError extends LookoutError {
  constructor() {
    super('Lookout alerting is not running (starting or stopping)', { retryable: true });
  }
}
