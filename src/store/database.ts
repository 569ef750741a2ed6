// The database's tables, as Kysely sees them. Each area keeps its tables in tables/<area>.ts;
// this file only joins them.
import type { AlertingTables } from './tables/alerting.js';
import type { ChatTables } from './tables/chat.js';
import type { CoreTables } from './tables/core.js';
import type { DeliveryTables } from './tables/delivery.js';
import type { DeploymentTables } from './tables/deployments.js';
import type { HistoryTables } from './tables/history.js';
import type { MetricsTables } from './tables/metrics.js';
import type { WebTables } from './tables/web.js';

export type Database = CoreTables &
  DeliveryTables &
  AlertingTables &
  HistoryTables &
  MetricsTables &
  DeploymentTables &
  ChatTables &
  WebTables;
