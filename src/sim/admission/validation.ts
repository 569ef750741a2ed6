// Validation of the served kinds with the API server's field paths and messages: names, labels,
// pod specs (containers, images, ports, restart policy, resources), workload selectors against
// template labels, replicas, services' ports and types, HPAs, claims, events; plus the fields that
// may not change on update (pod spec beyond images, selectors, a service's cluster IP).
import type { KubeObject } from '../object-store.js';
import type { ResourceType } from '../resources.js';
import { selectorFromObject, matchesLabels } from '../selectors.js';
import {
  checkLabels,
  checkName,
  FieldErrors,
  goValue,
  parseQuantity,
  type NameRule,
} from './field-errors.js';

type Any = Record<string, unknown>;

const o = (v: unknown): Any => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Any) : {});
const arr = (v: unknown): Any[] => (Array.isArray(v) ? (v as Any[]) : []);
/** A scalar as text for messages (objects as JSON). */
const str = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean'
      ? `${v}`
      : (JSON.stringify(v) ?? '');

const NAME_RULES: Record<string, NameRule> = {
  namespaces: 'label',
  services: 'dns1035',
};

export function validateMeta(errors: FieldErrors, key: string, obj: KubeObject): void {
  const name = obj.metadata.name ?? '';
  if (name) checkName(errors, 'metadata.name', name, NAME_RULES[key] ?? 'subdomain');
  checkLabels(errors, 'metadata.labels', obj.metadata.labels);
}

function checkPort(errors: FieldErrors, field: string, port: unknown): void {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    errors.invalid(field, port ?? 0, 'must be between 1 and 65535, inclusive');
}

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateContainers(
  errors: FieldErrors,
  path: string,
  list: Any[],
  names: Set<string>,
  volumes: Set<string>,
): void {
  list.forEach((c, i) => {
    const p = `${path}[${i}]`;
    const name = c.name;
    if (typeof name !== 'string' || name === '') errors.required(`${p}.name`);
    else {
      checkName(errors, `${p}.name`, name, 'label');
      if (names.has(name)) errors.duplicate(`${p}.name`, name);
      names.add(name);
    }
    if (typeof c.image !== 'string' || c.image.trim() === '') errors.required(`${p}.image`);
    arr(c.ports).forEach((port, j) => {
      checkPort(errors, `${p}.ports[${j}].containerPort`, port.containerPort);
      if (port.protocol !== undefined && !PROTOCOLS.includes(str(port.protocol)))
        errors.unsupported(`${p}.ports[${j}].protocol`, port.protocol, PROTOCOLS);
    });
    if (
      c.imagePullPolicy !== undefined &&
      !['Always', 'IfNotPresent', 'Never'].includes(str(c.imagePullPolicy))
    )
      errors.unsupported(`${p}.imagePullPolicy`, c.imagePullPolicy, ['Always', 'IfNotPresent', 'Never']);
    const resources = o(c.resources);
    const requests = o(resources.requests);
    const limits = o(resources.limits);
    for (const [r, q] of [...Object.entries(requests), ...Object.entries(limits)]) {
      if (Number.isNaN(parseQuantity(q)))
        errors.invalid(
          `${p}.resources`,
          q,
          `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (${r})`,
        );
    }
    for (const [r, limit] of Object.entries(limits)) {
      const request = requests[r];
      if (request !== undefined && parseQuantity(request) > parseQuantity(limit))
        errors.invalid(
          `${p}.resources.requests`,
          str(request),
          `must be less than or equal to ${r} limit of ${str(limit)}`,
        );
    }
    arr(c.volumeMounts).forEach((m, j) => {
      if (typeof m.name !== 'string' || m.name === '') errors.required(`${p}.volumeMounts[${j}].name`);
      else if (!volumes.has(m.name)) errors.notFound(`${p}.volumeMounts[${j}].name`, m.name);
      if (typeof m.mountPath !== 'string' || m.mountPath === '')
        errors.required(`${p}.volumeMounts[${j}].mountPath`);
    });
    arr(c.env).forEach((e, j) => {
      if (typeof e.name !== 'string' || e.name === '') errors.required(`${p}.env[${j}].name`);
    });
  });
}

