// The aggregates' charts: every Vega-Lite specification the API returns validates against
// the Vega-Lite JSON schema (the vega-lite package's own), and vega-embed draws them in
// headless Chromium with a mark for each value. Real server binary, bundled data.
//
//   cargo build && npm ci --prefix tests/browser && node --test tests/browser/
//
// A screenshot of one chart goes to docs/chart.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { offlineBrowser, root, startServer, STARTUP_MS } from './pages.mjs';

/** A file of an installed package (their `exports` hide the build files from `import`). */
const installed = (file) => fileURLToPath(new URL(`./node_modules/${file}`, import.meta.url));
const schema = JSON.parse(readFileSync(installed('vega-lite/build/vega-lite-schema.json'), 'utf8'));
/** The browser builds that draw a specification: Vega, Vega-Lite and vega-embed. */
const SCRIPTS = ['vega/build/vega.min.js', 'vega-lite/build/vega-lite.min.js', 'vega-embed/build/vega-embed.min.js']
  .map(installed);

/** One chart of each aggregate, in each mark it can be drawn with. */
const CHARTS = {
  flowStatsByRecipient: `flowStatsChart(filter: { provider: { code: ["CHN"] } }, groupBy: [RECIPIENT], first: 10) { vegaLite }`,
  flowStatsStacked: `flowStatsChart(groupBy: [YEAR, KIND], filter: { year: { gte: 2000, lte: 2010 } }, measure: USD_CURRENT, kindFamily: ALL) { vegaLite(mark: BAR) }`,
  flowStatsHeatmap: `flowStatsChart(groupBy: [PROVIDER_REGION, RECIPIENT_REGION]) { vegaLite(mark: HEATMAP) }`,
  flowTimeSeries: `flowTimeSeriesChart(filter: { source: ["aiddata-gcof-1.0"] }, from: 2000, to: 2014, measure: USD_CONSTANT) { vegaLite }`,
  flowTimeSeriesArea: `flowTimeSeriesChart(from: 1995, to: 2015, measure: COUNT) { vegaLite(mark: AREA) }`,
  flowMatrix: `flowMatrix(level: REGION, top: 5) { vegaLite }`,
  flowMatrixBars: `flowMatrix(level: SUB_REGION, top: 8, measure: COUNT) { vegaLite(mark: BAR) }`,
  partners: `country(code: "IND") { partnersChart(first: 10, kindFamily: TRADE, measure: USD_CURRENT) { vegaLite } }`,
  agreementStats: `agreementStatsChart(groupBy: [SIGNED_YEAR], filter: { southSouth: true }) { vegaLite(mark: LINE) }`,
  agreementStatsByKind: `agreementStatsChart(groupBy: [PARTY_REGION, KIND]) { vegaLite }`,
  expertStats: `expertStatsChart(groupBy: [HOST_COUNTRY], first: 15) { vegaLite }`,
  expertStatsByYear: `expertStatsChart(groupBy: [START_YEAR], measure: DEPLOYMENTS) { vegaLite(mark: BAR) }`,
};

/** The specification a query's one chart field returns. */
function specOf(data) {
  const field = Object.values(data)[0];
  return field.vegaLite ?? Object.values(field)[0].vegaLite;
}

describe('Vega-Lite charts', { timeout: STARTUP_MS + 120_000 }, () => {
  let server;
  let specs;

  before(async () => {
    server = await startServer();
    specs = {};
    for (const [name, field] of Object.entries(CHARTS)) {
      const response = await fetch(server.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ ${field} }` }),
      });
      const body = await response.json();
      assert.equal(body.errors, undefined, `${name}: ${JSON.stringify(body.errors)}`);
      specs[name] = specOf(body.data);
    }
  });

  after(async () => {
    await server?.stop();
  });

  it('validates every specification against the Vega-Lite schema', () => {
    const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
    assert.equal(validate({ mark: 'no-such-mark', data: { values: [] } }), false, 'the schema refuses a bad spec');
    for (const [name, spec] of Object.entries(specs)) {
      assert.ok(spec.data.values.length > 0, `${name} has data`);
      assert.ok(validate(spec), `${name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    }
  });

  it('draws each specification with vega-embed in Chromium, a mark per value', async () => {
    const { browser, page, foreignRequests, consoleErrors } = await offlineBrowser(server.origin, { width: 900, height: 700 });
    try {
      await page.setContent('<!doctype html><html><body><div id="chart"></div></body></html>');
      for (const path of SCRIPTS) await page.addScriptTag({ path });
      for (const [name, spec] of Object.entries(specs)) {
        const drawn = await page.evaluate(async (spec) => {
          const element = document.getElementById('chart');
          element.replaceChildren();
          const result = await window.vegaEmbed(element, spec, { renderer: 'svg', actions: false });
          const count = (selector) => element.querySelectorAll(selector).length;
          const texts = [...element.querySelectorAll('text')].map((text) => text.textContent);
          result.finalize();
          return {
            rects: count('svg .mark-rect.role-mark path'),
            symbols: count('svg .mark-symbol.role-mark path'),
            lines: count('svg .mark-line.role-mark path'),
            areas: count('svg .mark-area.role-mark path'),
            texts,
          };
        }, spec);
        const mark = spec.vconcat[0].mark.type;
        const values = spec.data.values.length;
        const seriesField = spec.vconcat[0].encoding.color?.field;
        const series = new Set(spec.data.values.map((value) => value[seriesField])).size;
        if (mark === 'bar' || mark === 'rect') {
          assert.equal(drawn.rects, values, `${name}: a ${mark} per value`);
        } else if (mark === 'line') {
          assert.equal(drawn.symbols, values, `${name}: a point per value`);
          assert.equal(drawn.lines, seriesField ? series : 1, `${name}: a line per series`);
        } else {
          assert.equal(drawn.areas, seriesField ? series : 1, `${name}: an area per series`);
        }
        assert.ok(drawn.texts.includes(spec.title.text), `${name}: the title is drawn`);
        assert.ok(drawn.texts.some((text) => text.startsWith('Source: ')), `${name}: the footnote cites its sources`);
      }
      await page.evaluate(async (spec) => {
        await window.vegaEmbed('#chart', spec, { renderer: 'svg', actions: false });
      }, specs.flowTimeSeries);
      await page.locator('#chart').screenshot({ path: join(root, 'docs', 'chart.png') });
      assert.deepEqual(foreignRequests, []);
      assert.deepEqual(consoleErrors, []);
    } finally {
      await browser.close().catch(() => {});
    }
  });
});
