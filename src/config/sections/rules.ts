// `rules:` — the built-in rule pack: each rule on/off, its thresholds and `for`.
import type { z } from 'zod';
import { obj } from '../schema-kit.js';

export const rulesSchema = obj({});

export type RulesConfig = z.output<typeof rulesSchema>;
