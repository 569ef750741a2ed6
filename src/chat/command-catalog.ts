// Every command the bot knows, who may run it, and its one-line help: `/commands` and
// Telegram's command menu are built from this list, so help never drifts from the code.
import type { ChatUser } from './context.js';

/** Who may run a command: everybody, approved members (and admins), or admins only. */
export type Audience = 'anyone' | 'member' | 'admin';

export interface CommandInfo {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** How the arguments are written, for help. */
  readonly args?: string;
  readonly summary: string;
  readonly audience: Audience;
  /** Changes the cluster or Lookout's alerting: needs a confirm button. */
  readonly mutating?: boolean;
}

export const COMMANDS: readonly CommandInfo[] = [
  { name: 'start', summary: 'what this bot does and how to begin', audience: 'anyone' },
  { name: 'help', summary: 'the commands you may run', audience: 'anyone' },
  { name: 'register', aliases: ['au'], summary: 'ask an admin for access', audience: 'anyone' },
  { name: 'me', aliases: ['gu'], summary: 'your id, name, role and namespaces', audience: 'anyone' },
  { name: 'commands', aliases: ['ac'], summary: 'the commands you may run', audience: 'anyone' },
  {
    name: 'status',
    summary: 'each cluster: nodes ready, pods by phase, abnormal pods, firing alerts',
    audience: 'member',
  },
  { name: 'top', args: 'nodes | pods [NS]', summary: 'CPU and memory of nodes or pods', audience: 'member' },
  {
    name: 'chart',
    args: '[QUERY] [RANGE]',
    summary: 'a chart of the cluster (eight queries, pick with buttons)',
    audience: 'member',
  },
  {
    name: 'events',
    args: '[NS] [REASON]',
    summary: 'recent Kubernetes events, newest first',
    audience: 'member',
  },
  {
    name: 'crashes',
    args: '[NS]',
    summary: 'recent container crashes with their reason',
    audience: 'member',
  },
  {
    name: 'logs',
    args: 'POD [CONTAINER] [--previous]',
    summary: 'the last log lines of a pod',
    audience: 'member',
  },
  {
    name: 'describe',
    args: 'POD',
    summary: 'a pod in detail with its events (secrets hidden)',
    audience: 'member',
  },
  { name: 'hpa', args: '[NS]', summary: 'horizontal pod autoscalers and their replicas', audience: 'member' },
  { name: 'alerts', summary: 'firing alerts with silences and acknowledgements', audience: 'member' },
  {
    name: 'subscribe',
    args: '[NS…]',
    summary: 'send this chat the alerts of namespaces (yours, when none given)',
    audience: 'member',
  },
  { name: 'unsubscribe', args: '[NS…]', summary: 'stop sending alerts to this chat', audience: 'member' },
  { name: 'subscriptions', summary: "this chat's alert subscriptions", audience: 'member' },
  {
    name: 'silence',
    args: 'MATCHER… [for DURATION]',
    summary: 'silence alerts (confirm button)',
    audience: 'member',
    mutating: true,
  },
  {
    name: 'restart',
    args: 'DEPLOYMENT',
    summary: 'rollout restart of a Deployment (confirm button)',
    audience: 'member',
    mutating: true,
  },
  {
    name: 'scale',
    args: 'DEPLOYMENT REPLICAS',
    summary: 'scale a Deployment (confirm button)',
    audience: 'member',
    mutating: true,
  },
  {
    name: 'deletepod',
    args: 'POD',
    summary: 'delete a pod so its controller replaces it (confirm button)',
    audience: 'member',
    mutating: true,
  },
  { name: 'users', args: '[pending]', summary: 'every user with role and namespaces', audience: 'admin' },
  {
    name: 'approve',
    args: 'USER [NS…]',
    summary: 'approve a pending user (as member, with namespaces)',
    audience: 'admin',
  },
  {
    name: 'deny',
    args: 'USER',
    summary: 'deny a registration (the user becomes blocked)',
    audience: 'admin',
  },
  { name: 'grant', args: 'USER NS…', summary: 'give a user namespaces', audience: 'admin' },
  { name: 'revoke', args: 'USER NS…', summary: 'take namespaces away from a user', audience: 'admin' },
  {
    name: 'role',
    args: 'USER admin|member|pending|blocked',
    summary: "change a user's role",
    audience: 'admin',
  },
];

/** Whether a user's role lets them run commands for `audience`. */
export function allowed(user: ChatUser | undefined, audience: Audience): boolean {
  if (audience === 'anyone') return user?.role !== 'blocked';
  if (!user) return false;
  if (audience === 'admin') return user.role === 'admin';
  return user.role === 'admin' || user.role === 'member';
}

/** The commands a user may run, extra ones (deploy) included. */
export function commandsFor(user: ChatUser | undefined, extra: readonly CommandInfo[] = []): CommandInfo[] {
  return [...COMMANDS, ...extra].filter((c) => allowed(user, c.audience));
}

/** The catalog entry for a command or alias. */
export function findCommand(name: string, extra: readonly CommandInfo[] = []): CommandInfo | undefined {
  const n = name.toLowerCase();
  return [...COMMANDS, ...extra].find((c) => c.name === n || c.aliases?.includes(n));
}
