// The client examples in examples/ run against the real server binary on a fresh SQLite
// database with the bundled data, and what they print is checked against the API's own
// CSV export and against the published files in seed/data/ (read here, independently of
// the importers): the Python and JavaScript examples, the JavaScript module's errors and
// retries, and the queries and chart fields of the Observable page.
//
//   cargo build && node --test tests/examples/
//
// The binary is $SOUTHGRAPH_BINARY, else $CARGO_TARGET_DIR/debug/southgraph
// (target/debug/southgraph by default); Python is $PYTHON, else python3. No npm packages.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SouthgraphError, query } from '../../examples/javascript/southgraph.mjs';
import { root, startServer, STARTUP_MS } from '../server.mjs';

const python = process.env.PYTHON ?? 'python3';
const PYTHON_EXAMPLE = join(root, 'examples/python/southgraph_client.py');
const JS_EXAMPLE = join(root, 'examples/javascript/flows-by-year.mjs');
const OBSERVABLE_PAGE = join(root, 'examples/observable/flows-by-year.md');
/** How long one run of an example may take. */
const RUN_MS = 60_000;
const GCOF = 'aiddata-gcof-1.0';

// ---------------------------------------------------------------------------------------
// Running the examples.

/** Runs a program to its end; resolves to `{ status, stdout, stderr, ms }`. */
function run(command, args, env = {}) {
  return new Promise((ok, fail) => {
    const started = Date.now();
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_MS);
    child.on('error', fail);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      ok({ status: status ?? signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Runs an example that must succeed and print JSON; resolves to the parsed output. */
async function runJson(command, args, env) {
  const result = await run(command, [...args, '--json'], env);
  assert.equal(result.status, 0, `${args[0]} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

// ---------------------------------------------------------------------------------------
// The published files, read with node:zlib and a CSV reader of our own.

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text) {
  const records = [];
  let record = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 1; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { record.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      record.push(field); records.push(record); record = []; field = '';
    } else field += c;
  }
  if (field !== '' || record.length > 0) { record.push(field); records.push(record); }
  return records;
}

/** Header → value maps of a CSV text (a byte-order mark is dropped). */
function csvObjects(text) {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]])));
}

/** The rows of a bundled, gzip-compressed CSV file (bytes that are not UTF-8 become U+FFFD). */
const published = (file) => csvObjects(new TextDecoder().decode(gunzipSync(readFileSync(join(root, 'seed/data', file)))));

/**
 * GCOF's projects whose recipient UN M49 places in Africa (country-codes 2020, as served),
 * among those AidData recommends for research: what aggregates count by default, and what
 * the examples' filters select.
 */
function gcofToAfrica() {
  const region = new Map(published('country-codes-2020-with-developing.csv.gz')
    .filter((row) => row['ISO3166-1-Alpha-3']?.trim())
    .map((row) => [row['ISO3166-1-Alpha-3'], row['Region Name']]));
  return published('GlobalChineseOfficialFinanceDataset_v1.0.no-contacts.csv.gz')
    .filter((row) => region.get(row.recipient_iso3) === 'Africa' && row.recommended_for_research === 'True');
}

/** Per year: how many rows, and their sums of `usd_defl_2014` and `usd_current` (blank is 0). */
function byYear(rows) {
  const years = new Map();
  for (const row of rows) {
    const year = years.get(Number(row.year)) ?? { count: 0, constant: 0, current: 0 };
    year.count += 1;
    year.constant += Number(row.usd_defl_2014.trim() || 0);
    year.current += Number(row.usd_current.trim() || 0);
    years.set(Number(row.year), year);
  }
  return years;
}

/** Two sums of the same amounts, added in another order. */
function assertClose(actual, expected, what) {
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

// ---------------------------------------------------------------------------------------

let server;
/** GCOF's projects to Africa, and their figures per year, from the published files. */
let africa;
let africaByYear;

before(async () => {
  africa = gcofToAfrica();
  africaByYear = byYear(africa);
  assert.ok(africa.length > 2000, `${africa.length} GCOF projects in Africa: the published file was not read`);
  server = await startServer();
}, { timeout: STARTUP_MS + 30_000 });

after(() => server?.stop());

/** The flows a filter matches, from the API's CSV export (fetched here, not by an example). */
async function exported(filter) {
  const response = await fetch(`${server.origin}/export/flows.csv?filter=${encodeURIComponent(JSON.stringify(filter))}`);
  assert.equal(response.status, 200);
  const rows = csvObjects(await response.text());
  assert.ok(!rows.some((row) => row.source?.startsWith('#ERROR')), 'the export ended early');
  return rows;
}

/** Asserts that a series has one row per year from `from` to `to`, in ascending order. */
function assertYears(series, from, to) {
  assert.deepEqual(series.map((row) => row.year), Array.from({ length: to - from + 1 }, (_, i) => from + i));
}

describe('the Python example', () => {
  let output;
  before(async () => {
    output = await runJson(python, [PYTHON_EXAMPLE, '--endpoint', server.endpoint]);
  }, { timeout: RUN_MS });

  it('walks the default filter: China to Africa, GCOF, 2000-2014', () => {
    assert.deepEqual(output.filter, {
      provider: { code: ['CHN'] },
      recipient: { region: ['Africa'] },
      year: { gte: 2000, lte: 2014 },
      not: { recommendedForResearch: false },
      source: [GCOF],
    });
  });

  it('walks every flow once by cursor: totalCount, the CSV export and the published file agree', async () => {
    const ids = output.flows.map((flow) => flow.id);
    assert.equal(new Set(ids).size, ids.length, 'an id came back on two pages');
    assert.equal(output.flows.length, output.totalCount);
    assert.equal(output.pages, Math.ceil(output.totalCount / 100));
    const csv = await exported(output.filter);
    assert.equal(output.flows.length, csv.length, 'flows walked vs rows of /export/flows.csv');
    const walked = output.flows.map((flow) => flow.reference).sort();
    assert.deepEqual(walked, csv.map((row) => row.reference).sort(), 'the same flows as the export');
    assert.deepEqual(walked, africa.map((row) => row.project_id).sort(), 'the same projects as the published file');
    assert.ok(output.flows.every((flow) => flow.year >= 2000 && flow.year <= 2014 && flow.recipient?.iso3));
  });

  it('prints flowTimeSeries with the published count and sums of every year', () => {
    assertYears(output.series, 2000, 2014);
    for (const row of output.series) {
      const year = africaByYear.get(row.year);
      assert.equal(row.count, year.count, `${row.year}`);
      assertClose(row.sumUsdConstant, year.constant, `${row.year} constant USD`);
      assertClose(row.sumUsdCurrent, year.current, `${row.year} current USD`);
    }
    const walkedCurrent = output.flows.reduce((sum, flow) => sum + (flow.amountUsdCurrent ?? 0), 0);
    assertClose(walkedCurrent, output.series.reduce((sum, row) => sum + row.sumUsdCurrent, 0), 'flows walked vs series, current USD');
  });

  it('prints a readable report for one country, with the endpoint from SOUTHGRAPH_URL', async () => {
    const kenya = africa.filter((row) => row.recipient_iso3 === 'KEN');
    const result = await run(python, [PYTHON_EXAMPLE, '--recipient', 'KEN'], { SOUTHGRAPH_URL: server.endpoint });
    assert.equal(result.status, 0, result.stderr);
    const pages = Math.ceil(kenya.length / 100);
    assert.match(result.stdout, new RegExp(`^CHN -> KEN, 2000-2014 \\(${GCOF}\\): walked ${kenya.length} flows in ${pages} pages? \\(totalCount ${kenya.length}\\)$`, 'm'));
    for (const [year, { count }] of byYear(kenya)) {
      assert.match(result.stdout, new RegExp(`^${year}\\s+${count}\\s`, 'm'), `the row of ${year}`);
    }
    assert.match(result.stdout, new RegExp(`^ all\\s+${kenya.length}\\s`, 'm'));
  });

  it("stops with the error's code and message", async () => {
    const result = await run(python, [PYTHON_EXAMPLE, '--endpoint', server.endpoint, '--page-size', '101']);
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^southgraph error BAD_USER_INPUT: `first: 101` is more than the maximum page size of 100$/m);
  });
});

describe('the JavaScript example', () => {
  it("tallies the flows it walks by year: the series, the CSV export and the published file agree", async () => {
    const output = await runJson(process.execPath, [JS_EXAMPLE, '--endpoint', server.endpoint]);
    assert.equal(output.walked, output.totalCount);
    assert.equal(output.walked, africa.length, 'flows walked vs the published file');
    assert.equal(output.walked, (await exported(output.filter)).length, 'flows walked vs rows of /export/flows.csv');
    assert.equal(output.pages, Math.ceil(africa.length / 100));
    assertYears(output.years, 2000, 2014);
    for (const row of output.years) {
      const year = africaByYear.get(row.year);
      assert.equal(row.walked, year.count, `${row.year}: flows walked`);
      assert.equal(row.count, year.count, `${row.year}: flowTimeSeries`);
      assertClose(row.walkedSumUsdConstant, year.constant, `${row.year}: constant USD walked`);
      assertClose(row.sumUsdConstant, year.constant, `${row.year}: flowTimeSeries constant USD`);
    }
  });

  it('prints a readable table, zeros included, with the endpoint from SOUTHGRAPH_URL', async () => {
    const kenya = byYear(africa.filter((row) => row.recipient_iso3 === 'KEN'));
    const result = await run(process.execPath, [JS_EXAMPLE, '--recipient', 'KEN', '--from', '1999', '--to', '2015'], { SOUTHGRAPH_URL: server.endpoint });
    assert.equal(result.status, 0, result.stderr);
    for (let year = 1999; year <= 2015; year += 1) {
      const count = kenya.get(year)?.count ?? 0;
      assert.match(result.stdout, new RegExp(`^${year}\\s+${count}\\s+${count}\\s`, 'm'), `the row of ${year}`);
    }
    assert.match(result.stdout, /agree with flowTimeSeries in every year/);
  });

  it("stops with the error's code", async () => {
    const result = await run(process.execPath, [JS_EXAMPLE, '--endpoint', `${server.origin}/graphq`]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^southgraph error NOT_FOUND: nothing at `\/graphq`/m);
  });
});

describe("the JavaScript module's errors", () => {
  it('carry the code and the HTTP status', async () => {
    await assert.rejects(query(server.endpoint, '{ flows { nope } }'), (error) => {
      assert.ok(error instanceof SouthgraphError);
      assert.equal(error.code, 'GRAPHQL_VALIDATION_FAILED');
      assert.equal(error.status, 400);
      assert.match(error.message, /Unknown field "nope"/);
      return true;
    });
    await assert.rejects(query(server.endpoint, 'query($n: Int) { flows(first: $n) { totalCount } }', { n: 1000 }), (error) => {
      assert.equal(error.code, 'BAD_USER_INPUT');
      assert.equal(error.errors.length, 1);
      return true;
    });
  });
});

/**
 * A server in front of the API that refuses the first `refusals` requests with `status`,
 * `Retry-After: retryAfter` and the API's error body, and passes the rest on.
 */
async function front({ refusals, status, code, retryAfter = '1' }) {
  const seen = { refused: 0, passed: 0 };
  const http = createHttpServer(async (request, response) => {
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    if (seen.refused < refusals) {
      seen.refused += 1;
      response.writeHead(status, { 'content-type': 'application/json', 'retry-after': retryAfter });
      response.end(JSON.stringify({ errors: [{ message: 'try again later', extensions: { code } }] }));
      return;
    }
    seen.passed += 1;
    const answer = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: request.headers.accept ?? 'application/json' },
      body: Buffer.concat(chunks),
    });
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') });
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise((ok) => http.listen(0, '127.0.0.1', ok));
  return { endpoint: `http://127.0.0.1:${http.address().port}/graphql`, seen, close: () => new Promise((ok) => http.close(ok)) };
}

describe('Retry-After', () => {
  it('the Python example waits as told, then goes on', async () => {
    const proxy = await front({ refusals: 2, status: 429, code: 'RATE_LIMITED' });
    try {
      const result = await run(python, [PYTHON_EXAMPLE, '--endpoint', proxy.endpoint, '--recipient', 'KEN']);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(proxy.seen.refused, 2);
      assert.ok(result.ms >= 2_000, `waited ${result.ms} ms for two Retry-After: 1`);
      assert.match(result.stdout, /walked \d+ flows/);
    } finally {
      await proxy.close();
    }
  });

  it('the Python example gives up after three retries, or at once when told to wait too long', async () => {
    const busy = await front({ refusals: Infinity, status: 503, code: 'SERVICE_UNAVAILABLE' });
    try {
      const result = await run(python, [PYTHON_EXAMPLE, '--endpoint', busy.endpoint]);
      assert.equal(result.status, 1);
      assert.equal(busy.seen.refused, 4, 'one request and three retries');
      assert.match(result.stderr, /^southgraph error SERVICE_UNAVAILABLE: try again later$/m);
    } finally {
      await busy.close();
    }
    const spent = await front({ refusals: Infinity, status: 429, code: 'RATE_LIMITED', retryAfter: '3600' });
    try {
      const result = await run(python, [PYTHON_EXAMPLE, '--endpoint', spent.endpoint]);
      assert.equal(result.status, 1);
      assert.equal(spent.seen.refused, 1, 'an hour is longer than the longest wait');
      assert.ok(result.ms < 10_000, `gave up after ${result.ms} ms`);
      assert.match(result.stderr, /^southgraph error RATE_LIMITED:/m);
    } finally {
      await spent.close();
    }
  });

  it('the JavaScript module waits as told, then answers, or gives up with the code', async () => {
    const once = await front({ refusals: 1, status: 503, code: 'SERVICE_UNAVAILABLE' });
    try {
      const started = Date.now();
      const data = await query(once.endpoint, '{ country(code: "KEN") { iso3 } }');
      assert.deepEqual(data, { country: { iso3: 'KEN' } });
      assert.equal(once.seen.refused, 1);
      assert.ok(Date.now() - started >= 1_000);
    } finally {
      await once.close();
    }
    const busy = await front({ refusals: Infinity, status: 429, code: 'RATE_LIMITED' });
    try {
      await assert.rejects(query(busy.endpoint, '{ country(code: "KEN") { iso3 } }', {}, { retries: 1 }), (error) => {
        assert.equal(error.code, 'RATE_LIMITED');
        assert.equal(error.status, 429);
        return true;
      });
      assert.equal(busy.seen.refused, 2, 'one request and one retry');
    } finally {
      await busy.close();
    }
  });
});

describe('the Observable page', () => {
  const page = readFileSync(OBSERVABLE_PAGE, 'utf8');
  /** The GraphQL documents of its cells: `const NAME = \`query …\`;`. */
  const documents = Object.fromEntries([...page.matchAll(/const ([A-Z_]+) = `(query[^`]*)`;/g)].map((m) => [m[1], m[2]]));

  it('runs its queries as its cells send them, and charts fields the series has', async () => {
    assert.deepEqual(Object.keys(documents).sort(), ['PROVIDERS', 'SERIES']);
    const providers = (await query(server.endpoint, documents.PROVIDERS)).flowStats;
    assert.equal(providers[0].provider.iso3, 'CHN', 'China has the most flows');
    assert.ok(providers.every((row) => row.provider && row.count > 0));
    const { flowTimeSeries: series } = await query(server.endpoint, documents.SERIES, {
      filter: { provider: { code: ['CHN'] }, recipient: { region: ['Africa'] }, not: { kind: ['TRADE'] } },
      from: 2000,
      to: 2014,
    });
    assertYears(series, 2000, 2014);
    // China's official finance to Africa in the bundle is GCOF's (public diplomacy is Asia's).
    assert.deepEqual(series.map((row) => row.count), series.map((row) => africaByYear.get(row.year).count));
    // Every field the Vega-Lite spec and the measure menu name is in the series' rows, but
    // for those the spec computes (`as: "value"`).
    const computed = new Set([...page.matchAll(/as: "(\w+)"/g)].map((m) => m[1]));
    const fields = [...page.matchAll(/field: "(\w+)"|\["[^"]+", "(\w+)"\]/g)].map((m) => m[1] ?? m[2]).filter((f) => !computed.has(f));
    assert.ok(fields.length >= 6, `${fields}`);
    for (const field of fields) assert.ok(field in series[0], `the chart names ${field}, which the query does not select`);
  });
});
