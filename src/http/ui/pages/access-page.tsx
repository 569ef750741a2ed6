// Access (admins only): API tokens for scripts, Prometheus and amtool (create, show once,
// revoke), the bootstrap admin token (rotate or revoke), and the accounts from the config.
import type { Context, Hono } from 'hono';
import { ApiError } from '../../errors.js';
import { readNewToken, tokenView } from '../../auth/auth-api.js';
import { Badge, Notice, Section, Table, Time } from '../components.js';
import { CsrfField } from '../layout.js';
import { renderPage } from '../render.js';
import { param, principalOf, type UiDeps } from '../ui-deps.js';

export interface AccessPageOptions {
  /** Accounts from `http.auth.users` (names and roles only). */
  readonly accounts: ReadonlyArray<{ readonly name: string; readonly role: string }>;
  /** The address people reach Lookout at, for the examples. */
  readonly externalUrl: string | undefined;
}

const EXPIRIES: ReadonlyArray<readonly [string, string]> = [
  ['never', 'never'],
  ['30d', 'in 30 days'],
  ['90d', 'in 90 days'],
  ['365d', 'in a year'],
];

export function accessPages(deps: UiDeps, options: AccessPageOptions) {
  const page = async (
    c: Context,
    extra: { created?: { name: string; token: string; role: string }; rotated?: string; error?: string } = {},
  ) => {
    const now = deps.now();
    const principal = principalOf(c);
    const tokens = (await deps.auth.listApiTokens()).map((t) => tokenView(t, now));
    const bootstrap = tokens.find((t) => t.bootstrap);
    const base = options.externalUrl ?? new URL(c.req.url).origin;
    const notice = param(c, 'notice');
    if (extra.created || extra.rotated) c.header('cache-control', 'no-store');
    return renderPage(
      c,
      deps,
      { title: 'Access', active: 'access', status: extra.error ? 400 : 200 },
      <>
        <h1>Access</h1>
        {extra.error ? <Notice tone="bad">{extra.error}</Notice> : null}
        {notice === 'revoked' ? <Notice tone="ok">Token revoked.</Notice> : null}
        {extra.created ? (
          <Notice tone="ok" testid="new-token">
            Token <b>{extra.created.name}</b> ({extra.created.role}) created. Copy it now; Lookout shows it
            only once:
            <pre class="secret" data-testid="token-value">
              {extra.created.token}
            </pre>
          </Notice>
        ) : null}
        {extra.rotated ? (
          <Notice tone="ok" testid="new-token">
            New bootstrap admin token (the old one no longer works). Copy it now:
            <pre class="secret" data-testid="token-value">
              {extra.rotated}
            </pre>
          </Notice>
        ) : null}

        <Section title="API tokens">
          <p class="muted">
            Scripts send a token as <code>Authorization: Bearer &lt;token&gt;</code>. <b>viewer</b> tokens
            read, <b>admin</b> tokens also change things (silences with amtool), <b>ingest</b> tokens may only
            push alerts (Prometheus, Alertmanager webhooks).
          </p>
          <Table
            head={['Name', 'Role', 'State', 'Created', 'Last used', 'Expires', '']}
            rows={tokens.length}
            testid="tokens"
            empty="No tokens yet."
          >
            {tokens.map((t) => (
              <tr data-testid="token-row">
                <td>
                  {t.name} <span class="muted small">by {t.created_by}</span>
                </td>
                <td>
                  <Badge tone={t.role === 'admin' ? 'warn' : 'info'}>{t.role}</Badge>
                </td>
                <td>
                  <Badge tone={t.state === 'active' ? 'ok' : 'muted'}>{t.state}</Badge>
                </td>
                <td>
                  <Time at={t.created_at ? Date.parse(t.created_at) : null} now={now} />
                </td>
                <td>
                  <Time at={t.last_used_at ? Date.parse(t.last_used_at) : null} now={now} />
                </td>
                <td>{t.expires_at ? <Time at={Date.parse(t.expires_at)} now={now} /> : 'never'}</td>
                <td>
                  {t.state === 'active' ? (
                    <form
                      method="post"
                      action={`/ui/access/tokens/${t.id}/revoke`}
                      class="inline"
                      data-confirm={`Revoke the token "${t.name}"?`}
                    >
                      <CsrfField principal={principal} />
                      <button type="submit" class="small danger" data-testid="revoke-token">
                        Revoke
                      </button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
          </Table>
          <form method="post" action="/ui/access/tokens" class="filters" data-testid="token-form">
            <CsrfField principal={principal} />
            <input
              name="name"
              required
              placeholder="what uses it (prometheus, amtool-ci)"
              aria-label="Token name"
              class="grow"
            />
            <select name="role" aria-label="Role">
              <option value="viewer">viewer</option>
              <option value="ingest">ingest</option>
              <option value="admin">admin</option>
            </select>
            <select name="expires_in" aria-label="Expires">
              {EXPIRIES.map(([v, label]) => (
                <option value={v}>expires {label}</option>
              ))}
            </select>
            <button type="submit">Create token</button>
          </form>
        </Section>

        <div class="grid2">
          <Section title="Bootstrap admin token">
            {!deps.auth.bootstrapEnabled ? (
              <p class="muted">Turned off (`http.auth.bootstrap_token: false`).</p>
            ) : bootstrap ? (
              <p>
                State: <Badge tone={bootstrap.state === 'active' ? 'warn' : 'muted'}>{bootstrap.state}</Badge>{' '}
                · last used{' '}
                <Time at={bootstrap.last_used_at ? Date.parse(bootstrap.last_used_at) : null} now={now} />
              </p>
            ) : (
              <p class="muted">None has been made.</p>
            )}
            {deps.auth.bootstrapEnabled ? (
              <form
                method="post"
                action="/ui/access/bootstrap/rotate"
                class="inline"
                data-confirm="Replace the bootstrap token? Sign-ins made with the old one end."
              >
                <CsrfField principal={principal} />
                <button type="submit" class="small">
                  {bootstrap ? 'Replace it' : 'Make one'}
                </button>
              </form>
            ) : null}
          </Section>
          <Section title="Accounts">
            <p class="muted">From `http.auth.users` in the configuration.</p>
            <Table head={['Name', 'Role']} rows={options.accounts.length} empty="None configured.">
              {options.accounts.map((a) => (
                <tr>
                  <td>{a.name}</td>
                  <td>
                    <Badge tone={a.role === 'admin' ? 'warn' : 'info'}>{a.role}</Badge>
                  </td>
                </tr>
              ))}
            </Table>
          </Section>
        </div>

        <Section title="Examples">
          <p>Prometheus sending alerts to Lookout (an ingest token):</p>
          <pre class="code">{`alerting:
  alertmanagers:
    - scheme: ${base.startsWith('https:') ? 'https' : 'http'}
      authorization:
        credentials_file: /etc/prometheus/lookout-token
      static_configs:
        - targets: ['${new URL(base).host}']`}</pre>
          <p>amtool (an admin token to change silences):</p>
          <pre class="code">{`# http.yml
authorization:
  credentials: <token>

amtool --alertmanager.url=${base} --http.config.file=http.yml silence query`}</pre>
          <p>curl:</p>
          <pre class="code">{`curl -H "Authorization: Bearer <token>" ${base}/api/v1/crashes`}</pre>
        </Section>
      </>,
    );
  };

  return (app: Hono): void => {
    app.get('/ui/access', (c) => page(c));

    app.post('/ui/access/tokens', async (c) => {
      const body = await c.req.parseBody();
      try {
        const input = readNewToken({ name: body.name, role: body.role, expires_in: body.expires_in });
        const created = await deps.auth.createApiToken({
          ...input,
          createdBy: principalOf(c)?.name ?? 'admin',
        });
        return page(c, {
          created: { name: created.record.name, role: created.record.role, token: created.token },
        });
      } catch (error) {
        if (error instanceof ApiError) return page(c, { error: error.message });
        throw error;
      }
    });

    app.post('/ui/access/tokens/:id{[0-9]+}/revoke', async (c) => {
      await deps.auth.revokeApiToken(Number(c.req.param('id')), principalOf(c)?.name ?? 'admin');
      return c.redirect('/ui/access?notice=revoked', 303);
    });

    app.post('/ui/access/bootstrap/rotate', async (c) => {
      const token = await deps.auth.rotateBootstrapToken(principalOf(c)?.name ?? 'admin');
      return page(c, { rotated: token });
    });
  };
}
