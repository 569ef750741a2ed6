// The persistent volume controller with a dynamic provisioner: a claim on a known storage class
// is provisioned and Bound after a moment (ExternalProvisioning → Provisioning →
// ProvisioningSucceeded); a claim on a class that does not exist stays Pending with a
// ProvisioningFailed warning that repeats, as it does in a real cluster.
import type { SimContext } from '../context.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { refTo } from '../events/event-writer.js';
import { isTerminalPod, keyOf, splitKey, type PodObject, type PvcObject } from '../kinds.js';
import type { WorkQueue } from '../work-queue.js';

const PROVISIONER = 'rancher.io/local-path';
const RESYNC_MS = 15_000;

export class PvcBinder {
  readonly #ctx: SimContext;
  readonly #queue: WorkQueue;
  readonly #events: EventRecorder;
  readonly #provisionerEvents: EventRecorder;
  readonly #classes: Set<string>;
  readonly #defaultClass: string;
  readonly #provisioning = new Set<string>();

  constructor(ctx: SimContext, storageClasses: readonly string[] = ['standard', 'local-path']) {
    this.#ctx = ctx;
    this.#classes = new Set(storageClasses);
    this.#defaultClass = storageClasses[0] ?? 'standard';
    this.#events = ctx.recorder({ component: 'persistentvolume-controller' });
    this.#provisionerEvents = ctx.recorder({
      component: `${PROVISIONER}_local-path-provisioner-7d4b5c7b9f-${ctx.random.fork('pvc').nameSuffix()}`,
    });
    this.#queue = ctx.queue('pvc', (key) => this.sync(key));
    ctx.cache.on('persistentvolumeclaims', (e) => {
      if (e.type === 'ADDED') this.#queue.add(keyOf(e.object));
      if (e.type === 'MODIFIED' && e.object.metadata.deletionTimestamp) this.#queue.add(keyOf(e.object));
    });
    ctx.cache.on('pods', (e) => {
      // A pod that stops using a claim may let a deleted claim go (pvc-protection).
      if (e.type !== 'DELETED') return;
      const ns = e.object.metadata.namespace ?? 'default';
      for (const pvc of ctx.cache.list('persistentvolumeclaims', ns)) {
        if (pvc.metadata.deletionTimestamp) this.#queue.add(keyOf(pvc));
      }
    });
  }

  /** Storage classes the simulated cluster knows; claims on others stay Pending. */
  addStorageClass(name: string): void {
    this.#classes.add(name);
  }

  /** pvc-protection: a deleted claim goes once no pod uses it. */
  #release(pvc: PvcObject): void {
    const ns = pvc.metadata.namespace ?? 'default';
    const inUse = this.#ctx.cache
      .list<PodObject>('pods', ns)
      .some(
        (p) =>
          !isTerminalPod(p) &&
          (p.spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === pvc.metadata.name),
      );
    if (inUse || !pvc.metadata.finalizers?.includes('kubernetes.io/pvc-protection')) return;
    this.#ctx.store.mutate('persistentvolumeclaims', ns, pvc.metadata.name ?? '', (obj) => {
      obj.metadata.finalizers = (obj.metadata.finalizers ?? []).filter(
        (f) => f !== 'kubernetes.io/pvc-protection',
      );
    });
  }

  sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const pvc = this.#ctx.cache.get<PvcObject>('persistentvolumeclaims', namespace, name);
    if (!pvc) return;
    if (pvc.metadata.deletionTimestamp) {
      this.#release(pvc);
      return;
    }
    if (pvc.status?.phase === 'Bound') return;
    const className = pvc.spec?.storageClassName ?? this.#defaultClass;
    if (pvc.status?.phase !== 'Pending') {
      this.#ctx.store.mutate(
        'persistentvolumeclaims',
        namespace,
        name,
        (obj) => {
          (obj as PvcObject).status = { phase: 'Pending' };
        },
        { subresource: 'status' },
      );
    }
    if (!this.#classes.has(className)) {
      this.#events.event(
        refTo(pvc),
        'Warning',
        'ProvisioningFailed',
        `storageclass.storage.k8s.io "${className}" not found`,
      );
      this.#queue.addAfter(key, this.#ctx.scaled(RESYNC_MS));
      return;
    }
    if (this.#provisioning.has(key)) return;
    this.#provisioning.add(key);
    this.#events.event(
      refTo(pvc),
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${PROVISIONER}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
    this.#provisionerEvents.event(
      refTo(pvc),
      'Normal',
      'Provisioning',
      `External provisioner is provisioning volume for claim "${namespace}/${name}"`,
    );
    this.#ctx.timers.after(this.#ctx.scaled(this.#ctx.random.between(1500, 4000)), () => {
      this.#provisioning.delete(key);
      const current = this.#ctx.cache.get<PvcObject>('persistentvolumeclaims', namespace, name);
      if (!current || current.metadata.uid !== pvc.metadata.uid) return;
      const volume = `pvc-${pvc.metadata.uid}`;
      this.#ctx.store.mutate('persistentvolumeclaims', namespace, name, (obj) => {
        obj.metadata.annotations = {
          ...(obj.metadata.annotations ?? {}),
          'pv.kubernetes.io/bind-completed': 'yes',
          'pv.kubernetes.io/bound-by-controller': 'yes',
          'volume.beta.kubernetes.io/storage-provisioner': PROVISIONER,
          'volume.kubernetes.io/storage-provisioner': PROVISIONER,
        };
        obj.metadata.finalizers = [
          ...new Set([...(obj.metadata.finalizers ?? []), 'kubernetes.io/pvc-protection']),
        ];
        const spec = ((obj as PvcObject).spec ??= {});
        spec.volumeName = volume;
        spec.storageClassName ??= className;
      });
      this.#ctx.store.mutate(
        'persistentvolumeclaims',
        namespace,
        name,
        (obj) => {
          const p = obj as PvcObject;
          p.status = {
            phase: 'Bound',
            accessModes: p.spec?.accessModes ?? ['ReadWriteOnce'],
            capacity: { storage: String(p.spec?.resources?.requests?.storage ?? '1Gi') },
          };
        },
        { subresource: 'status' },
      );
      this.#provisionerEvents.event(
        refTo(current),
        'Normal',
        'ProvisioningSucceeded',
        `Successfully provisioned volume ${volume}`,
      );
    });
  }
}
