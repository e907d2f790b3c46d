//! Expert rosters that users import from their own files (never bundled: no open roster of
//! South–South experts exists, and no person is made up). The format is documented in
//! `seed/data/README.md` ("Expert roster format"):
//!
//! ```text
//! ref,name,kind,home_country,sectors,headcount,deployments
//! E-1,Test Expert One,INDIVIDUAL,KEN,12220;12230,,KEN:2019-2021;TZA:2022
//! ```
//!
//! - `ref` (required, unique in the file): the expert's natural key within the roster;
//! - `name` (required); `kind`: `INDIVIDUAL`, `TEAM` or `INSTITUTION` (any case);
//! - `home_country`: ISO3, ISO2 or a name, through the resolver; blank for none; a value
//!   that matches no country skips the row (reported with its line);
//! - `sectors`: DAC codes (5-digit purposes, 3-digit categories) separated by `;`; each must
//!   be in the sector table, an unknown code is a bad field `sectors`;
//! - `headcount`: blank, or a whole number of at least 1;
//! - `deployments`: `HOST:START-END` items separated by `;`, HOST an ISO3 or ISO2 code,
//!   START and END years, `-END` optional and `:START-END` too (`KEN:2019-2021;TZA:2022;UGA`);
//!   each becomes a deployment whose ref is its position in the list (`1`, `2` …); a host
//!   that matches no country skips that deployment (reported).
//!
//! Lines starting with `#` are comments. Each roster file is its own source, keyed
//! `expert-roster-<file stem>` in lower case ([`source_row`]).

use crate::datasets::{countries, read_first};
use crate::error::{FieldError, ImportError, ParseError};
use crate::resolver::CountryResolver;
use crate::run::{Input, Load};
use crate::source::SourceRow;
use crate::store;
use crate::table::{CsvRow, CsvTable, Parsed, parse_year};
use crate::text;
use crate::{Dataset, SkipKind};
use entity::{ExpertKind, deployment, expert};
use std::collections::HashMap;
use std::path::Path;

/// One deployment item of the `deployments` column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DeploymentItem {
    pub host: String,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
}

/// One roster row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RosterRecord {
    pub line: u64,
    pub reference: String,
    pub name: String,
    pub kind: ExpertKind,
    pub home_country: Option<String>,
    pub sectors: Vec<String>,
    pub headcount: Option<i32>,
    pub deployments: Vec<DeploymentItem>,
}

/// The `source` row of a roster file.
pub(crate) fn source_row(file: &str) -> SourceRow {
    let stem = Path::new(file).file_stem().map_or_else(|| file.to_owned(), |stem| stem.to_string_lossy().into_owned());
    SourceRow {
        key: format!("expert-roster-{}", stem.to_lowercase()),
        title: format!("Expert roster {file}"),
        publisher: "imported by the user".to_owned(),
        url: file.to_owned(),
        licence: "as given by the roster's owner".to_owned(),
        citation: file.to_owned(),
        version: "as imported".to_owned(),
        retrieved_on: chrono::Utc::now().date_naive().to_string(),
        guidance: None,
    }
}

/// Parses a roster CSV.
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed<RosterRecord>, ParseError> {
    let text = text::decode_utf8(bytes)?;
    let table = CsvTable::parse_commented(&text)?;
    let columns = Columns {
        reference: table.column("ref")?,
        name: table.column("name")?,
        kind: table.column("kind")?,
        home_country: table.column("home_country")?,
        sectors: table.column("sectors")?,
        headcount: table.column("headcount")?,
        deployments: table.column("deployments")?,
    };
    let mut parsed = Parsed::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for row in &table.rows {
        parsed.rows_read += 1;
        match parse_row(row, &columns) {
            Ok(record) => match seen.insert(record.reference.clone(), row.line) {
                Some(first) => parsed.errors.push(FieldError::new(
                    row.line,
                    "ref",
                    format!("`{}` already on line {first}", record.reference),
                )),
                None => parsed.records.push(record),
            },
            Err(error) => parsed.errors.push(error),
        }
    }
    Ok(parsed)
}

struct Columns {
    reference: crate::table::Column,
    name: crate::table::Column,
    kind: crate::table::Column,
    home_country: crate::table::Column,
    sectors: crate::table::Column,
    headcount: crate::table::Column,
    deployments: crate::table::Column,
}

