//! The benchmarks' queries, by name; `tests/api/plans.rs` reads their query plans too.

/// Typical API queries.
pub const QUERIES: &[(&str, &str)] = &[
    (
        "flows_100_with_relations",
        "{ flows(first: 100) { nodes { id title amountUsdConstant provider { name } recipient { name } sector { name } source { key } } } }",
    ),
    (
        "countries_50_with_flows_provided",
        "{ countries(first: 50) { nodes { name flowsProvided(first: 5) { totalCount nodes { recipient { name } } } } } }",
    ),
    (
        "flows_filtered_south_south_health",
        r#"{ flows(first: 20, filter: { southSouth: true, sector: { under: ["120"] }, year: { gte: 2005 } }, orderBy: [{ field: AMOUNT_USD_CONSTANT, direction: DESC }]) { totalCount nodes { title } } }"#,
    ),
    ("country_by_code", r#"{ country(code: "KEN") { name isG77Member blocs { nodes { code } } } }"#),
    (
        "flow_stats_all_flows_by_year_and_recipient_region",
        "{ flowStats(groupBy: [YEAR, RECIPIENT_REGION], first: 1000) { year recipientRegion count sumUsdReal } }",
    ),
    ("flow_matrix_regions", "{ flowMatrix(level: REGION) { labels matrix } }"),
];

/// The queries of `../shared/peer/queries/southgraph-q*.graphql`.
pub const PEER: &[(&str, &str)] = &[
    (
        "q1_flows_50",
        "{ flows(first: 50) { nodes { reference year amountUsdConstant provider { name } recipient { name } sector { name } } } }",
    ),
    (
        "q2_flows_50_total",
        "{ flows(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { reference year amountUsdConstant provider { name } recipient { name } sector { name } } } }",
    ),
    (
        "q3_countries_50_flows_5",
        "{ countries(first: 50) { nodes { iso3 name flowsProvided(first: 5) { nodes { reference year amountUsdConstant recipient { name } } } } } }",
    ),
    (
        "q4_china_since_2005_by_amount",
        r#"{ flows(filter: { provider: { code: ["CHN"] }, year: { gte: 2005 } }, orderBy: [{ field: AMOUNT_USD_CONSTANT, direction: DESC }], first: 20) { nodes { reference year amountUsdConstant recipient { name } sector { name } } } }"#,
    ),
    (
        "q5_china_by_year",
        r#"{ flowStats(filter: { provider: { code: ["CHN"] } }, groupBy: [YEAR]) { year count sumUsdConstant } }"#,
    ),
];

/// q3 at 5 and 100 flows per country.
pub const NESTED: &[(&str, &str)] = &[
    (
        "countries_50_flows_5",
        "{ countries(first: 50) { nodes { iso3 flowsProvided(first: 5) { nodes { reference year recipient { name } } } } } }",
    ),
    (
        "countries_50_flows_100",
        "{ countries(first: 50) { nodes { iso3 flowsProvided(first: 100) { nodes { reference year recipient { name } } } } } }",
    ),
];

/// The first 5 flows of the provider with the most flows, China's 6,900, against one with
/// 228, Saudi Arabia's.
pub const NESTED_BY_CHILDREN: &[(&str, &str)] = &[
    ("china_6900_flows_first_5", r#"{ country(code: "CHN") { flowsProvided(first: 5) { nodes { reference } } } }"#),
    (
        "saudi_arabia_228_flows_first_5",
        r#"{ country(code: "SAU") { flowsProvided(first: 5) { nodes { reference } } } }"#,
    ),
    (
        "china_6900_flows_first_5_by_year",
        r#"{ country(code: "CHN") { flowsProvided(first: 5, orderBy: [{ field: YEAR, direction: DESC }]) { nodes { reference } } } }"#,
    ),
    (
        "saudi_arabia_228_flows_first_5_by_year",
        r#"{ country(code: "SAU") { flowsProvided(first: 5, orderBy: [{ field: YEAR, direction: DESC }]) { nodes { reference } } } }"#,
    ),
    (
        "china_6900_flows_first_5_largest",
        r#"{ country(code: "CHN") { flowsProvided(first: 5, orderBy: [{ field: AMOUNT_USD_CONSTANT, direction: DESC }]) { nodes { reference } } } }"#,
    ),
    (
        "saudi_arabia_228_flows_first_5_largest",
        r#"{ country(code: "SAU") { flowsProvided(first: 5, orderBy: [{ field: AMOUNT_USD_CONSTANT, direction: DESC }]) { nodes { reference } } } }"#,
    ),
];

/// One-word searches over every kind of record, and a search inside an aggregate.
pub const SEARCH: &[(&str, &str)] = &[
    (
        "search_railway_20",
        r#"{ search(query: "railway", first: 20) { totalCount nodes { score snippet { text highlights { start end } } node { id } } } }"#,
    ),
    (
        "search_saude_20",
        r#"{ search(query: "saude", first: 20) { totalCount nodes { score snippet { text highlights { start end } } node { id } } } }"#,
    ),
    (
        "search_china_20",
        r#"{ search(query: "china", first: 20) { totalCount nodes { score snippet { text highlights { start end } } node { id } } } }"#,
    ),
    (
        "flow_stats_railway_by_recipient",
        r#"{ flowStats(filter: { text: "railway" }, groupBy: [RECIPIENT]) { count sumUsdConstant } }"#,
    ),
];

/// Charts: an aggregate and its Vega-Lite specification, footnote included.
pub const CHARTS: &[(&str, &str)] = &[
    (
        "chart_china_per_year",
        r#"{ flowTimeSeriesChart(filter: { provider: { code: ["CHN"] } }, from: 2000, to: 2014) { vegaLite } }"#,
    ),
    (
        "chart_recipients_by_region_and_kind",
        r#"{ flowStatsChart(groupBy: [RECIPIENT_REGION, KIND], kindFamily: ALL) { vegaLite(mark: BAR) } }"#,
    ),
    ("chart_matrix_regions", r#"{ flowMatrix(level: REGION) { vegaLite } }"#),
];
