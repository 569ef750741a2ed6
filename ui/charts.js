// Lookout's charts in the browser: uPlot line charts of the named queries
// (/api/v1/query/{name}) and bar charts of data the page carries, plus tables of table queries.
import uPlot from './vendor/uPlot.esm.js';

/* global document, fetch, ResizeObserver, window */

const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];
const MAX_SERIES = 10;
const OTHERS_COLOR = '#a0a0a0';

export function formatValue(v, unit) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  switch (unit) {
    case 'percent':
      return `${Math.abs(v) < 10 ? v.toFixed(1) : Math.round(v)}%`;
    case 'bytes': {
      const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
      let x = v;
      let i = 0;
      while (Math.abs(x) >= 1024 && i < units.length - 1) {
        x /= 1024;
        i++;
      }
      return `${x >= 100 || i === 0 ? Math.round(x) : x.toFixed(1)}${units[i]}`;
    }
    case 'cores':
      return v < 1 ? `${Math.round(v * 1000)}m` : `${Number(v.toFixed(2))}`;
    default:
      return Number.isInteger(v) ? String(v) : v.toFixed(1);
  }
}

/** Keeps series whose labels match `filter` (a value ending in `*` matches a prefix). */
function keep(series, filter) {
  if (!filter) return series;
  return series.filter((s) =>
    Object.entries(filter).every(([k, want]) => {
      const have = (s.labels || {})[k];
      if (have === undefined) return false;
      return want.endsWith('*') ? have.startsWith(want.slice(0, -1)) : have === want;
    }),
  );
}

/** The first few names, and how many more (a big cluster may list 10,000 containers). */
function namesOf(list, shown = 5) {
  const names = list.slice(0, shown).map((u) => u.name);
  const more = list.length - names.length;
  return more > 0 ? `${names.join(', ')} and ${more.toLocaleString('en')} more` : names.join(', ');
}

function message(el, text, cls = 'muted') {
  el.replaceChildren();
  const p = document.createElement('p');
  p.className = `chart-note ${cls}`;
  p.textContent = text;
  el.append(p);
}

