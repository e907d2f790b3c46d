//! AidData's China's Public Diplomacy Dashboard Dataset 1.0 (ODC-By 1.0): two workbooks,
//! each read from its sheet "Data".
//!
//! `ChinesePublicDiplomacy.xlsx` has one row per receiving country and year (25 East
//! Asia-Pacific countries, 2000–2016). Each measure column of a row becomes one exchange
//! (natural key: source + `ref` = `<receiving_country>/<year>/<column>`, the file's own
//! words): provider China, partner the receiving country (matched by name through the
//! country tables; a name left unmatched skips its row's values, reported),
//! kind from [`MEASURES`], count as published, zeros included (a measured zero tells a
//! covered year from a missing one). The country tables match all 25 names of the file; a
//! country-year met twice under two names is an error. The import report counts this
//! sheet in values: each good row holds nine (a row with a bad field counts as one row
//! skipped). Two rules follow the dataset's Readme:
//! - `total_elite_visits` is the sum of `government_visits` and `military_visits` ("Sum of
//!   all military and government visits"): it is checked on every row (a row where it is
//!   not the sum is an error) and not stored, so that no visit counts twice;
//! - where the Readme says a measure was not collected ([`NOT_COLLECTED`]: inbound students
//!   before 2002, visits in 2016), the file's zeros are not data: those values are left out
//!   and reported; a value other than zero there would be kept.
//!
//! The Readme calls `confucius_institutes`, `sister_cities` and `media_partnerships`
//! cumulative, but the file's values fall from one year to the next (for Australia
//! 2011–2013, Confucius institutes go 4, 1, 0): they are served as published, and their
//! kinds say so.
//!
//! `ChineseFinancialPublicDiplomacyProjectDetails.xlsx` holds 443 finance projects in GCOF's
//! schema; they become flows of this source exactly as GCOF's do ([`gcof::project_flows`]),
//! with `usd_defl` as the constant amount in 2014 dollars (it equals GCOF's `usd_defl_2014`
//! for 358 of the 361 projects both have), and no expert teams (GCOF's import makes those).
//! Projects that GCOF also has (the same AidData `project_id`) are linked to GCOF's flow as
//! repeats (`flow_repeat`, by whichever of the two imports comes second), which aggregates
//! leave out unless asked: the same project is counted once, as GCOF records it; the
//! import reports the repeats whose year or amounts differ from GCOF's. The `contacts`
//! column is never read.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use crate::datasets::gcof::{self, project};
use crate::datasets::{Part, countries, read_part, wb_class::read_sheet};
use crate::error::{FieldError, ImportError, ParseError};
use crate::run::{Input, Load};
use crate::source::GCOF;
use crate::store;
use crate::table::{CsvTable, LeftOut, Parsed};
use crate::{Dataset, SkipKind};
use entity::{ExchangeKind, exchange, flow, source};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

/// The sheet read in both workbooks.
pub const SHEET: &str = "Data";

/// The column of the country-year file that holds the receiving country's name.
const COUNTRY: &str = "receiving_country";

/// The measure columns of the country-year file and the kinds they become.
pub const MEASURES: &[(&str, ExchangeKind)] = &[
    ("confucius_institutes", ExchangeKind::ConfuciusInstitutes),
    ("sister_cities_established", ExchangeKind::SisterCities),
    ("government_visits", ExchangeKind::GovernmentVisits),
    ("military_visits", ExchangeKind::MilitaryVisits),
    ("ambassador_op_eds", ExchangeKind::AmbassadorOpEds),
    ("journalist_visits", ExchangeKind::JournalistVisits),
    ("media_partnerships", ExchangeKind::MediaPartnerships),
    ("outbound_chinese_students", ExchangeKind::OutboundStudents),
    ("inbound_students_to_china", ExchangeKind::InboundStudents),
];

/// The column that sums government and military visits: checked, not stored.
pub const ELITE_VISITS: &str = "total_elite_visits";

/// Measures and years the Readme says were not collected, in its words.
pub const NOT_COLLECTED: &[(&str, RangeInclusive<i32>, &str)] = &[
    (
        "inbound_students_to_china",
        2000..=2001,
        "not collected that year (Readme: \"Data for 2000-2001 not available\")",
    ),
    ("government_visits", 2016..=2016, "not collected that year (Readme: \"2016 yearbook was not available\")"),
    ("military_visits", 2016..=2016, "not collected that year (Readme: \"2016 yearbook was not available\")"),
];