/** ValidatePodSpec: `path` is `spec` or `spec.template.spec`. */
export function validatePodSpec(
  errors: FieldErrors,
  path: string,
  spec: Any,
  restartPolicies?: readonly string[],
): void {
  const volumes = new Set<string>();
  arr(spec.volumes).forEach((v, i) => {
    const name = v.name;
    if (typeof name !== 'string' || name === '') errors.required(`${path}.volumes[${i}].name`);
    else {
      checkName(errors, `${path}.volumes[${i}].name`, name, 'label');
      if (volumes.has(name)) errors.duplicate(`${path}.volumes[${i}].name`, name);
      volumes.add(name);
    }
  });
  const containers = arr(spec.containers);
  if (containers.length === 0) errors.required(`${path}.containers`);
  const names = new Set<string>();
  validateContainers(errors, `${path}.initContainers`, arr(spec.initContainers), names, volumes);
  validateContainers(errors, `${path}.containers`, containers, names, volumes);
  const policy = spec.restartPolicy;
  const allowed = restartPolicies ?? ['Always', 'OnFailure', 'Never'];
  if (policy !== undefined && !allowed.includes(str(policy))) {
    if (restartPolicies && restartPolicies.length === 2)
      errors.required(`${path}.restartPolicy`, `valid values: ${allowed.map((a) => `"${a}"`).join(', ')}`);
    else errors.unsupported(`${path}.restartPolicy`, policy, allowed);
  }
  const dns = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
  if (spec.dnsPolicy !== undefined && !dns.includes(str(spec.dnsPolicy)))
    errors.unsupported(`${path}.dnsPolicy`, spec.dnsPolicy, dns);
  if (typeof spec.terminationGracePeriodSeconds === 'number' && spec.terminationGracePeriodSeconds < 0)
    errors.invalid(
      `${path}.terminationGracePeriodSeconds`,
      spec.terminationGracePeriodSeconds,
      'must be greater than or equal to 0',
    );
}

function nonNegative(errors: FieldErrors, field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    errors.invalid(field, value, 'must be greater than or equal to 0');
}

function selectorText(selector: unknown): string {
  const s = o(selector);
  return `v1.LabelSelector{MatchLabels:${goValue(o(s.matchLabels))}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`;
}

