// The /explore page in headless Chromium, against the real server binary on a fresh
// SQLite database with the bundled data (see pages.mjs).
//
//   cargo build && npm ci --prefix tests/browser && node --test tests/browser/
//
// The screenshot goes to docs/explore.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { offlineBrowser, root, startServer, STARTUP_MS } from './pages.mjs';

const screenshot = join(root, 'docs', 'explore.png');
const READY_MS = 30_000;

let server;
let origin;
let browser;
let page;
let foreignRequests = [];
let consoleErrors = [];

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
    server = await startServer();
    origin = server.origin;
    ({ browser, page, foreignRequests, consoleErrors } = await offlineBrowser(origin));
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
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
    assert.match(kenya, /^Kenya: .*\$.*US\$ of 2025/);
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

  it('keeps every choice in the URL', async () => {
    const years = await page.$$eval('#from option', (options) => options.map((option) => option.value));
    const [from, to] = [years[1], years[years.length - 2]];
    await page.selectOption('#to', to);
    await page.selectOption('#from', from);
    await whenReady('CHN');
    const shared = page.url();
    assert.deepEqual(Object.fromEntries(new URL(shared).searchParams), { provider: 'CHN', from, to });
    await page.goto('about:blank');
    await page.goto(shared);
    await whenReady('CHN');
    assert.deepEqual([await page.inputValue('#provider'), await page.inputValue('#from'), await page.inputValue('#to')], ['CHN', from, to]);
  });

  it('shows where the keyboard is', async () => {
    await page.focus('#provider');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement);
      return { id: document.activeElement.id, outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    assert.equal(focused.id, 'from');
    assert.equal(focused.outline, 'solid', JSON.stringify(focused));
    assert.ok(focused.width >= 2, JSON.stringify(focused));
  });

  it('fits a 400 px screen: no sideways scroll, no label cut', async () => {
    await page.setViewportSize({ width: 400, height: 860 });
    await page.goto(`${origin}/explore/?provider=CHN`);
    await whenReady('CHN');
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }));
    assert.ok(widths.page <= widths.screen, `the page is ${widths.page} px wide on a ${widths.screen} px screen`);
    // Every region's label lies inside the chord diagram's view box, "Oceania" included.
    const labels = await page.$$eval('#chord text.label', (texts) => {
      const view = texts[0].ownerSVGElement.viewBox.baseVal;
      return texts.map((text) => {
        const box = text.getBBox();
        const inside = box.x >= view.x && box.y >= view.y && box.x + box.width <= view.x + view.width && box.y + box.height <= view.y + view.height;
        return { text: text.textContent, inside };
      });
    });
    assert.ok(labels.some((label) => label.text === 'Oceania'), JSON.stringify(labels));
    assert.deepEqual(labels.filter((label) => !label.inside), []);
    await page.screenshot({ path: join(root, 'docs', 'explore-400.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('made no console errors and no requests to other hosts', () => {
    assert.deepEqual(foreignRequests, []);
    assert.deepEqual(consoleErrors, []);
  });
});
