// Runs the rule pack: level rules are re-evaluated on every change and on an interval, with
// Prometheus's pending → firing semantics of `for`; point rules (a crash, a warning event, a
// new pod) fire at once and stay firing for their `hold`. Cooldowns damp repeats per key.
// Alerts go to a sink (the alerting ingest); resolved ones are sent explicitly.
import type { Logger } from 'pino';
import type { RuleName, RuleSettings, RulesConfig } from '../config/sections/rules.js';
import { fingerprint, type Alert } from '../domain/alert.js';
import type { CrashRecord, EventOccurrence } from '../domain/history.js';
import type { PodSnapshot } from '../domain/kube.js';
import type { ClusterStateView } from '../history/cluster-state.js';
import { errorMessage } from '../lib/errors.js';
import { BUILTIN_RULES } from './builtin.js';
import { namespaceAllowed, type Candidate, type ResourceUsage, type Rule } from './rule.js';

export type AlertSink = (alerts: Alert[]) => Promise<void>;

/** Where cooldowns are remembered (the store in production). */
export interface CooldownStore {
  load(since: number): Promise<Array<{ cluster: string; rule: string; key: string; firedAt: number }>>;
  save(cluster: string, rule: string, key: string, firedAt: number): Promise<void>;
}

export interface RuleEngineOptions {
  readonly config: RulesConfig;
  readonly sink: AlertSink;
  readonly log: Logger;
  readonly cooldowns?: CooldownStore;
  readonly now?: () => number;
  readonly rules?: readonly Rule[];
  /** Minimum time between two change-driven evaluations of one cluster. */
  readonly throttleMs?: number;
  /** The latest resource samples of a cluster, for the threshold rules (built-in metrics). */
  readonly usage?: (cluster: string) => ResourceUsage | undefined;
}

interface Pending {
  readonly since: number;
}

interface ClusterRuleState {
  readonly pending: Map<string, Pending>;
  readonly firing: Map<string, Alert>;
  lastEvaluation: number;
  scheduled: boolean;
}

export class RuleEngine {
  readonly #o: Required<Omit<RuleEngineOptions, 'cooldowns' | 'usage'>> &
    Pick<RuleEngineOptions, 'cooldowns' | 'usage'>;
  readonly #clusters = new Map<string, ClusterRuleState>();
  readonly #cooldowns = new Map<string, number>();
  #chain: Promise<void> = Promise.resolve();

  constructor(options: RuleEngineOptions) {
    this.#o = { rules: BUILTIN_RULES, now: Date.now, throttleMs: 1000, ...options };
  }

