// `chat.deploy:` — deploying apps from chat: where templates come from, how long a rollout may
// take, how the answer's URL is built. Mounted under `chat.deploy` by the chat section.
import { z } from 'zod';
import { duration, obj } from '../../config/schema-kit.js';

const MIN_POLL_MS = 100;

export const deploySchema = obj({
  /** Offer /deploy, /apps and /undeploy at all. */
  enabled: z.boolean().default(true),
  /** Offer the templates that ship with Lookout (`templates/`); a template of the same name in `templates_dir` replaces one. */
  builtin_templates: z.boolean().default(true),
  /** A directory of extra app templates (`*.yaml`), validated at start. */
  templates_dir: z.string().min(1).optional(),
  /** Deploy to this cluster when several are watched; otherwise the conversation asks. */
  cluster: z.string().min(1).optional(),
  /** Replicas the conversation offers: 1 to this. */
  max_replicas: z.number().int().min(1).max(10).default(3),
  /** How many live apps one person may have at once. */
  max_apps_per_user: z.number().int().min(1).max(1000).default(10),
  /** Give up on a rollout that is not ready after this long, and say why. */
  rollout_timeout: duration().prefault('5m'),
  /**
   * Give up early when a pod has been stuck this long in a state that needs a person
   * (ImagePullBackOff, CrashLoopBackOff, CreateContainerConfigError, unschedulable).
   */
  stuck_after: duration().prefault('1m'),
  /** How often a rollout is checked (and its progress message edited, when it changed). */
  poll_interval: duration()
    .prefault('2s')
    .refine((ms) => ms >= MIN_POLL_MS, { message: `must be at least ${MIN_POLL_MS}ms` }),
  /** A conversation left unanswered this long is forgotten. */
  conversation_timeout: duration().prefault('30m'),
  /** Host name or address shown in app URLs instead of a node's InternalIP (a public address, a DNS name). */
  node_address: z.string().min(1).optional(),
});

export type DeployConfig = z.output<typeof deploySchema>;
