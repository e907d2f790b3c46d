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

/** The filter of each kind family, as the page sends it. */
const OFFICIAL = { not: { kind: ['TRADE'] } };
const TRADE = { kind: ['TRADE'] };
const SOUTH_ONLY = { provider: { isSouth: true }, recipient: { isSouth: true } };

/**
 * Waits until the page has drawn the selection it was last asked for: a provider's code, or
 * `{ provider, family, south }` (each optional; `south` as the page's '1' or '0').
 */
async function whenReady(expected) {
  const wanted = typeof expected === 'string' ? { provider: expected } : (expected ?? {});
  await page.waitForFunction(
    ({ provider, family, south }) => {
      const data = document.body.dataset;
      return data.state === 'error' || (data.state !== 'loading' && (!provider || data.provider === provider)
        && (!family || data.family === family) && (!south || data.south === south));
    },
    wanted,
    { timeout: READY_MS },
  );
  const state = await page.evaluate(() => document.body.dataset.state);
  const status = await page.textContent('#status');
  assert.equal(state, 'ready', `the page did not draw: ${status}`);
}

/** Runs a query against the server's API directly (not through the page); returns its data. */
async function api(query, variables = {}) {
  const response = await fetch(server.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

/** Every provider of the flows a filter matches, with its count and amounts, by ISO3 code. */
async function providersOf(filter) {
  const data = await api(`query ($filter: FlowFilter!) {
    flowStats(filter: $filter, kindFamily: ALL, groupBy: [PROVIDER], first: 300) { provider { iso3 isSouth } count countWithAmount sumUsdReal }
  }`, { filter });
  return new Map(data.flowStats.filter((row) => row.provider).map((row) => [row.provider.iso3, row]));
}

/** The provider list's codes and labels, in its order. */
const providerOptions = () =>
  page.$$eval('#provider option', (options) => options.map((option) => ({ code: option.value, label: option.textContent })));

/** The CSV link's filter. */
const csvFilter = async () => JSON.parse(new URL(await page.getAttribute('#csv', 'href'), origin).searchParams.get('filter'));

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

  it('draws the provider\'s flows per year from the API\'s Vega-Lite chart', async () => {
    const from = parseInt(await page.inputValue('#from'), 10);
    const to = parseInt(await page.inputValue('#to'), 10);
    const points = await page.$$eval('#years svg .mark-symbol.role-mark path', (paths) => paths.length);
    assert.equal(points, to - from + 1, 'a point per year of the period');
    assert.equal(await page.$$eval('#years svg .mark-line.role-mark path', (paths) => paths.length), 1);
    const texts = await page.$$eval('#years svg text', (nodes) => nodes.map((node) => node.textContent));
    assert.ok(texts.includes(`Flows per year, ${from}–${to}`), texts.join(' | '));
    assert.ok(texts.some((text) => /^US dollars of \d{4} \(deflated with the U\.S\. CPI-U\)$/.test(text)), 'the unit and base year');
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
    assert.deepEqual(filter.not, OFFICIAL.not, 'the download is of the kind family shown');
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
    assert.deepEqual(filter, { ...OFFICIAL, provider: { code: ['CHN'] }, year: { gte: +year, lte: +year }, repeats: false });
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

  it('shows official finance by default, and says so', async () => {
    assert.equal(await page.inputValue('#family'), 'official');
    assert.match(await page.textContent('#status'), /^China, official finance, \d{4}–\d{4}: /);
    for (const heading of ['#map-title', '#chord-title', '#table-title']) {
      assert.match(await page.textContent(heading), /official finance/i, heading);
    }
  });

  it('lists the providers of official finance only, by amount then by count', async () => {
    const expected = await providersOf(OFFICIAL);
    const everyKind = await providersOf({});
    assert.ok(everyKind.size > expected.size, `${everyKind.size} providers of any kind, ${expected.size} of official finance`);
    const options = await providerOptions();
    assert.deepEqual(options.map((option) => option.code).sort(), [...expected.keys()].sort());
    // Largest sum first; among equal sums (the providers without amounts), most flows first.
    const rows = options.map((option) => expected.get(option.code));
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1], rows[i]];
      assert.ok(a.sumUsdReal > b.sumUsdReal || (a.sumUsdReal === b.sumUsdReal && a.count >= b.count),
        `${a.provider.iso3} (${a.sumUsdReal}, ${a.count}) before ${b.provider.iso3} (${b.sumUsdReal}, ${b.count})`);
    }
    const tied = rows.filter((row) => row.sumUsdReal === 0);
    assert.ok(new Set(tied.map((row) => row.count)).size > 1, 'the data has equal sums with different counts');
  });

  it('says "no amounts", not "$0", for Brazil\'s technical cooperation', async () => {
    const brazil = (await providersOf(OFFICIAL)).get('BRA');
    assert.ok(brazil && brazil.count > 0 && brazil.countWithAmount === 0, JSON.stringify(brazil));
    const options = await providerOptions();
    const label = options.find((option) => option.code === 'BRA').label;
    assert.match(label, /^Brazil \(no amounts, [\d,]+ flows\)$/);
    assert.deepEqual(options.filter((option) => option.label.includes('$0,')), []);
    await page.selectOption('#provider', 'BRA');
    await whenReady('BRA');
    assert.match(await page.textContent('#status'), /no amounts\.$/);
    const sums = await page.$$eval('#recipients tbody tr', (trs) => trs.map((tr) => [tr.cells[2].textContent, tr.cells[3].textContent]));
    assert.ok(sums.length > 0);
    assert.deepEqual(sums.filter(([real, current]) => real !== 'no amounts' || current !== 'no amounts'), []);
    const titles = await page.$$eval('#map path.country title', (elements) => elements.map((title) => title.textContent));
    assert.ok(titles.some((title) => /: no amounts, [\d,]+ flows$/.test(title)), 'a recipient on the map says "no amounts"');
    assert.deepEqual(titles.filter((title) => title.includes('$0')), []);
    await page.selectOption('#provider', 'CHN');
    await whenReady('CHN');
  });

  it('switches to trade: its own providers, figures, headings and URL', async () => {
    const official = await providersOf(OFFICIAL);
    const trade = await providersOf(TRADE);
    // Italy, India and others export in the trade data but give no official finance in it.
    const tradeOnly = [...trade.keys()].filter((code) => !official.has(code));
    assert.ok(tradeOnly.length > 0, [...trade.keys()].join(' '));
    assert.deepEqual((await providerOptions()).filter((option) => tradeOnly.includes(option.code)), []);
    const before = await filledCountries();
    await page.selectOption('#family', 'trade');
    await whenReady({ provider: 'CHN', family: 'trade' });
    const codes = (await providerOptions()).map((option) => option.code);
    assert.deepEqual([...codes].sort(), [...trade.keys()].sort());
    assert.notDeepEqual([...codes].sort(), [...official.keys()].sort());
    assert.equal(codes[0], [...trade.values()].sort((a, b) => b.sumUsdReal - a.sumUsdReal)[0].provider.iso3);
    assert.notDeepEqual(await filledCountries(), before);
    assert.match(await page.textContent('#status'), /^China, trade \(exports\), /);
    assert.match(await page.textContent('#table-title'), /trade/i);
    assert.equal(new URL(page.url()).searchParams.get('family'), 'trade');
    const filter = await csvFilter();
    assert.deepEqual(filter.kind, TRADE.kind);
    assert.equal(filter.not, undefined);
  });

  it('"South only" drops the providers not of the South, and keeps it in the URL', async () => {
    const south = await providersOf({ ...TRADE, ...SOUTH_ONLY });
    const trade = await providersOf(TRADE);
    assert.equal(trade.get('USA').provider.isSouth, false);
    assert.ok((await providerOptions()).some((option) => option.code === 'USA'));
    await page.check('#south');
    await whenReady({ provider: 'CHN', family: 'trade', south: '1' });
    const codes = (await providerOptions()).map((option) => option.code);
    assert.ok(!codes.includes('USA'), 'the USA are not of the South');
    assert.deepEqual([...codes].sort(), [...south.keys()].sort());
    assert.match(await page.textContent('#status'), /South to South only/);
    const filter = await csvFilter();
    assert.deepEqual(filter.provider, { isSouth: true, code: ['CHN'] });
    assert.deepEqual(filter.recipient, { isSouth: true });
    const shared = new URL(page.url());
    assert.equal(shared.searchParams.get('south'), '1');
    assert.equal(shared.searchParams.get('family'), 'trade');
    await page.goto('about:blank');
    await page.goto(shared.href);
    await whenReady({ provider: 'CHN', family: 'trade', south: '1' });
    assert.equal(await page.inputValue('#family'), 'trade');
    assert.equal(await page.isChecked('#south'), true);
    // Back to official finance, still South only: the official providers not of the South go too.
    await page.selectOption('#family', 'official');
    await whenReady({ provider: 'CHN', family: 'official', south: '1' });
    const officialSouth = await providersOf({ ...OFFICIAL, ...SOUTH_ONLY });
    assert.deepEqual((await providerOptions()).map((option) => option.code).sort(), [...officialSouth.keys()].sort());
    await page.uncheck('#south');
    await whenReady({ provider: 'CHN', family: 'official', south: '0' });
    assert.ok((await providerOptions()).some((option) => option.code === 'USA'));
    assert.equal(new URL(page.url()).searchParams.get('south'), null);
  });

  it('lists the caveats on the figures under them', async () => {
    assert.equal(await page.locator('#caveats').count(), 1);
    const items = await page.$$eval('#caveats li', (lis) => lis.map((li) => ({ code: li.dataset.code, text: li.textContent.trim() })));
    for (const item of items) {
      assert.ok(item.code && item.text, JSON.stringify(item));
    }
    // China's figures follow AidData's guidance, in real dollars: the API says so, and the page shows it.
    const codes = items.map((item) => item.code);
    assert.ok(codes.includes('GUIDANCE_FOLLOWED') && codes.includes('REAL_DOLLARS'), codes.join(', '));
    assert.ok(await page.isVisible('#caveats'));
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
