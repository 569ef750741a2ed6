// Reading a command's words: flags (--cluster, --previous), which namespaces an answer may
// cover for this user, and which pod "POD" or "NS/POD" means — refusing what they may not see.
import type { PodSnapshot } from '../domain/kube.js';
import type { BotServices } from './bot-services.js';
import type { ChatUser } from './context.js';
import { Refusal, UsageError } from './refusal.js';
import { canAccess, visibleNamespaces } from './user-directory.js';

export interface ParsedArgs {
  readonly positional: string[];
  readonly cluster: string | undefined;
  readonly flags: ReadonlySet<string>;
}

/** Splits `--cluster NAME` / `-c NAME` / `--cluster=NAME` and boolean flags from positional words. */
export function parseArgs(args: readonly string[], booleans: readonly string[] = []): ParsedArgs {
  const positional: string[] = [];
  const flags = new Set<string>();
  let cluster: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--cluster' || a === '-c') {
      cluster = args[++i];
      if (!cluster) throw new UsageError(`${a} needs a cluster name.`);
    } else if (a.startsWith('--cluster=')) cluster = a.slice('--cluster='.length);
    else if (a.startsWith('--') || (a.startsWith('-') && a.length === 2)) {
      const name = a.replace(/^-+/, '');
      const known = booleans.find((b) => b === name || b[0] === name);
      if (!known) throw new UsageError(`Unknown option ${a}.`);
      flags.add(known);
    } else positional.push(a);
  }
  return { positional, cluster, flags };
}

/** The clusters an answer covers: the one asked for, else all. */
export function clustersFor(
  services: Pick<BotServices, 'clusters'>,
  asked: string | undefined,
): readonly string[] {
  if (asked === undefined) return services.clusters;
  if (!services.clusters.includes(asked))
    throw new UsageError(
      `No cluster "${asked}". Lookout watches: ${services.clusters.join(', ') || 'none'}.`,
    );
  return [asked];
}

/**
 * The namespaces an answer may cover: the one asked for (refused when the user lacks it), or
 * everything they may see (`undefined` = all, for admins).
 */
export function namespacesFor(user: ChatUser, asked: string | undefined): readonly string[] | undefined {
  if (asked !== undefined) {
    if (!canAccess(user, asked)) throw new Refusal(`You have no access to namespace "${asked}".`);
    return [asked];
  }
  const visible = visibleNamespaces(user);
  if (visible === 'all') return undefined;
  if (visible.length === 0) throw new Refusal('You have no namespaces yet. Ask an admin to /grant you some.');
  return visible;
}

/** Whether a word looks like a namespace (a DNS label) rather than a reason (CamelCase). */
export function looksLikeNamespace(word: string): boolean {
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(word);
}

export interface PodRef {
  readonly cluster: string;
  readonly pod: PodSnapshot;
}

/**
 * Finds the pod "NAME" or "NS/NAME" in the clusters' current state among the namespaces the
 * user may see. A pod only in namespaces they lack is refused as such; several matches ask for NS/NAME.
 */
export function findPod(
  services: Pick<BotServices, 'clusters' | 'state'>,
  user: ChatUser,
  ref: string,
  cluster: string | undefined,
): PodRef {
  const [ns, name] = ref.includes('/') ? (ref.split('/', 2) as [string, string]) : [undefined, ref];
  if (ns !== undefined && !canAccess(user, ns)) throw new Refusal(`You have no access to namespace "${ns}".`);
  const hits: PodRef[] = [];
  let hidden = 0;
  for (const c of clustersFor(services, cluster)) {
    const state = services.state(c);
    if (!state) continue;
    for (const pod of ns !== undefined ? state.pods(ns) : state.pods()) {
      if (pod.name !== name) continue;
      if (canAccess(user, pod.namespace)) hits.push({ cluster: c, pod });
      else hidden++;
    }
  }
  if (hits.length === 1) return hits[0]!;
  if (hits.length > 1) {
    const where = hits.map(
      (h) =>
        `${h.pod.namespace}/${h.pod.name}${services.clusters.length > 1 ? ` (cluster ${h.cluster})` : ''}`,
    );
    throw new UsageError(
      `Several pods are called ${name}: ${where.join(', ')}. Write NAMESPACE/POD${services.clusters.length > 1 ? ' and --cluster NAME' : ''}.`,
    );
  }
  if (hidden > 0) throw new Refusal(`You have no access to the namespace of pod "${name}".`);
  throw new UsageError(`No pod "${ref}" in the namespaces you may see.`);
}
