// Users (admins only): the chat bot's users with their roles and namespace grants, and the
// audit log of what was asked and done — read from the chat API in process.
import type { Context, Hono } from 'hono';
import { Badge, Notice, Section, Table, Time, toneOf } from '../components.js';
import { renderPage } from '../render.js';
import { param, type UiDeps } from '../ui-deps.js';

type Row = Readonly<Record<string, unknown>>;

/** The list in an API answer: a bare array, or the first array-valued field (`items`, `users`…). */
function listOf(body: unknown): Row[] {
  if (Array.isArray(body)) return body as Row[];
  if (body && typeof body === 'object') {
    for (const key of ['items', 'users', 'entries', 'audit', 'records']) {
      const v = (body as Record<string, unknown>)[key];
      if (Array.isArray(v)) return v as Row[];
    }
    for (const v of Object.values(body)) if (Array.isArray(v)) return v as Row[];
  }
  return [];
}

function first(row: Row, keys: readonly string[]): unknown {
  for (const k of keys) if (row[k] !== undefined && row[k] !== null) return row[k];
  return undefined;
}

function timeOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export function usersPages(deps: UiDeps) {
  return (app: Hono): void => {
    app.get('/ui/users', async (c: Context) => {
      const now = deps.now();
      const auditQuery = new URLSearchParams({ limit: '200' });
      const user = param(c, 'user');
      if (user) auditQuery.set('user', user);
      const [users, audit] = await Promise.all([
        deps.api.get<unknown>(c, '/api/v1/chat/users'),
        deps.api.get<unknown>(c, `/api/v1/audit?${auditQuery.toString()}`),
      ]);
      const userRows = listOf(users.body);
      const auditRows = listOf(audit.body);
      const unavailable = (status: number, what: string, message: string) =>
        status === 404 ? (
          <Notice tone="info">
            The {what} is not available: the chat bot is not set up in this Lookout.
          </Notice>
        ) : (
          <Notice tone="bad">
            Could not read the {what}: {message}
          </Notice>
        );
      return renderPage(
        c,
        deps,
        { title: 'Users', active: 'users' },
        <>
          <h1>Chat users</h1>
          <Section title={`Users (${userRows.length})`}>
            {!users.ok ? unavailable(users.status, 'user list', users.message) : null}
            <Table
              head={['User', 'Telegram id', 'Role', 'Namespaces', 'Since']}
              rows={users.ok ? userRows.length : 0}
              testid="chat-users"
              empty="No one has registered with the bot yet."
            >
              {userRows.map((u) => {
                const role = text(first(u, ['role']));
                const namespaces = first(u, ['namespaces', 'grants']);
                return (
                  <tr>
                    <td>
                      {text(first(u, ['name', 'displayName', 'first_name']))}
                      {first(u, ['username']) ? (
                        <span class="muted"> @{text(first(u, ['username']))}</span>
                      ) : null}
                    </td>
                    <td>
                      <a
                        href={`/ui/users?user=${encodeURIComponent(text(first(u, ['id', 'userId', 'telegramId'])))}`}
                      >
                        {text(first(u, ['id', 'userId', 'telegramId']))}
                      </a>
                    </td>
                    <td>
                      <Badge
                        tone={
                          role === 'admin'
                            ? 'info'
                            : role === 'pending'
                              ? 'warn'
                              : role === 'blocked'
                                ? 'bad'
                                : 'ok'
                        }
                      >
                        {role}
                      </Badge>
                    </td>
                    <td>
                      {role === 'admin' ? (
                        <span class="muted">all</span>
                      ) : Array.isArray(namespaces) ? (
                        namespaces.map((n) => <span class="chip">{text(n)}</span>)
                      ) : (
                        text(namespaces)
                      )}
                    </td>
                    <td>
                      <Time at={timeOf(first(u, ['createdAt', 'created_at', 'registeredAt']))} now={now} />
                    </td>
                  </tr>
                );
              })}
            </Table>
          </Section>
          <Section
            title={user ? `Audit log of ${user}` : 'Audit log'}
            actions={user ? <a href="/ui/users">everyone</a> : null}
          >
            {!audit.ok ? unavailable(audit.status, 'audit log', audit.message) : null}
            <Table
              head={['When', 'Who', 'What', 'Arguments', 'Result']}
              rows={audit.ok ? auditRows.length : 0}
              testid="audit"
              empty="Nothing audited yet."
            >
              {auditRows.map((a) => {
                const result = text(first(a, ['result', 'outcome']));
                return (
                  <tr>
                    <td>
                      <Time at={timeOf(first(a, ['at', 'time', 'createdAt', 'created_at']))} now={now} />
                    </td>
                    <td>{text(first(a, ['userName', 'user_name', 'user', 'userId', 'user_id']))}</td>
                    <td>
                      <code>{text(first(a, ['action', 'command']))}</code>
                    </td>
                    <td class="msg">{text(first(a, ['args', 'arguments']))}</td>
                    <td>
                      <Badge tone={result === 'ok' ? 'ok' : toneOf(result)}>{result}</Badge>
                      {first(a, ['detail']) ? (
                        <div class="small muted">{text(first(a, ['detail']))}</div>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </Table>
          </Section>
        </>,
      );
    });
  };
}
