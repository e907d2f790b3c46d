//! The journalists' questions (`QUESTIONS`, GraphiQL's first tabs, answered in the README's
//! "Questions, answered on the bundled data"), one test each: the figures each question
//! gives are computed here straight from the bundled published files, read as their
//! publishers ask (`published`, independent of the loaders), then compared with what the
//! question's own query answers through the real router, and with the numbers the README
//! writes, rounded as it writes them.
//!
//! The rules the files are read by are the API's: aggregates leave out the GCOF rows AidData
//! does not recommend for research (sources without the flag count whole), count official
//! finance only (trade, Yotov's file, is another family), count a project of China's
//! Public Diplomacy that GCOF also has once (as GCOF's), and reckon real dollars as current
//! dollars deflated with the CPI-U, else constant dollars rebased.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::{Value, json};
use southgraph::http::QUESTIONS;

use crate::{
    published::{self, Flow, amount},
    support::TestDb,
};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// A float of a response.
fn float(value: &Value) -> f64 {
    value.as_f64().unwrap_or_else(|| panic!("not a number: {value}"))
}

/// Question `number` (from 1), checked to be the one a test is about: answers its own
/// query through the real router and returns the whole response, which must have no errors.
async fn ask(number: usize, title: &str) -> Value {
    let question = QUESTIONS.get(number - 1).unwrap_or_else(|| panic!("no question {number}"));
    assert_eq!(question.title, title, "question {number} moved: name its test after it");
    let test = TestDb::new().await;
    let response = test.api().post(question.query, json!({})).await;
    assert!(response.get("errors").is_none(), "question {number}: {response:#}");
    response
}

/// The caveat codes of a response.
fn caveats(response: &Value) -> Vec<&str> {
    response["extensions"]["caveats"].as_array().expect("caveats").iter().filter_map(|c| c["code"].as_str()).collect()
}

/// The text of item `number` of the README's "Questions, answered on the bundled data", up
/// to the next item, its lines joined by single spaces.
fn readme_item(number: usize) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let is_item = |line: &str, n: Option<usize>| {
        line.split_once(". **")
            .and_then(|(number, _)| number.parse::<usize>().ok())
            .is_some_and(|found| n.is_none_or(|n| n == found))
    };
    let section = readme
        .lines()
        .skip_while(|line| *line != "### Questions, answered on the bundled data")
        .skip(1)
        .take_while(|line| !line.starts_with("## ") && !line.starts_with("### "));
    let mut lines = section.skip_while(|line| !is_item(line, Some(number)));
    let first = lines.next().unwrap_or_else(|| panic!("the README has no item {number}"));
    let rest = lines.take_while(|line| !is_item(line, None));
    std::iter::once(first).chain(rest).flat_map(str::split_whitespace).collect::<Vec<_>>().join(" ")
}

/// Whether `text` says `figure` as a whole: not as the end or the start of a longer word
/// or number ("2 in the 1940s" is not said by "12 in the 1940s", "China 96" not by "China
/// 961" or "China 96.5").
fn says(text: &str, figure: &str) -> bool {
    let part_of_word = |c: Option<char>, beyond: Option<char>| {
        c.is_some_and(char::is_alphanumeric)
            || (matches!(c, Some('.' | ',')) && beyond.is_some_and(|c| c.is_ascii_digit()))
    };
    text.match_indices(figure).any(|(start, _)| {
        let mut before = text[..start].chars().rev();
        let mut after = text[start + figure.len()..].chars();
        let joined_before = figure.starts_with(char::is_alphanumeric) && part_of_word(before.next(), before.next());
        let joined_after = figure.ends_with(char::is_alphanumeric) && part_of_word(after.next(), after.next());
        !joined_before && !joined_after
    })
}

/// Checks that item `number` of the README says each of `figures`.
fn readme_says(number: usize, figures: &[String]) {
    let item = readme_item(number);
    for figure in figures {
        assert!(says(&item, figure), "README question {number} should say `{figure}`: {item}");
    }
}

