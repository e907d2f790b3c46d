//! Figures computed straight from the bundled copies of the published files, by code
//! independent of the loaders, to compare the API's answers with.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap, HashSet},
    io::Read,
    path::Path,
};

/// The rows of a bundled, gzip-compressed CSV file, as header → value maps. Bytes that
/// are not UTF-8 (DESTA is Windows-1252) become U+FFFD: these tests only read codes.
pub fn csv_rows(file: &str) -> Vec<HashMap<String, String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/data").join(file);
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display())))
        .read_to_end(&mut bytes)
        .expect("gzip");
    let text = String::from_utf8_lossy(&bytes);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("header row").clone();
    reader
        .records()
        .map(|record| {
            let record = record.expect("CSV record");
            headers.iter().zip(record.iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect()
        })
        .collect()
}

/// The country-codes rows with an ISO3 code.
pub fn countries() -> Vec<HashMap<String, String>> {
    csv_rows("country-codes-2020-with-developing.csv.gz")
        .into_iter()
        .filter(|row| !row["ISO3166-1-Alpha-3"].trim().is_empty())
        .collect()
}

/// ISO3 codes UN M49 (2020) classes as developing.
pub fn developing() -> Vec<String> {
    countries()
        .into_iter()
        .filter(|row| row["Developed / Developing Countries"] == "Developing")
        .map(|row| row["ISO3166-1-Alpha-3"].clone())
        .collect()
}

/// The AidData GCOF project rows.
pub fn gcof() -> Vec<HashMap<String, String>> {
    csv_rows("GlobalChineseOfficialFinanceDataset_v1.0.no-contacts.csv.gz")
}

/// The GCOF rows AidData recommends for aggregate estimates (`recommended_for_research`
/// TRUE), as its Readme's "Data Use Recommendations" ask: the rows aggregates count unless
/// told `guidance: IGNORE`.
pub fn gcof_for_research() -> Vec<HashMap<String, String>> {
    gcof().into_iter().filter(|row| row["recommended_for_research"] == "True").collect()
}

/// A number as published; blank (or a lone space) is none.
pub fn amount(value: &str) -> Option<f64> {
    let value = value.trim();
    if value.is_empty() { None } else { Some(value.parse().unwrap_or_else(|_| panic!("not a number: {value}"))) }
}

/// One DESTA 2.02 base treaty as the list of treaties gives it.
pub struct DestaTreaty {
    /// `typememb` (1 bilateral, 2 plurilateral, 3 plurilateral and third country, 4
    /// region–region).
    pub typememb: String,
    /// `regioncon`.
    pub regioncon: String,
    /// `year` signed.
    pub year: Option<i32>,
    /// ISO3 codes of its members (`c1` … `c91` of the base treaty and of its accessions)
    /// whose M49 code names a country row; 900 (Kosovo) has none and is left out, as the
    /// importer does.
    pub members: BTreeSet<String>,
}

/// ISO3 codes by ISO 3166 numeric code (= M49 for countries), without leading zeros, as
/// DESTA writes them (`32` for Argentina).
pub fn iso3_by_numeric() -> HashMap<String, String> {
    countries()
        .into_iter()
        .filter_map(|row| {
            let code = row["ISO3166-1-numeric"].trim().trim_start_matches('0').to_owned();
            (!code.is_empty()).then(|| (code, row["ISO3166-1-Alpha-3"].clone()))
        })
        .collect()
}

/// The DESTA 2.02 base treaties by `base_treaty` number. Protocols, amendments,
/// negotiations and consolidated versions are not treaties of their own; withdrawals are
/// not read (the API counts withdrawn members as parties).
pub fn desta() -> BTreeMap<String, DestaTreaty> {
    let iso3 = iso3_by_numeric();
    let entries = csv_rows("desta_list_of_treaties_02_02.txt.gz");
    let members = |entry: &HashMap<String, String>| -> BTreeSet<String> {
        (1..=91)
            .filter_map(|i| entry.get(&format!("c{i}")))
            .filter_map(|code| iso3.get(code.trim().trim_start_matches('0')).cloned())
            .collect()
    };
    let mut treaties: BTreeMap<String, DestaTreaty> = entries
        .iter()
        .filter(|entry| entry["entry_type"] == "base_treaty")
        .map(|entry| {
            let treaty = DestaTreaty {
                typememb: entry["typememb"].trim().to_owned(),
                regioncon: entry["regioncon"].trim().to_owned(),
                year: entry["year"].trim().parse().ok(),
                members: members(entry),
            };
            (entry["base_treaty"].clone(), treaty)
        })
        .collect();
    for entry in entries.iter().filter(|entry| entry["entry_type"] == "accession") {
        if let Some(treaty) = treaties.get_mut(&entry["base_treaty"]) {
            treaty.members.extend(members(entry));
        }
    }
    treaties
}