async function errorText(res) {
  try {
    const body = await res.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch {
    // not JSON
  }
  return res.status === 404 ? 'This Lookout has no metrics for it.' : `HTTP ${res.status}`;
}

async function load(el) {
  if (el.dataset.src) {
    const res = await fetch(el.dataset.src, {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
    });
    if (!res.ok) throw new Error(await errorText(res));
    return res.json();
  }
  const node = el.dataset.data ? document.getElementById(el.dataset.data) : null;
  if (!node) throw new Error('no data');
  return JSON.parse(node.textContent || '{}');
}

/** Aligns series on one time axis (seconds, as uPlot wants). */
function align(series) {
  const times = new Set();
  for (const s of series) for (const [t] of s.points) times.add(t);
  const xs = [...times].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const ys = series.map((s) => {
    const col = new Array(xs.length).fill(null);
    for (const [t, v] of s.points) col[index.get(t)] = v;
    return col;
  });
  return [xs.map((t) => t / 1000), ...ys];
}

function peak(s) {
  let m = -Infinity;
  for (const [, v] of s.points) if (v !== null && v > m) m = v;
  return m;
}

/**
 * The events histogram (`{ since, until, bucketMs, buckets: [{ t, count }] }`) as one bar
 * series with every bucket, empty ones too; says the total in the chart's caption.
 */
function fromHistogram(el, h) {
  const step = h.bucketMs;
  const counts = new Map();
  let total = 0;
  for (const b of h.buckets) {
    const t = Math.floor(b.t / step) * step;
    counts.set(t, (counts.get(t) || 0) + b.count);
    total += b.count;
  }
  const points = [];
  for (let t = Math.floor(h.since / step) * step; t < h.until; t += step)
    points.push([t, counts.get(t) || 0]);
  const caption = el.closest('figure') && el.closest('figure').querySelector('figcaption');
  if (caption) caption.textContent = `${total.toLocaleString('en')} occurrences`;
  return { unit: 'count', series: [{ name: 'occurrences', points }] };
}

export async function drawChart(el) {
  if (el.dataset.drawn) return;
  el.dataset.drawn = 'loading';
  let result;
  try {
    result = await load(el);
    if (el.dataset.format === 'histogram') result = fromHistogram(el, result);
  } catch (error) {
    message(el, `Chart unavailable: ${error.message}`, 'bad');
    el.dataset.drawn = 'error';
    return;
  }
  const filter = el.dataset.filter ? JSON.parse(el.dataset.filter) : undefined;
  let series = keep(result.series || [], filter).filter((s) => s.points && s.points.length > 0);
  if (series.length === 0) {
    const unlimited = keep(result.unlimited || [], filter);
    const why =
      unlimited.length > 0
        ? `${namesOf(unlimited)}: no limit set, so there is no share of a limit to draw.`
        : (result.notes && result.notes[0]) || 'No data for this range yet.';
    message(el, why);
    el.dataset.drawn = 'empty';
    return;
  }
  // Asked with `top`, the answer folds the rest into one line of its own: drawn last, in grey.
  if (!filter && result.others && result.others.points.length > 0) {
    series = [...series, { ...result.others, folded: true }];
  }
  let hidden = 0;
  if (series.length > MAX_SERIES) {
    hidden = series.length - MAX_SERIES;
    series = [...series].sort((a, b) => peak(b) - peak(a)).slice(0, MAX_SERIES);
  }
  const unit = result.unit;
  const bars = el.dataset.chart === 'bars';
  const narrow = window.matchMedia('(max-width: 640px)').matches;
  const height = narrow ? 180 : 220;
  const opts = {
    width: Math.max(200, el.clientWidth),
    height,
    legend: { show: !bars, live: !narrow },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true },
      y: { range: (u, min, max) => [Math.min(0, min), max > 0 ? max * 1.05 : 1] },
    },
    axes: [
      {},
      {
        values: (u, vals) => vals.map((v) => formatValue(v, unit)),
        size: 56,
        // Counts are whole numbers: no 0.5 pods.
        ...(unit === 'count'
          ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000] }
          : {}),
      },
    ],
    series: [
      {},
      ...series.map((s, i) => ({
        label: s.name,
        stroke: s.folded ? OTHERS_COLOR : PALETTE[i % PALETTE.length],
        width: bars ? 0 : 1.5,
        fill: bars ? `${PALETTE[i % PALETTE.length]}cc` : undefined,
        paths: bars ? uPlot.paths.bars({ size: [0.8, 40] }) : undefined,
        points: { show: false },
        value: (u, v) => formatValue(v, unit),
      })),
    ],
  };
  el.replaceChildren();
  const plot = new uPlot(opts, align(series), el);
  if (hidden > 0) {
    const note = document.createElement('p');
    note.className = 'chart-note muted';
    note.textContent = `and ${hidden} more (the ${MAX_SERIES} highest shown)`;
    el.append(note);
  }
  el.dataset.drawn = 'done';
  new ResizeObserver(() => {
    const w = Math.max(200, el.clientWidth);
    if (Math.abs(w - plot.width) > 4) plot.setSize({ width: w, height });
  }).observe(el);
}

function cellText(cell, column) {
  if (cell === null || cell === undefined) return '—';
  if (typeof cell === 'object' && !Array.isArray(cell) && cell.absent)
    return cell.absent === 'no-limit' ? 'no limit' : 'no request';
  if (Array.isArray(cell)) {
    return cell
      .map((e) => `${e.from === null ? '?' : e.from}→${e.to} ${new Date(e.at).toISOString().slice(11, 16)}`)
      .join(', ');
  }
  if (typeof cell === 'number') return formatValue(cell, column.unit);
  return String(cell);
}

export async function fillQueryTable(el) {
  let result;
  try {
    const res = await fetch(el.dataset.queryTable, {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
    });
    if (!res.ok) throw new Error(await errorText(res));
    result = await res.json();
  } catch (error) {
    message(el, `Unavailable: ${error.message}`, 'bad');
    return;
  }
  const columns = result.columns || [];
  const rows = result.rows || [];
  if (rows.length === 0) {
    message(el, 'Nothing to show.');
    return;
  }
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const c of columns) {
    const th = document.createElement('th');
    th.textContent = c.title;
    head.append(th);
  }
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const c of columns) {
      const td = tr.insertCell();
      td.textContent = cellText(r[c.key], c);
      if (c.type === 'number') td.className = 'num';
    }
  }
  el.replaceChildren(table);
}