#[test]
fn figures_are_said_whole() {
    assert!(says("by decade 2 in the 1940s, 11", "2 in the 1940s"));
    assert!(!says("by decade 12 in the 1940s", "2 in the 1940s"));
    assert!(says("China 96, Turkey", "China 96"));
    assert!(!says("China 961, Turkey", "China 96"));
    assert!(!says("China 96.5, Turkey", "China 96"));
    assert!(says("(4,134 of 4,314).", "(4,134 of 4,314)"));
    assert!(!says("to Asia US$189.95 bn", "to Asia US$189.9"));
    assert_eq!(readme_item(1).split_whitespace().next(), Some("1."));
    assert!(!readme_item(10).contains("11. **"));
}

/// A count as the README writes it: `2,345`.
fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut written = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            written.push(',');
        }
        written.push(digit);
    }
    written
}

/// An amount in billions as the README writes it: `US$118.1 bn`.
fn bn(x: f64) -> String {
    format!("US${:.1} bn", x / 1e9)
}

/// A share as the README writes it: `84.3 %`.
fn percent(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

/// The ISO3 codes of a UN M49 region.
fn in_region(region: &str) -> HashSet<String> {
    published::regions().into_iter().filter(|(_, r)| r == region).map(|(iso3, _)| iso3).collect()
}

/// Count, constant and current sums of GCOF rows.
#[derive(Clone, Copy, Debug, Default)]
struct Sums {
    count: usize,
    constant: f64,
    current: f64,
}

impl Sums {
    fn add(&mut self, row: &HashMap<String, String>) {
        self.count += 1;
        self.constant += amount(&row["usd_defl_2014"]).unwrap_or(0.0);
        self.current += amount(&row["usd_current"]).unwrap_or(0.0);
    }
}

#[tokio::test]
async fn how_much_did_china_commit_to_african_countries_each_year_from_2000_to_2014() {
    let africa = in_region("Africa");
    let by_year = |rows: Vec<HashMap<String, String>>| {
        let mut years: BTreeMap<i32, Sums> = (2000..=2014).map(|year| (year, Sums::default())).collect();
        for row in rows.iter().filter(|row| africa.contains(&row["recipient_iso3"])) {
            if let Some(sums) = years.get_mut(&row["year"].parse().expect("year")) {
                sums.add(row);
            }
        }
        years
    };
    let total = |years: &BTreeMap<i32, Sums>| {
        (years.values().map(|s| s.count).sum::<usize>(), years.values().map(|s| s.constant).sum::<f64>())
    };
    let years = by_year(published::gcof_for_research());
    let (projects, constant) = total(&years);
    let (all_projects, all_constant) = total(&by_year(published::gcof()));
    assert!(all_projects > projects, "the file has rows AidData does not recommend");

    let response = ask(1, "How much did China commit to African countries each year from 2000 to 2014?").await;
    let series = response["data"]["flowTimeSeries"].as_array().expect("series");
    assert_eq!(series.len(), years.len());
    for (point, (year, sums)) in series.iter().zip(&years) {
        assert_eq!(point["year"].as_i64(), Some(i64::from(*year)));
        assert_eq!(point["count"].as_u64(), Some(sums.count as u64), "{year}");
        assert!(close(float(&point["sumUsdConstant"]), sums.constant), "{year}: {point} vs {sums:?}");
        assert!(close(float(&point["sumUsdCurrent"]), sums.current), "{year}: {point} vs {sums:?}");
    }
    assert!(caveats(&response).contains(&"GUIDANCE_FOLLOWED"));

    let (peak, at_peak) = years.iter().max_by(|a, b| a.1.constant.total_cmp(&b.1.constant)).expect("years");
    let (first, last) = (years[&2000], years[&2014]);
    readme_says(
        1,
        &[
            format!("{} projects, US${:.1} billion", count(projects), constant / 1e9),
            format!("from {} ({} projects) in 2000", bn(first.constant), first.count),
            format!("to a peak of {} ({}) in {peak}", bn(at_peak.constant), at_peak.count),
            format!("then {} ({}) in 2014", bn(last.constant), last.count),
            format!("gives {} projects and {}", count(all_projects), bn(all_constant)),
        ],
    );
}

/// The DAC group of a sector code, as DAC's list nests them: a 3-digit code lies under
/// the heading that is its code rounded down to tens, else to hundreds, when there is one.
fn dac_group(code: &str, headings: &BTreeSet<String>) -> String {
    let mut code = code.to_owned();
    loop {
        let parent = [format!("{}0", &code[..2]), format!("{}00", &code[..1])]
            .into_iter()
            .find(|parent| *parent != code && headings.contains(parent));
        match parent {
            Some(parent) => code = parent,
            None => return code,
        }
    }
}

#[tokio::test]
async fn in_which_sectors_did_china_commit_to_africa() {
    // DAC's 3-digit headings: IATI's SectorCategory list, and the group headings AidData
    // uses that it does not list.
    let mut headings: BTreeSet<String> = published::xml_elements("SectorCategory.xml.gz", "codelist-item")
        .iter()
        .filter_map(|item| item.first("code").map(|code| code.text.trim().to_owned()))
        .collect();
    headings.extend(["110", "120", "150", "310", "320", "330", "700"].map(str::to_owned));
    let africa = in_region("Africa");
    let mut groups: BTreeMap<Option<String>, Sums> = BTreeMap::new();
    for row in published::gcof_for_research().iter().filter(|row| africa.contains(&row["recipient_iso3"])) {
        let code = Some(row["crs_sector_code"].trim()).filter(|code| !code.is_empty());
        groups.entry(code.map(|code| dac_group(code, &headings))).or_default().add(row);
    }
    let mut ranked: Vec<(Option<String>, Sums)> = groups.into_iter().collect();
    ranked.sort_by(|a, b| b.1.constant.total_cmp(&a.1.constant));
    ranked.truncate(5);

    let response = ask(2, "In which sectors did China commit to Africa?").await;
    let served = response["data"]["flowStats"].as_array().expect("groups");
    assert_eq!(served.len(), ranked.len());
    for (group, (code, sums)) in served.iter().zip(&ranked) {
        assert_eq!(group["sectorGroup"]["code"].as_str(), code.as_deref(), "{group}");
        assert_eq!(group["count"].as_u64(), Some(sums.count as u64), "{group}");
        assert!(close(float(&group["sumUsdConstant"]), sums.constant), "{group} vs {sums:?}");
    }

    let words: HashMap<&str, &str> = [
        ("210", "Transport and storage"),
        ("230", "energy"),
        ("220", "communications"),
        ("430", "other multisector"),
        ("140", "water supply and sanitation"),
    ]
    .into();
    let figures: Vec<String> = ranked
        .iter()
        .enumerate()
        .map(|(place, (code, sums))| {
            let code = code.as_deref().expect("a sector");
            let name = words.get(code).unwrap_or_else(|| panic!("how does the README name sector {code}?"));
            let projects = if place == 0 { " projects" } else { "" };
            format!("{name} {} ({}{projects})", bn(sums.constant), sums.count)
        })
        .collect();
    readme_says(2, &figures);
}

/// The ISO3 code of an UNCTAD party name, by the country table's names and UNCTAD's own
/// spellings; none for a group or a former state.
fn unctad_iso3() -> impl Fn(&str) -> Option<String> {
    let mut names: HashMap<String, String> = HashMap::new();
    for row in published::countries() {
        for column in ["CLDR display name", "official_name_en", "UNTERM English Short", "UNTERM English Formal"] {
            let name = row[column].trim().to_lowercase();
            if !name.is_empty() {
                names.entry(name).or_insert_with(|| row["ISO3166-1-Alpha-3"].clone());
            }
        }
    }
    for (name, iso3) in [
        ("Korea, Republic of", "KOR"),
        ("Korea, Dem. People's Rep. of", "PRK"),
        ("Türkiye", "TUR"),
        ("United Kingdom", "GBR"),
        ("Iran, Islamic Republic of", "IRN"),
        ("Venezuela, Bolivarian Republic of", "VEN"),
        ("Bolivia, Plurinational State of", "BOL"),
        ("Tanzania, United Republic of", "TZA"),
        ("Congo, Democratic Republic of the", "COD"),
        ("Moldova, Republic of", "MDA"),
        ("Hong Kong, China SAR", "HKG"),
        ("Macao, China SAR", "MAC"),
        ("Taiwan Province of China", "TWN"),
    ] {
        names.insert(name.to_lowercase(), iso3.to_owned());
    }
    move |name: &str| names.get(&name.trim().to_lowercase()).cloned()
}

/// UNCTAD's `parties`: split on commas outside parentheses, adjacent pieces joined
/// (longest first, up to three) when the joined name is a country's; `None` stands for a
/// party that is no country (a group, a former state).
fn unctad_parties(parties: &str, iso3: &impl Fn(&str) -> Option<String>) -> Vec<Option<String>> {
    let mut pieces = vec![String::new()];
    let mut depth = 0;
    for c in parties.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth == 0 {
            pieces.push(String::new());
        } else {
            pieces.last_mut().expect("a piece").push(c);
        }
    }
    let pieces: Vec<&str> = pieces.iter().map(|piece| piece.trim()).collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        let joined =
            (2..=3.min(pieces.len() - i)).rev().find_map(|n| iso3(&pieces[i..i + n].join(", ")).map(|c| (n, c)));
        match joined {
            Some((n, code)) => {
                found.push(Some(code));
                i += n;
            }
            None => {
                found.push(iso3(pieces[i]));
                i += 1;
            }
        }
    }
    found
}

