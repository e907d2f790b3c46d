//! Trade agreements from DESTA's list of treaties 2.02 (Windows-1252, CRLF).
//!
//! - one agreement per `base_treaty` entry; ref = the `base_treaty` number; title = `name`
//!   (non-breaking spaces as spaces); `source_kind` = the membership type `typememb`
//!   (1 bilateral, 2 plurilateral, 3 plurilateral and third country, 4 region–region);
//! - kind: REGIONAL_INTEGRATION for plurilateral agreements (`typememb` 2) within one
//!   region (`regioncon` not "Intercontinental"), TRADE otherwise;
//! - status: IN_FORCE when `entryforceyear` is given, else SIGNED when `year` is, else
//!   UNKNOWN (DESTA does not record terminations); `signed_year` = `year`,
//!   `in_force_year` = `entryforceyear`;
//! - parties: the members `c1` … `c91`, ISO 3166 numeric = M49 codes, through the resolver
//!   (158 Taiwan resolves by its ISO code; 900 Kosovo has no country row and is reported);
//! - `accession` entries add the members their base treaty does not have yet, with
//!   `joined_year` = the accession's `year` (else its `entryforceyear`);
//! - `withdrawal` entries set `withdrawn_year` (their `year`) for the members whose
//!   `mcN` is 1: in all 72 withdrawal rows of 2.02 exactly those are the countries the
//!   entry's name says withdraw;
//! - `negotiation`, `protocol or amendment` and `consolidated` entries are not imported
//!   (not signed yet, or changes to a base treaty already imported): counted as skipped,
//!   one message per entry type.

use crate::datasets::{countries, read_first};
use crate::error::{FieldError, ImportError, ParseError};
use crate::run::{Input, Load};
use crate::store;
use crate::table::{CsvTable, Parsed};
use crate::text;
use crate::{Dataset, SkipKind};
use entity::{AgreementKind, AgreementStatus, agreement, agreement_party};
use std::collections::BTreeMap;

/// The most members a DESTA row lists (`c1` … `c91`).
const MEMBER_COLUMNS: usize = 91;

/// One member of an entry: its numeric code and its `mc` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Member {
    pub code: String,
    pub mc: Option<String>,
}

/// One row of the list of treaties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TreatyEntry {
    pub line: u64,
    pub number: String,
    pub base_treaty: String,
    pub name: String,
    pub entry_type: String,
    pub year: Option<i32>,
    pub entry_force_year: Option<i32>,
    pub typememb: Option<u8>,
    pub regioncon: Option<String>,
    pub members: Vec<Member>,
}

/// Parses the Windows-1252 CSV.
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed<TreatyEntry>, ParseError> {
    let text = text::decode_windows_1252(bytes);
    let table = CsvTable::parse(&text)?;
    let number = table.column("number")?;
    let base_treaty = table.column("base_treaty")?;
    let name = table.column("name")?;
    let entry_type = table.column("entry_type")?;
    let year = table.column("year")?;
    let entry_force_year = table.column("entryforceyear")?;
    let typememb = table.column("typememb")?;
    let regioncon = table.column("regioncon")?;
    let mut member_columns = Vec::with_capacity(MEMBER_COLUMNS);
    for index in 1..=MEMBER_COLUMNS {
        let code = table
            .column_index(&format!("c{index}"))
            .ok_or_else(|| ParseError::File(format!("missing column `c{index}`")))?;
        member_columns.push((index, code, table.column_index(&format!("mc{index}"))));
    }
    let mut parsed = Parsed::new();
    for row in &table.rows {
        parsed.rows_read += 1;
        let entry = (|| -> Result<TreatyEntry, FieldError> {
            let mut members = Vec::new();
            for (index, code, mc) in &member_columns {
                let Some(value) = row.text_at(*code) else {
                    continue;
                };
                if value.len() > 3 || !value.bytes().all(|byte| byte.is_ascii_digit()) {
                    return Err(FieldError::new(
                        row.line,
                        format!("c{index}"),
                        format!("`{value}` is not an M49 code"),
                    ));
                }
                members
                    .push(Member { code: value.to_owned(), mc: mc.and_then(|mc| row.text_at(mc)).map(str::to_owned) });
            }
            let typememb = match row.text(typememb) {
                None => None,
                Some(value) => Some(
                    value
                        .parse::<u8>()
                        .ok()
                        .filter(|kind| (1..=7).contains(kind))
                        .ok_or_else(|| row.invalid(typememb, value, "a membership type 1-7"))?,
                ),
            };
            Ok(TreatyEntry {
                line: row.line,
                number: row.required(number)?.to_owned(),
                base_treaty: row.required(base_treaty)?.to_owned(),
                name: row.required(name)?.replace('\u{a0}', " "),
                entry_type: row.required(entry_type)?.to_owned(),
                year: row.year(year)?,
                entry_force_year: row.year(entry_force_year)?,
                typememb,
                regioncon: row.text(regioncon).map(str::to_owned),
                members,
            })
        })();
        match entry {
            Ok(entry) => parsed.records.push(entry),
            Err(error) => parsed.errors.push(error),
        }
    }
    Ok(parsed)
}

