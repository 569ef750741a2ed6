// The database's tables, as Kysely sees them. Each area keeps its tables in tables/<area>.ts;
// this file only joins them.
import type { AlertingTables } from './tables/alerting.js';
import type { CoreTables } from './tables/core.js';
import type { DeliveryTables } from './tables/delivery.js';
import type { HistoryTables } from './tables/history.js';

export type Database = CoreTables & DeliveryTables & AlertingTables & HistoryTables;
