// `retention:` — how long each kind of record is kept.
import type { z } from 'zod';
import { obj } from '../schema-kit.js';

export const retentionSchema = obj({});

export type RetentionConfig = z.output<typeof retentionSchema>;