  /** Loads remembered cooldowns. */
  async start(): Promise<void> {
    if (!this.#o.cooldowns) return;
    const longest = Math.max(0, ...this.#o.rules.map((r) => this.#settings(r.name).cooldown));
    for (const c of await this.#o.cooldowns.load(this.#o.now() - longest))
      this.#cooldowns.set(`${c.cluster}\u0000${c.rule}\u0000${c.key}`, c.firedAt);
  }

  #settings(name: RuleName): RuleSettings {
    return this.#o.config[name];
  }

  #state(cluster: string): ClusterRuleState {
    let s = this.#clusters.get(cluster);
    if (!s) {
      s = { pending: new Map(), firing: new Map(), lastEvaluation: 0, scheduled: false };
      this.#clusters.set(cluster, s);
    }
    return s;
  }

  /** Runs work one at a time, in order: evaluations and sends never interleave. */
  #serial(work: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(work).catch((error: unknown) => {
      this.#o.log.error({ err: errorMessage(error) }, 'rule evaluation failed');
    });
    return this.#chain;
  }

  #alert(
    cluster: string,
    rule: RuleName,
    candidate: Candidate,
    startsAt: number,
    endsAt: number,
    now: number,
  ): Alert {
    const settings = this.#settings(rule);
    const labels: Record<string, string> = {
      alertname: rule,
      severity: settings.severity,
      cluster,
      ...candidate.labels,
      ...settings.labels,
    };
    for (const [k, v] of Object.entries(labels)) if (v === '') delete labels[k];
    return { labels, annotations: { ...candidate.annotations }, startsAt, endsAt, updatedAt: now };
  }

  /** True when the key is cooling down; otherwise records the firing and returns false. */
  async #coolingDown(
    cluster: string,
    rule: RuleName,
    candidate: Candidate,
    labels: Record<string, string>,
    now: number,
  ): Promise<boolean> {
    const cooldown = this.#settings(rule).cooldown;
    if (cooldown <= 0) return false;
    const key = candidate.cooldownKey ?? fingerprint(labels);
    const id = `${cluster}\u0000${rule}\u0000${key}`;
    const last = this.#cooldowns.get(id);
    if (last !== undefined && now - last < cooldown) return true;
    this.#cooldowns.set(id, now);
    await this.#o.cooldowns?.save(cluster, rule, key, now).catch((error: unknown) => {
      this.#o.log.warn({ err: errorMessage(error) }, 'could not store a rule cooldown');
    });
    return false;
  }

  /**
   * Re-evaluates the level rules of a cluster. `keepAlive` re-sends every firing alert (with
   * a later endsAt); otherwise only changes are sent.
   */
  evaluate(state: ClusterStateView, keepAlive = false): Promise<void> {
    return this.#serial(async () => {
      const now = this.#o.now();
      const cs = this.#state(state.cluster);
      cs.lastEvaluation = now;
      const interval = this.#o.config.evaluation_interval;
      const endsAt = now + 4 * Math.max(interval, 1000);
      const seen = new Set<string>();
      const out: Alert[] = [];
      const usage = this.#o.usage?.(state.cluster);
      for (const rule of this.#o.rules) {
        if (rule.kind !== 'level') continue;
        const settings = this.#settings(rule.name);
        if (!settings.enabled) continue;
        let candidates: Candidate[];
        try {
          candidates = rule.evaluate(state, now, settings, usage);
        } catch (error) {
          this.#o.log.error(
            { rule: rule.name, err: errorMessage(error) },
            'a rule failed; skipping it this round',
          );
          continue;
        }
        for (const c of candidates) {
          if (!namespaceAllowed(c.labels.namespace, settings)) continue;
          const probe = this.#alert(state.cluster, rule.name, c, now, endsAt, now);
          const fp = fingerprint(probe.labels);
          seen.add(fp);
          const pending = cs.pending.get(fp) ?? { since: c.since ?? now };
          cs.pending.set(fp, pending);
          const since = Math.min(pending.since, c.since ?? pending.since);
          if (now - since < settings.for) continue;
          const already = cs.firing.get(fp);
          if (!already && (await this.#coolingDown(state.cluster, rule.name, c, probe.labels, now))) continue;
          const alert = this.#alert(
            state.cluster,
            rule.name,
            c,
            already?.startsAt ?? Math.max(since + settings.for, since),
            endsAt,
            now,
          );
          const changed =
            !already || JSON.stringify(already.annotations) !== JSON.stringify(alert.annotations);
          cs.firing.set(fp, alert);
          if (changed || keepAlive) out.push(alert);
        }
      }
      for (const [fp, alert] of [...cs.firing]) {
        if (seen.has(fp)) continue;
        cs.firing.delete(fp);
        out.push({ ...alert, endsAt: now, updatedAt: now });
      }
      for (const fp of [...cs.pending.keys()]) if (!seen.has(fp)) cs.pending.delete(fp);
      if (out.length > 0) await this.#o.sink(out);
    });
  }

  /** Schedules a change-driven evaluation, at most once per throttle period per cluster. */
  changed(state: ClusterStateView): void {
    const cs = this.#state(state.cluster);
    if (cs.scheduled) return;
    const wait = Math.max(0, cs.lastEvaluation + this.#o.throttleMs - this.#o.now());
    cs.scheduled = true;
    const run = (): void => {
      cs.scheduled = false;
      void this.evaluate(state);
    };
    if (wait === 0) run();
    else setTimeout(run, wait).unref();
  }

  #point(cluster: string, rule: Rule, candidate: Candidate | undefined, startsAt: number): Promise<void> {
    if (!candidate) return Promise.resolve();
    return this.#serial(async () => {
      const settings = this.#settings(rule.name) as RuleSettings & { hold?: number };
      if (!settings.enabled || !namespaceAllowed(candidate.labels.namespace, settings)) return;
      const now = this.#o.now();
      const probe = this.#alert(cluster, rule.name, candidate, startsAt, startsAt, now);
      if (await this.#coolingDown(cluster, rule.name, candidate, probe.labels, now)) return;
      const hold = settings.hold ?? 5 * 60_000;
      // Something learned late (after a restart) still fires for a full hold from now.
      await this.#o.sink([
        this.#alert(cluster, rule.name, candidate, startsAt, Math.max(startsAt, now) + hold, now),
      ]);
    });
  }

  /** A crash record is complete (logs fetched or known missing). */
  onCrash(crash: CrashRecord): Promise<void> {
    const work: Array<Promise<void>> = [];
    for (const rule of this.#o.rules) {
      if (rule.kind !== 'crash' || !this.#settings(rule.name).enabled) continue;
      // Alerts start when Lookout learned of the crash: a crash found late still notifies.
      work.push(
        this.#point(crash.cluster, rule, rule.onCrash(crash, this.#settings(rule.name)), crash.observedAt),
      );
    }
    return Promise.all(work).then(() => undefined);
  }

  /** New event occurrences were stored. */
  onOccurrences(cluster: string, occurrences: ReadonlyArray<Omit<EventOccurrence, 'id'>>): Promise<void> {
    const now = this.#o.now();
    const work: Array<Promise<void>> = [];
    for (const rule of this.#o.rules) {
      if (rule.kind !== 'occurrence' || !this.#settings(rule.name).enabled) continue;
      for (const o of occurrences)
        work.push(this.#point(cluster, rule, rule.onOccurrence(o, now, this.#settings(rule.name)), now));
    }
    return Promise.all(work).then(() => undefined);
  }

  /** A pod was created (first seen with its creation time). */
  onPodCreated(cluster: string, pod: PodSnapshot, createdAt: number): Promise<void> {
    const now = this.#o.now();
    const work: Array<Promise<void>> = [];
    for (const rule of this.#o.rules) {
      if (rule.kind !== 'pod-created' || !this.#settings(rule.name).enabled) continue;
      work.push(
        this.#point(cluster, rule, rule.onCreated(pod, createdAt, now, this.#settings(rule.name)), now),
      );
    }
    return Promise.all(work).then(() => undefined);
  }

  /** Currently firing level alerts of a cluster (for status pages). */
  firing(cluster: string): Alert[] {
    return [...(this.#clusters.get(cluster)?.firing.values() ?? [])];
  }

  /** Waits for queued evaluations and sends. */
  idle(): Promise<void> {
    return this.#chain;
  }
}
