// `collect:` — how Lookout watches and samples its clusters.
import type { z } from 'zod';
import { obj } from '../schema-kit.js';

export const collectSchema = obj({});

export type CollectConfig = z.output<typeof collectSchema>;