/** Deployments, ReplicaSets, StatefulSets, DaemonSets: selector, template labels, replicas. */
export function validateWorkload(
  errors: FieldErrors,
  kind: string,
  obj: KubeObject,
  old: KubeObject | undefined,
): void {
  const spec = o(obj.spec);
  const selector = spec.selector;
  const template = o(spec.template);
  const labels = o(o(template.metadata).labels) as Record<string, string>;
  if (selector === undefined || selector === null) errors.required('spec.selector');
  else {
    const sel = o(selector);
    checkLabels(errors, 'spec.selector.matchLabels', sel.matchLabels);
    const reqs = selectorFromObject(sel);
    if (reqs.length === 0)
      errors.invalid(
        'spec.selector',
        selectorText(selector),
        `empty selector is invalid for ${kind.toLowerCase()}`,
      );
    else if (!matchesLabels(reqs, labels))
      errors.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`');
  }
  checkLabels(errors, 'spec.template.metadata.labels', labels);
  if (kind !== 'DaemonSet') nonNegative(errors, 'spec.replicas', spec.replicas);
  validatePodSpec(errors, 'spec.template.spec', o(template.spec), ['Always']);
  if (kind === 'Deployment') {
    const strategy = o(spec.strategy);
    if (strategy.type !== undefined && !['Recreate', 'RollingUpdate'].includes(str(strategy.type)))
      errors.unsupported('spec.strategy.type', strategy.type, ['Recreate', 'RollingUpdate']);
    if (strategy.type === 'Recreate' && strategy.rollingUpdate !== undefined)
      errors.forbidden(
        'spec.strategy.rollingUpdate',
        "may not be specified when strategy `type` is 'Recreate'",
      );
    nonNegative(errors, 'spec.revisionHistoryLimit', spec.revisionHistoryLimit);
  }
  if (old) {
    const before = o(old.spec).selector;
    if (JSON.stringify(before ?? null) !== JSON.stringify(selector ?? null))
      errors.invalid('spec.selector', selectorText(selector), 'field is immutable');
  }
}

export function validateJob(errors: FieldErrors, obj: KubeObject, old: KubeObject | undefined): void {
  const spec = o(obj.spec);
  const template = o(spec.template);
  validatePodSpec(errors, 'spec.template.spec', o(template.spec), ['OnFailure', 'Never']);
  nonNegative(errors, 'spec.parallelism', spec.parallelism);
  nonNegative(errors, 'spec.completions', spec.completions);
  nonNegative(errors, 'spec.backoffLimit', spec.backoffLimit);
  const selector = spec.selector;
  if (selector !== undefined) {
    const reqs = selectorFromObject(o(selector));
    if (!matchesLabels(reqs, o(o(template.metadata).labels) as Record<string, string>))
      errors.invalid(
        'spec.template.metadata.labels',
        o(o(template.metadata).labels),
        '`selector` does not match template `labels`',
      );
  }
  if (old && JSON.stringify(o(old.spec).selector ?? null) !== JSON.stringify(selector ?? null))
    errors.invalid('spec.selector', selectorText(selector), 'field is immutable');
}

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

export function validateService(errors: FieldErrors, obj: KubeObject, old: KubeObject | undefined): void {
  const spec = o(obj.spec);
  const type = spec.type ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(str(type))) errors.unsupported('spec.type', type, SERVICE_TYPES);
  const ports = arr(spec.ports);
  const headless = spec.clusterIP === 'None';
  if (type === 'ExternalName') {
    if (typeof spec.externalName !== 'string' || spec.externalName === '')
      errors.required('spec.externalName');
  } else if (ports.length === 0 && !headless) errors.required('spec.ports');
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const path = `spec.ports[${i}]`;
    if (ports.length > 1) {
      if (typeof p.name !== 'string' || p.name === '') errors.required(`${path}.name`);
      else if (names.has(p.name)) errors.duplicate(`${path}.name`, p.name);
    }
    if (typeof p.name === 'string' && p.name !== '') {
      checkName(errors, `${path}.name`, p.name, 'label');
      names.add(p.name);
    }
    checkPort(errors, `${path}.port`, p.port);
    const protocol = p.protocol ?? 'TCP';
    if (!PROTOCOLS.includes(str(protocol))) errors.unsupported(`${path}.protocol`, protocol, PROTOCOLS);
    const id = `${str(p.port)}/${str(protocol)}`;
    if (seen.has(id))
      errors.duplicate(
        path,
        `core.ServicePort{Name:"${str(p.name ?? '')}", Protocol:"${str(protocol)}", Port:${str(p.port)}}`,
      );
    seen.add(id);
    const target = p.targetPort;
    if (typeof target === 'number') checkPort(errors, `${path}.targetPort`, target);
    else if (
      target !== undefined &&
      (typeof target !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(target) || target.length > 15)
    )
      errors.invalid(
        `${path}.targetPort`,
        target,
        'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      );
    if (p.nodePort !== undefined && p.nodePort !== 0 && (type === 'ClusterIP' || type === 'ExternalName'))
      errors.forbidden(`${path}.nodePort`, `may not be used when \`type\` is '${str(type)}'`);
  });
  if (old) {
    const before = o(old.spec).clusterIP;
    if (
      before &&
      before !== 'None' &&
      spec.clusterIP !== undefined &&
      spec.clusterIP !== before &&
      o(old.spec).type !== 'ExternalName' &&
      type !== 'ExternalName'
    )
      errors.invalid('spec.clusterIPs[0]', [str(spec.clusterIP)], 'may not change once set');
  }
}

export function validateHpa(errors: FieldErrors, obj: KubeObject): void {
  const spec = o(obj.spec);
  const ref = o(spec.scaleTargetRef);
  if (typeof ref.kind !== 'string' || ref.kind === '') errors.required('spec.scaleTargetRef.kind');
  if (typeof ref.name !== 'string' || ref.name === '') errors.required('spec.scaleTargetRef.name');
  const max = spec.maxReplicas;
  if (typeof max !== 'number' || max < 1)
    errors.invalid('spec.maxReplicas', max ?? 0, 'must be greater than or equal to 1');
  const min = spec.minReplicas;
  if (typeof min === 'number') {
    if (min < 1) errors.invalid('spec.minReplicas', min, 'must be greater than or equal to 1');
    else if (typeof max === 'number' && min > max)
      errors.invalid('spec.minReplicas', min, 'must be less than or equal to maxReplicas');
  }
}

