// `lookout alerts`: the alerts Lookout holds (firing, or all with --all) with their silenced or
// inhibited state, and the notifications that could not be delivered (--dead, --resend ID).
import { Option, type Command } from 'commander';
import type { AlertRecord } from '../alerting/alert-record.js';
import { Inhibitor } from '../alerting/inhibitor.js';
import { SilenceSet } from '../alerting/silence.js';
import { openStore } from '../store/index.js';
import { listAlerts } from '../store/repos/alert-repo.js';
import { listDeadLetters, resendDeadLetter } from '../store/repos/outbox-repo.js';
import { listSilences } from '../store/repos/silence-repo.js';
import { loadConfigOrExit } from './context.js';
import { ago, formatTable, oneLine, parseOutput } from './format.js';

export type AlertState = 'firing' | 'suppressed' | 'resolved';

export interface AlertRow {
  readonly fingerprint: string;
  readonly state: AlertState;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly silencedBy: readonly string[];
  readonly inhibitedBy: readonly string[];
}

/** Each alert with its state at `now`, as the API would show it. */
export function alertRows(
  alerts: readonly AlertRecord[],
  silences: SilenceSet,
  inhibitor: Inhibitor,
  now: number,
): AlertRow[] {
  return alerts.map((a) => {
    const resolved = a.endsAt <= now;
    const silencedBy = resolved ? [] : silences.silencedBy(a.labels, now);
    const source = resolved ? undefined : inhibitor.inhibitedBy(a.labels, now);
    const inhibitedBy = source === undefined ? [] : [source];
    const state: AlertState = resolved
      ? 'resolved'
      : silencedBy.length || inhibitedBy.length
        ? 'suppressed'
        : 'firing';
    return {
      fingerprint: a.fingerprint,
      state,
      labels: { ...a.labels },
      annotations: { ...a.annotations },
      startsAt: new Date(a.startsAt).toISOString(),
      endsAt: new Date(a.endsAt).toISOString(),
      silencedBy,
      inhibitedBy,
    };
  });
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .filter(([k]) => k !== 'alertname')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

export function registerAlerts(program: Command): void {
  program
    .command('alerts')
    .description('firing alerts (--all: resolved too); --dead: undelivered notifications; --resend ID')
    .option('--all', 'include resolved alerts')
    .option('--dead', 'list notifications that could not be delivered (dead letters)')
    .option('--resend <id>', 'queue a dead letter for delivery again')
    .addOption(new Option('-o, --output <format>', 'table or json').default('table'))
    .action(
      async (opts: { all?: boolean; dead?: boolean; resend?: string; output: string }, command: Command) => {
        const output = parseOutput(opts.output);
        const config = loadConfigOrExit(command);
        const store = openStore(config.storage);
        try {
          await store.migrate();
          const now = Date.now();
          if (opts.resend !== undefined) {
            const id = Number(opts.resend);
            if (!Number.isInteger(id) || id <= 0)
              throw new Error(`--resend needs a dead-letter id, not "${opts.resend}"`);
            if (await resendDeadLetter(store.db, id, now)) console.log(`queued ${id} for delivery again`);
            else {
              console.error(`Lookout: no dead letter ${id}`);
              process.exitCode = 1;
            }
            return;
          }
          if (opts.dead) {
            const dead = await listDeadLetters(store.db, { limit: 1000 });
            if (output === 'json') {
              console.log(
                JSON.stringify(
                  dead.map(({ payload, ...rest }) => ({
                    ...rest,
                    notification: JSON.parse(payload) as unknown,
                  })),
                  null,
                  2,
                ),
              );
              return;
            }
            process.stdout.write(
              formatTable(
                ['id', 'receiver', 'integration', 'status', 'alerts', 'attempts', 'age', 'last error'],
                dead.map((d) => [
                  String(d.id),
                  d.receiver,
                  `${d.integration}[${d.integrationIndex}]`,
                  d.status,
                  String(d.alerts),
                  String(d.attempts),
                  ago(d.createdAt, now),
                  oneLine(d.lastError ?? '', 60),
                ]),
              ),
            );
            return;
          }
          const alerts = await listAlerts(store.db, opts.all ? {} : { firingAt: now });
          const silences = new SilenceSet();
          for (const s of await listSilences(store.db)) silences.set(s);
          // Inhibition needs every firing alert as a possible source, not only the listed ones.
          const inhibitor = new Inhibitor(config.alerting.inhibit_rules);
          for (const a of opts.all ? alerts : await listAlerts(store.db, { firingAt: now }))
            inhibitor.observe(a);
          const rows = alertRows(alerts, silences, inhibitor, now);
          if (output === 'json') {
            console.log(JSON.stringify(rows, null, 2));
            return;
          }
          process.stdout.write(
            formatTable(
              ['alertname', 'state', 'since', 'labels', 'summary'],
              rows.map((r) => [
                r.labels.alertname ?? '',
                r.state,
                ago(Date.parse(r.startsAt), now),
                oneLine(labelText(r.labels), 70),
                oneLine(r.annotations.summary ?? r.annotations.description ?? '', 60),
              ]),
            ),
          );
        } finally {
          await store.close();
        }
      },
    );
}
