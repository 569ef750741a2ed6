// `alerting:` — Alertmanager's vocabulary: route, receivers, inhibit_rules, time_intervals, templates.
import type { z } from 'zod';
import { obj } from '../schema-kit.js';

export const alertingSchema = obj({});

export type AlertingConfig = z.output<typeof alertingSchema>;