/// The bilateral investment treaties (UNCTAD's list) each developing country signed with
/// other developing countries, by ISO3 code, as the published list gives them.
pub fn south_south_bits_by_party() -> HashMap<String, usize> {
    let developing: HashSet<String> = published::developing().into_iter().collect();
    let iso3 = unctad_iso3();
    let mut by_party: HashMap<String, usize> = HashMap::new();
    for treaty in published::csv_rows("unctad_iia_scrape_bits_raw.csv.gz").iter().filter(|t| t["type"] == "BITs") {
        let parties = unctad_parties(&treaty["parties"], &iso3);
        // A party that is no country (BLEU, a former state) makes the treaty not one among
        // developing countries.
        let countries: Option<BTreeSet<String>> = parties.into_iter().collect();
        if let Some(countries) = countries.filter(|countries| published::all_south(countries, &developing)) {
            for party in countries {
                *by_party.entry(party).or_default() += 1;
            }
        }
    }
    by_party
}

#[tokio::test]
async fn which_developing_countries_signed_the_most_investment_treaties_with_other_developing_countries() {
    let by_party = south_south_bits_by_party();
    let names = published::country_names();
    let mut ranked: Vec<(String, usize)> = by_party.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| names[&a.0].cmp(&names[&b.0])));
    let tenth = ranked[9].1;
    ranked.retain(|(_, treaties)| *treaties >= tenth);
    assert!(ranked.len() > 10, "the bundled files have a tie at the tenth place");

    let response =
        ask(3, "Which developing countries signed the most investment treaties with other developing countries?").await;
    let mut served: Vec<(String, u64)> = response["data"]["agreementStats"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| (g["party"]["name"].as_str().expect("name").to_owned(), g["count"].as_u64().expect("count")))
        .collect();
    let order: Vec<u64> = served.iter().map(|(_, n)| *n).collect();
    assert!(order.windows(2).all(|pair| pair[0] >= pair[1]), "largest first: {served:?}");
    served.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let expected: Vec<(String, u64)> = ranked.iter().map(|(iso3, n)| (names[iso3].clone(), *n as u64)).collect();
    assert_eq!(served, expected);

    let readme_name = |iso3: &str| if iso3 == "KOR" { "Republic of Korea".to_owned() } else { names[iso3].clone() };
    let mut figures: Vec<String> = ranked.iter().map(|(iso3, n)| format!("{} {n}", readme_name(iso3))).collect();
    figures.push("(tied for tenth".to_owned());
    readme_says(3, &figures);
}