export function validatePvc(errors: FieldErrors, obj: KubeObject): void {
  const spec = o(obj.spec);
  const modes = arr(spec.accessModes);
  if (modes.length === 0) errors.required('spec.accessModes', '1 access mode is required');
  const allowed = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
  for (const m of modes) if (!allowed.includes(str(m))) errors.unsupported('spec.accessModes', m, allowed);
  const storage = o(o(spec.resources).requests).storage;
  if (storage === undefined) errors.required('spec.resources[storage]');
  else if (!(parseQuantity(storage) > 0))
    errors.invalid('spec.resources[storage]', str(storage), 'must be greater than zero');
}

export function validateEvent(errors: FieldErrors, obj: KubeObject): void {
  const involved = o((obj as Any).involvedObject);
  if (
    involved.namespace !== undefined &&
    involved.namespace !== '' &&
    obj.metadata.namespace &&
    involved.namespace !== obj.metadata.namespace
  )
    errors.invalid('involvedObject.namespace', involved.namespace, 'does not match event.namespace');
}

export function validateConfigData(errors: FieldErrors, obj: KubeObject): void {
  for (const field of ['data', 'binaryData', 'stringData']) {
    for (const key of Object.keys(o((obj as Any)[field]))) {
      if (!/^[-._a-zA-Z0-9]+$/.test(key) || key.length > 253)
        errors.invalid(
          `${field}[${key}]`,
          key,
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        );
    }
  }
}

/** Fields of a pod spec that an update may change (the rest is fixed once the pod exists). */
function mutablePodFieldsRemoved(spec: Any, old: Any): string {
  const copy = structuredClone(spec);
  delete copy.activeDeadlineSeconds;
  delete copy.tolerations;
  delete copy.terminationGracePeriodSeconds;
  delete copy.schedulingGates;
  // Binding: nodeName may be set once, from empty.
  if (!old.nodeName) delete copy.nodeName;
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    for (const c of arr(copy[list])) delete c.image;
  }
  delete copy.ephemeralContainers;
  return JSON.stringify(copy);
}

export function validatePodUpdate(errors: FieldErrors, obj: KubeObject, old: KubeObject): void {
  const spec = o(obj.spec);
  const before = o(old.spec);
  const oldNames = arr(before.containers).map((c) => c.name);
  const newNames = arr(spec.containers).map((c) => c.name);
  if (JSON.stringify(oldNames) !== JSON.stringify(newNames)) {
    errors.forbidden(
      'spec.containers',
      'pod updates may not add or remove containers, or change their names',
    );
    return;
  }
  const oldComparable = { ...before };
  if (!before.nodeName) delete oldComparable.nodeName;
  if (mutablePodFieldsRemoved(spec, before) !== mutablePodFieldsRemoved(oldComparable, before)) {
    errors.forbidden(
      'spec',
      'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    );
  }
  if (before.nodeName && spec.nodeName !== before.nodeName) {
    errors.forbidden('spec.nodeName', 'may not be changed once set');
  }
}

/** Runs the kind's validation; throws a 422 listing every problem. */
export function validate(
  type: ResourceType,
  key: string,
  obj: KubeObject,
  old: KubeObject | undefined,
  subresource: string | undefined,
): void {
  const errors = new FieldErrors();
  validateMeta(errors, key, obj);
  if (subresource !== 'status') {
    switch (key) {
      case 'pods':
        validatePodSpec(errors, 'spec', o(obj.spec));
        if (old) validatePodUpdate(errors, obj, old);
        break;
      case 'apps/deployments':
      case 'apps/replicasets':
      case 'apps/statefulsets':
      case 'apps/daemonsets':
        validateWorkload(errors, type.kind, obj, old);
        break;
      case 'batch/jobs':
        validateJob(errors, obj, old);
        break;
      case 'services':
        validateService(errors, obj, old);
        break;
      case 'autoscaling/horizontalpodautoscalers':
        validateHpa(errors, obj);
        break;
      case 'persistentvolumeclaims':
        if (!old) validatePvc(errors, obj);
        break;
      case 'events':
        validateEvent(errors, obj);
        break;
      case 'configmaps':
      case 'secrets':
        validateConfigData(errors, obj);
        break;
    }
  }
  errors.throwIfAny(type.kind, obj.metadata.name ?? '', type.group);
}