/// The provider of every exchange.
const PROVIDER_ISO3: &str = "CHN";

/// The column of the project file with constant amounts (2014 US dollars).
const PROJECT_CONSTANT_AMOUNT: &str = "usd_defl";

/// One measure of one country-year row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ExchangeRecord {
    /// The sheet's row.
    pub line: u64,
    /// The receiving country as the file names it.
    pub partner: String,
    /// The year.
    pub year: i32,
    /// The measure's column.
    pub column: &'static str,
    /// The kind the column gives.
    pub kind: ExchangeKind,
    /// The value.
    pub count: i32,
}

impl ExchangeRecord {
    fn reference(&self) -> String {
        format!("{}/{}/{}", self.partner, self.year, self.column)
    }
}

/// Parses the country-year sheet's rows (pure; [`read_sheet`] reads them, row 1 first).
pub(crate) fn parse_exchanges(rows: &[Vec<String>]) -> Result<Parsed<ExchangeRecord>, ParseError> {
    let table = CsvTable::from_rows(rows)?;
    let country = table.column(COUNTRY)?;
    let year = table.column("year")?;
    let elite = table.column(ELITE_VISITS)?;
    let measures =
        MEASURES.iter().map(|(name, kind)| Ok((table.column(name)?, *kind))).collect::<Result<Vec<_>, ParseError>>()?;
    let mut parsed = Parsed::new();
    let mut not_collected: HashMap<&'static str, LeftOut> = HashMap::new();
    let mut seen: HashMap<(String, i32), u64> = HashMap::new();
    for row in &table.rows {
        parsed.rows_read += 1;
        let read = || -> Result<Vec<ExchangeRecord>, FieldError> {
            let partner = row.required(country)?.to_owned();
            let year = row.year(year)?.ok_or_else(|| FieldError::new(row.line, "year", "is blank"))?;
            if let Some(first) = seen.get(&(partner.clone(), year)) {
                return Err(FieldError::new(
                    row.line,
                    COUNTRY,
                    format!("`{partner}` in {year} already on line {first}"),
                ));
            }
            let count = |column| -> Result<i32, FieldError> {
                let value = row.required(column)?;
                value
                    .parse::<f64>()
                    .ok()
                    .filter(|number| number.fract() == 0.0 && (0.0..=f64::from(i32::MAX)).contains(number))
                    .map(|number| number as i32)
                    .ok_or_else(|| row.invalid(column, value, "a count (a whole number, 0 or more)"))
            };
            let mut records = Vec::with_capacity(measures.len());
            for (column, kind) in &measures {
                records.push(ExchangeRecord {
                    line: row.line,
                    partner: partner.clone(),
                    year,
                    column: column.name,
                    kind: *kind,
                    count: count(*column)?,
                });
            }
            let visits: i64 = records
                .iter()
                .filter(|record| matches!(record.kind, ExchangeKind::GovernmentVisits | ExchangeKind::MilitaryVisits))
                .map(|record| i64::from(record.count))
                .sum();
            let total = count(elite)?;
            if i64::from(total) != visits {
                return Err(row.invalid(
                    elite,
                    &total.to_string(),
                    &format!("government_visits + military_visits ({visits})"),
                ));
            }
            Ok(records)
        };
        match read() {
            Ok(records) => {
                parsed.rows_read += records.len() as u64 - 1;
                seen.insert((records[0].partner.clone(), records[0].year), row.line);
                for record in records {
                    match NOT_COLLECTED
                        .iter()
                        .find(|(column, years, _)| *column == record.column && years.contains(&record.year))
                    {
                        Some((column, _, reason)) if record.count == 0 => {
                            let left_out = not_collected.entry(column).or_insert_with(|| LeftOut {
                                line: record.line,
                                rows: 0,
                                reason,
                                message: String::new(),
                            });
                            left_out.rows += 1;
                        }
                        _ => parsed.records.push(record),
                    }
                }
            }
            Err(error) => parsed.errors.push(error),
        }
    }
    let mut left_out: Vec<LeftOut> = not_collected
        .into_iter()
        .map(|(column, mut left_out)| {
            left_out.message = format!("{} zero values of `{column}` left out: {}", left_out.rows, left_out.reason);
            left_out
        })
        .collect();
    left_out.sort_by_key(|left_out| left_out.line);
    parsed.left_out = left_out;
    Ok(parsed)
}

/// The two workbooks, parsed before the import's transaction opens ([`super::read`]).
pub(crate) type Read = Result<Workbooks, ImportError>;

