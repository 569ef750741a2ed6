// Field selectors as the API server accepts them: only metadata.name, metadata.namespace and
// each resource's own field labels (anything else is a 400), with the labels that name a
// different path (`source` → source.component, `status.successful` → status.succeeded) mapped.
import type { ResourceType } from '../resources.js';
import { badRequest } from '../status-error.js';
import { parseFieldSelector, type FieldRequirement } from '../selectors.js';
import { coreFieldSelector } from './events-view.js';

const ALIASES: Record<string, Record<string, string>> = {
  events: { source: 'source.component' },
  'batch/jobs': { 'status.successful': 'status.succeeded' },
};

/** Parses and checks a field selector for `type`; returns requirements on stored-object paths. */
export function fieldSelectorFor(type: ResourceType, text: string | null | undefined): FieldRequirement[] {
  const reqs = parseFieldSelector(text ?? undefined);
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(type.fieldLabels ?? [])]);
  for (const r of reqs) {
    if (!allowed.has(r.field)) throw badRequest(`field label not supported: ${r.field}`);
  }
  const stored = type.viewOf ? coreFieldSelector(reqs) : reqs;
  const key = type.group ? `${type.group}/${type.plural}` : type.plural;
  const aliases = ALIASES[type.viewOf ?? key] ?? {};
  return stored.map((r) => {
    const mapped = aliases[r.field];
    return mapped ? { ...r, field: mapped } : r;
  });
}
