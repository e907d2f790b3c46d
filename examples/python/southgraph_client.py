#!/usr/bin/env python3
"""A small southgraph client in standard-library Python (3.9+).

It shows the two things most partner scripts need:

1. Page through a list with Relay cursors: ask for `first: 100`, then again with
   `after:` the page's `endCursor` until `hasNextPage` is false.
2. Ask for an aggregate computed by the server: `flowTimeSeries` gives one row per year,
   years without flows included as zeros.

By default it walks China's official finance to Africa, 2000-2014 (AidData's GCOF 1.0):

    python3 southgraph_client.py
    python3 southgraph_client.py --recipient KEN
    python3 southgraph_client.py --provider SAU --source aiddata-tuff-saudi-arabia-1.0 --from 2010 --to 2013
    python3 southgraph_client.py --json > flows.json    # every flow and the series, as JSON

The endpoint is --endpoint, else $SOUTHGRAPH_URL, else http://127.0.0.1:8000/graphql.
Copy `query()` and `SouthgraphError` into your own code: they are all a client needs.
"""

from __future__ import annotations

import argparse
import email.utils
import json
import os
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

DEFAULT_ENDPOINT = "http://127.0.0.1:8000/graphql"


class SouthgraphError(Exception):
    """An error the API answered (or an HTTP error), with its `extensions.code`.

    `code` is one of the API's stable codes (BAD_USER_INPUT, LIMIT_EXCEEDED,
    GRAPHQL_VALIDATION_FAILED, RATE_LIMITED, TIMEOUT, SERVICE_UNAVAILABLE, NOT_FOUND, ...),
    or HTTP_<status> when a proxy answered something that is not the API's JSON.
    """

    def __init__(self, code: str, message: str, status: int | None = None, errors: list | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.errors = errors or []


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _error_from(payload: dict, status: int | None) -> SouthgraphError:
    """The first error of a GraphQL response (`{"errors": [{"message", "extensions": {"code"}}]}`)."""
    errors = payload.get("errors") or [{}]
    first = errors[0]
    code = (first.get("extensions") or {}).get("code") or f"HTTP_{status}"
    return SouthgraphError(code, first.get("message", "no message"), status, errors)


def query(
    endpoint: str,
    document: str,
    variables: dict | None = None,
    *,
    retries: int = 3,
    max_wait: float = 60.0,
    timeout: float = 30.0,
) -> dict:
    """POSTs a GraphQL query with its variables and returns its `data`.

    Raises SouthgraphError on any error in the response, even with partial data: a script
    should not go on with half an answer. A 429 (RATE_LIMITED) or 503 (SERVICE_UNAVAILABLE,
    TIMEOUT) carries Retry-After: the request is sent again after that many seconds, at most
    `retries` times, and never after waiting more than `max_wait` seconds for one try.
    """
    body = json.dumps({"query": document, "variables": variables or {}}).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        # The GraphQL-over-HTTP media type: a request that cannot run is then a 400.
        "Accept": "application/graphql-response+json, application/json;q=0.9",
        "User-Agent": "southgraph-python-example/1.0",
    }
    for attempt in range(retries + 1):
        request = urllib.request.Request(endpoint, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            wait = _retry_after_seconds(error.headers.get("Retry-After"))
            if error.code in (429, 503) and wait is not None and wait <= max_wait and attempt < retries:
                print(f"southgraph: HTTP {error.code}, retrying in {wait:g} s", file=sys.stderr)
                time.sleep(wait)
                continue
            try:
                payload = json.loads(text)
            except json.JSONDecodeError:  # not the API's JSON: a proxy's page, say
                raise SouthgraphError(f"HTTP_{error.code}", text[:200] or str(error.reason), error.code) from None
            raise _error_from(payload, error.code) from None
        try:
            payload = json.loads(text)
        except json.JSONDecodeError:
            raise SouthgraphError(f"HTTP_{status}", f"not JSON: {text[:200]}", status) from None
        if payload.get("errors"):
            raise _error_from(payload, status)
        return payload["data"]
    raise AssertionError("unreachable")


# One page of flows. `$after` is null for the first page, then the previous `endCursor`.
# `reference` is the flow's key in its source (GCOF's project_id): it is what exports
# show as `reference` too.
FLOWS = """
query Flows($filter: FlowFilter, $first: Int, $after: String) {
  flows(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id reference year title amountUsdCurrent recipient { iso3 name } }
  }
}
"""

# One row per year, zeros included. Aggregates count a project that two sources list
# (China's Public Diplomacy repeats GCOF) once; lists show both.
SERIES = """
query Series($filter: FlowFilter, $from: Int!, $to: Int!) {
  flowTimeSeries(filter: $filter, from: $from, to: $to) { year count sumUsdConstant sumUsdCurrent }
}
"""


def walk_flows(endpoint: str, flow_filter: dict, page_size: int = 100):
    """Yields (totalCount, page number, flows of the page) for every page of `flows`."""
    cursor, page = None, 0
    while True:
        data = query(endpoint, FLOWS, {"filter": flow_filter, "first": page_size, "after": cursor})
        connection = data["flows"]
        page += 1
        yield connection["totalCount"], page, connection["nodes"]
        info = connection["pageInfo"]
        if not info["hasNextPage"]:
            return
        cursor = info["endCursor"]


def billions(value: float | None) -> str:
    return "" if value is None else f"{value / 1e9:,.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", metavar="URL", default=os.environ.get("SOUTHGRAPH_URL", DEFAULT_ENDPOINT),
                        help=f"GraphQL endpoint (default: $SOUTHGRAPH_URL, else {DEFAULT_ENDPOINT})")
    parser.add_argument("--provider", default="CHN", help="provider's ISO3 code (default: %(default)s)")
    parser.add_argument("--recipient", help="recipient's ISO3 code (instead of a region)")
    parser.add_argument("--recipient-region", help="recipient's UN M49 region (default: Africa, without --recipient)")
    parser.add_argument("--source", default="aiddata-gcof-1.0", help="source key, '' for all (default: %(default)s)")
    parser.add_argument("--from", dest="year_from", metavar="YEAR", type=int, default=2000, help="first year (default: %(default)s)")
    parser.add_argument("--to", dest="year_to", metavar="YEAR", type=int, default=2014, help="last year (default: %(default)s)")
    parser.add_argument("--page-size", metavar="N", type=int, default=100, help="flows per request, at most 100 (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print every flow and the series as one JSON document")
    args = parser.parse_args()

    # A FlowFilter, exactly as in GraphQL: every condition must hold. `not` leaves out the
    # rows a publisher flags as not for research (AidData's umbrella projects, pledges,
    # cancelled and suspended projects), as aggregates do by default; rows without the flag
    # stay, because `not: X` matches every row X does not, nulls included.
    recipient = {"code": [args.recipient]} if args.recipient else {"region": [args.recipient_region or "Africa"]}
    flow_filter = {
        "provider": {"code": [args.provider]},
        "recipient": recipient,
        "year": {"gte": args.year_from, "lte": args.year_to},
        "not": {"recommendedForResearch": False},
    }
    if args.source:
        flow_filter["source"] = [args.source]

    progress = sys.stderr.isatty() and not args.json
    try:
        flows, total, pages = [], 0, 0
        for total, pages, nodes in walk_flows(args.endpoint, flow_filter, args.page_size):
            flows.extend(nodes)
            if progress:
                print(f"\rpage {pages}: {len(flows):,} of {total:,} flows", end="", file=sys.stderr, flush=True)
        if progress:
            print(file=sys.stderr)
        series = query(args.endpoint, SERIES, {"filter": flow_filter, "from": args.year_from, "to": args.year_to})
        series = series["flowTimeSeries"]
    except SouthgraphError as error:
        print(f"southgraph error {error.code}: {error.message}", file=sys.stderr)
        return 1
    except OSError as error:  # refused, unknown host, timed out (URLError is one)
        print(f"cannot reach {args.endpoint}: {getattr(error, 'reason', error)}", file=sys.stderr)
        return 2

    if args.json:
        json.dump({"filter": flow_filter, "totalCount": total, "pages": pages, "flows": flows, "series": series},
                  sys.stdout, ensure_ascii=False)
        print()
        return 0

    who = args.recipient or recipient["region"][0]
    print(f"{args.provider} -> {who}, {args.year_from}-{args.year_to}"
          f"{f' ({args.source})' if args.source else ''}: walked {len(flows):,} flows in {pages} page{'s' if pages != 1 else ''}"
          f" (totalCount {total:,})")
    print("\nLargest flows in current USD:")
    largest = sorted((f for f in flows if f["amountUsdCurrent"] is not None),
                     key=lambda f: f["amountUsdCurrent"], reverse=True)[:5]
    for flow in largest:
        where = flow["recipient"]["name"] if flow["recipient"] else "(no country)"
        print(f"  {flow['year']}  {billions(flow['amountUsdCurrent']):>8} bn  {where}: {flow['title']}")

    print("\nflowTimeSeries, US$ billions (constant: of the source's base year, 2014 for GCOF):")
    print(f"{'year':>4}  {'flows':>6}  {'constant':>9}  {'current':>9}")
    for row in series:
        print(f"{row['year']:>4}  {row['count']:>6,}  {billions(row['sumUsdConstant']):>9}  {billions(row['sumUsdCurrent']):>9}")
    print(f"{'all':>4}  {sum(r['count'] for r in series):>6,}  "
          f"{billions(sum(r['sumUsdConstant'] for r in series)):>9}  {billions(sum(r['sumUsdCurrent'] for r in series)):>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
