//! Example queries, shown as GraphiQL's tabs and in the README, and run by the tests.

/// An example query with a title.
#[derive(Clone, Copy, Debug)]
pub struct Example {
    /// What the query answers.
    pub title: &'static str,
    /// The query.
    pub query: &'static str,
}

/// Questions data journalists ask, answered with one query each (README lists the answers
/// on the bundled data); GraphiQL opens them first.
pub const QUESTIONS: &[Example] = &[
    Example {
        title: "How much did China commit to African countries each year from 2000 to 2014?",
        query: r#"# China's official finance to Africa per year, constant 2014 USD (AidData GCOF 1.0), as AidData
# advises: its projects recommended for research (add `guidance: IGNORE` to count every row).
{
  flowTimeSeries(
    filter: { provider: { code: ["CHN"] }, recipient: { region: ["Africa"] }, source: ["aiddata-gcof-1.0"] }
    from: 2000
    to: 2014
  ) { year count sumUsdConstant sumUsdCurrent }
}"#,
    },
    Example {
        title: "In which sectors did China commit to Africa?",
        query: r#"# China's official finance to Africa by DAC sector group, largest first.
{
  flowStats(
    filter: { provider: { code: ["CHN"] }, recipient: { region: ["Africa"] }, source: ["aiddata-gcof-1.0"] }
    groupBy: [SECTOR_GROUP]
    orderBy: [{ measure: USD_CONSTANT }]
    first: 5
  ) { sectorGroup { code name } count sumUsdConstant }
}"#,
    },
    Example {
        title: "Which developing countries signed the most investment treaties with other developing countries?",
        query: r#"# Parties to bilateral investment treaties whose parties are all of the South; a tie at the tenth place is kept.
{
  agreementStats(filter: { kind: [INVESTMENT], southSouth: true }, groupBy: [PARTY], first: 10, withTies: true) {
    party { name }
    count
  }
}"#,
    },
    Example {
        title: "What share of China's official finance went to countries of the South?",
        query: r#"# Share of China's committed finance (with a recipient country) going to M49 developing countries,
# in AidData's constant 2014 USD (one source, one base year).
{
  byAmount: southSouthShare(filter: { provider: { code: ["CHN"] }, source: ["aiddata-gcof-1.0"] }, measure: USD_CONSTANT) { total toSouth share }
  byCount: southSouthShare(filter: { provider: { code: ["CHN"] }, source: ["aiddata-gcof-1.0"] }, measure: COUNT) { total toSouth share }
}"#,
    },
    Example {
        title: "Between which regions does the most official finance flow?",
        query: r#"# Region-to-region official finance (trade left out), 2000–2014, in real US dollars of 2025 (CPI-U):
# GCOF's constant dollars are of 2014 and TUFF's of 2012, so they are not added. A chord diagram's data.
{
  flowMatrix(filter: { year: { gte: 2000, lte: 2014 }, not: { kind: [TRADE] } }, level: REGION) {
    labels
    links { source target value }
  }
}"#,
    },
    Example {
        title: "Who are Kenya's largest providers of official finance?",
        query: r#"# Kenya's providers of official finance (trade left out), in real US dollars of 2025, with each one's share.
{
  country(code: "KEN") {
    name
    partners(direction: RECEIVED, filter: { not: { kind: [TRADE] } }, first: 5) { country { name } count sumUsdReal share }
  }
}"#,
    },
    Example {
        title: "How many South–South trade agreements were signed each year?",
        query: r#"# Trade and regional-integration agreements whose parties are all of the South, by year signed.
{
  agreementStats(filter: { kind: [TRADE, REGIONAL_INTEGRATION], southSouth: true }, groupBy: [SIGNED_YEAR], first: 100) {
    signedYear
    count
  }
}"#,
    },
    Example {
        title: "Where did Chinese technical-assistance teams go?",
        query: r#"# Teams from China (medical teams, technical assistance) by host region.
{
  expertStats(filter: { homeCountry: { code: ["CHN"] } }, groupBy: [HOST_REGION]) {
    hostRegion
    experts
    deployments
  }
}"#,
    },
    Example {
        title: "How much did China, Saudi Arabia and Qatar commit from 2010 to 2013, in dollars of 2024?",
        query: r#"# One dollar basis for three publishers: GCOF's constant dollars are of 2014 and TUFF's of 2012, so
# the sums are current dollars deflated with the U.S. CPI-U to 2024 (Qatar's rows in other currencies
# have constant dollars only: rebased, see the caveats).
{
  flowStats(
    filter: {
      provider: { code: ["CHN", "SAU", "QAT"] }
      source: ["aiddata-gcof-1.0", "aiddata-tuff-saudi-arabia-1.0", "aiddata-tuff-qatar-1.0"]
      year: { gte: 2010, lte: 2013 }
    }
    groupBy: [PROVIDER]
    orderBy: [{ measure: USD_REAL }]
  ) { provider { name } count countWithAmount sumUsdReal(baseYear: 2024) constantBaseYear }
}"#,
    },
    Example {
        title: "To which income groups did China's finance go, as they were classed at the time?",
        query: r#"# China's official finance by the recipient's World Bank income group in force in each flow's year.
{
  flowStats(
    filter: { provider: { code: ["CHN"] }, source: ["aiddata-gcof-1.0"] }
    groupBy: [RECIPIENT_INCOME_GROUP]
    orderBy: [{ measure: USD_CONSTANT }]
  ) { recipientIncomeGroup count sumUsdConstant constantBaseYear }
}"#,
    },
    Example {
        title: "How much technical cooperation did Brazil provide?",
        query: r#"# Brazil's ABC actions have no amounts: counted, not summed; the answer's caveats say so (AMOUNTS_MISSING).
{
  flowStats(filter: { provider: { code: ["BRA"] } }, groupBy: [KIND], kindFamily: OFFICIAL_FINANCE) {
    kind
    count
    countWithAmount
    sumUsdReal
  }
}"#,
    },
];

