// The page shell every Lookout page shares: header with the navigation, the signed-in user and
// the cluster picker, then the page's own content. Scripts are external (the CSP forbids inline).
import type { Child, FC } from 'hono/jsx';
import type { Principal } from '../auth/principal.js';
import { CSRF_FIELD } from '../auth/auth-middleware.js';

export interface NavItem {
  readonly id: string;
  readonly label: string;
  readonly href: string;
  readonly admin?: boolean;
}

export const NAV: readonly NavItem[] = [
  { id: 'overview', label: 'Overview', href: '/ui/' },
  { id: 'events', label: 'Events', href: '/ui/events' },
  { id: 'crashes', label: 'Crashes', href: '/ui/crashes' },
  { id: 'pods', label: 'Pods', href: '/ui/pods' },
  { id: 'workloads', label: 'Workloads', href: '/ui/workloads' },
  { id: 'metrics', label: 'Metrics', href: '/ui/metrics' },
  { id: 'hpa', label: 'HPA', href: '/ui/hpa' },
  { id: 'alerts', label: 'Alerts', href: '/ui/alerts' },
  { id: 'silences', label: 'Silences', href: '/ui/silences' },
  { id: 'notifications', label: 'Notifications', href: '/ui/notifications' },
  { id: 'routes', label: 'Routes', href: '/ui/routes' },
  { id: 'users', label: 'Users', href: '/ui/users', admin: true },
  { id: 'access', label: 'Access', href: '/ui/access', admin: true },
];

export interface LayoutProps {
  readonly title: string;
  readonly active?: string | undefined;
  readonly principal?: Principal | undefined;
  /** Clusters to pick from, and the one shown (pages about one cluster). */
  readonly clusters?: readonly string[] | undefined;
  readonly cluster?: string | undefined;
  /** The page's path and query without `cluster`, for the cluster picker's links. */
  readonly path?: string | undefined;
  readonly children?: Child;
}

/** A hidden form field with the CSRF token; every form that changes something has one. */
export const CsrfField: FC<{ principal: Principal | undefined }> = ({ principal }) =>
  principal?.csrfToken ? <input type="hidden" name={CSRF_FIELD} value={principal.csrfToken} /> : null;

function withCluster(path: string, cluster: string): string {
  const url = new URL(path, 'http://x');
  url.searchParams.set('cluster', cluster);
  return `${url.pathname}${url.search}`;
}

export const Layout: FC<LayoutProps> = (props) => {
  const { principal, clusters = [], cluster } = props;
  const admin = principal?.role === 'admin';
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        {principal?.csrfToken ? <meta name="csrf-token" content={principal.csrfToken} /> : null}
        <title>{`${props.title} · Lookout`}</title>
        <link rel="icon" href="/ui/assets/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/ui/assets/vendor/uPlot.min.css" />
        <link rel="stylesheet" href="/ui/assets/lookout.css" />
        <script type="module" src="/ui/assets/lookout.js"></script>
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/ui/">
            <img src="/ui/assets/favicon.svg" alt="" width="22" height="22" />
            Lookout
          </a>
          {principal ? (
            <nav class="nav" aria-label="Pages">
              {NAV.filter((n) => !n.admin || admin).map((n) => (
                <a
                  href={n.href}
                  class={n.id === props.active ? 'active' : undefined}
                  aria-current={n.id === props.active ? 'page' : undefined}
                >
                  {n.label}
                </a>
              ))}
            </nav>
          ) : null}
          <div class="who">
            {clusters.length > 1 && cluster ? (
              <details class="cluster-picker">
                <summary>
                  cluster <b>{cluster}</b>
                </summary>
                <ul>
                  {clusters.map((c) => (
                    <li>
                      <a href={withCluster(props.path ?? '/ui/', c)}>{c}</a>
                    </li>
                  ))}
                </ul>
              </details>
            ) : cluster ? (
              <span class="muted">
                cluster <b>{cluster}</b>
              </span>
            ) : null}
            {principal && principal.via === 'session' ? (
              <form method="post" action="/ui/logout" class="inline">
                <CsrfField principal={principal} />
                <span class="user" data-testid="user">
                  {principal.name} <span class="role">{principal.role}</span>
                </span>
                <button type="submit" class="link" data-testid="sign-out">
                  Sign out
                </button>
              </form>
            ) : principal ? (
              <span class="user" data-testid="user">
                {principal.name} <span class="role">{principal.role}</span>
              </span>
            ) : null}
          </div>
        </header>
        <main>{props.children}</main>
        <footer class="foot">
          Lookout · <a href="/api/openapi.json">API</a>
        </footer>
      </body>
    </html>
  );
};