/// A party's (joined_year, withdrawn_year).
type Membership = (Option<i32>, Option<i32>);

/// The agreement kind of a base treaty (module docs).
pub(crate) fn agreement_kind(entry: &TreatyEntry) -> AgreementKind {
    match (entry.typememb, entry.regioncon.as_deref()) {
        (Some(2), Some(region)) if region != "Intercontinental" => AgreementKind::RegionalIntegration,
        _ => AgreementKind::Trade,
    }
}

fn membership_label(typememb: Option<u8>) -> Option<String> {
    let label = match typememb? {
        1 => "bilateral",
        2 => "plurilateral",
        3 => "plurilateral and third country",
        4 => "region-region",
        _ => return None,
    };
    Some(format!("DESTA typememb {}: {label}", typememb?))
}

/// The file, parsed before the import's transaction opens ([`super::read`]).
pub(crate) type Read = Result<Parsed<TreatyEntry>, ImportError>;

/// Parses the file.
pub(crate) fn read(input: &Input) -> Read {
    read_first(input, parse)
}

/// Validates and upserts agreements and parties.
pub(crate) async fn import(load: &mut Load<'_>, read: Read) -> Result<(), ImportError> {
    let entries = load.accept(read?)?;
    let resolver = countries(load, Dataset::Desta).await?;

    let mut agreements = Vec::new();
    // Parties by base treaty, then by country: (joined_year, withdrawn_year).
    let mut parties: BTreeMap<String, BTreeMap<i32, Membership>> = BTreeMap::new();
    let mut not_imported: BTreeMap<&str, u64> = BTreeMap::new();
    for entry in entries.iter().filter(|entry| entry.entry_type == "base_treaty") {
        agreements.push(agreement::Model {
            id: 0,
            source_id: load.source_id,
            r#ref: entry.base_treaty.clone(),
            title: entry.name.clone(),
            kind: agreement_kind(entry),
            source_kind: membership_label(entry.typememb),
            status: match (entry.entry_force_year, entry.year) {
                (Some(_), _) => AgreementStatus::InForce,
                (None, Some(_)) => AgreementStatus::Signed,
                (None, None) => AgreementStatus::Unknown,
            },
            signed_year: entry.year,
            signed_on: None,
            in_force_year: entry.entry_force_year,
            in_force_on: None,
            terminated_on: None,
        });
        let members = parties.entry(entry.base_treaty.clone()).or_default();
        for member in &entry.members {
            match resolver.m49(&member.code) {
                Some(country) => {
                    members.insert(country, (None, None));
                }
                None => load.skip(
                    SkipKind::Unmatched,
                    entry.line,
                    "member code matches no country",
                    &format!("member code `{}` matches no country", member.code),
                ),
            }
        }
    }
    for entry in entries.iter().filter(|entry| entry.entry_type == "accession") {
        let Some(members) = parties.get_mut(&entry.base_treaty) else {
            load.skip(
                SkipKind::Error,
                entry.line,
                "accession to a base treaty not in the file",
                &format!("accession to base treaty `{}`, which is not in the file: not imported", entry.base_treaty),
            );
            continue;
        };
        for member in &entry.members {
            match resolver.m49(&member.code) {
                Some(country) => {
                    members.entry(country).or_insert((entry.year.or(entry.entry_force_year), None));
                }
                None => load.skip(
                    SkipKind::Unmatched,
                    entry.line,
                    "member code matches no country",
                    &format!("member code `{}` matches no country", member.code),
                ),
            }
        }
    }
    for entry in entries.iter().filter(|entry| entry.entry_type == "withdrawal") {
        let Some(members) = parties.get_mut(&entry.base_treaty) else {
            load.skip(
                SkipKind::Error,
                entry.line,
                "withdrawal from a base treaty not in the file",
                &format!("withdrawal from base treaty `{}`, which is not in the file: not imported", entry.base_treaty),
            );
            continue;
        };
        for member in entry.members.iter().filter(|member| member.mc.as_deref() == Some("1")) {
            match resolver.m49(&member.code).and_then(|country| members.get_mut(&country)) {
                Some(party) => party.1 = entry.year.or(entry.entry_force_year),
                None => load.skip(
                    SkipKind::Unmatched,
                    entry.line,
                    "withdrawing member is not a party",
                    &format!(
                        "withdrawing member `{}` is not a party of base treaty `{}`",
                        member.code, entry.base_treaty
                    ),
                ),
            }
        }
    }
    for entry in &entries {
        if !matches!(entry.entry_type.as_str(), "base_treaty" | "accession" | "withdrawal") {
            *not_imported.entry(entry.entry_type.as_str()).or_default() += 1;
        }
    }
    for (entry_type, rows) in not_imported {
        let message = format!("{rows} rows of entry_type `{entry_type}` not imported by design");
        load.skip_many(SkipKind::ByDesign, rows, 0, "entry_type not imported", &message);
    }

    let ids = store::agreements(load, agreements).await?;
    let rows = parties
        .into_iter()
        .filter_map(|(reference, members)| ids.get(&reference).map(|id| (*id, members)))
        .flat_map(|(agreement_id, members)| {
            members.into_iter().map(move |(country_id, (joined_year, withdrawn_year))| agreement_party::Model {
                agreement_id,
                country_id,
                joined_year,
                withdrawn_year,
            })
        })
        .collect();
    store::parties(load, ids.values().copied().collect(), rows).await
}

