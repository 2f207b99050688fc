// dashboard.mjs: loads the clockwatch dashboard in headless Chromium, waits until it has data,
// takes a full-page screenshot and prints what it shows as one JSON object on stdout.
//
//   node dashboard.mjs URL SCREENSHOT.png [--width N] [--wait-alarm SEVERITY] [--timeout S]
//
// Exit status: 0 loaded (and, with --wait-alarm, the alarm showed that severity); 2 the page
// never loaded (body[data-loaded="1"]) or the browser failed; 3 loaded, but --wait-alarm's
// severity did not show in time (the JSON is printed all the same); 64 usage error.
// Every wait is bounded; the browser and its scratch profile are removed on every path.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CW_CHROMIUM || '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const TESTIDS = {
  sync_state: 'sync-state', node: 'node', source: 'source', last_sync: 'last-sync',
  offset: 'offset', alarm_severity: 'alarm-severity', conn_state: 'conn-state',
};
const CHARTS = { offset: 'chart-offset', jitter: 'chart-jitter', rootdist: 'chart-rootdist' };

function usage(msg) {
  if (msg) process.stderr.write(`dashboard.mjs: ${msg}\n`);
  process.stderr.write('usage: node dashboard.mjs URL SCREENSHOT.png [--width N] ' +
    '[--wait-alarm SEVERITY] [--timeout S]\n');
  process.exit(64);
}

function parseArgs(argv) {
  const o = { width: 1280, waitAlarm: null, timeoutS: 30, pos: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--width') o.width = Number(val());
    else if (a === '--wait-alarm') o.waitAlarm = String(val()).toLowerCase();
    else if (a === '--timeout') o.timeoutS = Number(val());
    else if (a === '-h' || a === '--help') usage();
    else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else o.pos.push(a);
  }
  if (o.pos.length !== 2) usage('URL and SCREENSHOT.png are required');
  if (!Number.isInteger(o.width) || o.width < 200 || o.width > 4000) usage('bad --width (200-4000)');
  if (!(o.timeoutS > 0 && o.timeoutS <= 300)) usage('bad --timeout (0-300 s)');
  if (o.waitAlarm && !['cleared', 'minor', 'major', 'critical'].includes(o.waitAlarm))
    usage('bad --wait-alarm (cleared, minor, major, critical)');
  [o.url, o.shot] = o.pos;
  return o;
}