#[tokio::test]
async fn what_share_of_chinas_official_finance_went_to_countries_of_the_south() {
    let countries: HashSet<String> = published::regions().into_keys().collect();
    let developing: HashSet<String> = published::developing().into_iter().collect();
    let (mut all, mut south) = (Sums::default(), Sums::default());
    for row in published::gcof_for_research().iter().filter(|row| countries.contains(&row["recipient_iso3"])) {
        all.add(row);
        if developing.contains(&row["recipient_iso3"]) {
            south.add(row);
        }
    }
    let (by_amount, by_count) = (south.constant / all.constant, south.count as f64 / all.count as f64);

    let response = ask(4, "What share of China's official finance went to countries of the South?").await;
    let data = &response["data"];
    assert!(close(float(&data["byAmount"]["total"]), all.constant));
    assert!(close(float(&data["byAmount"]["toSouth"]), south.constant));
    assert!(close(float(&data["byAmount"]["share"]), by_amount));
    assert_eq!(float(&data["byCount"]["total"]), all.count as f64);
    assert_eq!(float(&data["byCount"]["toSouth"]), south.count as f64);
    assert!(close(float(&data["byCount"]["share"]), by_count));
    assert!(caveats(&response).contains(&"NO_RECIPIENT_LEFT_OUT"));

    readme_says(
        4,
        &[
            format!(
                "{} of the amount with a recipient country ({} of {})",
                percent(by_amount),
                bn(south.constant),
                bn(all.constant)
            ),
            format!("{} of the projects ({} of {})", percent(by_count), count(south.count), count(all.count)),
        ],
    );
}

