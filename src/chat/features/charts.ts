// /chart: the eight chart queries and a time range, picked with buttons (or typed), answered
// as a PNG rendered on the server; namespace queries cover only the asker's namespaces.
import { Composer, InputFile } from 'grammy';
import {
  CHART_SERIES,
  QUERY_CATALOG,
  QUERY_NAMES,
  rangeEndingAt,
  type QueryName,
} from '../../domain/query.js';
import { parseDuration } from '../../lib/duration.js';
import type { BotServices } from '../bot-services.js';
import type { BotContext, ChatUser } from '../context.js';
import { escapeHtml } from '../format.js';
import { button, command } from '../handler.js';
import { UsageError } from '../refusal.js';
import { working } from '../replies.js';
import { clustersFor, parseArgs } from '../scope.js';
import { visibleNamespaces } from '../user-directory.js';

/** The series queries (charts); the table queries are answered by /top and /hpa. */
export const CHART_QUERIES: readonly QueryName[] = QUERY_NAMES.filter(
  (q) => QUERY_CATALOG[q].kind === 'series',
);
export const CHART_RANGES: readonly string[] = ['1h', '6h', '24h', '7d'];

function queryKeyboard(cluster: number) {
  const rows = [];
  for (let i = 0; i < CHART_QUERIES.length; i += 2) {
    rows.push(
      CHART_QUERIES.slice(i, i + 2).map((q, j) => ({
        text: QUERY_CATALOG[q].title,
        callback_data: `ch:${cluster}:${i + j}`,
      })),
    );
  }
  return { inline_keyboard: rows };
}

function rangeKeyboard(cluster: number, query: number) {
  return {
    inline_keyboard: [
      CHART_RANGES.map((r, i) => ({ text: r, callback_data: `ch:${cluster}:${query}:${i}` })),
    ],
  };
}

export function chartsFeature(services: BotServices): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const { log } = services;

  const send = async (
    ctx: BotContext,
    user: ChatUser,
    cluster: string,
    query: QueryName,
    range: string,
  ): Promise<string> => {
    const durationMs = parseDuration(range);
    if (durationMs === undefined || durationMs <= 0)
      throw new UsageError(`"${range}" is not a time range (examples: 1h, 6h, 24h, 7d).`);
    const spec = QUERY_CATALOG[query];
    const visible = visibleNamespaces(user);
    const namespaces = spec.scope === 'namespace' && visible !== 'all' ? visible : undefined;
    if (namespaces && namespaces.length === 0)
      throw new UsageError('You have no namespaces yet. Ask an admin to /grant you some.');
    const wait = await working(ctx, services.pager, `Drawing ${spec.title}…`);
    try {
      const now = services.now();
      const result = await services.queries.run(query, {
        cluster,
        namespaces,
        range: rangeEndingAt(now, durationMs),
        top: CHART_SERIES,
      });
      const image = await services.charts.render(result, { now });
      const caption = `${spec.title} · ${cluster} · last ${range}${namespaces ? ` · ${namespaces.join(', ')}` : ''}`;
      await ctx.replyWithPhoto(new InputFile(image.png, `${query}.png`), {
        caption: escapeHtml(caption).slice(0, 1000),
        parse_mode: 'HTML',
      });
      await wait.remove();
      return caption;
    } catch (error) {
      await wait.done(`⚠️ Could not draw ${escapeHtml(spec.title)}: ${escapeHtml((error as Error).message)}`);
      throw error;
    }
  };

  c.command(
    'chart',
    command('/chart', 'member', log, async (ctx, args) => {
      const { positional, cluster } = parseArgs(args);
      const clusters = clustersFor(services, cluster);
      const name = clusters[0];
      if (!name) throw new UsageError('Lookout watches no cluster yet.');
      const index = services.clusters.indexOf(name);
      const [queryArg, rangeArg] = positional;
      if (queryArg === undefined) {
        await ctx.reply(`Which chart of <b>${escapeHtml(name)}</b>?`, {
          parse_mode: 'HTML',
          reply_markup: queryKeyboard(index),
        });
        return { detail: 'menu' };
      }
      const query = CHART_QUERIES.find((q) => q === queryArg);
      if (!query) throw new UsageError(`Unknown chart "${queryArg}". Charts: ${CHART_QUERIES.join(', ')}.`);
      const detail = await send(ctx, ctx.lookout.user!, name, query, rangeArg ?? '1h');
      return { args: { cluster: name, query, range: rangeArg ?? '1h' }, detail };
    }),
  );

  c.callbackQuery(
    /^ch:(\d+):(\d+)(?::(\d+))?$/,
    button('/chart', 'member', log, async (ctx) => {
      const [, ci, qi, ri] = ctx.match as RegExpMatchArray;
      const cluster = services.clusters[Number(ci)];
      const query = CHART_QUERIES[Number(qi)];
      if (!cluster || !query) throw new UsageError('This menu is out of date; send /chart again.');
      if (ri === undefined) {
        await ctx.editMessageText(
          `<b>${escapeHtml(QUERY_CATALOG[query].title)}</b> of ${escapeHtml(cluster)}: which time range?`,
          {
            parse_mode: 'HTML',
            reply_markup: rangeKeyboard(Number(ci), Number(qi)),
          },
        );
        return { args: { cluster, query }, detail: 'range menu' };
      }
      const range = CHART_RANGES[Number(ri)] ?? '1h';
      const detail = await send(ctx, ctx.lookout.user!, cluster, query, range);
      return { args: { cluster, query, range }, detail };
    }),
  );
  return c;
}
