// GraphiQL at / in headless Chromium, offline, against the real server binary on a fresh
// SQLite database with the bundled data (see pages.mjs): the page loads only from the
// server, introspects the schema, lists its types in the docs explorer, runs an example
// tab and keeps it in the history.
//
//   cargo build && npm ci --prefix tests/browser && node --test tests/browser/
//
// The screenshot goes to docs/graphiql.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { offlineBrowser, root, startServer, STARTUP_MS } from './pages.mjs';

const screenshot = join(root, 'docs', 'graphiql.png');
const READY_MS = 30_000;

let server;
let browser;
let page;
let foreignRequests = [];
let consoleErrors = [];

/** The text GraphiQL shows in its result pane. */
const result = () => page.$eval('.result-window', (pane) => pane.textContent);

describe('GraphiQL', { timeout: STARTUP_MS + 120_000 }, () => {
  before(async () => {
    server = await startServer();
    ({ browser, page, foreignRequests, consoleErrors } = await offlineBrowser(server.origin));
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  it('loads from the server alone, with the example tabs', async () => {
    const response = await page.goto(`${server.origin}/`);
    assert.equal(response.status(), 200);
    await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror', { timeout: READY_MS });
    const tabs = await page.$$eval('.graphiql-tab', (tabs) => tabs.length);
    assert.ok(tabs >= 10, `${tabs} tabs`);
    const links = await page.$$eval('.graphiql-logo a', (links) => links.map((link) => link.getAttribute('href')));
    assert.deepEqual(links, ['/schema.graphql', '/explore']);
  });

  it('introspects the schema and lists its types in the docs explorer', async () => {
    await page.click('[aria-label="Show Documentation Explorer"]');
    const typeNames = async () =>
      page.$$eval('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name', (links) => links.map((link) => link.textContent));
    await page.waitForFunction(
      () => document.querySelectorAll('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name').length > 20,
      null,
      { timeout: READY_MS },
    );
    const names = await typeNames();
    for (const name of ['Query', 'Country', 'Flow', 'Agreement', 'Expert', 'Exchange', 'Sector', 'Source']) {
      assert.ok(names.includes(name), `${name} among ${names.join(', ')}`);
    }
  });

  it('runs the first example tab and shows data', async () => {
    await page.click('.graphiql-tab >> nth=0');
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(
      () => document.querySelector('.result-window')?.textContent.includes('"flowTimeSeries"'),
      null,
      { timeout: READY_MS },
    );
    const text = await result();
    assert.match(text, /"year": 2000/);
    assert.doesNotMatch(text, /"errors"/);
    await page.screenshot({ path: screenshot });
  });

  it('keeps the query in the history', async () => {
    await page.click('[aria-label="Show History"]');
    const items = await page.waitForSelector('.graphiql-history-items li', { timeout: READY_MS }).then(
      () => page.$$eval('.graphiql-history-items li', (items) => items.length),
    );
    assert.ok(items >= 1, `${items} history items`);
  });

  it('opens its settings dialog under the content security policy', async () => {
    await page.click('[aria-label="Open settings dialog"]');
    await page.waitForSelector('.graphiql-dialog', { timeout: READY_MS });
    await page.keyboard.press('Escape');
    await page.waitForSelector('.graphiql-dialog', { state: 'detached', timeout: READY_MS });
  });

  it('answers a browser opening /graphql with GraphiQL too', async () => {
    const response = await page.goto(`${server.origin}/graphql`);
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-type'], /^text\/html/);
    await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror', { timeout: READY_MS });
  });

  it('made no console errors and no requests to other hosts', () => {
    assert.deepEqual(foreignRequests, []);
    assert.deepEqual(consoleErrors, []);
  });
});