/// The flows of official finance that aggregates count, from every published file with
/// amounts: GCOF, China's Public Diplomacy (its own projects), the two TUFF donors and
/// Colombia's IATI release. Brazil's ABC actions have no amounts.
fn official_flows() -> Vec<Flow> {
    let mut flows = published::gcof_flows();
    flows.extend(published::pubdip_flows());
    flows.extend(published::saudi_flows());
    flows.extend(published::qatar_flows());
    flows.extend(published::iati_flows());
    flows
}

#[tokio::test]
async fn between_which_regions_does_the_most_official_finance_flow() {
    let cpi = published::cpi();
    let regions = published::regions();
    let region = |iso3: Option<&String>| match iso3 {
        Some(iso3) => regions.get(iso3).unwrap_or_else(|| panic!("no region for {iso3}")).clone(),
        None => "Unallocated".to_owned(),
    };
    let in_years: Vec<Flow> = official_flows().into_iter().filter(|flow| (2000..=2014).contains(&flow.year)).collect();
    let mut links: BTreeMap<(String, String), f64> = BTreeMap::new();
    for flow in &in_years {
        if let Some(real) = flow.real(&cpi, 2025) {
            *links.entry((region(Some(&flow.provider)), region(flow.recipient.as_ref()))).or_default() += real;
        }
    }
    // Before real dollars, the matrix added GCOF's 2014 dollars and TUFF's 2012 dollars.
    let constant_to_asia: f64 = in_years
        .iter()
        .filter(|flow| region(Some(&flow.provider)) == "Asia" && region(flow.recipient.as_ref()) == "Asia")
        .filter_map(|flow| flow.constant)
        .sum();

    let response = ask(5, "Between which regions does the most official finance flow?").await;
    let matrix = &response["data"]["flowMatrix"];
    let served: BTreeMap<(String, String), f64> = matrix["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|link| {
            let end = |key: &str| link[key].as_str().expect("region").to_owned();
            ((end("source"), end("target")), float(&link["value"]))
        })
        .collect();
    assert_eq!(served.keys().collect::<Vec<_>>(), links.keys().collect::<Vec<_>>());
    for (key, value) in &links {
        assert!(close(served[key], *value), "{key:?}: {} vs {value}", served[key]);
    }
    let labels: BTreeSet<&str> =
        matrix["labels"].as_array().expect("labels").iter().filter_map(Value::as_str).collect();
    let ends: BTreeSet<&str> = links.keys().flat_map(|(a, b)| [a.as_str(), b.as_str()]).collect();
    assert_eq!(labels, ends);

    let from_asia = |target: &str| links[&("Asia".to_owned(), target.to_owned())];
    let to_americas = |source: &str| links[&(source.to_owned(), "Americas".to_owned())];
    readme_says(
        5,
        &[
            format!("to Asia {}", bn(from_asia("Asia"))),
            format!("Africa {}", bn(from_asia("Africa"))),
            format!("the Americas {}", bn(from_asia("Americas"))),
            format!("Europe {}", bn(from_asia("Europe"))),
            format!("unallocated {}", bn(from_asia("Unallocated"))),
            format!("Oceania {}", bn(from_asia("Oceania"))),
            format!(
                "US${:.2} bn from the Americas and US${:.2} bn from Europe to the Americas",
                to_americas("Americas") / 1e9,
                to_americas("Europe") / 1e9
            ),
            format!("({} to Asia)", bn(constant_to_asia)),
        ],
    );
}

