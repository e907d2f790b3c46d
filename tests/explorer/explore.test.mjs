// The /explore page in headless Chromium, against the real server binary on a fresh
// SQLite database with the bundled data.
//
//   cargo build && npm ci --prefix tests/explorer && node --test tests/explorer/
//
// The binary is $CARGO_TARGET_DIR/debug/southgraph (target/debug/southgraph by default);
// Chromium is /usr/bin/chromium (Debian's package), or $CHROMIUM. The screenshot goes to
// docs/explore.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const binary = join(process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, 'target'), 'debug', 'southgraph');
const screenshot = join(root, 'docs', 'explore.png');
const STARTUP_MS = 120_000;
const READY_MS = 30_000;

/** A port that was free a moment ago. */
function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** Runs "$0 serve" and stops it (SIGTERM) when stdin reaches its end; exits with the server. */
const WATCHDOG = `
exec 3<&0
"$0" serve </dev/null &
server=$!
(read -r _ <&3; kill "$server" 2>/dev/null) &
wait "$server"
`;

let workdir;
let server;
let serverLog = '';
let origin;
let browser;
let page;
const consoleErrors = [];
const foreignRequests = [];

/** Starts the binary and waits for /health to answer 200 (the first start imports the data). */
async function startServer() {
  workdir = await mkdtemp(join(tmpdir(), 'southgraph-explore-'));
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  // A small shell runs the server and kills it when our end of its stdin closes: at
  // stopServer(), and also when this process dies in any way (a signal, a crash, SIGKILL).
  server = spawn('/bin/sh', ['-c', WATCHDOG, binary], {
    env: {
      ...process.env,
      SOUTHGRAPH_DATABASE_URL: `sqlite://${join(workdir, 'explore.db')}?mode=rwc`,
      SOUTHGRAPH_BIND: `127.0.0.1:${port}`,
      SOUTHGRAPH_LOG: process.env.SOUTHGRAPH_LOG ?? 'warn',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const keep = (chunk) => { serverLog = (serverLog + chunk).slice(-20_000); };
  server.stdout.on('data', keep);
  server.stderr.on('data', keep);
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`the server exited (${server.exitCode ?? server.signalCode}):\n${serverLog}`);
    }
    const status = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(5_000) }).then((response) => response.status, () => 0);
    if (status === 200) return;
    await sleep(250);
  }
  throw new Error(`no 200 from /health within ${STARTUP_MS / 1000} s:\n${serverLog}`);
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((ok) => server.once('exit', ok));
  server.stdin.end();
  const timer = setTimeout(() => process.kill(-server.pid, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

// On an early exit, do not wait for the watchdog: end the server's process group now.
process.on('exit', () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    try { process.kill(-server.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

/** Waits until the page has drawn the selection it was last asked for. */
async function whenReady(provider) {
  await page.waitForFunction(
    (code) => document.body.dataset.state !== 'loading' && (!code || document.body.dataset.provider === code),
    provider,
    { timeout: READY_MS },
  );
  const state = await page.evaluate(() => document.body.dataset.state);
  const status = await page.textContent('#status');
  assert.equal(state, 'ready', `the page did not draw: ${status}`);
}

/** The ISO numeric codes of the countries the map fills. */
const filledCountries = () =>
  page.$$eval('#map path.country.filled', (paths) => paths.map((path) => path.dataset.isoNumeric).sort());

describe('the explorer page', { timeout: STARTUP_MS + 120_000 }, () => {
  before(async () => {
    await startServer();
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    // Offline: every request that leaves the server's origin is recorded and refused.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue();
      foreignRequests.push(url);
      return route.abort('blockedbyclient');
    });
    page = await context.newPage();
    page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
    page.on('requestfailed', (request) => {
      if (!foreignRequests.includes(request.url())) consoleErrors.push(`request failed: ${request.url()}`);
    });
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await stopServer();
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  it('loads and draws China, the default provider', async () => {
    const response = await page.goto(`${origin}/explore`);
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-type'], /^text\/html/);
    await whenReady('CHN');
    assert.equal(await page.inputValue('#provider'), 'CHN');
  });

  it('draws the world and fills China\'s recipients on the map', async () => {
    const shapes = await page.$$eval('#map path.country', (paths) => paths.length);
    assert.ok(shapes >= 100, `${shapes} country shapes`);
    const filled = await filledCountries();
    assert.ok(filled.length >= 20, `${filled.length} countries filled`);
    // Kenya (404) received Chinese official finance, and its shape says so on hover.
    const kenya = await page.textContent('#map path.country[data-iso-numeric="404"] title');
    assert.match(kenya, /^Kenya: .*\$.*constant USD/);
    // Shapes are keyed by ISO 3166-1 numeric code, which Taiwan has (158) and M49 lacks.
    assert.equal(await page.$$eval('#map path.country[data-iso-numeric="158"]', (paths) => paths.length), 1);
  });

  it('draws the region-to-region chord diagram', async () => {
    const ribbons = await page.$$eval('#chord path.ribbon', (paths) => paths.length);
    const groups = await page.$$eval('#chord path.group', (paths) => paths.length);
    assert.ok(ribbons > 0, 'no ribbons');
    assert.ok(groups >= 2, `${groups} region arcs`);
  });

  it('lists the top recipients and links the CSV export for the selection', async () => {
    const rows = await page.$$eval('#recipients tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
    assert.ok(rows.length >= 10, `${rows.length} table rows`);
    assert.equal(rows[0].length, 4);
    assert.match(rows[0][1], /^[\d,]+$/);
    const href = await page.getAttribute('#csv', 'href');
    assert.ok(href.startsWith('/export/flows.csv?filter='), href);
    const filter = JSON.parse(new URL(href, origin).searchParams.get('filter'));
    assert.deepEqual(filter.provider, { code: ['CHN'] });
    assert.equal(filter.repeats, false, 'the download leaves out repeats, as the figures do');
    assert.ok(Number.isInteger(filter.year.gte) && filter.year.lte >= filter.year.gte, JSON.stringify(filter));
  });

  it('downloads the selection as CSV from the link', async () => {
    const href = await page.getAttribute('#csv', 'href');
    const response = await page.request.get(new URL(href, origin).href);
    assert.equal(response.status(), 200, `${href}: ${response.status()}`);
    assert.match(response.headers()['content-type'], /^text\/csv/);
    const lines = (await response.text()).split(/\r?\n/).filter(Boolean);
    assert.ok(lines.length >= 2, `${lines.length} lines of CSV`);
  });

  it('saves a screenshot for the README', async () => {
    await mkdir(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot });
  });

  it('redraws the map for another provider', async (t) => {
    const codes = await page.$$eval('#provider option', (options) => options.map((option) => option.value));
    const other = ['QAT', 'SAU'].find((code) => codes.includes(code)) ?? codes.find((code) => code !== 'CHN');
    if (!other) {
      t.skip(`the data has one provider only (${codes.join(', ')})`);
      return;
    }
    const before = await filledCountries();
    await page.selectOption('#provider', other);
    await whenReady(other);
    assert.notDeepEqual(await filledCountries(), before);
    assert.ok((await page.getAttribute('#csv', 'href')).includes(encodeURIComponent(`"${other}"`)));
    await page.selectOption('#provider', 'CHN');
    await whenReady('CHN');
  });

  it('redraws the map for another period', async () => {
    const before = await filledCountries();
    const years = await page.$$eval('#from option', (options) => options.map((option) => option.value));
    const year = years[Math.floor(years.length / 2)];
    await page.selectOption('#to', year);
    await page.selectOption('#from', year);
    await whenReady('CHN');
    const after = await filledCountries();
    assert.ok(after.length > 0 && after.length < before.length, `${before.length} then ${after.length} countries filled`);
    const filter = JSON.parse(new URL(await page.getAttribute('#csv', 'href'), origin).searchParams.get('filter'));
    assert.deepEqual(filter, { provider: { code: ['CHN'] }, year: { gte: +year, lte: +year }, repeats: false });
  });

  it('made no console errors and no requests to other hosts', () => {
    assert.deepEqual(foreignRequests, []);
    assert.deepEqual(consoleErrors, []);
  });
});