/// The two workbooks, parsed.
pub(crate) struct Workbooks {
    /// The finance projects.
    projects: Part<Parsed<project::ProjectRecord>>,
    /// The exchanges.
    exchanges: Part<Parsed<ExchangeRecord>>,
}

/// Parses both workbooks.
pub(crate) fn read(input: &Input) -> Read {
    let [(projects_file, projects), (exchanges_file, exchanges)] = input.parts.as_slice() else {
        return Err(ImportError::from_parse(&input.file, ParseError::File("expected the two workbooks".to_owned())));
    };
    let projects = read_part(projects_file, projects, |bytes| {
        let rows = read_sheet(bytes, SHEET)?;
        CsvTable::from_rows(&rows).and_then(|table| project::parse_table(&table, PROJECT_CONSTANT_AMOUNT))
    });
    let exchanges =
        read_part(exchanges_file, exchanges, |bytes| read_sheet(bytes, SHEET).and_then(|rows| parse_exchanges(&rows)));
    Ok(Workbooks { projects, exchanges })
}

/// Imports the finance projects as flows (marking GCOF's as repeats), then the exchanges.
pub(crate) async fn import(load: &mut Load<'_>, read: Read) -> Result<(), ImportError> {
    let Workbooks { projects: (projects_file, projects), exchanges: (exchanges_file, exchanges) } = read?;
    let records = load.accept_part(&projects_file, projects?)?;
    // The projects' messages name their workbook.
    let both_files = std::mem::replace(&mut load.file, projects_file.clone());
    let flows = gcof::project_flows(load, Dataset::ChinaPublicDiplomacy, &records).await;
    load.file = both_files;
    let flows: Vec<flow::Model> = flows?.into_iter().map(|(_, flow)| flow).collect();
    store::flows(load, flows.clone()).await?;
    mark_repeats(load, &projects_file, &flows).await?;

    let records = load.accept_part(&exchanges_file, exchanges?)?;
    let resolver = countries(load, Dataset::ChinaPublicDiplomacy).await?;
    let Some(provider_id) = resolver.iso3(PROVIDER_ISO3) else {
        return Err(ImportError::from_parse(
            &exchanges_file,
            ParseError::File("China is not in the country table".into()),
        ));
    };
    // Unmatched names: the first line and the number of values.
    let mut unmatched: HashMap<&str, (u64, u64)> = HashMap::new();
    // The line of each country-year-kind stored, to catch a country named two ways.
    let mut stored: HashMap<(i32, i32, ExchangeKind), u64> = HashMap::new();
    let mut rows = Vec::with_capacity(records.len());
    for record in &records {
        let Some(partner_id) = resolver.name(&record.partner) else {
            unmatched.entry(record.partner.as_str()).or_insert((record.line, 0)).1 += 1;
            continue;
        };
        if let Some(&first) = stored.get(&(partner_id, record.year, record.kind)) {
            if record.kind == MEASURES[0].1 {
                let message = format!("`{}` in {} is the country of line {first}", record.partner, record.year);
                load.reject(FieldError::new(record.line, COUNTRY, message))?;
            }
            continue;
        }
        stored.insert((partner_id, record.year, record.kind), record.line);
        rows.push(exchange::Model {
            id: 0,
            source_id: load.source_id,
            r#ref: record.reference(),
            provider_id,
            partner_id,
            year: record.year,
            kind: record.kind,
            count: record.count,
        });
    }
    let mut unmatched: Vec<(&str, (u64, u64))> = unmatched.into_iter().collect();
    unmatched.sort_unstable();
    for (name, (line, values)) in unmatched {
        let message = format!(
            "receiving_country `{name}` ({exchanges_file} line {line}) matches no country: {values} values skipped"
        );
        load.skip_many(SkipKind::Error, values, 0, "receiving_country matches no country", &message);
    }
    store::exchanges(load, rows).await
}