#[tokio::test]
async fn who_are_kenyas_largest_providers_of_official_finance() {
    let cpi = published::cpi();
    // (flows, real dollars of 2025) by provider.
    let mut providers: HashMap<String, (usize, f64)> = HashMap::new();
    for flow in official_flows().iter().filter(|flow| flow.recipient.as_deref() == Some("KEN")) {
        let entry = providers.entry(flow.provider.clone()).or_default();
        entry.0 += 1;
        entry.1 += flow.real(&cpi, 2025).unwrap_or(0.0);
    }
    // ABC lists Brazil's actions in Kenya under "Quênia".
    let brazil = published::abc_actions().iter().filter(|action| action.partner == "Quênia").count();
    providers.entry("BRA".to_owned()).or_default().0 += brazil;
    let total: f64 = providers.values().map(|(_, real)| real).sum();
    let mut ranked: Vec<(String, usize, f64)> =
        providers.into_iter().map(|(provider, (flows, real))| (provider, flows, real)).collect();
    ranked.sort_by(|a, b| b.2.total_cmp(&a.2));
    let names = published::country_names();

    let response = ask(6, "Who are Kenya's largest providers of official finance?").await;
    let served = response["data"]["country"]["partners"].as_array().expect("partners");
    assert_eq!(served.len(), ranked.len(), "{served:?} vs {ranked:?}");
    for (partner, (provider, flows, real)) in served.iter().zip(&ranked) {
        assert_eq!(partner["country"]["name"].as_str(), Some(names[provider].as_str()));
        assert_eq!(partner["count"].as_u64(), Some(*flows as u64), "{partner}");
        assert!(close(float(&partner["sumUsdReal"]), *real), "{partner} vs {real}");
        assert!(close(float(&partner["share"]), real / total), "{partner}");
    }

    let [(china, china_flows, china_real), (saudi, saudi_flows, saudi_real), (bra, bra_flows, bra_real)] =
        ranked.as_slice()
    else {
        panic!("three providers: {ranked:?}")
    };
    assert_eq!((china.as_str(), saudi.as_str(), bra.as_str(), *bra_real), ("CHN", "SAU", "BRA", 0.0));
    readme_says(
        6,
        &[
            format!(
                "China, {china_flows} projects and US${:.2} bn ({})",
                china_real / 1e9,
                percent(china_real / total)
            ),
            format!(
                "Saudi Arabia, {saudi_flows} projects and US${:.1} m ({})",
                saudi_real / 1e6,
                percent(saudi_real / total)
            ),
            format!("Brazil, {bra_flows} technical cooperation actions without amounts"),
        ],
    );
}

#[tokio::test]
async fn how_many_south_south_trade_agreements_were_signed_each_year() {
    // Every DESTA treaty is a trade or regional-integration agreement; UNCTAD's are
    // investment treaties.
    let developing: HashSet<String> = published::developing().into_iter().collect();
    let mut by_year: BTreeMap<Option<i32>, usize> = BTreeMap::new();
    for treaty in published::desta().values().filter(|t| published::all_south(&t.members, &developing)) {
        *by_year.entry(treaty.year).or_default() += 1;
    }
    assert!(!by_year.contains_key(&None), "every South–South treaty has a year");

    let response = ask(7, "How many South–South trade agreements were signed each year?").await;
    let served: BTreeMap<Option<i32>, usize> = response["data"]["agreementStats"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            let year = g["signedYear"].as_i64().map(|year| year as i32);
            (year, g["count"].as_u64().expect("count") as usize)
        })
        .collect();
    assert_eq!(served, by_year);

    let total: usize = by_year.values().sum();
    let mut decades: BTreeMap<i32, usize> = BTreeMap::new();
    for (year, treaties) in &by_year {
        *decades.entry(year.expect("a year") / 10 * 10).or_default() += treaties;
    }
    let busiest = by_year.values().copied().max().expect("years");
    let busiest_years: Vec<_> = by_year.iter().filter(|(_, n)| **n == busiest).collect();
    let [(Some(busiest_year), _)] = busiest_years.as_slice() else { panic!("one busiest year: {busiest_years:?}") };
    let mut figures = vec![format!("{total} in DESTA"), format!("the busiest year was {busiest_year} ({busiest})")];
    figures.extend(decades.iter().map(|(decade, treaties)| {
        if *decade == 2020 { format!("{treaties} since 2020") } else { format!("{treaties} in the {decade}s") }
    }));
    readme_says(7, &figures);
}

