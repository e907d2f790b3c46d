// Standard introspection against the real server binary on a fresh SQLite database: the
// queries graphql-js and GraphiQL send must be answered, and the schema they rebuild must be
// the checked-in schema.graphql; introspection built to be expensive must be refused.
//
//   cargo build && npm ci --prefix tests/conformance && node --test tests/conformance/
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  GraphQLSchema,
  lexicographicSortSchema,
  printSchema,
  validateSchema,
} from 'graphql';
import { REQUEST_MS, STARTUP_MS, fetchWithTimeout, root, startServer } from './server.mjs';

const GRAPHQL_RESPONSE = 'application/graphql-response+json';
const JSON_HEADERS = { 'content-type': 'application/json', accept: GRAPHQL_RESPONSE };

/** The published schema. */
const published = buildSchema(readFileSync(join(root, 'schema.graphql'), 'utf8'));
/** The published SDL, printed the way graphql-js prints a schema (types sorted by name). */
const expectedSdl = printSchema(lexicographicSortSchema(published));

let server;

/** POSTs a GraphQL request; returns the status, the content type and the body (parsed if JSON). */
async function post(body, headers = JSON_HEADERS) {
  const response = await fetchWithTimeout(server.url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: response.status, contentType: response.headers.get('content-type'), text, json };
}

/** The first line where two texts differ, with a little context, for a readable failure. */
function firstDifference(actual, expected) {
  const a = actual.split('\n');
  const e = expected.split('\n');
  const line = a.findIndex((text, index) => text !== e[index]);
  const at = line === -1 ? Math.min(a.length, e.length) : line;
  const around = (lines) => lines.slice(Math.max(0, at - 3), at + 4).map((text, i) => `  ${Math.max(0, at - 3) + i + 1}: ${text}`).join('\n');
  return `first difference at line ${at + 1}\nserved:\n${around(a)}\nschema.graphql:\n${around(e)}`;
}

/**
 * Sends an introspection query as a client would; asserts 200 without errors; returns the
 * raw data and the client schema graphql-js builds from it.
 */
async function introspect(query, { operationName, headers } = {}) {
  const reply = await post(operationName ? { query, operationName } : { query }, headers);
  const summary = `HTTP ${reply.status} (${reply.contentType}): ${reply.text.slice(0, 1000)}`;
  assert.equal(reply.status, 200, summary);
  assert.ok(reply.json, `not JSON: ${summary}`);
  assert.equal(reply.json.errors, undefined, summary);
  assert.ok(reply.json.data?.__schema, summary);
  const schema = buildClientSchema(reply.json.data);
  assert.deepEqual(validateSchema(schema).map(String), [], 'the client schema is not valid');
  return { data: reply.json.data, schema };
}

/** The client schema has the API's root fields and prints as schema.graphql does. */
function assertPublishedSchema(schema) {
  const query = schema.getQueryType();
  assert.equal(query?.name, 'Query');
  for (const field of ['flows', 'countries', 'flowStats', 'country', 'node']) {
    assert.ok(query.getFields()[field], `Query.${field} is missing`);
  }
  assert.ok(!schema.getMutationType(), 'a mutation type');
  assert.ok(!schema.getSubscriptionType(), 'a subscription type');
  // async-graphql 7.2 answers __Schema.description with a fixed sentence (the description of
  // the __Schema type itself), not the schema's own description, which the SDL does not
  // print: the comparison leaves the schema's description out.
  const comparable = new GraphQLSchema({ ...schema.toConfig(), description: published.description });
  const served = printSchema(lexicographicSortSchema(comparable));
  assert.ok(served === expectedSdl, `the introspected schema is not schema.graphql: ${firstDifference(served, expectedSdl)}`);
}

before(async () => {
  server = await startServer('introspection');
}, { timeout: STARTUP_MS });

after(async () => {
  await server?.stop();
});