// Runs in the page before its own scripts: records CSP violations as they are reported.
function recordCsp() {
  window.__cwCsp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cwCsp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}` +
      (e.sourceFile ? ` (${e.sourceFile}:${e.lineNumber})` : ''));
  });
}

// Runs in the page: what it shows.
function scrape({ testids, charts }) {
  const byId = (id) => document.querySelector(`[data-testid="${id}"]`);
  const text = (id) => {
    const el = byId(id);
    return el ? el.textContent.replace(/\s+/g, ' ').trim() : null;
  };
  const cells = (tr) => Array.from(tr.querySelectorAll('th, td'),
    (c) => c.textContent.replace(/\s+/g, ' ').trim());
  const out = {};
  for (const [k, id] of Object.entries(testids)) out[k] = text(id);
  const at = byId('alarm-text');
  out.alarm_text = at ? at.textContent : null;   // verbatim, untrimmed
  out.sources = Array.from(document.querySelectorAll('[data-testid="source-row"]'),
    (tr) => ({ cells: cells(tr) }));
  out.alarm_rows = Array.from(document.querySelectorAll('[data-testid="alarm-row"]'), cells);
  const card = byId('cluster');
  out.cluster = card && !card.hidden ? {
    verdict: text('cluster-verdict'),
    rows: Array.from(document.querySelectorAll('[data-testid="cluster-row"]'),
      (tr) => ({ cells: cells(tr), outlier: tr.classList.contains('outlier') })),
  } : null;
  out.charts = {};
  for (const [k, id] of Object.entries(charts)) {
    const el = byId(id);
    const canvas = el ? el.querySelector('canvas') : null;
    const r = canvas ? canvas.getBoundingClientRect() : null;
    out.charts[k] = {
      canvas: !!canvas,
      w: r ? Math.round(r.width) : 0,
      h: r ? Math.round(r.height) : 0,
      label: el ? el.getAttribute('aria-label') : null,
    };
  }
  const labelled = (el) => (el.labels && el.labels.length > 0) ||
    el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby') || el.hasAttribute('title');
  const inputs = Array.from(document.querySelectorAll('input, select, textarea'))
    .filter((el) => el.type !== 'hidden');
  out.a11y = {
    images_without_alt: Array.from(document.images).filter((i) => !i.hasAttribute('alt')).length,
    inputs_without_label: inputs.filter((el) => !labelled(el)).length,
    lang: document.documentElement.getAttribute('lang'),
    landmarks: ['header', 'main', 'footer'].filter((t) => document.querySelector(t)),
    h1: document.querySelectorAll('h1').length,
    th_without_scope: Array.from(document.querySelectorAll('th:not([scope])'))
      .filter((th) => !th.closest('.u-legend')).length,  // uPlot's legend is its own
  };
  out.horizontal_overflow = document.documentElement.scrollWidth > window.innerWidth;
  out.loaded = document.body.dataset.loaded === '1';
  out.updated = Number(document.body.dataset.updated || 0);
  out.csp_violations = window.__cwCsp || [];
  return out;
}

async function run(o) {
  const deadline = Date.now() + o.timeoutS * 1000;
  const left = () => Math.max(1, deadline - Date.now());
  const consoleErrors = [];
  const failed = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-browser-'));
  let ctx = null;
  // A last resort should Playwright itself hang: Chromium dies with this process.
  const watchdog = setTimeout(() => {
    process.stderr.write('dashboard.mjs: watchdog expired\n');
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(2);
  }, o.timeoutS * 1000 + 60000);
  try {
    ctx = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: o.width, height: o.width < 600 ? 780 : 900 },
      timeout: 20000,
      serviceWorkers: 'block',
    });
    const page = ctx.pages()[0] || await ctx.newPage();
    page.setDefaultTimeout(15000);
    await page.addInitScript(recordCsp);
    page.on('console', (m) => {
      if (m.type() === 'error') {
        const loc = m.location();
        consoleErrors.push(m.text() + (loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''));
      }
    });
    page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
    page.on('requestfailed', (r) => failed.push({
      url: r.url(), method: r.method(), error: (r.failure() || {}).errorText || 'failed',
    }));
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push({ url: r.url(), method: r.request().method(), status: r.status() });
    });

    await page.goto(o.url, { waitUntil: 'domcontentloaded', timeout: Math.min(15000, left()) });
    let loaded = true;
    try {
      await page.waitForSelector('body[data-loaded="1"]', { state: 'attached', timeout: left() });
    } catch (e) {
      loaded = false;
    }
    let alarmSeen = true;
    if (loaded && o.waitAlarm) {
      try {
        await page.waitForFunction((want) => {
          const el = document.querySelector('[data-testid="alarm-severity"]');
          return el && el.textContent.trim().toLowerCase() === want;
        }, o.waitAlarm, { timeout: left(), polling: 200 });
      } catch (e) {
        alarmSeen = false;
      }
    }
    // Let the charts settle after the last data (one animation frame is enough for uPlot).
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
    try {
      await page.screenshot({ path: o.shot, fullPage: true, timeout: 15000 });
    } catch (e) {
      process.stderr.write(`dashboard.mjs: screenshot failed: ${e.message}\n`);
    }
    if (!loaded) {
      const why = await page.evaluate(() => {
        const b = document.getElementById('banner');
        const c = document.querySelector('[data-testid="conn-state"]');
        return `conn-state "${c ? c.textContent : '?'}"` +
          (b && !b.hidden ? `; banner "${b.textContent}"` : '');
      }).catch(() => 'page not scriptable');
      process.stderr.write(`dashboard.mjs: ${o.url} never loaded within ${o.timeoutS} s ` +
        `(${why}); console errors: ${JSON.stringify(consoleErrors)}\n`);
      return 2;
    }
    const got = await page.evaluate(scrape, { testids: TESTIDS, charts: CHARTS });
    const result = {
      sync_state: got.sync_state, node: got.node, source: got.source, last_sync: got.last_sync,
      offset: got.offset, alarm_severity: got.alarm_severity, alarm_text: got.alarm_text,
      conn_state: got.conn_state, sources: got.sources, alarm_rows: got.alarm_rows,
      cluster: got.cluster,
      charts: got.charts, console_errors: consoleErrors, csp_violations: got.csp_violations,
      failed_requests: failed, a11y: got.a11y, horizontal_overflow: got.horizontal_overflow,
      updated: got.updated, width: o.width,
    };
    process.stdout.write(JSON.stringify(result) + '\n');
    if (!alarmSeen) {
      process.stderr.write(`dashboard.mjs: alarm severity "${o.waitAlarm}" not shown within ` +
        `${o.timeoutS} s (shows "${got.alarm_severity}")\n`);
      return 3;
    }
    return 0;
  } catch (e) {
    process.stderr.write(`dashboard.mjs: ${e.message}\n`);
    return 2;
  } finally {
    if (ctx) await ctx.close().catch(() => {});
    clearTimeout(watchdog);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await run(parseArgs(process.argv.slice(2)));
