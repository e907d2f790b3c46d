// A small southgraph client: one function for a query, one async generator for a list.
// Plain ES module with the global fetch, so it runs unchanged in Node 20+, Deno, Bun and
// browsers (the API answers CORS requests from any origin). Copy it into your project.
//
//   import { query, walk } from './southgraph.mjs';
//   const data = await query(endpoint, '{ country(code: "KEN") { name } }');
//   for await (const flow of walk(endpoint, FLOWS, { filter }, (data) => data.flows)) { … }

/** The API's default address (`cargo run --release`). */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8000/graphql';

/**
 * An error the API answered, with its stable `code` (`extensions.code`: BAD_USER_INPUT,
 * LIMIT_EXCEEDED, GRAPHQL_VALIDATION_FAILED, RATE_LIMITED, TIMEOUT, SERVICE_UNAVAILABLE,
 * NOT_FOUND …), the HTTP `status` and every error of the response in `errors`. A reply that
 * is not the API's JSON (a proxy's error page) has the code `HTTP_<status>`.
 */
export class SouthgraphError extends Error {
  constructor(code, message, { status, errors = [] } = {}) {
    super(`${code}: ${message}`);
    this.name = 'SouthgraphError';
    this.code = code;
    this.status = status;
    this.errors = errors;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds to wait from a Retry-After header (seconds or an HTTP date); null without one. */
function retryAfterSeconds(value) {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, (date - Date.now()) / 1000);
}

/**
 * POSTs a GraphQL document with its variables and resolves to its `data`.
 *
 * Throws a SouthgraphError for any error in the response, even beside partial data. A 429
 * (RATE_LIMITED) or 503 (SERVICE_UNAVAILABLE, TIMEOUT) says when to come back in
 * Retry-After: the request is sent again after that long, at most `retries` times, and not
 * at all when the wait would be over `maxWaitSeconds`.
 */
export async function query(endpoint, document, variables = {}, { retries = 3, maxWaitSeconds = 60, signal } = {}) {
  const init = {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      // The GraphQL-over-HTTP media type: a request that cannot run is then a 400.
      accept: 'application/graphql-response+json, application/json;q=0.9',
    },
    body: JSON.stringify({ query: document, variables }),
    signal,
  };
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(endpoint, init);
    const wait = retryAfterSeconds(response.headers.get('retry-after'));
    if ((response.status === 429 || response.status === 503) && wait !== null && wait <= maxWaitSeconds && attempt < retries) {
      await response.body?.cancel();
      await sleep(wait * 1000);
      continue;
    }
    const text = await response.text();
    let payload;
    try {
      payload = JSON.parse(text);
    } catch {
      throw new SouthgraphError(`HTTP_${response.status}`, text.slice(0, 200) || response.statusText, { status: response.status });
    }
    const errors = payload.errors ?? [];
    if (errors.length > 0 || !response.ok) {
      const first = errors[0] ?? {};
      const code = first.extensions?.code ?? `HTTP_${response.status}`;
      throw new SouthgraphError(code, first.message ?? response.statusText, { status: response.status, errors });
    }
    return payload.data;
  }
}

/**
 * Yields every page of a connection, following its cursors. `document` must declare
 * `$after: String`, pass it as the connection's `after`, and select
 * `pageInfo { hasNextPage endCursor }`; `pick` finds the connection in `data`
 * (`(data) => data.flows`, `(data) => data.country.flowsReceived`). Stop early with `break`:
 * no further page is fetched.
 */
export async function* pages(endpoint, document, variables, pick, options) {
  let after = null;
  for (;;) {
    const connection = pick(await query(endpoint, document, { ...variables, after }, options));
    yield connection;
    const { hasNextPage, endCursor } = connection.pageInfo;
    if (!hasNextPage) return;
    if (!endCursor || endCursor === after) throw new Error('the connection did not move on: ask for pageInfo { endCursor }');
    after = endCursor;
  }
}

/** Yields every node of a connection, page after page (see `pages`). */
export async function* walk(endpoint, document, variables, pick, options) {
  for await (const page of pages(endpoint, document, variables, pick, options)) {
    yield* page.nodes;
  }
}
