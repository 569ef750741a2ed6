// Renders a page inside the shared layout, and the error page the sign-in gate and handlers use.
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { Notice } from './components.js';
import { Layout } from './layout.js';
import { clusterOf, pathWithoutCluster, principalOf, type UiDeps } from './ui-deps.js';

export interface PageOptions {
  readonly title: string;
  readonly active?: string | undefined;
  /** Pages about one cluster show the cluster picker. */
  readonly perCluster?: boolean | undefined;
  readonly status?: ContentfulStatusCode | undefined;
}

export function renderPage(
  c: Context,
  deps: UiDeps,
  options: PageOptions,
  body: Child,
): Response | Promise<Response> {
  return c.html(
    <Layout
      title={options.title}
      active={options.active}
      principal={principalOf(c)}
      clusters={options.perCluster ? deps.clusters : undefined}
      cluster={options.perCluster ? clusterOf(c, deps) : undefined}
      path={pathWithoutCluster(c)}
    >
      {body}
    </Layout>,
    options.status ?? 200,
  );
}

/** A page that says what went wrong (403, 404, a failed action) with a way back. */
export function renderErrorPage(
  c: Context,
  deps: UiDeps,
  status: ContentfulStatusCode,
  title: string,
  message: string,
): Response | Promise<Response> {
  return renderPage(
    c,
    deps,
    { title, status },
    <>
      <h1>{title}</h1>
      <Notice tone="bad" testid="error">
        {message}
      </Notice>
      <p>
        <a href="/ui/">Back to the overview</a>
        {status === 401 ? (
          <>
            {' · '}
            <a href="/ui/login">Sign in</a>
          </>
        ) : null}
      </p>
    </>,
  );
}