/// Parties by agreement, for tests.
#[cfg(test)]
fn member_codes(entry: &TreatyEntry) -> Vec<&str> {
    entry.members.iter().map(|member| member.code.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> String {
        let mut columns: Vec<String> = [
            "number",
            "base_treaty",
            "name",
            "entry_type",
            "consolidated",
            "year",
            "entryforceyear",
            "language",
            "typememb",
            "regioncon",
            "wto_listed",
            "wto_name",
        ]
        .iter()
        .map(|name| format!("\"{name}\""))
        .collect();
        columns.extend((1..=91).map(|i| format!("\"c{i}\"")));
        columns.extend((1..=91).map(|i| format!("\"mc{i}\"")));
        columns.join(",")
    }

    /// A real row: its first twelve fields, its members and its `mc` values, padded with
    /// the empty fields the file has.
    fn row(head: &[u8], members: &[&str], mc: &[&str]) -> Vec<u8> {
        let mut fields: Vec<u8> = head.to_vec();
        for i in 0..91 {
            fields.push(b',');
            fields.extend_from_slice(members.get(i).unwrap_or(&"").as_bytes());
        }
        for i in 0..91 {
            fields.push(b',');
            fields.extend_from_slice(mc.get(i).unwrap_or(&"").as_bytes());
        }
        fields
    }

    /// Lines 89, 90 and 98 of desta_list_of_treaties_02_02.txt (CRLF, Windows-1252 with
    /// non-breaking spaces 0xA0 in line 98's name).
    fn excerpt() -> Vec<u8> {
        let mut file = header().into_bytes();
        let lines = [
            row(b"\"64\",64,\"Association of Southeast Asian Nations (ASEAN) FTA\",\"base_treaty\",0,1992,1992,\"English\",2,\"Asia\",1,\"ASEAN Free Trade Area (AFTA)\"", &["96", "360", "458", "608", "702", "764"], &["0", "0", "0", "0", "0", "0"]),
            row(b"\"64+1\",64,\"Association of Southeast Asian Nations (ASEAN) FTA Vietnam accession\",\"accession\",0,1995,,\"English\",5,\"Asia\",0,", &["96", "360", "458", "608", "702", "764", "704"], &["2", "2", "2", "2", "2", "2", "1"]),
            row(b"\"1111\",66,\"Association\xa0of\xa0Southeast\xa0Asian\xa0Nations\xa0(ASEAN)\xa0Australia\xa0New\xa0Zealand\xa0FTA\xa0(AANZFTA)\",\"protocol or amendment\",-1,2023,,\"English\",4,\"Intercontinental\",1,", &["96", "116", "360", "418", "458", "104", "608", "702", "764", "704", "36", "554"], &["2", "2", "2", "2", "2", "2", "2", "2", "2", "2", "3", "3"]),
        ];
        for line in lines {
            file.extend_from_slice(b"\r\n");
            file.extend_from_slice(&line);
        }
        file.extend_from_slice(b"\r\n");
        file
    }

    #[test]
    fn parses_windows_1252_crlf_rows() {
        let parsed = parse(&excerpt()).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let [base, accession, protocol] = parsed.records.as_slice() else { panic!() };
        assert_eq!((base.line, accession.line, protocol.line), (2, 3, 4));
        assert_eq!(agreement_kind(base), AgreementKind::RegionalIntegration);
        assert_eq!(member_codes(base), ["96", "360", "458", "608", "702", "764"]);
        assert_eq!(accession.entry_force_year, None);
        assert_eq!(accession.members[6].mc.as_deref(), Some("1"));
        assert_eq!(protocol.name, "Association of Southeast Asian Nations (ASEAN) Australia New Zealand FTA (AANZFTA)");
        assert_eq!(protocol.base_treaty, "66");
    }

    #[test]
    fn a_broken_year_names_line_and_field() {
        let broken = String::from_utf8_lossy(&excerpt()).replace(",0,1995,,", ",0,19x5,,");
        let parsed = parse(broken.as_bytes()).unwrap();
        assert_eq!(
            parsed.errors[0].in_file("desta_list_of_treaties_02_02.txt"),
            "desta_list_of_treaties_02_02.txt line 3, field `year`: `19x5` is not a year"
        );
    }
}
