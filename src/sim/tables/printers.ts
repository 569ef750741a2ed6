// Column definitions and row cells per kind, as the API server's table printers produce them
// for `kubectl get` (priority 1 columns show only with `-o wide`). Kinds without a printer get
// the API server's default table: Name and Created At.
import type { KubeObject } from '../object-store.js';
import { humanDuration, since } from './human-duration.js';
import { podCells, type RowCondition } from './pod-row.js';

export interface TableColumn {
  readonly name: string;
  readonly type: string;
  readonly format: string;
  readonly description: string;
  readonly priority: number;
}

export interface Printer {
  readonly columns: readonly TableColumn[];
  row(obj: KubeObject, now: number): { cells: unknown[]; conditions?: RowCondition[] };
}

function col(name: string, description: string, priority = 0, type = 'string', format = ''): TableColumn {
  return { name, type, format, description, priority };
}

const NAME = col('Name', 'Name must be unique within a namespace.', 0, 'string', 'name');
const AGE = col(
  'Age',
  'CreationTimestamp is a timestamp representing the server time when this object was created.',
);
const CONTAINERS = col('Containers', 'Names of each container in the template.', 1);
const IMAGES = col('Images', 'Images referenced by each container in the template.', 1);
const SELECTOR = col('Selector', 'A label query over pods that should match the replica count.', 1);

type Any = Record<string, unknown>;
const o = (v: unknown): Any => (typeof v === 'object' && v !== null ? (v as Any) : {});
const arr = (v: unknown): Any[] => (Array.isArray(v) ? (v as Any[]) : []);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** `metav1.LabelSelectorAsSelector(...).String()`: requirements sorted by key. */
export function selectorString(selector: unknown): string {
  const s = o(selector);
  const reqs: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(o(s.matchLabels))) reqs.push([k, `${k}=${str(v)}`]);
  for (const e of arr(s.matchExpressions)) {
    const key = str(e.key);
    const values = arr(e.values).map(String).sort().join(',');
    switch (str(e.operator)) {
      case 'In':
        reqs.push([key, `${key} in (${values})`]);
        break;
      case 'NotIn':
        reqs.push([key, `${key} notin (${values})`]);
        break;
      case 'Exists':
        reqs.push([key, key]);
        break;
      case 'DoesNotExist':
        reqs.push([key, `!${key}`]);
        break;
    }
  }
  return reqs
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map((r) => r[1])
    .join(',');
}

