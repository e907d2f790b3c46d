//! Filters and their combinations, checked against the published files and against each
//! other.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{Value, json};

use crate::{
    published::{self, amount},
    support::{Api, TestDb},
};

async fn count(api: &Api, root: &str, filter: Value) -> u64 {
    let query = format!("query($filter: {}) {{ {root}(filter: $filter) {{ totalCount }} }}", filter_type(root));
    api.data(&query, json!({ "filter": filter })).await[root]["totalCount"].as_u64().expect("totalCount")
}

fn filter_type(root: &str) -> &'static str {
    match root {
        "countries" => "CountryFilter",
        "flows" => "FlowFilter",
        "agreements" => "AgreementFilter",
        "experts" => "ExpertFilter",
        "sectors" => "SectorFilter",
        other => panic!("no filter for {other}"),
    }
}

#[tokio::test]
async fn countries_of_the_south_are_those_m49_classes_as_developing() {
    let test = TestDb::new().await;
    let api = test.api();
    let developing = published::developing().len() as u64;
    assert_eq!(count(&api, "countries", json!({ "isSouth": true })).await, developing);
    let all = published::countries().len() as u64;
    assert_eq!(count(&api, "countries", json!({ "isSouth": false })).await, all - developing);
    assert_eq!(count(&api, "countries", json!({ "not": { "isSouth": true } })).await, all - developing);
}

#[tokio::test]
async fn country_filters_combine_with_and_or_not() {
    let test = TestDb::new().await;
    let api = test.api();
    let africa = json!({ "region": ["Africa"] });
    let ldc = json!({ "isLdc": true });
    let a = count(&api, "countries", africa.clone()).await;
    let l = count(&api, "countries", ldc.clone()).await;
    let both = count(&api, "countries", json!({ "and": [africa, ldc] })).await;
    let either = count(&api, "countries", json!({ "or": [africa, ldc] })).await;
    let published = published::countries();
    let expect = |f: &dyn Fn(&std::collections::HashMap<String, String>) -> bool| {
        published.iter().filter(|r| f(r)).count() as u64
    };
    assert_eq!(a, expect(&|r| r["Region Name"] == "Africa"));
    assert_eq!(l, expect(&|r| !r["Least Developed Countries (LDC)"].trim().is_empty()));
    assert_eq!(either, a + l - both);
    assert_eq!(count(&api, "countries", json!({ "region": ["002"], "isLdc": true })).await, both, "region by code");
    assert_eq!(count(&api, "countries", json!({ "region": ["Africa"], "not": { "isLdc": true } })).await, a - both);
}