describe('standard introspection', { timeout: 10 * REQUEST_MS }, () => {
  it('answers getIntrospectionQuery() with its defaults', async () => {
    const { schema } = await introspect(getIntrospectionQuery());
    assertPublishedSchema(schema);
  });

  it('answers getIntrospectionQuery() with every option on', async () => {
    // Every option of graphql-js 16 but experimentalDirectiveDeprecation, which asks for
    // fields (__Directive.isDeprecated, directives(includeDeprecated:)) that are not in the
    // GraphQL specification.
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    for (const field of ['specifiedByURL', 'isRepeatable', 'isOneOf', 'args(includeDeprecated: true)']) {
      assert.ok(query.includes(field), `this graphql-js does not ask for ${field}`);
    }
    const { data, schema } = await introspect(query);
    assert.ok('description' in data.__schema, 'no __schema.description');
    assert.ok(data.__schema.directives.every((directive) => typeof directive.isRepeatable === 'boolean'), 'no __Directive.isRepeatable');
    assert.ok(data.__schema.types.every((type) => 'specifiedByURL' in type && 'isOneOf' in type), 'no __Type.specifiedByURL or isOneOf');
    const inputValues = data.__schema.types.flatMap((type) => [...(type.inputFields ?? []), ...(type.fields ?? []).flatMap((field) => field.args)]);
    assert.ok(inputValues.length > 0 && inputValues.every((value) => typeof value.isDeprecated === 'boolean'), 'no __InputValue.isDeprecated');
    assertPublishedSchema(schema);
  });

  it('answers GraphiQL 3.8.3 as the page at / sends it', async () => {
    // @graphiql/react 0.28 builds getIntrospectionQuery({ inputValueDeprecation, schemaDescription })
    // from GraphiQL's props (unset on our page), names the operation, and @graphiql/toolkit
    // 0.11's schema fetcher POSTs it with a Content-Type and no Accept.
    const query = getIntrospectionQuery({ inputValueDeprecation: undefined, schemaDescription: undefined });
    const { schema } = await introspect(query, {
      operationName: 'IntrospectionQuery',
      headers: { 'content-type': 'application/json' },
    });
    assertPublishedSchema(schema);
  });

  it('answers GraphiQL with its inputValueDeprecation and schemaDescription props on', async () => {
    // The same with both props set, sent as newer @graphiql/toolkit schema fetchers send it.
    const query = getIntrospectionQuery({ inputValueDeprecation: true, schemaDescription: true });
    const { data, schema } = await introspect(query, {
      operationName: 'IntrospectionQuery',
      headers: { 'content-type': 'application/json', accept: `${GRAPHQL_RESPONSE}, application/json;q=0.9` },
    });
    assert.ok('description' in data.__schema, 'no __schema.description');
    assertPublishedSchema(schema);
  });
});

describe('abusive introspection', { timeout: 4 * REQUEST_MS }, () => {
  /** Sends a query that must be refused before it runs: 4xx, LIMIT_EXCEEDED. */
  async function assertRefused(query) {
    const reply = await post({ query });
    const summary = `HTTP ${reply.status} (${reply.contentType}): ${reply.text.slice(0, 500)}`;
    assert.ok(reply.status >= 400 && reply.status < 500, `not refused: ${summary}`);
    assert.equal(reply.json?.errors?.[0]?.extensions?.code, 'LIMIT_EXCEEDED', summary);
  }

  it('refuses __type with ofType nested 30 levels deep', async () => {
    const ofType = (levels) => (levels === 0 ? 'name' : `name ofType { ${ofType(levels - 1)} }`);
    await assertRefused(`{ __type(name: "Flow") { fields { type { ${ofType(30)} } } } }`);
  });

  it('refuses 100 aliases of __schema in one query', async () => {
    const aliases = Array.from({ length: 100 }, (_, i) => `s${i}: __schema { types { fields { name } } }`);
    await assertRefused(`{ ${aliases.join(' ')} }`);
  });
});