/// Whether an agreement with these parties is South–South: at least two parties, all of
/// them M49 developing countries.
pub fn all_south(parties: &BTreeSet<String>, developing: &HashSet<String>) -> bool {
    parties.len() >= 2 && parties.iter().all(|party| developing.contains(party))
}

/// GCOF projects that the importer makes into Chinese teams, as AidData's codebook reads
/// them: recommended for research, and free-standing technical assistance or a medical
/// team named in the title.
pub fn gcof_teams() -> Vec<HashMap<String, String>> {
    gcof()
        .into_iter()
        .filter(|row| row["recommended_for_research"] == "True")
        .filter(|row| {
            let title = row["title"].to_lowercase();
            row["flow"] == "Free-standing technical assistance"
                || ["medical team", "medical aid team", "medical assistance team"].iter().any(|p| title.contains(p))
        })
        .collect()
}

/// The World Bank's historical income classification as its workbook publishes it: the
/// letter class (`L`, `LM`, `UM`, `H`, `..`) by ISO3 code and by the calendar year of the
/// income data it was set from (sheet "Country Analytical History").
pub fn income_history() -> HashMap<(String, i32), String> {
    use calamine::{Reader, Xlsx};
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/data/Historical_income_classification.xlsx.gz");
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("workbook")).read_to_end(&mut bytes).expect("gzip");
    let mut workbook = Xlsx::new(std::io::Cursor::new(bytes)).expect("xlsx");
    let range = workbook.worksheet_range("Country Analytical History").expect("sheet");
    let rows: Vec<Vec<String>> =
        range.rows().map(|row| row.iter().map(|c| c.to_string().trim().to_owned()).collect()).collect();
    let header =
        rows.iter().find(|row| row.get(1).map(String::as_str) == Some("Data for calendar year :")).expect("years");
    let years: Vec<(usize, i32)> =
        header.iter().enumerate().filter_map(|(i, y)| y.parse::<f64>().ok().map(|y| (i, y as i32))).collect();
    let mut classes = HashMap::new();
    for row in rows.iter().filter(|row| row.first().is_some_and(|code| code.len() == 3)) {
        for &(column, year) in &years {
            classes.insert((row[0].clone(), year), row.get(column).cloned().unwrap_or_default());
        }
    }
    classes
}

/// The World Bank's name of a class letter of its historical workbook.
pub fn income_group_name(letter: &str) -> Option<&'static str> {
    Some(match letter.trim_end_matches('*') {
        "L" => "Low income",
        "LM" => "Lower middle income",
        "UM" => "Upper middle income",
        "H" => "High income",
        _ => return None,
    })
}

/// The rows of sheet "Data" of a bundled AidData China's Public Diplomacy workbook, as
/// header → cell text maps (numbers as calamine writes them: `5008`, `14015101.13`).
pub fn pubdip_rows(file: &str) -> Vec<HashMap<String, String>> {
    use calamine::{Reader, Xlsx};
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/data").join(file);
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("workbook")).read_to_end(&mut bytes).expect("gzip");
    let mut workbook = Xlsx::new(std::io::Cursor::new(bytes)).expect("xlsx");
    let range = workbook.worksheet_range("Data").expect("sheet Data");
    let mut rows = range.rows().map(|row| row.iter().map(|c| c.to_string().trim().to_owned()).collect::<Vec<_>>());
    let header = rows.next().expect("header");
    rows.map(|row| header.iter().cloned().zip(row).collect()).collect()
}

/// The country-year rows of China's Public Diplomacy (`ChinesePublicDiplomacy.xlsx`).
pub fn pubdip_country_years() -> Vec<HashMap<String, String>> {
    pubdip_rows("ChinesePublicDiplomacy.xlsx.gz")
}

