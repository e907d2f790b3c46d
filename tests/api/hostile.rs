//! Hostile requests: a regression corpus of requests built to crash, stall or exhaust the
//! server, and the limits that answer them.
//!
//! Every probe must be refused (a 4xx or a 503, or a 200 with errors) or, for the few
//! legitimate requests at an extreme, answered; either way with no 5xx but 503, every error
//! coded with a refusal code (never `INTERNAL`) and a message under 1,000 characters even
//! when the input is a megabyte; and the server must answer a cheap query afterwards. The
//! cases are grouped in a few tests, so that one failure does not hide the others, and each
//! test names all its failing cases. `SOUTHGRAPH_HOSTILE_CASE=<part of a name>` runs only
//! the matching cases.

use axum::{body::Body, http::Request};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use crate::{
    hostile_support::{Expect, Probe, encode, errors, run_corpus},
    support::TestDb,
};

const MIN: i32 = i32::MIN;
const MAX: i32 = i32::MAX;

/// A megabyte.
const MB: usize = 1024 * 1024;

fn refused(name: &str, query: impl Into<String>) -> Probe {
    Probe::query(name, query)
}

fn either(name: &str, query: impl Into<String>) -> Probe {
    Probe::query(name, query).expecting(Expect::Either)
}

fn limit(name: &str, query: impl Into<String>) -> Probe {
    Probe::query(name, query).expecting(Expect::Limit)
}

/// `text` `times` times, separated by `separator`.
fn repeat(text: &str, times: usize, separator: &str) -> String {
    vec![text; times].join(separator)
}

/// `inner` wrapped `depth` times in `open` … `close`.
fn nest(open: &str, inner: &str, close: &str, depth: usize) -> String {
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

/// A `FlowFilter` (GraphQL syntax) of `depth` nested `not`s.
fn nots(depth: usize) -> String {
    nest("{not: ", "{year: {gte: 2000}}", "}", depth)
}

/// The same as JSON.
fn nots_json(depth: usize) -> Value {
    (0..depth).fold(json!({ "year": { "gte": 2000 } }), |inner, _| json!({ "not": inner }))
}

/// A cursor as the server encodes them, for any position text.
fn cursor(position: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("position:{position}"))
}

fn export(name: &str, file: &str, parameters: &[(&str, &str)]) -> Probe {
    let query: Vec<String> = parameters.iter().map(|(key, value)| format!("{key}={}", encode(value))).collect();
    Probe::get(name, format!("/export/{file}?{}", query.join("&")))
}

/// The `__Type` fields of graphql-js's `getIntrospectionQuery`, with `ofType` `depth` deep.
fn type_ref(depth: usize) -> String {
    nest("kind name ofType { ", "kind name", " }", depth)
}

/// graphql-js's `getIntrospectionQuery()`, its `TypeRef` fragment 9 `ofType`s deep.
fn introspection_query() -> String {
    format!(
        "query IntrospectionQuery {{
          __schema {{
            queryType {{ name }}
            mutationType {{ name }}
            subscriptionType {{ name }}
            types {{ ...FullType }}
            directives {{ name description locations args {{ ...InputValue }} }}
          }}
        }}
        fragment FullType on __Type {{
          kind name description
          fields(includeDeprecated: true) {{
            name description args {{ ...InputValue }} type {{ ...TypeRef }} isDeprecated deprecationReason
          }}
          inputFields {{ ...InputValue }}
          interfaces {{ ...TypeRef }}
          enumValues(includeDeprecated: true) {{ name description isDeprecated deprecationReason }}
          possibleTypes {{ ...TypeRef }}
        }}
        fragment InputValue on __InputValue {{ name description type {{ ...TypeRef }} defaultValue }}
        fragment TypeRef on __Type {{ {} }}",
        type_ref(9)
    )
}

/// Four connections of 100 nested in each other: 10⁸ nodes.
const FOUR_CONNECTIONS_OF_100: &str = "{ countries(first: 100) { nodes { flowsProvided(first: 100) { nodes {
    recipient { flowsReceived(first: 100) { nodes { provider { flowsProvided(first: 100) { nodes { id } } } } } }
} } } } }";

/// One query of about 20,000 nodes: under the limit alone, five are over it.
const TWENTY_THOUSAND_NODES: &str =
    "{ countries(first: 100) { nodes { flowsProvided(first: 100) { nodes { id reference } } } } }";

