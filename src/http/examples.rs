//! Example queries, shown as GraphiQL's tabs and in the README, and run by the tests.

/// An example query with a title.
#[derive(Clone, Copy, Debug)]
pub struct Example {
    /// What the query answers.
    pub title: &'static str,
    /// The query.
    pub query: &'static str,
}

/// The examples, in the order GraphiQL shows them.
pub const EXAMPLES: &[Example] = &[
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