#[tokio::test]
async fn where_did_chinese_technical_assistance_teams_go() {
    let regions = published::regions();
    // One deployment per team, to the recipient; a team for a region or several countries
    // has no host country.
    let teams = published::gcof_teams();
    let mut by_region: BTreeMap<Option<String>, usize> = BTreeMap::new();
    for team in &teams {
        *by_region.entry(regions.get(&team["recipient_iso3"]).cloned()).or_default() += 1;
    }

    let response = ask(8, "Where did Chinese technical-assistance teams go?").await;
    let served: BTreeMap<Option<String>, usize> = response["data"]["expertStats"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            assert_eq!(g["experts"], g["deployments"], "one deployment per team");
            (g["hostRegion"].as_str().map(str::to_owned), g["experts"].as_u64().expect("experts") as usize)
        })
        .collect();
    assert_eq!(served, by_region);

    let region = |name: &str| by_region.get(&Some(name.to_owned())).copied().unwrap_or(0);
    readme_says(
        8,
        &[
            format!("{} teams: Africa {},", teams.len(), region("Africa")),
            format!("Asia {},", region("Asia")),
            format!("Oceania {},", region("Oceania")),
            format!("the Americas {},", region("Americas")),
            format!("Europe {},", region("Europe")),
            format!("and {} to several countries or a region", by_region[&None]),
        ],
    );
}

#[tokio::test]
async fn how_much_did_china_saudi_arabia_and_qatar_commit_from_2010_to_2013_in_dollars_of_2024() {
    let cpi = published::cpi();
    struct Provider {
        name: &'static str,
        flows: usize,
        with_amount: usize,
        rebased: usize,
        real: f64,
        base: i32,
    }
    let sum = |name: &'static str, flows: Vec<Flow>, base: i32| {
        let flows: Vec<Flow> = flows.into_iter().filter(|flow| (2010..=2013).contains(&flow.year)).collect();
        let real: Vec<f64> = flows.iter().filter_map(|flow| flow.real(&cpi, 2024)).collect();
        Provider {
            name,
            flows: flows.len(),
            with_amount: real.len(),
            rebased: flows.iter().filter(|flow| flow.current.is_none() && flow.constant.is_some()).count(),
            real: real.iter().sum(),
            base,
        }
    };
    let mut providers = [
        sum("China", published::gcof_flows(), 2014),
        sum("Saudi Arabia", published::saudi_flows(), 2012),
        sum("Qatar", published::qatar_flows(), 2012),
    ];
    providers.sort_by(|a, b| b.real.total_cmp(&a.real));

    let response =
        ask(9, "How much did China, Saudi Arabia and Qatar commit from 2010 to 2013, in dollars of 2024?").await;
    let served = response["data"]["flowStats"].as_array().expect("groups");
    assert_eq!(served.len(), providers.len());
    for (group, provider) in served.iter().zip(&providers) {
        assert_eq!(group["provider"]["name"].as_str(), Some(provider.name));
        assert_eq!(group["count"].as_u64(), Some(provider.flows as u64), "{group}");
        assert_eq!(group["countWithAmount"].as_u64(), Some(provider.with_amount as u64), "{group}");
        assert!(close(float(&group["sumUsdReal"]), provider.real), "{group} vs {}", provider.real);
        assert_eq!(group["constantBaseYear"].as_i64(), Some(i64::from(provider.base)), "{group}");
    }
    assert!(caveats(&response).contains(&"AMOUNTS_REBASED"));

    let figures: Vec<String> = providers
        .iter()
        .map(|provider| {
            let projects = if provider.name == "China" { " projects" } else { "" };
            let rebased = if provider.rebased > 0 {
                format!(", {} of them constant {} dollars rebased", provider.rebased, provider.base)
            } else {
                String::new()
            };
            format!(
                "{} {} ({}{projects}, {} with an amount{rebased}",
                provider.name,
                bn(provider.real),
                count(provider.flows),
                count(provider.with_amount)
            )
        })
        .collect();
    assert!(figures.iter().any(|figure| figure.contains("rebased")), "Qatar's constant-only rows");
    readme_says(9, &figures);
}