/// The finance projects of China's Public Diplomacy
/// (`ChineseFinancialPublicDiplomacyProjectDetails.xlsx`).
pub fn pubdip_projects() -> Vec<HashMap<String, String>> {
    pubdip_rows("ChineseFinancialPublicDiplomacyProjectDetails.xlsx.gz")
}

/// The U.S. CPI-U annual averages (BLS series CUUR0000SA0), by year.
pub fn cpi() -> BTreeMap<i32, f64> {
    csv_rows("cpi-u-annual-average.csv.gz")
        .into_iter()
        .map(|row| (row["year"].parse().expect("year"), row["cpi_u_annual_average"].parse().expect("index")))
        .collect()
}

/// The bytes of a bundled, gzip-compressed file.
pub fn gunzipped(file: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/data").join(file);
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display())))
        .read_to_end(&mut bytes)
        .expect("gzip");
    bytes
}

/// UN M49 region names (`Region Name`) by ISO3 code.
pub fn regions() -> HashMap<String, String> {
    countries().into_iter().map(|row| (row["ISO3166-1-Alpha-3"].clone(), row["Region Name"].clone())).collect()
}

/// Country names by ISO3 code, as people write them: the CLDR display name, else UNTERM
/// English Short.
pub fn country_names() -> HashMap<String, String> {
    countries()
        .into_iter()
        .map(|row| {
            let cldr = row["CLDR display name"].trim();
            let name = if cldr.is_empty() { row["UNTERM English Short"].trim() } else { cldr };
            (row["ISO3166-1-Alpha-3"].clone(), name.to_owned())
        })
        .collect()
}

/// An amount in dollars of `base`: a current amount of `year` deflated, else a constant
/// amount of `constant_base` rebased, by the published CPI-U.
pub fn real(
    cpi: &BTreeMap<i32, f64>,
    base: i32,
    current: Option<f64>,
    year: i32,
    constant: Option<f64>,
    constant_base: i32,
) -> Option<f64> {
    match current {
        Some(current) => Some(current * cpi[&base] / cpi[&year]),
        None => constant.map(|constant| constant * cpi[&base] / cpi[&constant_base]),
    }
}

/// A TUFF amount as published: thousands separators, blank for none.
pub fn separated(value: &str) -> Option<f64> {
    amount(&value.replace(',', ""))
}

/// One flow of official finance as a published file gives it, with the fields aggregates
/// read.
#[derive(Clone, Debug)]
pub struct Flow {
    /// The providing country's ISO3 code.
    pub provider: String,
    /// The recipient country's ISO3 code; none for a region or several countries.
    pub recipient: Option<String>,
    /// The year of commitment.
    pub year: i32,
    /// Current US dollars.
    pub current: Option<f64>,
    /// Constant US dollars of `constant_base`.
    pub constant: Option<f64>,
    /// The base year of the constant dollars.
    pub constant_base: i32,
}

impl Flow {
    /// The flow in dollars of `base` (see [`real`]); none without an amount.
    pub fn real(&self, cpi: &BTreeMap<i32, f64>, base: i32) -> Option<f64> {
        real(cpi, base, self.current, self.year, self.constant, self.constant_base)
    }
}

/// Whether a recipient field holds one ISO3 code (not a region or a list).
fn one_iso3(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|byte| byte.is_ascii_uppercase())
}

/// GCOF's projects recommended for research, as flows (in 2014 constant dollars).
pub fn gcof_flows() -> Vec<Flow> {
    gcof_for_research()
        .into_iter()
        .map(|row| {
            assert_eq!(row["donor"], "China");
            Flow {
                provider: "CHN".to_owned(),
                recipient: Some(row["recipient_iso3"].trim().to_owned()).filter(|code| one_iso3(code)),
                year: row["year"].parse().expect("year"),
                current: amount(&row["usd_current"]),
                constant: amount(&row["usd_defl_2014"]),
                constant_base: 2014,
            }
        })
        .collect()
}

