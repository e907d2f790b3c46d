// graphql-http's GraphQL-over-HTTP server audits against the real server binary on a fresh
// SQLite database: no MUST may fail (errors) and no SHOULD (warnings); a MAY that fails is a
// notice, printed and allowed.
//
//   cargo build && npm ci --prefix tests/conformance && node --test tests/conformance/
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serverAudits } from 'graphql-http';
import { REQUEST_MS, STARTUP_MS, fetchWithTimeout, startServer } from './server.mjs';

let server;
const results = [];

// The audits are listed before the server starts: their URL is read when each one runs.
const audits = serverAudits({ url: () => server.url, fetchFn: fetchWithTimeout });

/** One line about a failed audit: what it expected and what the server answered. */
function describeFailure(result) {
  const { response } = result;
  return `${result.id} ${result.name}: ${result.reason} (HTTP ${response?.status}, ${response?.headers.get('content-type') ?? 'no content type'})`;
}

before(async () => {
  server = await startServer('http-audit');
}, { timeout: STARTUP_MS });

after(async () => {
  await server?.stop();
});

describe('GraphQL over HTTP (graphql-http audits)', { timeout: (audits.length + 2) * REQUEST_MS }, () => {
  for (const audit of audits) {
    it(`${audit.id} ${audit.name}`, { timeout: 2 * REQUEST_MS }, async (t) => {
      const result = await audit.fn();
      results.push(result);
      if (result.status === 'notice') t.diagnostic(`notice: ${describeFailure(result)}`);
      assert.ok(result.status === 'ok' || result.status === 'notice', describeFailure(result));
    });
  }

  it('has no errors and no warnings', (t) => {
    const count = (status) => results.filter((result) => result.status === status);
    const [ok, notices, warnings, errors] = ['ok', 'notice', 'warn', 'error'].map(count);
    t.diagnostic(`${results.length} of ${audits.length} audits ran: ${ok.length} ok, ${notices.length} notices, ${warnings.length} warnings, ${errors.length} errors`);
    for (const notice of notices) t.diagnostic(`notice: ${describeFailure(notice)}`);
    assert.equal(results.length, audits.length, 'not every audit ran');
    assert.deepEqual([...errors, ...warnings].map(describeFailure), []);
  });
});