#[tokio::test]
async fn to_which_income_groups_did_chinas_finance_go_as_they_were_classed_at_the_time() {
    // The class in force in a project's year was set from income data of the year before.
    let history = published::income_history();
    let countries: HashSet<String> = published::regions().into_keys().collect();
    let mut groups: BTreeMap<Option<&str>, Sums> = BTreeMap::new();
    let (mut no_recipient, mut not_classed) = (Sums::default(), Sums::default());
    for row in published::gcof_for_research() {
        let iso3 = &row["recipient_iso3"];
        let year: i32 = row["year"].parse().expect("year");
        let group = history.get(&(iso3.clone(), year - 1)).and_then(|letter| published::income_group_name(letter));
        groups.entry(group).or_default().add(&row);
        match (countries.contains(iso3), group) {
            (false, _) => no_recipient.add(&row),
            (true, None) => not_classed.add(&row),
            (true, Some(_)) => {}
        }
    }
    let mut ranked: Vec<(Option<&str>, Sums)> = groups.into_iter().collect();
    ranked.sort_by(|a, b| b.1.constant.total_cmp(&a.1.constant));

    let response = ask(10, "To which income groups did China's finance go, as they were classed at the time?").await;
    let served = response["data"]["flowStats"].as_array().expect("groups");
    assert_eq!(served.len(), ranked.len());
    for (group, (name, sums)) in served.iter().zip(&ranked) {
        assert_eq!(group["recipientIncomeGroup"].as_str(), *name, "{group}");
        assert_eq!(group["count"].as_u64(), Some(sums.count as u64), "{group}");
        assert!(close(float(&group["sumUsdConstant"]), sums.constant), "{group} vs {sums:?}");
        assert_eq!(group["constantBaseYear"], 2014);
    }
    let codes = caveats(&response);
    // The null group mixes regional flows with countries unclassified that year: no
    // NO_RECIPIENT_GROUPED, which would say it holds only the former.
    assert!(codes.contains(&"INCOME_GROUP_AS_OF_YEAR") && !codes.contains(&"NO_RECIPIENT_GROUPED"), "{codes:?}");

    let mut figures: Vec<String> = ranked
        .iter()
        .enumerate()
        .map(|(place, (name, sums))| {
            let projects = if place == 0 { " projects" } else { "" };
            let name = name.map_or_else(String::new, |name| {
                if place == 0 { format!("{name} ") } else { format!("{} ", name.to_lowercase()) }
            });
            format!("{name}{} ({}{projects})", bn(sums.constant), count(sums.count))
        })
        .collect();
    figures.push(format!(
        "{} ({}) to regional projects without a recipient country",
        bn(no_recipient.constant),
        no_recipient.count
    ));
    figures.push(format!(
        "{} ({}) to countries the World Bank had not classed",
        bn(not_classed.constant),
        not_classed.count
    ));
    readme_says(10, &figures);
}

#[tokio::test]
async fn how_much_technical_cooperation_did_brazil_provide() {
    let actions = published::abc_actions();
    let years: Vec<i32> = actions.iter().filter_map(|action| action.year).collect();
    let (first, last) = (years.iter().min().expect("years"), years.iter().max().expect("years"));
    // Colombia's IATI release: activities Brazil funds, none with a commitment in USD.
    let iso3 = published::iati_provider_iso3();
    let iati: Vec<published::IatiActivity> = published::iati_activities()
        .into_iter()
        .filter(|activity| activity.provider_name.as_deref().and_then(&iso3).as_deref() == Some("BRA"))
        .collect();
    let iati_kinds: BTreeSet<&str> = iati.iter().map(|activity| activity.kind).collect();
    assert_eq!(iati_kinds, BTreeSet::from(["UNSPECIFIED"]));
    assert!(iati.iter().all(|activity| activity.usd.is_none()));

    let response = ask(11, "How much technical cooperation did Brazil provide?").await;
    let served = response["data"]["flowStats"].as_array().expect("groups");
    let expected = json!([
        { "kind": "TECHNICAL_ASSISTANCE", "count": actions.len(), "countWithAmount": 0, "sumUsdReal": 0.0 },
        { "kind": "UNSPECIFIED", "count": iati.len(), "countWithAmount": 0, "sumUsdReal": 0.0 },
    ]);
    assert_eq!(&Value::Array(served.clone()), &expected);
    assert!(caveats(&response).contains(&"AMOUNTS_MISSING"), "{:?}", caveats(&response));

    readme_says(
        11,
        &[
            format!("{} technical cooperation actions (ABC, {first}–{last})", count(actions.len())),
            format!("{} unspecified flows (Colombia's IATI activities), none with an amount", iati.len()),
            "`AMOUNTS_MISSING`".to_owned(),
        ],
    );
}