/// The finance projects of China's Public Diplomacy that aggregates count: those recommended
/// for research that GCOF does not have (the same `project_id` is a repeat of GCOF's
/// record, counted once, as GCOF's), in 2014 constant dollars (`usd_defl`).
pub fn pubdip_flows() -> Vec<Flow> {
    let gcof: HashSet<String> = gcof().into_iter().map(|row| row["project_id"].clone()).collect();
    pubdip_projects()
        .into_iter()
        .filter(|row| {
            // The workbook's flag is a boolean cell, or 1 and 0.
            let recommended = match row["recommended_for_research"].as_str() {
                "true" | "1" => true,
                "false" | "0" => false,
                other => panic!("recommended_for_research `{other}`"),
            };
            recommended && !gcof.contains(&row["project_id"])
        })
        .map(|row| {
            assert_eq!(row["donor"], "China");
            Flow {
                provider: "CHN".to_owned(),
                recipient: Some(row["recipient_iso3"].trim().to_owned()).filter(|code| one_iso3(code)),
                year: row["year"].parse::<f64>().expect("year") as i32,
                current: amount(&row["usd_current"]),
                constant: amount(&row["usd_defl"]),
                constant_base: 2014,
            }
        })
        .collect()
}

/// A TUFF donor file's projects as flows (in 2012 constant dollars), each `project_id` once:
/// current dollars are the `usd_current` column where the file has one (Saudi Arabia's),
/// else `amount` where `currency` is `USD` (Qatar's); the recipient is `recipient_iso3`
/// when it names one country, even repeated (`SDN; SDN`).
pub fn tuff_flows(file: &str, provider: &str) -> Vec<Flow> {
    let mut seen = HashSet::new();
    csv_rows(file)
        .into_iter()
        .filter(|row| seen.insert(row["project_id"].clone()))
        .map(|row| {
            let codes: BTreeSet<&str> =
                row["recipient_iso3"].split(';').map(str::trim).filter(|code| !code.is_empty()).collect();
            let current = match row.get("usd_current") {
                Some(current) => separated(current),
                None => separated(&row["amount"]).filter(|_| row["currency"] == "USD"),
            };
            Flow {
                provider: provider.to_owned(),
                recipient: (codes.len() == 1).then(|| codes.into_iter().collect()),
                year: row["year"].parse().expect("year"),
                current,
                constant: separated(&row["usd_defl"]),
                constant_base: 2012,
            }
        })
        .collect()
}

/// Saudi Arabia's TUFF projects as flows.
pub fn saudi_flows() -> Vec<Flow> {
    tuff_flows("SaudiArabia_TUFFDonorDataset_Level1_v1.0.csv.gz", "SAU")
}

/// Qatar's TUFF projects as flows (its file lists one project twice).
pub fn qatar_flows() -> Vec<Flow> {
    tuff_flows("Qatar_TUFFDonorDataset_Level1_v1.0.csv.gz", "QAT")
}

/// One XML element: its name, attributes, own text and child elements.
#[derive(Clone, Debug, Default)]
pub struct Element {
    /// The element's name.
    pub name: String,
    /// Its attributes, values unescaped.
    pub attributes: Vec<(String, String)>,
    /// Its own text (not its children's).
    pub text: String,
    /// Its child elements in document order.
    pub children: Vec<Element>,
}

impl Element {
    /// An attribute's value, trimmed; none when missing or blank.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(key, _)| key == name).map(|(_, value)| value.trim()).filter(|v| !v.is_empty())
    }

    /// The child elements named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |child| child.name == name)
    }

    /// The first child element named `name`.
    pub fn first(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|child| child.name == name)
    }

    /// The text of the first non-blank `narrative` child (IATI's text container).
    pub fn narrative(&self) -> Option<&str> {
        self.all("narrative").map(|narrative| narrative.text.trim()).find(|text| !text.is_empty())
    }
}