/// The examples, in the order GraphiQL shows them after the questions.
pub const EXAMPLES: &[Example] = &[
    Example {
        title: "Search in Portuguese: Brazil's health cooperation",
        query: r#"# Full-text search: accents and case ignored ("saude" finds "Saúde"), each word also in
# its other forms; titles first. The snippet shows why each record was found.
{
  search(query: "saude", first: 5) {
    totalCount
    nodes {
      score
      snippet { field text highlights { start end } }
      node { __typename id ... on Flow { title year provider { name } recipient { name } } ... on Expert { name } }
    }
  }
}"#,
    },
    Example {
        title: "Search in Spanish: Colombia's scholarships, without the doctoral ones",
        query: r#"# "becas" also finds "beca"; `-doctorado` leaves out what names doctoral studies,
# `OR` takes either word, `"…"` a phrase and `word*` any word that starts so.
{
  flows(filter: { text: "becas OR formacion -doctorado", source: ["aiddata-colombia-aims-iati"] }, first: 5) {
    totalCount
    nodes { title year recipient { name } }
  }
}"#,
    },
    Example {
        title: "Search and sum: Chinese railway finance by recipient",
        query: r#"# A text search is a filter like any other: here it picks the flows the aggregate sums.
{
  flowStats(
    filter: { text: "railway*", provider: { code: ["CHN"] } }
    groupBy: [RECIPIENT]
    orderBy: [{ measure: USD_CONSTANT }]
    first: 10
  ) { recipient { name } count sumUsdConstant }
}"#,
    },
    Example {
        title: "Chart: China's official finance per year, ready for Vega-Lite",
        query: r#"# Every aggregate has a chart: a Vega-Lite specification with the figures inline, titled in
# their unit and base year, the sources and caveats as its footnote. Paste `vegaLite` into
# the Vega editor, or give it to `vegaEmbed` in a page. Try `mark: AREA` or `mark: BAR`.
{
  flowTimeSeriesChart(
    filter: { provider: { code: ["CHN"] }, source: ["aiddata-gcof-1.0"] }
    from: 2000
    to: 2014
    measure: USD_CONSTANT
  ) { title vegaLite(mark: LINE) }
}"#,
    },
    Example {
        title: "Countries of the South in Africa, with their blocs",
        query: r#"# Countries UN M49 classes as developing, in Africa, with the blocs they belong to.
{
  countries(filter: { isSouth: true, region: ["Africa"] }, first: 10) {
    totalCount
    nodes {
      iso3
      name
      subRegion
      isLdc
      isG77Member
      blocs(first: 5) { nodes { code name } }
    }
    pageInfo { hasNextPage endCursor }
  }
}"#,
    },
    Example {
        title: "China's largest health flows",
        query: r#"# Flows in health (DAC group 120 and every code below it), largest first.
{
  flows(
    filter: { provider: { code: ["CHN"] }, sector: { under: ["120"] } }
    orderBy: [{ field: AMOUNT_USD_CONSTANT, direction: DESC }]
    first: 5
  ) {
    totalCount
    nodes {
      title
      year
      kind
      flowType
      amountUsdConstant
      constantBaseYear
      recipient { name isSouth }
      sector { code name parent { code name } }
      source { title citation }
    }
  }
}"#,
    },
    Example {
        title: "A country's partners: flows received and agreements",
        query: r#"# What Kenya received, and the agreements it is party to.
{
  country(code: "KEN") {
    name
    incomeGroup
    flowsReceived(first: 5, orderBy: [{ field: YEAR, direction: DESC }]) {
      totalCount
      nodes { year title amountUsdCurrent provider { name } }
    }
    agreements(first: 5) {
      totalCount
      nodes { title kind signedYear scope southSouth parties(first: 10) { nodes { iso3 } } }
    }
  }
}"#,
    },
    Example {
        title: "South–South agreements",
        query: r#"# Agreements whose parties are all of the South, newest first.
{
  agreements(filter: { southSouth: true }, orderBy: [{ field: SIGNED_YEAR, direction: DESC }], first: 10) {
    totalCount
    nodes { title kind status signedYear scope parties(first: 5) { totalCount nodes { name } } }
  }
}"#,
    },
    Example {
        title: "Expert teams and where they went",
        query: r#"# Teams deployed in technical cooperation, with their host countries.
{
  experts(filter: { kind: [TEAM] }, first: 5) {
    totalCount
    nodes {
      name
      headcount
      homeCountry { name }
      sectors(first: 3) { nodes { name } }
      deployments(first: 3) { nodes { startYear endYear hostCountry { name } flow { title } } }
    }
  }
}"#,
    },
    Example {
        title: "Exchanges: China's visits, students and institutes with its neighbours",
        query: r#"# Knowledge sharing that money does not show: China's public diplomacy with
# 25 East Asia-Pacific countries, summed by kind (never add two kinds: a visit is not a
# student), then Viet Nam's visits year by year.
{
  exchangeStats(filter: { provider: { code: ["CHN"] } }, groupBy: [KIND]) { kind records total }
  country(code: "VNM") {
    exchangesReceived(filter: { kind: [GOVERNMENT_VISITS, MILITARY_VISITS] }, orderBy: [{ field: YEAR }], first: 10) {
      totalCount
      nodes { year kind count }
    }
  }
}"#,
    },
    Example {
        title: "Blocs and their members",
        query: r#"# The Group of 77 and its members of the least developed countries.
{
  bloc(code: "G77") {
    name
    kind
    members(filter: { isLdc: true }, first: 5) { totalCount nodes { name region } }
  }
}"#,
    },
    Example {
        title: "Sources, licences and citations",
        query: r#"# Every dataset served, how to cite it, and its last import.
{
  sources(first: 20) {
    nodes {
      key
      title
      publisher
      licence
      citation
      importRuns(first: 1) { nodes { status rowsRead rowsInserted rowsUpdated rowsSkipped finishedAt } }
    }
  }
}"#,
    },
    Example {
        title: "Sectors: a DAC group and what lies under it",
        query: r#"# The education group, its categories and their purpose codes.
{
  sector(code: "110") {
    code
    name
    level
    children(first: 10) { nodes { code name level children(first: 3) { totalCount nodes { code name } } } }
  }
}"#,
    },
];