#[tokio::test]
async fn bloc_membership_filters_countries() {
    let test = TestDb::new().await;
    let api = test.api();
    let g77 = count(&api, "countries", json!({ "bloc": ["G77"] })).await;
    let members = api.data(r#"{ bloc(code: "G77") { members { totalCount } } }"#, json!({})).await;
    assert_eq!(members["bloc"]["members"]["totalCount"].as_u64(), Some(g77));
    let palestine = api.data(r#"{ country(code: "PSE") { isG77Member } }"#, json!({})).await;
    assert_eq!(palestine["country"]["isG77Member"], true, "the documented correction");
}

#[tokio::test]
async fn flow_filters_match_the_published_projects() {
    let test = TestDb::new().await;
    let api = test.api();
    let rows = published::gcof();
    let gcof = json!(["aiddata-gcof-1.0"]);
    let expect =
        |f: &dyn Fn(&std::collections::HashMap<String, String>) -> bool| rows.iter().filter(|r| f(r)).count() as u64;

    let years = json!({ "source": gcof, "year": { "gte": 2005, "lte": 2008 } });
    assert_eq!(
        count(&api, "flows", years).await,
        expect(&|r| (2005..=2008).contains(&r["year"].parse::<i32>().unwrap_or(0)))
    );

    let loans = json!({ "source": gcof, "kind": ["LOAN"] });
    assert_eq!(count(&api, "flows", loans).await, expect(&|r| r["flow"] == "Loan (excluding debt rescheduling)"));

    let big = json!({ "source": gcof, "amountUsdConstant": { "gte": 1.0e9 } });
    assert_eq!(count(&api, "flows", big).await, expect(&|r| amount(&r["usd_defl_2014"]).is_some_and(|a| a >= 1.0e9)));

    let recommended = json!({ "source": gcof, "recommendedForResearch": true });
    assert_eq!(count(&api, "flows", recommended).await, expect(&|r| r["recommended_for_research"] == "True"));

    let africa = json!({ "source": gcof, "recipient": { "region": ["Africa"] } });
    let african: HashSet<String> = published::countries()
        .into_iter()
        .filter(|r| r["Region Name"] == "Africa")
        .map(|r| r["ISO3166-1-Alpha-3"].clone())
        .collect();
    assert_eq!(count(&api, "flows", africa).await, expect(&|r| african.contains(&r["recipient_iso3"])));
}

#[tokio::test]
async fn south_south_flows_have_both_ends_in_the_south() {
    let test = TestDb::new().await;
    let api = test.api();
    let south: HashSet<String> = published::developing().into_iter().collect();
    assert!(south.contains("CHN"));
    let rows = published::gcof();
    let expected = rows.iter().filter(|r| south.contains(&r["recipient_iso3"])).count() as u64;
    // Regional rows carry a label ("Africa, regional") where the ISO3 code would be.
    let countries: HashSet<String> =
        published::countries().into_iter().map(|r| r["ISO3166-1-Alpha-3"].clone()).collect();
    let with_recipient = rows.iter().filter(|r| countries.contains(&r["recipient_iso3"])).count() as u64;
    let gcof = json!(["aiddata-gcof-1.0"]);
    assert_eq!(count(&api, "flows", json!({ "source": gcof, "southSouth": true })).await, expected);
    assert_eq!(count(&api, "flows", json!({ "source": gcof, "southSouth": false })).await, with_recipient - expected);
    let sample = api
        .data(r#"{ flows(first: 50, filter: { southSouth: true }) { nodes { southSouth provider { isSouth } recipient { isSouth } } } }"#, json!({}))
        .await;
    for flow in sample["flows"]["nodes"].as_array().expect("nodes") {
        assert_eq!(flow["southSouth"], true);
        assert_eq!(flow["recipient"]["isSouth"], true);
    }
}

#[tokio::test]
async fn sector_filters_reach_every_code_under_a_category() {
    let test = TestDb::new().await;
    let api = test.api();
    let exact = count(&api, "sectors", json!({ "code": ["120"] })).await;
    assert_eq!(exact, 1);
    let under = count(&api, "sectors", json!({ "under": ["120"] })).await;
    let children = api
        .data(
            r#"{ sector(code: "120") { children(first: 100) { totalCount nodes { children { totalCount } } } } }"#,
            json!({}),
        )
        .await;
    let categories = &children["sector"]["children"];
    let purposes: u64 = categories["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|c| c["children"]["totalCount"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(under, 1 + categories["totalCount"].as_u64().unwrap_or(0) + purposes);
    let flows = count(&api, "flows", json!({ "source": ["aiddata-gcof-1.0"], "sector": { "under": ["120"] } })).await;
    let published = published::gcof().iter().filter(|r| r["crs_sector_code"].starts_with("12")).count() as u64;
    assert_eq!(flows, published);
}

/// Exact English names of the published country-codes file (official, CLDR and UNTERM
/// short names), each with the ISO3 codes it names.
fn names() -> HashMap<String, BTreeSet<String>> {
    let mut names: HashMap<String, BTreeSet<String>> = HashMap::new();
    for row in published::countries() {
        for column in ["official_name_en", "CLDR display name", "UNTERM English Short"] {
            let name = row[column].trim();
            if !name.is_empty() {
                names.entry(name.to_owned()).or_default().insert(row["ISO3166-1-Alpha-3"].clone());
            }
        }
    }
    names
}

/// UNCTAD's comma-joined party list as names: split on commas, adjacent pieces joined
/// (three, then two) when the joined name is a country name ("Korea, Republic of").
fn unctad_parties(parties: &str, names: &HashMap<String, BTreeSet<String>>) -> Vec<String> {
    let pieces: Vec<&str> = parties.split(',').map(str::trim).collect();
    let mut out = Vec::new();
    let mut index = 0;
    while index < pieces.len() {
        let length = (2..=3)
            .rev()
            .find(|length| {
                index + length <= pieces.len() && names.contains_key(&pieces[index..index + length].join(", "))
            })
            .unwrap_or(1);
        out.push(pieces[index..index + length].join(", "));
        index += length;
    }
    out
}

#[tokio::test]
async fn agreement_filters() {
    let test = TestDb::new().await;
    let api = test.api();
    let developing: HashSet<String> = published::developing().into_iter().collect();

    // DESTA codes its parties (M49 numeric): every base treaty, South–South or not.
    let desta = published::desta();
    let desta_south = desta.values().filter(|t| published::all_south(&t.members, &developing)).count() as u64;
    let source = json!(["desta-2.02"]);
    assert_eq!(count(&api, "agreements", json!({ "source": source, "southSouth": true })).await, desta_south);
    assert_eq!(
        count(&api, "agreements", json!({ "source": source, "southSouth": false })).await,
        desta.len() as u64 - desta_south
    );

    // UNCTAD names its parties: a slice where every name is a country's exact name, the
    // bilateral investment treaties of a few countries of the South.
    let names = names();
    let treaties = published::csv_rows("unctad_iia_scrape_bits_raw.csv.gz");
    for (iso3, name) in [("NAM", "Namibia"), ("CPV", "Cabo Verde"), ("GNQ", "Equatorial Guinea")] {
        let bits: Vec<BTreeSet<String>> = treaties
            .iter()
            .filter(|t| t["type"] == "BITs")
            .map(|t| unctad_parties(&t["parties"], &names))
            .filter(|parties| parties.iter().any(|party| party == name))
            .map(|parties| {
                parties
                    .iter()
                    .map(|party| match names.get(party) {
                        Some(codes) if codes.len() == 1 => codes.iter().next().cloned().unwrap_or_default(),
                        _ => panic!("{party} is not one country's exact name: choose another slice"),
                    })
                    .collect()
            })
            .collect();
        assert!(bits.len() >= 5, "{name}: {}", bits.len());
        let south = bits.iter().filter(|parties| published::all_south(parties, &developing)).count() as u64;
        let filter = |south_south: Option<bool>| {
            let mut filter =
                json!({ "source": ["unctad-iia-navigator"], "kind": ["INVESTMENT"], "party": { "code": [iso3] } });
            if let Some(south_south) = south_south {
                filter["southSouth"] = json!(south_south);
            }
            filter
        };
        assert_eq!(count(&api, "agreements", filter(None)).await, bits.len() as u64, "{name}'s BITs");
        assert_eq!(count(&api, "agreements", filter(Some(true))).await, south, "{name}'s South–South BITs");
        assert_eq!(count(&api, "agreements", filter(Some(false))).await, bits.len() as u64 - south, "{name}");
    }

    let sample = api
        .data(r#"{ agreements(first: 30, filter: { southSouth: true, party: { code: ["BRA"] } }) { nodes { southSouth triangular parties(first: 100) { nodes { iso3 isSouth } } } } }"#, json!({}))
        .await;
    let agreements = sample["agreements"]["nodes"].as_array().expect("nodes");
    assert!(!agreements.is_empty());
    for agreement in agreements {
        assert_eq!(agreement["southSouth"], true);
        assert_eq!(agreement["triangular"], false);
        let parties = agreement["parties"]["nodes"].as_array().expect("parties");
        assert!(parties.iter().all(|p| p["isSouth"] == true));
        assert!(parties.iter().any(|p| p["iso3"] == "BRA"));
    }
    let nineties = treaties
        .iter()
        .filter(|t| t["type"] == "BITs")
        .filter(|t| {
            t["date_of_signature"]
                .get(..4)
                .and_then(|y| y.parse::<i32>().ok())
                .is_some_and(|y| (1990..=1999).contains(&y))
        })
        .count() as u64;
    assert_eq!(
        count(&api, "agreements", json!({ "kind": ["INVESTMENT"], "signedYear": { "gte": 1990, "lte": 1999 } })).await,
        nineties
    );
}

#[tokio::test]
async fn expert_filters() {
    let test = TestDb::new().await;
    let api = test.api();
    // The bundled data has no roster: its experts are GCOF's Chinese teams and Brazil's
    // ABC missions, all of kind TEAM.
    let african: HashSet<String> = published::countries()
        .into_iter()
        .filter(|r| r["Region Name"] == "Africa")
        .map(|r| r["ISO3166-1-Alpha-3"].clone())
        .collect();
    let teams = published::gcof_teams();
    let to_africa = teams.iter().filter(|t| african.contains(&t["recipient_iso3"])).count() as u64;
    let gcof = json!(["aiddata-gcof-1.0"]);
    assert_eq!(count(&api, "experts", json!({ "source": gcof, "kind": ["TEAM"] })).await, teams.len() as u64);
    assert_eq!(count(&api, "experts", json!({ "not": { "kind": ["TEAM"] } })).await, 0, "no roster is bundled");
    assert_eq!(count(&api, "experts", json!({ "homeCountry": { "code": ["CHN"] } })).await, teams.len() as u64);
    let in_africa = count(&api, "experts", json!({ "source": gcof, "hostCountry": { "region": ["Africa"] } })).await;
    assert_eq!(in_africa, to_africa);
    assert_ne!(in_africa, teams.len() as u64, "the host filter changes the answer");
    let elsewhere =
        count(&api, "experts", json!({ "source": gcof, "not": { "hostCountry": { "region": ["Africa"] } } })).await;
    assert_eq!(elsewhere, teams.len() as u64 - to_africa, "teams hosted outside Africa or by no country");
}

/// `not: X` matches exactly the rows `X` does not: rows whose compared value is null
/// (no amount, no recipient country) included, so that `X` and `not: X` together are every
/// row. Counted from the published GCOF file.
#[tokio::test]
async fn not_matches_exactly_the_rows_the_filter_does_not() {
    let test = TestDb::new().await;
    let api = test.api();
    let rows = published::gcof();
    let africa: HashSet<String> = published::countries()
        .into_iter()
        .filter(|row| row["Region Name"] == "Africa")
        .map(|row| row["ISO3166-1-Alpha-3"].clone())
        .collect();
    let small = rows.iter().filter(|row| amount(&row["usd_current"]).is_some_and(|usd| usd <= 1e6)).count() as u64;
    let no_amount = rows.iter().filter(|row| amount(&row["usd_current"]).is_none()).count() as u64;
    let in_africa = rows.iter().filter(|row| africa.contains(&row["recipient_iso3"])).count() as u64;
    let no_country = rows.iter().filter(|row| row["recipient_iso3"].trim().is_empty()).count() as u64;
    let all = rows.len() as u64;
    assert!(no_amount > 0 && no_country > 0, "the file has rows without an amount and without a country");

    let gcof = |filter: Value| json!({ "source": ["aiddata-gcof-1.0"], "and": [filter] });
    let range = json!({ "amountUsdCurrent": { "lte": 1e6 } });
    let region = json!({ "recipient": { "region": ["Africa"] } });
    assert_eq!(count(&api, "flows", gcof(range.clone())).await, small);
    assert_eq!(count(&api, "flows", gcof(json!({ "not": range }))).await, all - small, "rows without an amount too");
    assert_eq!(count(&api, "flows", gcof(region.clone())).await, in_africa);
    assert_eq!(count(&api, "flows", gcof(json!({ "not": region }))).await, all - in_africa, "regional rows too");
    // Twice negated is the filter itself.
    assert_eq!(count(&api, "flows", gcof(json!({ "not": { "not": range } }))).await, small);
}
