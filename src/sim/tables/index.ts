// Server-side tables (`meta.k8s.io/v1` Table) for list, get and watch responses: what
// `kubectl get` asks for with `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
import type { KubeObject } from '../object-store.js';
import { printerFor, type TableColumn } from './printers.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  /** The store's clock, for ages. */
  readonly now: number;
  readonly includeObject: IncludeObject;
  /** `meta.k8s.io/v1` or `meta.k8s.io/v1beta1`. */
  readonly apiVersion: string;
  readonly resourceVersion?: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
  /** Leave out column definitions (watch events after the first one, as the API server does). */
  readonly noHeaders?: boolean;
  /** The object a row carries when it differs from the one printed (events.k8s.io shows core cells). */
  readonly view?: (obj: KubeObject) => KubeObject;
}

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumn[];
  rows: Array<{ cells: unknown[]; object?: unknown; conditions?: unknown[] }>;
}

export function parseIncludeObject(value: string | null): IncludeObject {
  if (value === 'None' || value === 'Object') return value;
  return 'Metadata';
}

/** One Table for `objects` of the stored resource `key` (e.g. `pods`, `apps/deployments`). */
export function toTable(key: string, objects: readonly KubeObject[], options: TableOptions): Table {
  const printer = printerFor(key);
  return {
    kind: 'Table',
    apiVersion: options.apiVersion,
    metadata: {
      ...(options.resourceVersion !== undefined ? { resourceVersion: options.resourceVersion } : {}),
      ...(options.continue ? { continue: options.continue } : {}),
      ...(options.remainingItemCount !== undefined ? { remainingItemCount: options.remainingItemCount } : {}),
    },
    columnDefinitions: options.noHeaders ? [] : [...printer.columns],
    rows: objects.map((obj) => {
      const { cells, conditions } = printer.row(obj, options.now);
      const shown = options.view ? options.view(obj) : obj;
      const row: Table['rows'][number] = { cells };
      if (conditions) row.conditions = conditions;
      if (options.includeObject === 'Object') row.object = shown;
      else if (options.includeObject === 'Metadata')
        row.object = partialObjectMetadata(shown, options.apiVersion);
      return row;
    }),
  };
}

/** `PartialObjectMetadata`: type meta and metadata only (what table rows and metadata clients get). */
export function partialObjectMetadata(
  obj: KubeObject,
  apiVersion = 'meta.k8s.io/v1',
): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion, metadata: obj.metadata };
}
