// `imagepull`: things that never start. checkout is rolled out to a tag that does not exist —
// the new pod cycles ErrImagePull/ImagePullBackOff while the old ones keep serving, and after
// the progress deadline the Deployment reports ProgressDeadlineExceeded; a private image is
// refused (pull access denied); mailer references a Secret that does not exist
// (CreateContainerConfigError); and a claim on a missing storage class stays Pending.
import { baseCluster } from './base.js';
import type { ScenarioKit } from './kit.js';
import type { Scenario } from './scenario.js';

export const IMAGEPULL = {
  namespace: 'shop',
  checkout: { name: 'checkout', good: 'ghcr.io/acme/checkout:1.8.2', bad: 'ghcr.io/acme/checkout:1.8.3-rc' },
  reports: { name: 'reports', image: 'registry.acme.internal/finance/reports:2.0.0' },
  mailer: { name: 'mailer', image: 'ghcr.io/acme/mailer:1.1.0', secret: 'smtp-credentials' },
  claim: { name: 'uploads', storageClass: 'fast-ssd' },
  /** When the bad rollout starts (unscaled ms after start). */
  rolloutAtMs: 5_000,
} as const;

export function imagepullWorkloads(kit: ScenarioKit): void {
  const ns = IMAGEPULL.namespace;
  kit.namespace(ns, { team: 'shop' });
  kit.behaviour(IMAGEPULL.checkout.good, { logs: 'java' });
  kit.driver.breakImage(IMAGEPULL.checkout.bad);
  kit.driver.denyImage(IMAGEPULL.reports.image);
  kit.deployment({
    namespace: ns,
    name: IMAGEPULL.checkout.name,
    replicas: 3,
    containers: [
      {
        name: 'checkout',
        image: IMAGEPULL.checkout.good,
        cpu: '250m',
        memory: '512Mi',
        limitMemory: '768Mi',
        port: 8080,
        readiness: true,
      },
    ],
  });
  kit.deployment({
    namespace: ns,
    name: IMAGEPULL.reports.name,
    settled: false,
    containers: [{ name: 'reports', image: IMAGEPULL.reports.image, cpu: '100m', memory: '128Mi' }],
  });
  kit.deployment({
    namespace: ns,
    name: IMAGEPULL.mailer.name,
    settled: false,
    containers: [
      {
        name: 'mailer',
        image: IMAGEPULL.mailer.image,
        cpu: '50m',
        memory: '64Mi',
        env: [
          {
            name: 'SMTP_PASSWORD',
            valueFrom: { secretKeyRef: { name: IMAGEPULL.mailer.secret, key: 'password' } },
          },
        ],
      },
    ],
  });
  kit.create('persistentvolumeclaims', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: IMAGEPULL.claim.name, namespace: ns },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '20Gi' } },
      storageClassName: IMAGEPULL.claim.storageClass,
      volumeMode: 'Filesystem',
    },
  });
}

/** Rolls checkout to the tag that does not exist. */
export function startBadRollout(kit: ScenarioKit): void {
  kit.ctx.store.mutate('apps/deployments', IMAGEPULL.namespace, IMAGEPULL.checkout.name, (d) => {
    const spec = d.spec as { template: { spec: { containers: Array<{ image?: string }> } } };
    spec.template.spec.containers[0]!.image = IMAGEPULL.checkout.bad;
  });
}

export const imagepull: Scenario = {
  name: 'imagepull',
  summary: 'a rollout to a missing tag, a denied private image, a missing Secret, a Pending claim',
  setup(kit) {
    baseCluster(kit, { workers: 2 });
    imagepullWorkloads(kit);
  },
  run(kit) {
    kit.timers.after(kit.scaled(IMAGEPULL.rolloutAtMs), () => startBadRollout(kit));
  },
};