fn numbers() -> Vec<Probe> {
    let series = |from: &str, to: &str| format!("{{ flowTimeSeries(from: {from}, to: {to}) {{ year count }} }}");
    let years = format!("{{gte: {MIN}, lte: {MAX}}}");
    let amount = |range: &str| format!("{{ flows(filter: {{amountUsdCurrent: {range}}}) {{ totalCount }} }}");
    let filtered = "query($f: FlowFilter) { flows(filter: $f) { totalCount } }";
    let first = "query($n: Int) { countries(first: $n) { totalCount } }";
    vec![
        refused("flowTimeSeries from i32::MIN to i32::MAX", series("-2147483648", "2147483647")),
        refused("flowTimeSeries from i32::MAX to i32::MIN", series("2147483647", "-2147483648")),
        refused("flowTimeSeries from 0 to i32::MAX", series("0", "2147483647")),
        refused("flowTimeSeries from i32::MIN to 0", series("-2147483648", "0")),
        either("flowTimeSeries of one year at i32::MAX", series("2147483647", "2147483647")),
        either("flowTimeSeries of 500 years up to i32::MAX", series("2147483147", "2147483647")),
        either("flowTimeSeries of 500 years from i32::MIN", series("-2147483648", "-2147483148")),
        refused("flowTimeSeries from beyond i32", series("2147483648", "2147483649")),
        refused("flowTimeSeries from 99999999999999999999", series("99999999999999999999", "2000")),
        refused("flowTimeSeries from 1e999", series("1e999", "2000")),
        refused("flowTimeSeries from a float", series("1990.5", "2000")),
        either(
            "flowTimeSeries filtered by a year range at i32 extremes",
            format!("{{ flowTimeSeries(from: 2000, to: 2010, filter: {{year: {years}}}) {{ year count }} }}"),
        ),
        either(
            "flowStats filtered by a year range at i32 extremes",
            format!("{{ flowStats(groupBy: [YEAR], filter: {{year: {years}}}) {{ year count }} }}"),
        ),
        either(
            "flowStats filtered by a reversed year range at i32 extremes",
            format!("{{ flowStats(groupBy: [YEAR], filter: {{year: {{gte: {MAX}, lte: {MIN}}}}}) {{ year count }} }}"),
        ),
        refused("flowStats first: -1", "{ flowStats(groupBy: [YEAR], first: -1) { count } }"),
        refused("flowStats first: i32::MAX", format!("{{ flowStats(groupBy: [YEAR], first: {MAX}) {{ count }} }}")),
        refused("flowStats first: i32::MIN", format!("{{ flowStats(groupBy: [YEAR], first: {MIN}) {{ count }} }}")),
        refused("flowMatrix top: i32::MAX", format!("{{ flowMatrix(level: COUNTRY, top: {MAX}) {{ labels }} }}")),
        refused("flowMatrix top: i32::MIN", format!("{{ flowMatrix(level: COUNTRY, top: {MIN}) {{ labels }} }}")),
        refused("flowMatrix top: 0", "{ flowMatrix(level: REGION, top: 0) { labels } }"),
        either(
            "flowMatrix filtered by a year range at i32 extremes",
            format!("{{ flowMatrix(level: REGION, filter: {{year: {years}}}) {{ labels }} }}"),
        ),
        refused(
            "Country.partners first: i32::MAX",
            format!("{{ country(code: \"CHN\") {{ partners(first: {MAX}) {{ count }} }} }}"),
        ),
        refused(
            "Country.partners first: i32::MIN",
            format!("{{ country(code: \"CHN\") {{ partners(first: {MIN}) {{ count }} }} }}"),
        ),
        refused("Country.partners first: -1", "{ country(code: \"CHN\") { partners(first: -1) { count } } }"),
        either(
            "Country.partners filtered by a year range at i32 extremes",
            format!("{{ country(code: \"CHN\") {{ partners(filter: {{year: {years}}}) {{ count share }} }} }}"),
        ),
        refused(
            "agreementStats first: i32::MAX",
            format!("{{ agreementStats(groupBy: [SIGNED_YEAR], first: {MAX}) {{ count }} }}"),
        ),
        refused(
            "agreementStats first: i32::MIN",
            format!("{{ agreementStats(groupBy: [SIGNED_YEAR], first: {MIN}) {{ count }} }}"),
        ),
        either(
            "agreementStats filtered by a signedYear range at i32 extremes",
            format!(
                "{{ agreementStats(groupBy: [SIGNED_YEAR], filter: {{signedYear: {years}}}) {{ signedYear count }} }}"
            ),
        ),
        refused(
            "expertStats first: i32::MAX",
            format!("{{ expertStats(groupBy: [START_YEAR], first: {MAX}) {{ experts }} }}"),
        ),
        refused(
            "expertStats first: i32::MIN",
            format!("{{ expertStats(groupBy: [START_YEAR], first: {MIN}) {{ experts }} }}"),
        ),
        either(
            "deploymentsHosted filtered by a startYear range at i32 extremes",
            format!(
                "{{ country(code: \"KEN\") {{ deploymentsHosted(filter: {{startYear: {years}}}) {{ totalCount }} }} }}"
            ),
        ),
        either("amountUsdCurrent gte 1e30", amount("{gte: 1e30}")),
        either(
            "amountUsdConstant between the largest finite doubles",
            "{ flows(filter: {amountUsdConstant: {gte: -1.7976931348623157e308, lte: 1.7976931348623157e308}}) { totalCount } }",
        ),
        refused("amountUsdCurrent gte 1e999 (infinity) in the query text", amount("{gte: 1e999}")),
        refused("amountUsdCurrent lte -1e999 (minus infinity) in the query text", amount("{lte: -1e999}")),
        Probe::with_variables(
            "amountUsdCurrent gte the string NaN as a variable",
            filtered,
            json!({ "f": { "amountUsdCurrent": { "gte": "NaN" } } }),
        ),
        Probe::with_variables(
            "amountUsdCurrent lte the string Infinity as a variable",
            filtered,
            json!({ "f": { "amountUsdCurrent": { "lte": "Infinity" } } }),
        ),
        Probe::raw(
            "amountUsdCurrent gte 1e999 in the JSON variables",
            "application/json",
            format!(r#"{{"query":"{filtered}","variables":{{"f":{{"amountUsdCurrent":{{"gte":1e999}}}}}}}}"#),
        ),
        refused("Int argument 99999999999999999999", "{ countries(first: 99999999999999999999) { totalCount } }"),
        refused("Int argument 2147483648", "{ countries(first: 2147483648) { totalCount } }"),
        refused("Int argument given a float", "{ countries(first: 1.5) { totalCount } }"),
        Probe::raw(
            "Int variable 99999999999999999999",
            "application/json",
            format!(r#"{{"query":"{first}","variables":{{"n":99999999999999999999}}}}"#),
        ),
        Probe::with_variables("Int variable 1e40", first, json!({ "n": 1e40 })),
        Probe::with_variables("Int variable 2147483648", first, json!({ "n": 2_147_483_648_i64 })),
        Probe::with_variables("Int variable -2147483649", first, json!({ "n": -2_147_483_649_i64 })),
    ]
}

fn pagination() -> Vec<Probe> {
    let countries = |arguments: &str| format!("{{ countries({arguments}) {{ totalCount nodes {{ iso3 }} }} }}");
    let flows = |arguments: &str| format!("{{ flows({arguments}) {{ totalCount nodes {{ id }} }} }}");
    let provided = |arguments: &str| {
        format!("{{ country(code: \"CHN\") {{ flowsProvided({arguments}) {{ totalCount nodes {{ id }} }} }} }}")
    };
    let after = "query($after: String) { countries(first: 5, after: $after) { nodes { iso3 } } }";
    let before = "query($before: String) { flows(last: 5, before: $before) { nodes { id } } }";
    let with_after = |name: &str, cursor: String| Probe::with_variables(name, after, json!({ "after": cursor }));
    vec![
        refused("countries first: -1", countries("first: -1")),
        refused("countries first: i32::MAX", countries(&format!("first: {MAX}"))),
        refused("countries first: i32::MIN", countries(&format!("first: {MIN}"))),
        refused("countries last: -5", countries("last: -5")),
        refused("countries last: i32::MAX", countries(&format!("last: {MAX}"))),
        refused("flows first: -1", flows("first: -1")),
        refused("flows first: i32::MAX", flows(&format!("first: {MAX}"))),
        refused("flows last: i32::MIN", flows(&format!("last: {MIN}"))),
        refused("Country.flowsProvided first: i32::MAX", provided(&format!("first: {MAX}"))),
        refused("Country.flowsProvided last: -5", provided("last: -5")),
        either("countries first with last", countries("first: 10, last: 5")),
        either("flows first: 0", flows("first: 0")),
        with_after("after: a garbage cursor", "!!! not a cursor !!!".to_owned()),
        with_after("after: a 900 KB cursor", "A".repeat(900 * 1024)),
        with_after("after: a 1 MB cursor", "A".repeat(MB)),
        with_after("after: base64 of a 30-digit position", cursor(&"9".repeat(30))),
        with_after("after: base64 of a 900 KB position", cursor(&"9".repeat(600 * 1024))),
        with_after("after: base64 of a negative position", cursor("-1")),
        with_after("after: a cursor with NUL bytes", "\0\0position\0".to_owned()),
        with_after("after: base64 of a position with NUL bytes", cursor("1\0")),
        with_after("after: base64 of u64::MAX", cursor(&u64::MAX.to_string())).expecting(Expect::Either),
        with_after("after: base64 of i64::MAX", cursor(&i64::MAX.to_string())).expecting(Expect::Either),
        Probe::with_variables("before: base64 of u64::MAX", before, json!({ "before": cursor(&u64::MAX.to_string()) }))
            .expecting(Expect::Either),
        Probe::with_variables(
            "before: base64 of a 30-digit position",
            before,
            json!({ "before": cursor(&"9".repeat(30)) }),
        ),
    ]
}

fn filters() -> Vec<Probe> {
    let ordered = "query($o: [FlowOrder!]) { flows(orderBy: $o, first: 1) { nodes { id } } }";
    let countries = "query($f: CountryFilter) { countries(filter: $f) { totalCount } }";
    vec![
        either(
            "a 500-branch or",
            format!("{{ flows(filter: {{or: [{}]}}) {{ totalCount }} }}", repeat("{year: {gte: 2000}}", 500, ", ")),
        ),
        refused(
            "orderBy with 100,000 entries",
            format!("{{ flows(orderBy: [{}], first: 1) {{ nodes {{ id }} }} }}", repeat("{field: YEAR}", 100_000, ",")),
        ),
        refused(
            "orderBy with 20,000 entries",
            format!("{{ flows(orderBy: [{}], first: 1) {{ nodes {{ id }} }} }}", repeat("{field: YEAR}", 20_000, ",")),
        ),
        Probe::with_variables(
            "orderBy with 100,000 entries as a variable",
            ordered,
            json!({ "o": vec![json!({ "field": "YEAR" }); 100_000] }),
        ),
        Probe::with_variables(
            "orderBy with 20,000 entries as a variable",
            ordered,
            json!({ "o": vec![json!({ "field": "TITLE", "direction": "DESC" }); 20_000] }),
        ),
        either("code filter with NUL bytes", r#"{ countries(filter: {code: ["\u0000KEN\u0000"]}) { totalCount } }"#),
        Probe::with_variables(
            "code filter with NUL bytes as a variable",
            countries,
            json!({ "f": { "code": ["\u{0}", "KEN\u{0}"], "region": ["\u{0}"] } }),
        )
        .expecting(Expect::Either),
        either("source filter with NUL bytes", r#"{ flows(filter: {source: ["\u0000"]}) { totalCount } }"#),
        refused(
            "code filter: a 900 KB string",
            format!(r#"{{ countries(filter: {{code: ["{}"]}}) {{ totalCount }} }}"#, "K".repeat(900 * 1024)),
        ),
        Probe::with_variables(
            "code filter: a 1 MB string as a variable",
            countries,
            json!({ "f": { "code": ["K".repeat(MB)] } }),
        ),
        Probe::with_variables(
            "code filter: 100,000 codes as a variable",
            countries,
            json!({ "f": { "code": vec!["KEN"; 100_000] } }),
        ),
        Probe::with_variables(
            "region filter: 1,000 strings of 900 bytes",
            countries,
            json!({ "f": { "region": vec!["R".repeat(900); 1_000] } }),
        ),
        refused("an unknown enum value in a filter", "{ flows(filter: {kind: [NOPE]}) { totalCount } }"),
        refused("a lone surrogate in a string", r#"{ countries(filter: {code: ["\uD800"]}) { totalCount } }"#),
        refused("a string argument given an object", "{ country(code: {a: 1}) { name } }"),
    ]
}

fn cost() -> Vec<Probe> {
    let bomb: String = (1..24)
        .map(|level| format!("fragment F{level} on Query {{ ...F{} ...F{} }}\n", level - 1, level - 1))
        .collect();
    let batch = |queries: Vec<&str>| Value::Array(queries.into_iter().map(|query| json!({ "query": query })).collect());
    vec![
        limit("4 nested connections of 100", FOUR_CONNECTIONS_OF_100),
        limit(
            "3 nested connections of 100",
            "{ countries(first: 100) { nodes { flowsProvided(first: 100) { nodes { recipient {
                flowsReceived(first: 100) { nodes { id } } } } } } } }",
        ),
        limit(
            "4 nested connections of the default page size",
            "{ countries { nodes { flowsProvided { nodes { recipient { flowsReceived { nodes {
                provider { flowsProvided { nodes { id } } } } } } } } } } }",
        ),
        limit(
            "4 nested connections of last: 100",
            "{ countries(last: 100) { nodes { flowsProvided(last: 100) { nodes { recipient { flowsReceived(last: 100) {
                nodes { provider { flowsProvided(last: 100) { nodes { id } } } } } } } } } } }",
        ),
        limit(
            "1,000 groups times a connection of 100",
            "{ flowStats(groupBy: [PROVIDER, YEAR], first: 1000) { provider { flowsProvided(first: 100) { nodes { id } } } } }",
        ),
        limit(
            "24 levels of fragments, each spreading the previous twice",
            format!(
                "query {{ ...F23 }}\nfragment F0 on Query {{ countries(first: 100) {{ nodes {{ name }} }} }}\n{bomb}"
            ),
        ),
        either(
            "10,000 aliases of a cheap field",
            format!(
                "{{ {} }}",
                (0..10_000).map(|i| format!("a{i}: country(code: \"KEN\") {{ name }}")).collect::<String>()
            ),
        ),
        limit(
            "10,000 aliases of countries(first: 10)",
            format!(
                "{{ {} }}",
                (0..10_000).map(|i| format!("a{i}: countries(first: 10) {{ nodes {{ name }} }} ")).collect::<String>()
            ),
        ),
        limit(
            "1,000 aliases of flows(first: 100)",
            format!(
                "{{ {} }}",
                (0..1_000).map(|i| format!("a{i}: flows(first: 100) {{ nodes {{ id }} }} ")).collect::<String>()
            ),
        ),
        Probe::json("a batch of 11 queries", &batch(vec!["{ __typename }"; 11])).expecting(Expect::Limit),
        Probe::json("a batch of 1,000 queries", &batch(vec!["{ __typename }"; 1_000])).expecting(Expect::Limit),
        Probe::json(
            "a batch of 5 queries under the limit whose sum is over it",
            &batch(vec![TWENTY_THOUSAND_NODES; 5]),
        )
        .expecting(Expect::Limit),
        limit(
            "100 aliases of __schema",
            format!(
                "{{ {} }}",
                (0..100)
                    .map(|i| format!("s{i}: __schema {{ types {{ name fields {{ name }} }} }} "))
                    .collect::<String>()
            ),
        ),
        limit(
            "__type with 30-deep ofType",
            format!("{{ __type(name: \"Country\") {{ fields {{ type {{ {} }} }} }} }}", type_ref(30)),
        ),
        refused(
            "5,000 directives on one field",
            format!("{{ country(code: \"KEN\") {{ name {} }} }}", repeat("@include(if: true)", 5_000, " ")),
        ),
        refused(
            "fragments spreading each other in a cycle",
            "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
        ),
        either(
            "1,000 inline fragments of a cheap field",
            format!("{{ {} }}", repeat("... on Query { country(code: \"KEN\") { name } }", 1_000, " ")),
        ),
    ]
}

