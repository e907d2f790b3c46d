#!/usr/bin/env node
// Flows by year, two ways: walk every flow of a filter page by page and count them per year
// on the client, then ask the server for the same figures with `flowTimeSeries`, and show
// both side by side. The client's tally is what you would build from any list you download;
// the server's series is one request, zeros included.
//
//   node flows-by-year.mjs                                  # China → Africa, 2000–2014
//   node flows-by-year.mjs --recipient KEN
//   node flows-by-year.mjs --provider CHN --source '' --from 2000 --to 2016
//   node flows-by-year.mjs --json > by-year.json
//
// The endpoint is --endpoint, else $SOUTHGRAPH_URL, else http://127.0.0.1:8000/graphql.
import { parseArgs } from 'node:util';
import { DEFAULT_ENDPOINT, SouthgraphError, pages, query } from './southgraph.mjs';

const { values: args } = parseArgs({
  options: {
    endpoint: { type: 'string', default: process.env.SOUTHGRAPH_URL || DEFAULT_ENDPOINT },
    provider: { type: 'string', default: 'CHN' },
    recipient: { type: 'string' },
    'recipient-region': { type: 'string' },
    source: { type: 'string', default: 'aiddata-gcof-1.0' },
    from: { type: 'string', default: '2000' },
    to: { type: 'string', default: '2014' },
    json: { type: 'boolean', default: false },
  },
});
const from = Number(args.from);
const to = Number(args.to);
if (!Number.isInteger(from) || !Number.isInteger(to)) {
  console.error(`--from and --to take years, not ${args.from} and ${args.to}`);
  process.exit(2);
}

// A FlowFilter, as in GraphQL. `repeats: false` leaves out the flows that repeat another
// source's (China's Public Diplomacy lists 361 GCOF projects again): aggregates such as
// flowTimeSeries always leave them out, and lists include them unless told, so saying it
// here makes both count each project once, whatever the other conditions. Likewise `not`
// leaves out the rows a publisher flags as not for research (AidData's umbrella projects,
// pledges, cancelled and suspended projects), as aggregates do by default; rows without
// the flag stay, because `not: X` matches every row X does not, nulls included.
const filter = {
  provider: { code: [args.provider] },
  recipient: args.recipient ? { code: [args.recipient] } : { region: [args['recipient-region'] ?? 'Africa'] },
  year: { gte: from, lte: to },
  repeats: false,
  not: { recommendedForResearch: false },
  ...(args.source ? { source: [args.source] } : {}),
};

// Only what the tally needs: the smaller the selection, the cheaper each page.
const FLOWS = `
  query Flows($filter: FlowFilter, $after: String) {
    flows(filter: $filter, first: 100, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id year amountUsdConstant }
    }
  }`;

const SERIES = `
  query Series($filter: FlowFilter, $from: Int!, $to: Int!) {
    flowTimeSeries(filter: $filter, from: $from, to: $to) { year count sumUsdConstant }
  }`;

try {
  // 1. Walk the list, one request per 100 flows, and tally per year.
  const tally = new Map();
  let totalCount = 0;
  let pageCount = 0;
  let walked = 0;
  for await (const page of pages(args.endpoint, FLOWS, { filter }, (data) => data.flows)) {
    totalCount = page.totalCount;
    pageCount += 1;
    for (const flow of page.nodes) {
      walked += 1;
      const year = tally.get(flow.year) ?? { flows: 0, sumUsdConstant: 0 };
      year.flows += 1;
      year.sumUsdConstant += flow.amountUsdConstant ?? 0; // no amount counts as 0, as in aggregates
      tally.set(flow.year, year);
    }
  }

  // 2. The same figures from the server, in one request.
  const { flowTimeSeries } = await query(args.endpoint, SERIES, { filter, from, to });

  const years = flowTimeSeries.map((row) => ({
    year: row.year,
    walked: tally.get(row.year)?.flows ?? 0,
    walkedSumUsdConstant: tally.get(row.year)?.sumUsdConstant ?? 0,
    count: row.count,
    sumUsdConstant: row.sumUsdConstant,
  }));
  const disagree = years.filter((row) => row.walked !== row.count);

  if (args.json) {
    console.log(JSON.stringify({ filter, from, to, totalCount, walked, pages: pageCount, years }));
  } else {
    const who = args.recipient ?? filter.recipient.region[0];
    console.log(`${args.provider} → ${who}, ${from}–${to}${args.source ? ` (${args.source})` : ''}: `
      + `walked ${walked.toLocaleString('en')} flows in ${pageCount} page${pageCount === 1 ? '' : 's'} (totalCount ${totalCount.toLocaleString('en')})\n`);
    const largest = Math.max(1, ...years.map((row) => row.sumUsdConstant));
    console.log('year  walked  flowTimeSeries  US$ bn (constant)');
    for (const row of years) {
      const bar = '█'.repeat(Math.round((30 * row.sumUsdConstant) / largest));
      const billions = (row.sumUsdConstant / 1e9).toFixed(2);
      console.log(`${row.year}  ${String(row.walked).padStart(6)}  ${String(row.count).padStart(14)}  ${billions.padStart(8)} ${bar}`);
    }
    console.log(disagree.length === 0
      ? '\nThe flows walked agree with flowTimeSeries in every year.'
      : `\nThe flows walked differ from flowTimeSeries in ${disagree.map((row) => row.year).join(', ')}.`);
  }
} catch (error) {
  if (error instanceof SouthgraphError) {
    console.error(`southgraph error ${error.message}`); // "BAD_USER_INPUT: …"
  } else {
    console.error(`cannot query ${args.endpoint}: ${error.cause?.message ?? error.message}`);
  }
  process.exitCode = 1;
}
