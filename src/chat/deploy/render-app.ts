// Turns a template and the conversation's answers into the Kubernetes objects to create:
// placeholders filled, passwords generated, every object labelled as Lookout's and the app's.
import { randomInt } from 'node:crypto';
import { kindInfo, type ObjectRef } from './kinds.js';
import { substituteAll, type AppTemplate, type Manifest } from './template.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';
export const MANAGED_BY = 'lookout';

export interface AppAnswers {
  readonly app: string;
  readonly namespace: string;
  readonly replicas: number;
}

export interface RenderedApp {
  /** In creation order, each with its namespace and labels set. */
  readonly objects: readonly Manifest[];
  readonly refs: readonly ObjectRef[];
  /** The Service and port whose node port is the app's address. */
  readonly expose: { readonly service: string; readonly port: string | number };
  /** Generated passwords: kept only to hide them from anything shown. */
  readonly secrets: readonly string[];
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random password of letters and digits, from the operating system's CSPRNG. */
export function generatePassword(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

function withLabels(labels: unknown, app: string, managed: boolean): Record<string, string> {
  const out = { ...((labels ?? {}) as Record<string, string>) };
  if (managed) out[MANAGED_BY_LABEL] = MANAGED_BY;
  out[INSTANCE_LABEL] = app;
  return out;
}

export function renderApp(template: AppTemplate, answers: AppAnswers): RenderedApp {
  const values: Record<string, string | number> = {
    app: answers.app,
    namespace: answers.namespace,
    replicas: answers.replicas,
  };
  const secrets: string[] = [];
  for (const p of template.parameters) {
    if (p.type === 'secret') {
      const value = generatePassword(p.length);
      secrets.push(value);
      values[p.name] = value;
    } else {
      values[p.name] = p.default;
    }
  }
  const objects = template.objects.map((o) => {
    const m = substituteAll(o, values) as Manifest & {
      spec?: { template?: { metadata?: { labels?: Record<string, string> } } };
    };
    m.metadata = {
      ...m.metadata,
      namespace: answers.namespace,
      labels: withLabels(m.metadata.labels, answers.app, true),
    };
    // Pods carry the app's name too, so `kubectl get pods -l app.kubernetes.io/instance=…` finds them.
    if (kindInfo(m.apiVersion, m.kind)?.workload && m.spec?.template) {
      const podMeta = m.spec.template.metadata ?? {};
      m.spec.template.metadata = { ...podMeta, labels: withLabels(podMeta.labels, answers.app, false) };
    }
    return m;
  });
  return {
    objects,
    refs: objects.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name })),
    expose: {
      service: String(substituteAll(template.expose.service, values)),
      port: template.expose.port,
    },
    secrets,
  };
}
