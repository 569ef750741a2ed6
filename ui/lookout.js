// Lookout's web UI: small enhancements over pages that work without them — charts, tables of
// live usage, the overview's refresh in place, finding text in a log, confirmations, pickers.
import { drawChart, fillQueryTable } from './charts.js';

/* global document, window, fetch, setTimeout, clearTimeout */

/** Runs `jobs` in page order, a few at a time, so the first charts are not queued behind big ones. */
async function inOrder(jobs, concurrency = 3) {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
}

function charts(root) {
  const jobs = [];
  for (const el of root.querySelectorAll('[data-chart], [data-query-table]')) {
    jobs.push(() => (el.dataset.queryTable ? fillQueryTable(el) : drawChart(el)));
  }
  void inOrder(jobs);
}

/** Replaces a live region with a fresh rendering every few seconds while the tab is visible. */
function live(el) {
  const url = el.dataset.live;
  const every = Number(el.dataset.interval) || 5000;
  let timer;
  const tick = async () => {
    if (!document.hidden) {
      try {
        const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } });
        // Signed out meanwhile (the request was sent to the login page): show that page.
        if (res.redirected || res.status === 401) {
          window.location.reload();
          return;
        }
        if (res.ok && (res.headers.get('content-type') || '').startsWith('text/html')) {
          el.innerHTML = await res.text();
          el.dataset.refreshed = String(Date.now());
        }
      } catch {
        // offline for a moment: try again next time
      }
    }
    timer = setTimeout(tick, every);
  };
  timer = setTimeout(tick, every);
  window.addEventListener('pagehide', () => clearTimeout(timer));
}

/** Shows only the log lines that contain the search text. */
function logSearch(box) {
  const input = box.querySelector('[data-log-search]');
  const count = box.querySelector('[data-log-count]');
  const lines = [...box.querySelectorAll('.line')];
  const apply = () => {
    const q = input.value.trim().toLowerCase();
    let shown = 0;
    for (const line of lines) {
      const hit = q === '' || line.textContent.toLowerCase().includes(q);
      line.hidden = !hit;
      line.classList.toggle('hit', hit && q !== '');
      if (hit) shown++;
    }
    if (count) count.textContent = q === '' ? '' : `${shown} of ${lines.length} lines`;
  };
  input.addEventListener('input', apply);
}

function init() {
  charts(document);
  for (const el of document.querySelectorAll('[data-live]')) live(el);
  for (const box of document.querySelectorAll('[data-log]')) logSearch(box);
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (e) => {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  }
  for (const select of document.querySelectorAll('select[data-autosubmit]')) {
    select.addEventListener('change', () => select.form && select.form.requestSubmit());
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