/// Every element named `name` of a bundled gzip'd XML file (not inside another one), as a
/// tree.
pub fn xml_elements(file: &str, name: &str) -> Vec<Element> {
    use quick_xml::events::{BytesStart, Event};
    let bytes = gunzipped(file);
    let text = String::from_utf8(bytes).expect("UTF-8");
    let mut reader = quick_xml::Reader::from_str(&text);
    let element = |start: &BytesStart<'_>| Element {
        name: String::from_utf8_lossy(start.name().as_ref()).into_owned(),
        attributes: start
            .attributes()
            .map(|attribute| {
                let attribute = attribute.expect("attribute");
                let value = attribute.unescape_value().expect("attribute value").into_owned();
                (String::from_utf8_lossy(attribute.key.as_ref()).into_owned(), value)
            })
            .collect(),
        ..Element::default()
    };
    let mut stack: Vec<Element> = Vec::new();
    let mut found = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(start) if !stack.is_empty() || start.name().as_ref() == name.as_bytes() => {
                stack.push(element(&start));
            }
            Event::Empty(start) if !stack.is_empty() || start.name().as_ref() == name.as_bytes() => {
                let leaf = element(&start);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(leaf),
                    None => found.push(leaf),
                }
            }
            Event::Text(content) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&content.decode().expect("text"));
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(current) = stack.last_mut() {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(character)) => character.to_string(),
                        _ => {
                            let entity = reference.decode().expect("reference");
                            quick_xml::escape::resolve_predefined_entity(&entity).unwrap_or_default().to_owned()
                        }
                    };
                    current.text.push_str(&resolved);
                }
            }
            Event::End(_) => {
                if let Some(done) = stack.pop() {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => found.push(done),
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// One activity of AidData's IATI release of Colombia's aid information system, read as
/// the importer's documentation says (`seed/src/datasets/iati.rs`).
#[derive(Clone, Debug)]
pub struct IatiActivity {
    /// The provider's name: the first `participating-org` of role 1 (funding), else of
    /// role 3 (extending), by its `@ref` or else its first narrative.
    pub provider_name: Option<String>,
    /// The recipient country's ISO3 code when the activity has exactly one
    /// `recipient-country`.
    pub recipient: Option<String>,
    /// The year of the actual start, else of the planned start, else of the first
    /// commitment.
    pub year: Option<i32>,
    /// The sum of the commitments in USD (`value/@currency`, else `@default-currency`);
    /// none without one.
    pub usd: Option<f64>,
    /// The kind: `default-aid-type` D01 or D02 → TECHNICAL_ASSISTANCE, else
    /// `default-finance-type` 110 → GRANT, 410 or 421 → LOAN, else UNSPECIFIED (the first
    /// transaction's types standing in for missing defaults).
    pub kind: &'static str,
}

/// The Colombia release's activities.
pub fn iati_activities() -> Vec<IatiActivity> {
    let iso3_of_iso2: HashMap<String, String> = countries()
        .into_iter()
        .map(|row| (row["ISO3166-1-Alpha-2"].clone(), row["ISO3166-1-Alpha-3"].clone()))
        .collect();
    xml_elements("iati_2.03_ColombiaAIMS_GeocodedResearchRelease.xml.gz", "iati-activity")
        .iter()
        .map(|activity| {
            let organisations: Vec<&Element> = activity.all("participating-org").collect();
            let by_role = |role: &str| organisations.iter().find(|org| org.attribute("role") == Some(role)).copied();
            let provider_name = by_role("1")
                .or_else(|| by_role("3"))
                .and_then(|org| org.attribute("ref").or_else(|| org.narrative()).map(str::to_owned));
            let recipients: Vec<&str> =
                activity.all("recipient-country").filter_map(|country| country.attribute("code")).collect();
            let recipient = match recipients.as_slice() {
                [code] => Some(iso3_of_iso2.get(*code).cloned().unwrap_or_else(|| panic!("ISO2 {code}"))),
                _ => None,
            };
            let commitments: Vec<&Element> = activity
                .all("transaction")
                .filter(|transaction| {
                    transaction.first("transaction-type").and_then(|kind| kind.attribute("code")) == Some("2")
                })
                .collect();
            let date = |kind: &str| {
                activity
                    .all("activity-date")
                    .find(|date| date.attribute("type") == Some(kind))
                    .and_then(|date| date.attribute("iso-date"))
            };
            let first_commitment = commitments
                .first()
                .and_then(|transaction| transaction.first("transaction-date"))
                .and_then(|date| date.attribute("iso-date"));
            let year =
                date("2").or_else(|| date("1")).or(first_commitment).map(|date| date[..4].parse().expect("year"));
            let default_currency = activity.attribute("default-currency");
            let usd: Vec<f64> = commitments
                .iter()
                .filter_map(|transaction| transaction.first("value"))
                .filter(|value| value.attribute("currency").or(default_currency) == Some("USD"))
                .map(|value| value.text.trim().parse::<f64>().expect("value"))
                .collect();
            let code = |default: &str, of_transaction: &str| {
                activity.first(default).and_then(|code| code.attribute("code")).or_else(|| {
                    activity
                        .first("transaction")
                        .and_then(|transaction| transaction.first(of_transaction))
                        .and_then(|code| code.attribute("code"))
                })
            };
            let kind = match (code("default-aid-type", "aid-type"), code("default-finance-type", "finance-type")) {
                (Some("D01" | "D02"), _) => "TECHNICAL_ASSISTANCE",
                (_, Some("110")) => "GRANT",
                (_, Some("410" | "421")) => "LOAN",
                _ => "UNSPECIFIED",
            };
            IatiActivity { provider_name, recipient, year, usd: (!usd.is_empty()).then(|| usd.iter().sum()), kind }
        })
        .collect()
}

/// The ISO3 code of a country as the Colombia release names a provider: by the country
/// table's CLDR, official and UN short English names, and the file's own spellings
/// ("United States", "United Kindom" sic, "Korea" for the Republic of Korea); none for an
/// organisation.
pub fn iati_provider_iso3() -> impl Fn(&str) -> Option<String> {
    let mut names: HashMap<String, String> = HashMap::new();
    for row in countries() {
        for column in ["CLDR display name", "official_name_en", "UNTERM English Short"] {
            let name = row[column].trim().to_lowercase();
            if !name.is_empty() {
                names.entry(name).or_insert_with(|| row["ISO3166-1-Alpha-3"].clone());
            }
        }
    }
    for (name, iso3) in [("united states", "USA"), ("united kindom", "GBR"), ("korea", "KOR")] {
        names.insert(name.to_owned(), iso3.to_owned());
    }
    move |name: &str| names.get(&name.trim().to_lowercase()).cloned()
}

/// The Colombia release's activities whose provider is a country, as flows (current USD).
pub fn iati_flows() -> Vec<Flow> {
    let iso3 = iati_provider_iso3();
    iati_activities()
        .into_iter()
        .filter_map(|activity| {
            Some(Flow {
                provider: iso3(activity.provider_name.as_deref()?)?,
                recipient: activity.recipient,
                year: activity.year?,
                current: activity.usd,
                constant: None,
                constant_base: 0,
            })
        })
        .collect()
}

/// One technical cooperation action of Brazil's ABC workbook.
#[derive(Clone, Debug)]
pub struct AbcAction {
    /// The partner heading it is listed under, in Portuguese ("Quênia"; "Regionais" for
    /// regional actions).
    pub partner: String,
    /// The year (`Ano`).
    pub year: Option<i32>,
}

/// The actions of sheet "Dados Básicos de Projetos por P" of ABC's workbook: blocks of a
/// partner heading (a row with only column A), a header row (`Ação` or `Projeto` …) and
/// one row per action; a row that repeats an earlier row of the same partner exactly is
/// the same action listed twice, left out.
pub fn abc_actions() -> Vec<AbcAction> {
    use calamine::{Reader, Xlsx};
    let bytes = gunzipped("Brazil_2005-2011_raw_data.xlsx.gz");
    let mut workbook = Xlsx::new(std::io::Cursor::new(bytes)).expect("xlsx");
    let range = workbook.worksheet_range("Dados Básicos de Projetos por P").expect("sheet");
    let mut partner: Option<String> = None;
    let mut seen: HashSet<(String, Vec<String>)> = HashSet::new();
    let mut actions = Vec::new();
    for row in range.rows() {
        let cells: Vec<String> =
            (0..5).map(|i| row.get(i).map(|c| c.to_string().trim().to_owned()).unwrap_or_default()).collect();
        if cells[0].is_empty() {
            continue;
        }
        if cells[1..].iter().all(String::is_empty) {
            partner = Some(cells[0].clone());
            continue;
        }
        if cells[0] == "Ação" || cells[0] == "Projeto" {
            continue;
        }
        let partner = partner.clone().expect("a partner heading first");
        if seen.insert((partner.clone(), cells.clone())) {
            let year =
                Some(&cells[4]).filter(|year| !year.is_empty()).map(|year| year.parse::<f64>().expect("year") as i32);
            actions.push(AbcAction { partner, year });
        }
    }
    actions
}