/** `labels.FormatLabels`: `a=b,c=d` sorted, `<none>` when empty. */
export function formatLabels(labels: unknown): string {
  const entries = Object.entries(o(labels)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '<none>';
  return entries.map(([k, v]) => `${k}=${str(v)}`).join(',');
}

function templateContainers(obj: KubeObject): [string, string] {
  const containers = arr(o(o(o(obj.spec).template).spec).containers);
  return [containers.map((c) => str(c.name)).join(','), containers.map((c) => str(c.image)).join(',')];
}

const age = (obj: KubeObject, now: number): string => since(obj.metadata.creationTimestamp, now);

const PRINTERS: Record<string, Printer> = {
  pods: {
    columns: [
      NAME,
      col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
      col('Status', 'The aggregate status of the containers in this pod.'),
      col(
        'Restarts',
        'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      ),
      AGE,
      col(
        'IP',
        'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
        1,
      ),
      col('Node', 'NodeName is a request to schedule this pod onto a specific node.', 1),
      col(
        'Nominated Node',
        'nominatedNodeName is set only when this pod preempts other pods on the node.',
        1,
      ),
      col('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.', 1),
    ],
    row: podCells,
  },
  nodes: {
    columns: [
      NAME,
      col('Status', 'The status of the node'),
      col('Roles', 'The roles of the node'),
      AGE,
      col('Version', 'Kubelet Version reported by the node.'),
      col(
        'Internal-IP',
        'List of addresses reachable to the node. Queried from cloud provider, if available.',
        1,
      ),
      col(
        'External-IP',
        'List of addresses reachable to the node. Queried from cloud provider, if available.',
        1,
      ),
      col(
        'OS-Image',
        'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
        1,
      ),
      col(
        'Kernel-Version',
        "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
        1,
      ),
      col(
        'Container-Runtime',
        'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
        1,
      ),
    ],
    row(obj, now) {
      const status = o(obj.status);
      const ready = arr(status.conditions).find((c) => c.type === 'Ready');
      const parts: string[] = [];
      if (ready) parts.push(ready.status === 'True' ? 'Ready' : 'NotReady');
      if (parts.length === 0) parts.push('Unknown');
      if (o(obj.spec).unschedulable === true) parts.push('SchedulingDisabled');
      const roles = new Set<string>();
      for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
        if (k.startsWith('node-role.kubernetes.io/')) {
          const role = k.slice('node-role.kubernetes.io/'.length);
          if (role) roles.add(role);
        } else if (k === 'kubernetes.io/role' && v) roles.add(v);
      }
      const info = o(status.nodeInfo);
      const address = (type: string): string =>
        str(arr(status.addresses).find((a) => a.type === type)?.address) || '<none>';
      return {
        cells: [
          obj.metadata.name,
          parts.join(','),
          roles.size > 0 ? [...roles].sort().join(',') : '<none>',
          age(obj, now),
          str(info.kubeletVersion),
          address('InternalIP'),
          address('ExternalIP'),
          str(info.osImage) || '<unknown>',
          str(info.kernelVersion) || '<unknown>',
          str(info.containerRuntimeVersion) || '<unknown>',
        ],
      };
    },
  },
  namespaces: {
    columns: [NAME, col('Status', 'The status of the namespace'), AGE],
    row: (obj, now) => ({ cells: [obj.metadata.name, str(o(obj.status).phase), age(obj, now)] }),
  },
  events: {
    columns: [
      col('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
      col('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
      col(
        'Reason',
        "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
      ),
      col('Object', 'The object that this event is about.'),
      col(
        'Subobject',
        'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.',
        1,
      ),
      col(
        'Source',
        'The component reporting this event. Should be a short machine understandable string.',
        1,
      ),
      col('Message', 'A human-readable description of the status of this operation.'),
      col(
        'First Seen',
        'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
        1,
      ),
      col('Count', 'The number of times this event has occurred.', 1),
      col('Name', 'Name must be unique within a namespace.', 1, 'string', 'name'),
    ],
    row(obj, now) {
      const e = obj as Any;
      let first = since(e.firstTimestamp, now);
      if (!e.firstTimestamp) first = since(e.eventTime, now);
      let last = e.lastTimestamp ? since(e.lastTimestamp, now) : first;
      let count = num(e.count);
      const series = o(e.series);
      if (e.series) {
        last = since(series.lastObservedTime, now);
        count = num(series.count);
      } else if (count === 0) count = 1;
      const involved = o(e.involvedObject);
      const kind = str(involved.kind).toLowerCase();
      const target = str(involved.name) ? `${kind}/${str(involved.name)}` : kind;
      const source = o(e.source);
      const component = str(source.component) || str(e.reportingComponent);
      const instance = str(source.host) || str(e.reportingInstance);
      const sourceText = instance ? `${component}, ${instance}` : component;
      return {
        cells: [
          last,
          str(e.type),
          str(e.reason),
          target,
          str(involved.fieldPath),
          sourceText,
          str(e.message).trim(),
          first,
          count,
          obj.metadata.name,
        ],
      };
    },
  },
  services: {
    columns: [
      NAME,
      col('Type', 'type determines how the Service is exposed.'),
      col('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
      col(
        'External-IP',
        'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
      ),
      col('Port(s)', 'The list of ports that are exposed by this service.'),
      AGE,
      col('Selector', 'Route service traffic to pods with label keys and values matching this selector.', 1),
    ],
    row(obj, now) {
      const spec = o(obj.spec);
      const type = str(spec.type);
      const clusterIPs = arr(spec.clusterIPs).map(String);
      const externalIPs = arr(spec.externalIPs).map(String);
      let external: string;
      if (type === 'ClusterIP' || type === 'NodePort')
        external = externalIPs.length ? externalIPs.join(',') : '<none>';
      else if (type === 'LoadBalancer') {
        const ingress = arr(o(o(obj.status).loadBalancer).ingress).map((i) => str(i.ip) || str(i.hostname));
        const all = [...ingress.filter((i) => i), ...externalIPs];
        external = all.length ? all.join(',') : '<pending>';
      } else if (type === 'ExternalName') external = str(spec.externalName);
      else external = '<unknown>';
      const ports = arr(spec.ports)
        .map((p) =>
          num(p.nodePort) > 0
            ? `${num(p.port)}:${num(p.nodePort)}/${str(p.protocol)}`
            : `${num(p.port)}/${str(p.protocol)}`,
        )
        .join(',');
      return {
        cells: [
          obj.metadata.name,
          type,
          clusterIPs[0] ?? '<none>',
          external,
          ports || '<none>',
          age(obj, now),
          formatLabels(spec.selector),
        ],
      };
    },
  },
  endpoints: {
    columns: [NAME, col('Endpoints', 'Endpoints is the list of endpoints in the object.'), AGE],
    row(obj, now) {
      const list: string[] = [];
      let count = 0;
      let more = false;
      for (const subset of arr(obj.subsets)) {
        const addresses = arr(subset.addresses);
        const ports = arr(subset.ports);
        if (ports.length === 0) {
          count += addresses.length;
          for (const a of addresses) {
            if (list.length === 3) {
              more = true;
              break;
            }
            list.push(str(a.ip));
          }
          continue;
        }
        for (const p of ports) {
          count += addresses.length;
          for (const a of addresses) {
            if (list.length === 3) {
              more = true;
              break;
            }
            const ip = str(a.ip);
            list.push(`${ip.includes(':') ? `[${ip}]` : ip}:${num(p.port)}`);
          }
        }
      }
      let text = list.length ? list.join(',') : '<none>';
      if (more) text = `${list.join(',')} + ${count - 3} more...`;
      if (arr(obj.subsets).length === 0) text = '<none>';
      return { cells: [obj.metadata.name, text, age(obj, now)] };
    },
  },
  persistentvolumeclaims: {
    columns: [
      NAME,
      col('Status', 'phase represents the current phase of PersistentVolumeClaim.'),
      col('Volume', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
      col('Capacity', 'capacity represents the actual resources of the underlying volume.'),
      col('Access Modes', 'accessModes contains the desired access modes the volume should have.'),
      col('StorageClass', 'storageClassName is the name of the StorageClass required by the claim.'),
      col(
        'VolumeAttributesClass',
        'volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.',
      ),
      AGE,
      col('VolumeMode', 'volumeMode defines what type of volume is required by the claim.', 1),
    ],
    row(obj, now) {
      const spec = o(obj.spec);
      const status = o(obj.status);
      const phase = obj.metadata.deletionTimestamp ? 'Terminating' : str(status.phase);
      let capacity = '';
      let modes = '';
      if (str(spec.volumeName)) {
        capacity = str(o(status.capacity).storage);
        const short: Record<string, string> = {
          ReadWriteOnce: 'RWO',
          ReadOnlyMany: 'ROX',
          ReadWriteMany: 'RWX',
          ReadWriteOncePod: 'RWOP',
        };
        modes = arr(status.accessModes)
          .map((m) => (typeof m === 'string' ? (short[m] ?? '') : ''))
          .filter((m) => m)
          .join(',');
      }
      const storageClass =
        str(spec.storageClassName) ||
        str(obj.metadata.annotations?.['volume.beta.kubernetes.io/storage-class']);
      return {
        cells: [
          obj.metadata.name,
          phase,
          str(spec.volumeName),
          capacity,
          modes,
          storageClass,
          str(spec.volumeAttributesClassName) || '<unset>',
          age(obj, now),
          str(spec.volumeMode) || '<unset>',
        ],
      };
    },
  },
  configmaps: {
    columns: [NAME, col('Data', 'Data contains the configuration data.', 0, 'integer'), AGE],
    row: (obj, now) => ({
      cells: [
        obj.metadata.name,
        Object.keys(o(obj.data)).length + Object.keys(o(obj.binaryData)).length,
        age(obj, now),
      ],
    }),
  },
  secrets: {
    columns: [
      NAME,
      col('Type', 'Used to facilitate programmatic handling of secret data.'),
      col('Data', 'Data contains the secret data.', 0, 'integer'),
      AGE,
    ],
    row: (obj, now) => ({
      cells: [obj.metadata.name, str(obj.type), Object.keys(o(obj.data)).length, age(obj, now)],
    }),
  },
  'apps/deployments': {
    columns: [
      NAME,
      col('Ready', 'Number of the pod with ready state'),
      col(
        'Up-to-date',
        'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
        0,
        'integer',
      ),
      col(
        'Available',
        'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
        0,
        'integer',
      ),
      AGE,
      CONTAINERS,
      IMAGES,
      SELECTOR,
    ],
    row(obj, now) {
      const spec = o(obj.spec);
      const status = o(obj.status);
      const [containers, images] = templateContainers(obj);
      return {
        cells: [
          obj.metadata.name,
          `${num(status.readyReplicas)}/${num(spec.replicas)}`,
          num(status.updatedReplicas),
          num(status.availableReplicas),
          age(obj, now),
          containers,
          images,
          selectorString(spec.selector),
        ],
      };
    },
  },
  'apps/replicasets': {
    columns: [
      NAME,
      col('Desired', 'Replicas is the number of desired replicas.', 0, 'integer'),
      col('Current', 'Replicas is the most recently observed number of replicas.', 0, 'integer'),
      col('Ready', 'The number of ready replicas for this replica set.', 0, 'integer'),
      AGE,
      CONTAINERS,
      IMAGES,
      SELECTOR,
    ],
    row(obj, now) {
      const [containers, images] = templateContainers(obj);
      const status = o(obj.status);
      return {
        cells: [
          obj.metadata.name,
          num(o(obj.spec).replicas),
          num(status.replicas),
          num(status.readyReplicas),
          age(obj, now),
          containers,
          images,
          selectorString(o(obj.spec).selector),
        ],
      };
    },
  },
  'apps/statefulsets': {
    columns: [NAME, col('Ready', 'Number of the pod with ready state'), AGE, CONTAINERS, IMAGES],
    row(obj, now) {
      const [containers, images] = templateContainers(obj);
      return {
        cells: [
          obj.metadata.name,
          `${num(o(obj.status).readyReplicas)}/${num(o(obj.spec).replicas)}`,
          age(obj, now),
          containers,
          images,
        ],
      };
    },
  },
  'apps/daemonsets': {
    columns: [
      NAME,
      col('Desired', 'The total number of nodes that should be running the daemon pod.', 0, 'integer'),
      col(
        'Current',
        'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.',
        0,
        'integer',
      ),
      col(
        'Ready',
        'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
        0,
        'integer',
      ),
      col('Up-to-date', 'The total number of nodes that are running updated daemon pod', 0, 'integer'),
      col(
        'Available',
        'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.',
        0,
        'integer',
      ),
      col('Node Selector', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
      AGE,
      CONTAINERS,
      IMAGES,
      SELECTOR,
    ],
    row(obj, now) {
      const status = o(obj.status);
      const [containers, images] = templateContainers(obj);
      const nodeSelector = o(o(o(o(obj.spec).template).spec).nodeSelector);
      return {
        cells: [
          obj.metadata.name,
          num(status.desiredNumberScheduled),
          num(status.currentNumberScheduled),
          num(status.numberReady),
          num(status.updatedNumberScheduled),
          num(status.numberAvailable),
          formatLabels(nodeSelector),
          age(obj, now),
          containers,
          images,
          selectorString(o(obj.spec).selector),
        ],
      };
    },
  },
  'batch/jobs': {
    columns: [
      NAME,
      col('Status', 'Status of the job.'),
      col('Completions', 'The number of pods which reached phase Succeeded.'),
      col('Duration', 'Time required to complete the job.'),
      AGE,
      CONTAINERS,
      IMAGES,
      SELECTOR,
    ],
    row(obj, now) {
      const spec = o(obj.spec);
      const status = o(obj.status);
      let completions: string;
      if (typeof spec.completions === 'number') completions = `${num(status.succeeded)}/${spec.completions}`;
      else {
        const parallelism = num(spec.parallelism);
        completions =
          parallelism > 1 ? `${num(status.succeeded)}/1 of ${parallelism}` : `${num(status.succeeded)}/1`;
      }
      let duration = '';
      if (str(status.startTime)) {
        const start = Date.parse(str(status.startTime));
        const end = str(status.completionTime) ? Date.parse(str(status.completionTime)) : now;
        duration = humanDuration(end - start);
      }
      const has = (type: string): boolean =>
        arr(status.conditions).some((c) => c.type === type && c.status === 'True');
      let state = 'Running';
      if (has('Complete')) state = 'Complete';
      else if (has('Failed')) state = 'Failed';
      else if (obj.metadata.deletionTimestamp) state = 'Terminating';
      else if (has('Suspended')) state = 'Suspended';
      else if (has('FailureTarget')) state = 'FailureTarget';
      else if (has('SuccessCriteriaMet')) state = 'SuccessCriteriaMet';
      const [containers, images] = templateContainers(obj);
      return {
        cells: [
          obj.metadata.name,
          state,
          completions,
          duration,
          age(obj, now),
          containers,
          images,
          selectorString(spec.selector),
        ],
      };
    },
  },
  'autoscaling/horizontalpodautoscalers': {
    columns: [
      NAME,
      col('Reference', 'scaleTargetRef points to the target resource to scale.'),
      col(
        'Targets',
        'metrics contains the specifications for which to use to calculate the desired replica count.',
      ),
      col(
        'MinPods',
        'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.',
      ),
      col(
        'MaxPods',
        'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.',
      ),
      col('Replicas', 'currentReplicas is current number of replicas of pods managed by this autoscaler.'),
      AGE,
    ],
    row(obj, now) {
      const spec = o(obj.spec);
      const status = o(obj.status);
      const ref = o(spec.scaleTargetRef);
      return {
        cells: [
          obj.metadata.name,
          `${str(ref.kind)}/${str(ref.name)}`,
          hpaTargets(arr(spec.metrics), arr(status.currentMetrics)),
          typeof spec.minReplicas === 'number' ? String(spec.minReplicas) : '<unset>',
          num(spec.maxReplicas),
          num(status.currentReplicas),
          age(obj, now),
        ],
      };
    },
  },
  'coordination.k8s.io/leases': {
    columns: [NAME, col('Holder', 'The holder of the lease.'), AGE],
    row: (obj, now) => ({ cells: [obj.metadata.name, str(o(obj.spec).holderIdentity), age(obj, now)] }),
  },
};

/** `formatHPAMetrics`: `cpu: 45%/50%`, at most two then `+ N more...`. */
export function hpaTargets(specs: Any[], statuses: Any[]): string {
  if (specs.length === 0) return '<none>';
  const list: string[] = [];
  specs.forEach((spec, i) => {
    const current = o(statuses[i]);
    const describe = (source: Any, currentSource: Any, name: string): string => {
      const target = o(source.target);
      const now = o(currentSource.current);
      if (target.averageValue !== undefined) {
        return `${name}: ${now.averageValue !== undefined ? str(now.averageValue) : '<unknown>'}/${str(target.averageValue)}`;
      }
      if (target.value !== undefined) {
        return `${name}: ${now.value !== undefined ? str(now.value) : '<unknown>'}/${str(target.value)}`;
      }
      const cur = typeof now.averageUtilization === 'number' ? `${now.averageUtilization}%` : '<unknown>';
      const tgt = typeof target.averageUtilization === 'number' ? `${target.averageUtilization}%` : '<auto>';
      return `${name}: ${cur}/${tgt}`;
    };
    switch (str(spec.type)) {
      case 'Resource':
        list.push(describe(o(spec.resource), o(current.resource), str(o(spec.resource).name)));
        break;
      case 'ContainerResource':
        list.push(
          describe(
            o(spec.containerResource),
            o(current.containerResource),
            str(o(spec.containerResource).name),
          ),
        );
        break;
      case 'Pods':
        list.push(
          describe(o(spec.pods), o(current.pods), str(o(o(spec.pods).metric).name)).replace(/^[^:]*: /, ''),
        );
        break;
      case 'Object':
        list.push(
          describe(o(spec.object), o(current.object), str(o(o(spec.object).metric).name)).replace(
            /^[^:]*: /,
            '',
          ),
        );
        break;
      case 'External':
        list.push(
          describe(o(spec.external), o(current.external), str(o(o(spec.external).metric).name)).replace(
            /^[^:]*: /,
            '',
          ),
        );
        break;
      default:
        list.push('<unknown type>');
    }
  });
  if (list.length > 2) return `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...`;
  return list.join(', ');
}

const DEFAULT_PRINTER: Printer = {
  columns: [
    NAME,
    col(
      'Created At',
      'CreationTimestamp is a timestamp representing the server time when this object was created.',
      0,
      'date',
    ),
  ],
  row: (obj) => ({ cells: [obj.metadata.name, obj.metadata.creationTimestamp ?? null] }),
};

/** The printer of a stored kind (events.k8s.io events print as their core form). */
export function printerFor(key: string): Printer {
  return PRINTERS[key] ?? DEFAULT_PRINTER;
}
