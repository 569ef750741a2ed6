// The notification log's decision (Alertmanager's DedupStage): given what a receiver integration
// was last told about a group and what the group holds now, is a notification due, and why?
import type { NotificationReason } from '../domain/notification.js';

/** What one receiver integration was last told about one group. */
export interface NflogEntry {
  readonly firing: ReadonlySet<string>;
  readonly resolved: ReadonlySet<string>;
  /** Epoch ms of that notification. */
  readonly timestamp: number;
  /** Epoch ms after which the entry is forgotten. */
  readonly expiresAt: number;
}

function isSubset(small: ReadonlySet<string>, big: ReadonlySet<string>): boolean {
  for (const x of small) if (!big.has(x)) return false;
  return true;
}

/**
 * Why a notification is due, or undefined when nothing changed. Mirrors Alertmanager 0.25:
 * a first notification needs a firing alert; any new firing alert notifies; all-resolved
 * notifies only if the receiver had been told of firing alerts (whatever `send_resolved` says,
 * so the log is cleared); newly resolved alerts notify when `send_resolved`; otherwise only
 * the repeat interval does.
 */
export function notificationDue(
  entry: NflogEntry | undefined,
  firing: ReadonlySet<string>,
  resolved: ReadonlySet<string>,
  options: { readonly sendResolved: boolean; readonly repeatIntervalMs: number; readonly now: number },
): NotificationReason | undefined {
  const { sendResolved, repeatIntervalMs, now } = options;
  if (entry === undefined) return firing.size > 0 ? 'first notification' : undefined;
  // Alertmanager asks whether the *current* firing set is a subset of what was logged.
  if (!isSubset(firing, entry.firing)) return 'new alerts added';
  if (firing.size === 0) return entry.firing.size > 0 ? 'all alerts resolved' : undefined;
  if (sendResolved && !isSubset(resolved, entry.resolved)) return 'some alerts resolved';
  if (entry.timestamp < now - repeatIntervalMs) return 'repeat interval elapsed';
  return undefined;
}