fn requests() -> Vec<Probe> {
    let first = "query($n: Int) { countries(first: $n) { totalCount } }";
    let json = |name: &str, body: &str| Probe::raw(name, "application/json", body.to_owned());
    // The `http` crate refuses URIs over 64 KB (hyper answers 414 before the router).
    let sixty_kb: String = (0..)
        .map(|i| format!("a{i}:countries(first:100){{nodes{{name}}}} "))
        .scan(0, |length, alias| {
            *length += alias.len() * 3;
            (*length < 60 * 1024).then_some(alias)
        })
        .collect();
    vec![
        Probe::with_variables("a 2 MB body", "{ __typename }", json!({ "padding": "x".repeat(2 * MB) }))
            .expecting(Expect::Status(413)),
        Probe::query("a 2 MB query of whitespace", format!("{{{}__typename }}", " ".repeat(2 * MB)))
            .expecting(Expect::Status(413)),
        json("a truncated JSON body", r#"{"query": "{ country(code: \"KEN\") { name } }""#),
        json("a JSON body that is only an opening bracket", "["),
        json("an empty body", ""),
        json("an empty batch", "[]"),
        json("a null query", r#"{"query": null}"#),
        json("a query that is a list", r#"{"query": ["{ __typename }"]}"#),
        json("a body without a query", r#"{"variables": {}}"#),
        json("variables that are a string", r#"{"query": "{ __typename }", "variables": "not an object"}"#),
        json("variables that are a list", r#"{"query": "{ __typename }", "variables": [1, 2]}"#),
        json("a batch holding a number", r#"[{"query": "{ __typename }"}, 42]"#),
        Probe::raw("a body that is not UTF-8", "application/json", vec![0xff, 0xfe, b'{', 0xc3, 0x28, b'}']),
        Probe::raw("a body of NUL bytes", "application/json", vec![0; 1024]),
        Probe::raw("a query as text/plain", "text/plain", r#"{"query": "{ __typename }"}"#),
        Probe::raw("a query as application/xml", "application/xml", "<query>{ __typename }</query>"),
        Probe::with_variables("an Int variable given a string", first, json!({ "n": "ten" })),
        Probe::with_variables("an Int variable given an object", first, json!({ "n": { "a": 1 } })),
        Probe::with_variables(
            "a FlowFilter variable given a list",
            "query($f: FlowFilter) { flows(filter: $f) { totalCount } }",
            json!({ "f": [1, 2, 3] }),
        ),
        Probe::with_variables(
            "a String! variable given null",
            "query($code: String!) { country(code: $code) { name } }",
            json!({ "code": null }),
        ),
        Probe::with_variables(
            "an enum variable given an unknown value",
            "query($level: MatrixLevel!) { flowMatrix(level: $level) { labels } }",
            json!({ "level": "GALAXY" }),
        ),
        Probe::with_variables(
            "a variable declared with an unknown type",
            "query($n: Nope) { countries(first: $n) { totalCount } }",
            json!({ "n": 1 }),
        ),
        Probe::get("a GET with a 60 KB query", format!("/graphql?query={}", encode(&format!("{{ {sixty_kb} }}")))),
        Probe::get("a GET with malformed variables", format!("/graphql?query={}&variables=%7B%22n", encode(first))),
        Probe::json("an unknown operation name", &json!({ "query": "query A { __typename }", "operationName": "B" })),
        refused("two operations and no operation name", "query A { __typename } query B { __typename }"),
        refused("a mutation", "mutation { __typename }"),
        refused("a subscription", "subscription { __typename }"),
        refused("an unknown field a", "{ a }"),
        refused("an unterminated string", r#"{ country(code: "KEN) { name } }"#),
        refused(
            "a syntax error at the end of a 900 KB line",
            format!("{{ country(code: \"{}\") {{ name }} }} }}", "K".repeat(900 * 1024)),
        ),
        refused(
            "an unknown field after 900 KB of aliases",
            format!("{{ {} nope }}", repeat("__typename", 90_000, " ")),
        ),
    ]
}

fn exports() -> Vec<Probe> {
    let year = format!(r#"{{"year": {{"gte": {MIN}, "lte": {MAX}}}}}"#);
    // The `http` crate refuses URIs over 64 KB (hyper answers 414 before the router).
    let or = |branches| json!({ "or": vec![json!({ "year": { "gte": 2000 } }); branches] }).to_string();
    let source = json!({ "source": ["S".repeat(60 * 1024)] }).to_string();
    vec![
        export("flows.csv with malformed JSON", "flows.csv", &[("filter", r#"{"provider": "#)]),
        export("flows.csv with an unknown field", "flows.csv", &[("filter", r#"{"provder": {"code": ["KEN"]}}"#)]),
        export("flows.csv with a filter that is a list", "flows.csv", &[("filter", "[1, 2]")]),
        export("flows.csv with an unknown orderBy field", "flows.csv", &[("orderBy", r#"[{"field": "NOPE"}]"#)]),
        export("flows.csv with an orderBy of numbers", "flows.csv", &[("orderBy", "[1, 2]")]),
        export("flows.csv with malformed orderBy", "flows.csv", &[("orderBy", "[{")]),
        export("flows.ndjson with a 500-branch or", "flows.ndjson", &[("filter", &or(500))]).expecting(Expect::Either),
        export("flows.ndjson with a 1,000-branch or", "flows.ndjson", &[("filter", &or(1_000))]),
        export("flows.csv with a 60 KB source", "flows.csv", &[("filter", &source)]),
        export("flows.csv with a year range at i32 extremes", "flows.csv", &[("filter", &year)])
            .expecting(Expect::Either),
        export(
            "flow-stats.csv with 10,000 groupBy entries",
            "flow-stats.csv",
            &[("groupBy", &repeat("YEAR", 10_000, ","))],
        ),
        export("flow-stats.csv with an unknown groupBy", "flow-stats.csv", &[("groupBy", "YEAR,NOPE")]),
        export("flow-stats.ndjson with malformed JSON", "flow-stats.ndjson", &[("filter", "{{{")]),
        export("flows.sources.csv with malformed JSON", "flows.sources.csv", &[("filter", r#"{"year": }"#)]),
    ]
}

/// Inputs nested far deeper than any real request; the parser, the coercion of input
/// values or the building of conditions may recurse once per level.
fn deep() -> Vec<Probe> {
    let flows = "query($f: FlowFilter) { flows(filter: $f) { totalCount } }";
    vec![
        Probe::with_variables("a 127-deep not as a variable", flows, json!({ "f": nots_json(127) })),
        Probe::with_variables("a 600-deep not as a variable", flows, json!({ "f": nots_json(600) })),
        Probe::raw("a JSON body nested 10,000 arrays deep", "application/json", nest("[", "", "]", 10_000)),
        export("flows.csv with a 600-deep not", "flows.csv", &[("filter", &nots_json(600).to_string())]),
        export("flows.csv with a 127-deep not", "flows.csv", &[("filter", &nots_json(127).to_string())]),
        refused("a 100-deep not in the query text", format!("{{ flows(filter: {}) {{ totalCount }} }}", nots(100))),
        refused("a 50-deep chain of and lists", format!("{{ flows(filter: {}) {{ totalCount }} }}", ands(50))),
        refused("a 600-deep not in the query text", format!("{{ flows(filter: {}) {{ totalCount }} }}", nots(600))),
        refused(
            "a list inside 2,000 brackets",
            format!("{{ countries(filter: {{code: {}}}) {{ totalCount }} }}", nest("[", "\"KEN\"", "]", 2_000)),
        ),
        refused(
            "an object value nested 2,000 deep",
            format!("{{ countries(filter: {}) {{ totalCount }} }}", nest("{a: ", "1", "}", 2_000)),
        ),
        refused("selections 500 deep of an unknown field", nest("{a", "", "}", 500)),
        refused(
            "selections 500 deep of real fields",
            format!(
                "{{ country(code: \"KEN\") {}id{} }}",
                "{ flowsProvided(first: 1) { nodes { provider ".repeat(250),
                " } } } }".repeat(250)
            ),
        ),
    ]
}

/// A filter of `depth` nested one-element `and` lists.
fn ands(depth: usize) -> String {
    nest("{and: [", "{}", "]}", depth)
}

/// The inputs that abort the test process today (a stack overflow, in a debug build on a
/// 2 MB stack), kept apart so that the rest of the corpus runs: a wide `or` or `and` (from
/// some 850 branches) becomes a chain of binary expressions that sea-query renders
/// recursively, one frame per branch; a deep input value (from some 170 `not`s or 80
/// `and` lists) is cloned, validated and parsed recursively by async-graphql.
fn aborting() -> Vec<Probe> {
    let flows = "query($f: FlowFilter) { flows(filter: $f) { totalCount } }";
    let branches = vec![json!({ "year": { "gte": 2000 } }); 10_000];
    vec![
        refused(
            "a 1,000-branch or",
            format!("{{ flows(filter: {{or: [{}]}}) {{ totalCount }} }}", repeat("{year: {gte: 2000}}", 1_000, ", ")),
        ),
        refused("a 200-deep not in the query text", format!("{{ flows(filter: {}) {{ totalCount }} }}", nots(200))),
        refused("a 100-deep chain of and lists", format!("{{ flows(filter: {}) {{ totalCount }} }}", ands(100))),
        refused(
            "a 100-deep chain of and lists in an expert filter",
            format!("{{ experts(filter: {}) {{ totalCount }} }}", ands(100)),
        ),
        refused(
            "a 10,000-branch or",
            format!("{{ flows(filter: {{or: [{}]}}) {{ totalCount }} }}", repeat("{year: {gte: 2000}}", 10_000, ", ")),
        ),
        Probe::with_variables("a 10,000-branch or as a variable", flows, json!({ "f": { "or": branches } })),
        Probe::with_variables(
            "a 10,000-branch and as a variable",
            flows,
            json!({ "f": { "and": vec![json!({ "hasRecipient": true }); 10_000] } }),
        ),
    ]
}

// The corpus runs on a multi-threaded runtime, as the server does, so that a request that
// never yields (expanding a fragment bomb) still times out instead of stalling the test.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_numbers_are_refused_or_answered() {
    let test = TestDb::new().await;
    run_corpus(&test.api_without_rate_limit(), numbers()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_pagination_arguments_are_refused() {
    let test = TestDb::new().await;
    run_corpus(&test.api_without_rate_limit(), pagination()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_filters_are_refused() {
    let test = TestDb::new().await;
    run_corpus(&test.api_without_rate_limit(), filters()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_costs_are_refused() {
    let test = TestDb::new().await;
    run_corpus(&test.api_without_rate_limit(), cost()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_are_refused() {
    let test = TestDb::new().await;
    run_corpus(&test.api_without_rate_limit(), requests()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_export_parameters_are_refused() {
    let test = TestDb::new().await;
    run_corpus(&test.api_without_rate_limit(), exports()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_deep_inputs_are_refused() {
    let test = TestDb::new().await;
    run_corpus(&test.api_without_rate_limit(), deep()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_inputs_that_abort_today_are_refused() {
    let test = TestDb::new().await;
    run_corpus(&test.api_without_rate_limit(), aborting()).await;
}

#[tokio::test]
async fn hostile_corpus_has_at_least_fifty_cases_with_distinct_names() {
    let all: Vec<Probe> =
        [numbers(), pagination(), filters(), cost(), requests(), exports(), deep(), aborting()].concat();
    let mut names: Vec<&str> = all.iter().map(|probe| probe.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert!(all.len() >= 50, "{} cases", all.len());
    assert_eq!(names.len(), all.len(), "case names are distinct");
}

async fn post(test: &TestDb, body: &Value) -> (u16, Value) {
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .body(Body::from(body.to_string()))
        .expect("request");
    let reply = test.api_without_rate_limit().send(request).await;
    (reply.status.as_u16(), reply.json())
}

#[tokio::test]
async fn hostile_limits_report_the_cost_of_every_response() {
    let test = TestDb::new().await;
    let (status, response) = post(&test, &json!({ "query": "{ countries(first: 10) { nodes { name } } }" })).await;
    assert_eq!(status, 200, "{response}");
    let cost = &response["extensions"]["cost"];
    let (requested, limit) = (cost["requested"].as_u64(), cost["limit"].as_u64());
    assert!(requested.is_some() && limit.is_some(), "extensions.cost is {{ requested, limit }}: {response}");
    assert!(requested <= limit, "{response}");
    assert_eq!(limit, Some(50_000), "the default limit: {response}");
}

#[tokio::test]
async fn hostile_limits_name_the_cost_and_the_limit_when_over() {
    let test = TestDb::new().await;
    let (status, response) = post(&test, &json!({ "query": FOUR_CONNECTIONS_OF_100 })).await;
    assert_eq!(status, 400, "{response}");
    assert!(response.get("data").is_none(), "{response}");
    let error = &response["errors"][0];
    assert_eq!(error["extensions"]["code"], "LIMIT_EXCEEDED", "{response}");
    let message = error["message"].as_str().unwrap_or_default();
    let numbers: Vec<u64> = message
        .split(|c: char| !c.is_ascii_digit() && c != ',')
        .filter_map(|word| word.replace(',', "").parse().ok())
        .collect();
    assert!(numbers.contains(&50_000), "the message gives the limit: {message}");
    assert!(numbers.iter().any(|n| *n > 50_000), "the message gives the cost: {message}");
}

#[tokio::test]
async fn hostile_limits_admit_a_query_of_twenty_thousand_nodes() {
    let test = TestDb::new().await;
    let (status, response) = post(&test, &json!({ "query": TWENTY_THOUSAND_NODES })).await;
    assert_eq!(status, 200, "{response}");
    assert!(response.get("errors").is_none(), "{response}");
}

#[tokio::test]
async fn hostile_limits_admit_a_batch_of_ten_cheap_queries() {
    let test = TestDb::new().await;
    let batch: Vec<Value> = (0..10).map(|_| json!({ "query": "{ country(code: \"KEN\") { name } }" })).collect();
    let (status, response) = post(&test, &Value::Array(batch)).await;
    assert_eq!(status, 200, "{response}");
    let answers = response.as_array().expect("a batch answer");
    assert_eq!(answers.len(), 10);
    assert!(answers.iter().all(|answer| answer["data"]["country"]["name"] == "Kenya"), "{response}");
    assert!(errors(&response).is_empty(), "{response}");
}

#[tokio::test]
async fn hostile_limits_admit_the_standard_introspection_query() {
    let test = TestDb::new().await;
    let (status, response) =
        post(&test, &json!({ "query": introspection_query(), "operationName": "IntrospectionQuery" })).await;
    assert_eq!(status, 200, "{response}");
    assert!(response.get("errors").is_none(), "{response}");
    let types = response["data"]["__schema"]["types"].as_array().expect("types");
    assert!(types.iter().any(|t| t["name"] == "FlowFilter"), "the whole schema");
}
