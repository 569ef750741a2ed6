// Admission for the simulated API server: defaulting and validation of every stored kind,
// installed on the object store so API writes and controller writes go through the same path.
import type { ObjectStore } from '../object-store.js';
import { RESOURCE_TYPES, resourceKey } from '../resources.js';
import { invalid } from '../status-error.js';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Installs defaulting and validation hooks for every stored resource type. */
export function installAdmission(store: ObjectStore): void {
  for (const type of RESOURCE_TYPES) {
    if (type.virtual || type.viewOf) continue;
    store.addAdmission(resourceKey(type), ({ object, operation }) => {
      if (operation !== 'create') return;
      const name = object.metadata.name ?? '';
      if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
        throw invalid(type.kind, name, [
          {
            field: 'metadata.name',
            message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
          },
        ]);
      }
    });
  }
}