fn parse_row(row: &CsvRow, columns: &Columns) -> Result<RosterRecord, FieldError> {
    let kind_text = row.required(columns.kind)?;
    let kind = match kind_text.to_ascii_uppercase().as_str() {
        "INDIVIDUAL" => ExpertKind::Individual,
        "TEAM" => ExpertKind::Team,
        "INSTITUTION" => ExpertKind::Institution,
        _ => return Err(row.invalid(columns.kind, kind_text, "INDIVIDUAL, TEAM or INSTITUTION")),
    };
    let sectors = list(row.raw(columns.sectors))
        .map(|code| {
            if code.bytes().all(|byte| byte.is_ascii_digit()) && (code.len() == 3 || code.len() == 5) {
                Ok(code.to_owned())
            } else {
                Err(row.invalid(columns.sectors, code, "a 3- or 5-digit DAC code"))
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let headcount = row
        .text(columns.headcount)
        .map(|value| {
            value
                .parse::<i32>()
                .ok()
                .filter(|count| *count >= 1)
                .ok_or_else(|| row.invalid(columns.headcount, value, "a whole number of at least 1"))
        })
        .transpose()?;
    let deployments = list(row.raw(columns.deployments))
        .map(|item| {
            deployment_item(item).ok_or_else(|| {
                row.invalid(columns.deployments, item, "HOST:START-END (ISO3 or ISO2 code, years, END optional)")
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RosterRecord {
        line: row.line,
        reference: row.required(columns.reference)?.to_owned(),
        name: row.required(columns.name)?.to_owned(),
        kind,
        home_country: row.text(columns.home_country).map(str::to_owned),
        sectors,
        headcount,
        deployments,
    })
}

/// The non-blank items of a `;`-separated list.
fn list(value: &str) -> impl Iterator<Item = &str> {
    value.split(';').map(str::trim).filter(|item| !item.is_empty())
}

/// `HOST`, `HOST:START` or `HOST:START-END`.
fn deployment_item(item: &str) -> Option<DeploymentItem> {
    let (host, years) = match item.split_once(':') {
        Some((host, years)) => (host.trim(), Some(years.trim())),
        None => (item, None),
    };
    if !(host.len() == 2 || host.len() == 3) || !host.bytes().all(|byte| byte.is_ascii_alphabetic()) {
        return None;
    }
    let (start_year, end_year) = match years {
        None => (None, None),
        Some(years) => match years.split_once('-') {
            Some((start, end)) => (Some(parse_year(start.trim())?), Some(parse_year(end.trim())?)),
            None => (Some(parse_year(years)?), None),
        },
    };
    if let (Some(start), Some(end)) = (start_year, end_year)
        && end < start
    {
        return None;
    }
    Some(DeploymentItem { host: host.to_ascii_uppercase(), start_year, end_year })
}

/// A country by ISO3 (or an alias such as `ROM`), ISO2, or name.
fn resolve(resolver: &CountryResolver, value: &str) -> Option<i32> {
    match value.len() {
        3 => resolver.iso3(value).or_else(|| resolver.name(value)),
        2 => resolver.iso2(value),
        _ => resolver.name(value),
    }
}

/// The file, parsed before the import's transaction opens ([`super::read`]).
pub(crate) type Read = Result<Parsed<RosterRecord>, ImportError>;

/// Parses the file.
pub(crate) fn read(input: &Input) -> Read {
    read_first(input, parse)
}

/// Validates (home countries, sectors, hosts) and upserts the experts, their sectors and
/// their deployments.
pub(crate) async fn import(load: &mut Load<'_>, read: Read) -> Result<(), ImportError> {
    let records = load.accept(read?)?;
    let resolver = countries(load, Dataset::ExpertRoster).await?;
    let sector_ids = store::sector_ids(load.txn).await?;
    if sector_ids.is_empty() && records.iter().any(|record| !record.sectors.is_empty()) {
        return Err(ImportError::MissingPrerequisite {
            dataset: Dataset::ExpertRoster.name(),
            needs: Dataset::Sectors.name(),
        });
    }
    let mut experts = Vec::with_capacity(records.len());
    'records: for record in records {
        let mut row_sectors = Vec::with_capacity(record.sectors.len());
        for code in &record.sectors {
            match sector_ids.get(code) {
                Some(id) if !row_sectors.contains(id) => row_sectors.push(*id),
                Some(_) => {}
                None => {
                    let error = FieldError::new(record.line, "sectors", format!("`{code}` is not a DAC sector code"));
                    load.reject(error)?;
                    continue 'records;
                }
            }
        }
        let home_country_id = match record.home_country.as_deref() {
            None => None,
            Some(home) => match resolve(&resolver, home) {
                Some(id) => Some(id),
                None => {
                    load.skip(
                        SkipKind::Error,
                        record.line,
                        "home_country matches no country",
                        &format!("home_country `{home}` matches no country: row skipped"),
                    );
                    continue;
                }
            },
        };
        let mut deployments = Vec::with_capacity(record.deployments.len());
        for (position, item) in record.deployments.iter().enumerate() {
            let Some(host) = resolve(&resolver, &item.host) else {
                load.skip(
                    SkipKind::Unmatched,
                    record.line,
                    "deployment host matches no country",
                    &format!("deployment host `{}` matches no country: deployment skipped", item.host),
                );
                continue;
            };
            deployments.push(deployment::Model {
                id: 0,
                expert_id: 0,
                r#ref: (position + 1).to_string(),
                host_country_id: Some(host),
                start_year: item.start_year,
                end_year: item.end_year,
                flow_id: None,
                agreement_id: None,
            });
        }
        experts.push(store::ExpertRows {
            expert: expert::Model {
                id: 0,
                source_id: load.source_id,
                r#ref: record.reference,
                name: record.name,
                kind: record.kind,
                home_country_id,
                headcount: record.headcount,
            },
            sector_ids: row_sectors,
            deployments,
        });
    }
    store::experts(load, experts).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The format's example (the fixture's first rows): fictional experts.
    const EXAMPLE: &str = "# A comment line, as rosters may carry.
ref,name,kind,home_country,sectors,headcount,deployments
E-1,Test Expert One,INDIVIDUAL,KEN,12220;12230,,KEN:2019-2021;TZA:2022
T-2,Test Team Two,team,br,311,4,MOZ:2015;AO:2016-2017
I-3,Test Institution Three,INSTITUTION,Viet Nam,,,
";

    #[test]
    fn parses_kinds_codes_lists_and_optional_parts() {
        let parsed = parse(EXAMPLE.as_bytes()).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let [one, two, three] = parsed.records.as_slice() else { panic!("{parsed:?}") };
        assert_eq!((one.line, two.line, three.line), (3, 4, 5));
        assert_eq!(one.sectors, ["12220", "12230"]);
        assert_eq!(one.headcount, None);
        assert_eq!(
            one.deployments,
            [
                DeploymentItem { host: "KEN".into(), start_year: Some(2019), end_year: Some(2021) },
                DeploymentItem { host: "TZA".into(), start_year: Some(2022), end_year: None },
            ]
        );
        assert_eq!((two.kind, two.headcount, two.home_country.as_deref()), (ExpertKind::Team, Some(4), Some("br")));
        assert_eq!(two.deployments[1].host, "AO");
        assert_eq!((three.kind, three.home_country.as_deref()), (ExpertKind::Institution, Some("Viet Nam")));
        assert!(three.sectors.is_empty() && three.deployments.is_empty());
    }

    #[test]
    fn bad_fields_name_line_and_field() {
        let cases = [
            ("KEN:2019-2021;TZA:2022", "KEN:2021-2019", "line 3, field `deployments`: `KEN:2021-2019` is not HOST"),
            ("12220;12230", "12220;1x", "line 3, field `sectors`: `1x` is not a 3- or 5-digit DAC code"),
            ("INDIVIDUAL", "PERSON", "line 3, field `kind`: `PERSON` is not INDIVIDUAL, TEAM or INSTITUTION"),
            (",4,", ",0,", "line 4, field `headcount`: `0` is not a whole number of at least 1"),
            ("I-3", "E-1", "line 5, field `ref`: `E-1` already on line 3"),
        ];
        for (good, bad, expected) in cases {
            let parsed = parse(EXAMPLE.replacen(good, bad, 1).as_bytes()).unwrap();
            let message = parsed.errors[0].in_file("r.csv");
            assert!(message.starts_with(&format!("r.csv {expected}")), "{message}");
        }
    }

    #[test]
    fn the_source_key_is_the_lower_case_file_stem() {
        let row = source_row("Expert-Roster-Example.csv");
        assert_eq!(row.key, "expert-roster-expert-roster-example");
        assert_eq!(row.title, "Expert roster Expert-Roster-Example.csv");
        assert_eq!(row.citation, "Expert-Roster-Example.csv");
    }
}
