// The one configuration schema. Every section lives in sections/<name>.ts; this file only
// assembles them. Keys are snake_case, like Prometheus' and Alertmanager's.
import type { z } from 'zod';
import { obj } from './schema-kit.js';
import { alertingSchema } from './sections/alerting.js';
import { chatSchema } from './sections/chat.js';
import { clustersSchema } from './sections/clusters.js';
import { collectSchema } from './sections/collect.js';
import { httpSchema } from './sections/http.js';
import { retentionSchema } from './sections/retention.js';
import { rulesSchema } from './sections/rules.js';
import { storageSchema } from './sections/storage.js';

export const configSchema = obj({
  clusters: clustersSchema,
  storage: storageSchema.prefault({}),
  http: httpSchema.prefault({}),
  collect: collectSchema.prefault({}),
  rules: rulesSchema.prefault({}),
  alerting: alertingSchema.prefault({}),
  chat: chatSchema.prefault({}),
  retention: retentionSchema.prefault({}),
});

/** The validated, defaulted configuration every part of Lookout is built from. */
export type Config = z.output<typeof configSchema>;