/// Links the source's flows whose `ref` (AidData's `project_id`) GCOF also has to GCOF's
/// flow, and reports the repeats whose year or amounts differ from GCOF's record (aggregates
/// count GCOF's). GCOF's import links them too, whichever of the two comes first.
async fn mark_repeats(load: &mut Load<'_>, file: &str, flows: &[flow::Model]) -> Result<(), ImportError> {
    let Some(gcof) = source::Entity::find().filter(source::Column::Key.eq(GCOF.key)).one(load.txn).await? else {
        load.note_in(file, 0, "GCOF is not imported yet: its import will mark the projects both have as repeats");
        return Ok(());
    };
    let linked = store::link_repeats(load, load.source_id, gcof.id).await?;
    let originals: HashMap<String, YearAndAmounts> = flow::Entity::find()
        .select_only()
        .columns([
            flow::Column::Ref,
            flow::Column::Year,
            flow::Column::AmountUsdCurrent,
            flow::Column::AmountUsdConstant,
        ])
        .filter(flow::Column::SourceId.eq(gcof.id))
        .into_tuple::<(String, Option<i32>, Option<f64>, Option<f64>)>()
        .all(load.txn)
        .await?
        .into_iter()
        .map(|(reference, year, current, constant)| (reference, (year, current, constant)))
        .collect();
    let mut differing: Vec<&str> = flows
        .iter()
        .filter(|flow| {
            originals.get(&flow.r#ref).is_some_and(|&(year, current, constant)| {
                year != flow.year
                    || differs(current, flow.amount_usd_current)
                    || differs(constant, flow.amount_usd_constant)
            })
        })
        .map(|flow| flow.r#ref.as_str())
        .collect();
    differing.sort_unstable();
    let mut message = format!(
        "{} projects are GCOF's too: marked as repeats, which aggregates count once (GCOF's record)",
        linked.len()
    );
    if !differing.is_empty() {
        message.push_str(&format!(
            "; {} of them differ from GCOF's in year or amounts: {}",
            differing.len(),
            differing.join(", ")
        ));
    }
    load.note_in(file, 0, &message);
    Ok(())
}

/// A flow's year and amounts in current and constant US dollars.
type YearAndAmounts = (Option<i32>, Option<f64>, Option<f64>);

/// Whether two amounts differ by a dollar or more (the workbooks round differently), or one
/// is missing.
fn differs(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() >= 1.0,
        (a, b) => a.is_some() != b.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|row| row.iter().map(|cell| (*cell).to_owned()).collect()).collect()
    }

    const HEADER: &[&str] = &[
        "receiving_country",
        "year",
        "confucius_institutes",
        "sister_cities_established",
        "government_visits",
        "military_visits",
        "total_elite_visits",
        "ambassador_op_eds",
        "journalist_visits",
        "media_partnerships",
        "outbound_chinese_students",
        "inbound_students_to_china",
    ];

    /// Australia's 2000 and 2016 rows of the file.
    const AUSTRALIA_2000: &[&str] = &["Australia", "2000", "0", "8", "46", "8", "54", "0", "0", "0", "5008", "0"];

    #[test]
    fn each_measure_is_an_exchange_and_zeros_not_collected_are_left_out() {
        let parsed = parse_exchanges(&sheet(&[HEADER, AUSTRALIA_2000])).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.rows_read, 9);
        // Nine measures, but inbound students of 2000 were not collected.
        assert_eq!(parsed.records.len(), 8);
        let government = parsed.records.iter().find(|r| r.kind == ExchangeKind::GovernmentVisits).unwrap();
        assert_eq!((government.count, government.reference()), (46, "Australia/2000/government_visits".to_owned()));
        assert_eq!(parsed.left_out.len(), 1);
        assert_eq!(parsed.left_out[0].rows, 1);
        assert!(parsed.left_out[0].message.contains("inbound_students_to_china"), "{:?}", parsed.left_out);
    }

    #[test]
    fn an_elite_total_that_is_not_the_sum_names_row_and_field() {
        let mut row = AUSTRALIA_2000.to_vec();
        row[6] = "55";
        let parsed = parse_exchanges(&sheet(&[HEADER, &row])).unwrap();
        assert_eq!(
            parsed.errors[0].in_file("p.xlsx"),
            "p.xlsx line 2, field `total_elite_visits`: `55` is not government_visits + military_visits (54)"
        );
    }

    #[test]
    fn counts_must_be_whole_and_rows_unique() {
        let mut row = AUSTRALIA_2000.to_vec();
        row[1] = "2001";
        row[10] = "-3";
        let parsed = parse_exchanges(&sheet(&[HEADER, AUSTRALIA_2000, AUSTRALIA_2000, &row])).unwrap();
        let errors: Vec<String> = parsed.errors.iter().map(|error| error.in_file("p.xlsx")).collect();
        assert_eq!(errors[0], "p.xlsx line 3, field `receiving_country`: `Australia` in 2000 already on line 2");
        assert!(errors[1].contains("`-3` is not a count"), "{errors:?}");
    }
}
