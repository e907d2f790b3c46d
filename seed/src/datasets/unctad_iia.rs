//! International investment agreements from a scrape of UNCTAD's IIA Navigator.
//!
//! - ref = `treaty_id`; title = `short_title`; kind INVESTMENT for `BITs`,
//!   TREATY_WITH_INVESTMENT_PROVISIONS for `TIPs` (`source_kind` keeps the label);
//! - status: "In force" → IN_FORCE, "Signed (not in force)" → SIGNED, "Terminated" →
//!   TERMINATED; dates of signature, entry into force and termination, with their years;
//! - `parties` is a comma-joined list of UNCTAD names, some with a comma inside ("Korea,
//!   Republic of") or in parentheses ("ACP (African, Caribbean and Pacific Group of
//!   States)"): it is split on commas outside parentheses, then adjacent pieces are joined
//!   longest-first (up to three) when the joined name is a known country name;
//! - groups as parties: "BLEU (Belgium-Luxembourg Economic Union)" is expanded into
//!   Belgium and Luxembourg (the BLEU concludes BITs on behalf of both); every other group
//!   (EU, EFTA, MERCOSUR, ASEAN …) is reported and skipped: its membership at the date of
//!   each treaty is not in the file, and today's membership would be wrong for old treaties.

use crate::Dataset;
use crate::datasets::{countries, first_part};
use crate::error::{FieldError, ImportError, ParseError};
use crate::resolver::CountryResolver;
use crate::run::{Input, Load};
use crate::store;
use crate::table::{CsvTable, Parsed};
use crate::text;
use chrono::{Datelike, NaiveDate};
use entity::{AgreementKind, AgreementStatus, agreement, agreement_party};
use std::collections::BTreeSet;

/// Groups that stand for a fixed set of countries, expanded into them.
pub const EXPANDED_GROUPS: &[(&str, &[&str])] = &[(
    // The Belgium-Luxembourg Economic Union signs BITs for both its members.
    "BLEU (Belgium-Luxembourg Economic Union)",
    &["BEL", "LUX"],
)];

/// One treaty as the file gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TreatyRecord {
    pub line: u64,
    pub treaty_id: String,
    pub short_title: String,
    pub kind: AgreementKind,
    pub source_kind: String,
    pub status: AgreementStatus,
    pub parties: String,
    pub signed_on: Option<NaiveDate>,
    pub in_force_on: Option<NaiveDate>,
    pub terminated_on: Option<NaiveDate>,
}

/// Parses the CSV.
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed<TreatyRecord>, ParseError> {
    let text = text::decode_utf8(bytes)?;
    let table = CsvTable::parse(&text)?;
    let treaty_id = table.column("treaty_id")?;
    let short_title = table.column("short_title")?;
    let kind = table.column("type")?;
    let status = table.column("status")?;
    let parties = table.column("parties")?;
    let signed = table.column("date_of_signature")?;
    let in_force = table.column("date_of_entry_into_force")?;
    let terminated = table.column("termination_date")?;
    let mut parsed = Parsed::new();
    for row in &table.rows {
        parsed.rows_read += 1;
        let record = (|| -> Result<TreatyRecord, FieldError> {
            let label = row.required(kind)?;
            let agreement_kind = match label {
                "BITs" => AgreementKind::Investment,
                "TIPs" => AgreementKind::TreatyWithInvestmentProvisions,
                other => return Err(row.invalid(kind, other, "`BITs` or `TIPs`")),
            };
            let agreement_status = match row.required(status)? {
                "In force" => AgreementStatus::InForce,
                "Signed (not in force)" => AgreementStatus::Signed,
                "Terminated" => AgreementStatus::Terminated,
                other => return Err(row.invalid(status, other, "a known status")),
            };
            Ok(TreatyRecord {
                line: row.line,
                treaty_id: row.required(treaty_id)?.to_owned(),
                short_title: row.required(short_title)?.to_owned(),
                kind: agreement_kind,
                source_kind: label.to_owned(),
                status: agreement_status,
                parties: row.required(parties)?.to_owned(),
                signed_on: row.date(signed)?,
                in_force_on: row.date(in_force)?,
                terminated_on: row.date(terminated)?,
            })
        })();
        match record {
            Ok(record) => parsed.records.push(record),
            Err(error) => parsed.errors.push(error),
        }
    }
    Ok(parsed)
}

/// Splits a party list into names: on commas outside parentheses, then joining adjacent
/// pieces longest-first (three, then two) when `is_known` accepts the joined name.
pub(crate) fn split_parties(parties: &str, is_known: impl Fn(&str) -> bool) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut depth = 0_i32;
    let mut current = String::new();
    for character in parties.chars() {
        match character {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if character == ',' && depth <= 0 {
            pieces.push(std::mem::take(&mut current).trim().to_owned());
        } else {
            current.push(character);
        }
    }
    pieces.push(current.trim().to_owned());
    let mut names = Vec::new();
    let mut index = 0;
    while index < pieces.len() {
        let joined = (2..=3).rev().find_map(|length| {
            let end = index + length;
            (end <= pieces.len())
                .then(|| pieces[index..end].join(", "))
                .filter(|name| is_known(name))
                .map(|name| (name, length))
        });
        let (name, length) = joined.unwrap_or_else(|| (pieces[index].clone(), 1));
        if !name.is_empty() {
            names.push(name);
        }
        index += length;
    }
    names
}

/// The countries a party name stands for, or `None` when it is unmatched.
fn party_countries(name: &str, resolver: &CountryResolver) -> Option<Vec<i32>> {
    if let Some((_, members)) = EXPANDED_GROUPS.iter().find(|(group, _)| *group == name) {
        return members.iter().map(|iso3| resolver.iso3(iso3)).collect();
    }
    resolver.name(name).map(|id| vec![id])
}

/// Validates and upserts agreements and parties.
pub(crate) async fn import(load: &mut Load<'_>, input: &Input) -> Result<(), ImportError> {
    let parsed = parse(first_part(input)).map_err(|error| ImportError::from_parse(&load.file, error))?;
    let records = load.accept(parsed)?;
    let resolver = countries(load, Dataset::UnctadIia).await?;
    let mut agreements = Vec::with_capacity(records.len());
    let mut parties: Vec<(String, BTreeSet<i32>)> = Vec::with_capacity(records.len());
    for record in &records {
        let mut members = BTreeSet::new();
        for name in split_parties(&record.parties, |name| resolver.name(name).is_some()) {
            match party_countries(&name, &resolver) {
                Some(ids) => members.extend(ids),
                None => load.skip(
                    record.line,
                    &format!("party `{name}` matches no country (groups other than the BLEU are not expanded)"),
                ),
            }
        }
        parties.push((record.treaty_id.clone(), members));
        agreements.push(agreement::Model {
            id: 0,
            source_id: load.source_id,
            r#ref: record.treaty_id.clone(),
            title: record.short_title.clone(),
            kind: record.kind,
            source_kind: Some(record.source_kind.clone()),
            status: record.status,
            signed_year: record.signed_on.map(|date| date.year()),
            signed_on: record.signed_on,
            in_force_year: record.in_force_on.map(|date| date.year()),
            in_force_on: record.in_force_on,
            terminated_on: record.terminated_on,
        });
    }
    let ids = store::agreements(load, agreements).await?;
    let rows = parties
        .into_iter()
        .filter_map(|(reference, members)| ids.get(&reference).map(|id| (*id, members)))
        .flat_map(|(agreement_id, members)| {
            members.into_iter().map(move |country_id| agreement_party::Model {
                agreement_id,
                country_id,
                joined_year: None,
                withdrawn_year: None,
            })
        })
        .collect();
    store::parties(load, ids.values().copied().collect(), rows).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real rows of unctad_iia_scrape_bits_raw.csv: a party name with a comma, a list of
    /// fifteen parties, groups in parentheses with a comma inside, and the BLEU.
    const EXCERPT: &str = "treaty_id,short_title,type,status,parties,date_of_signature,date_of_entry_into_force,termination_date,text\n\
10,\"Bahrain - Korea, Republic of BIT (2024)\",BITs,Signed (not in force),\"Bahrain, Korea, Republic of\",2024-12-26,,,\n\
47,ACP - EU Samoa Agreement (2023),TIPs,In force,\"ACP (African, Caribbean and Pacific Group of States), EU (European Union)\",2023-11-15,2024-01-01,,Full text: en\n";

    fn known(name: &str) -> bool {
        ["Bahrain", "Korea, Republic of"].contains(&name)
    }

    #[test]
    fn parses_real_rows() {
        let parsed = parse(EXCERPT.as_bytes()).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let [bit, tip] = parsed.records.as_slice() else { panic!() };
        assert_eq!((bit.kind, bit.status), (AgreementKind::Investment, AgreementStatus::Signed));
        assert_eq!(tip.kind, AgreementKind::TreatyWithInvestmentProvisions);
        assert_eq!(tip.in_force_on, NaiveDate::from_ymd_opt(2024, 1, 1));
    }

    #[test]
    fn names_with_commas_are_matched_longest_first() {
        assert_eq!(split_parties("Bahrain, Korea, Republic of", known), ["Bahrain", "Korea, Republic of"]);
        assert_eq!(
            split_parties("ACP (African, Caribbean and Pacific Group of States), EU (European Union)", known),
            ["ACP (African, Caribbean and Pacific Group of States)", "EU (European Union)"]
        );
        assert_eq!(
            split_parties("BLEU (Belgium-Luxembourg Economic Union), Kazakhstan", known),
            ["BLEU (Belgium-Luxembourg Economic Union)", "Kazakhstan"]
        );
    }

    #[test]
    fn a_bad_status_names_line_and_field() {
        let broken = EXCERPT.replace("TIPs,In force,", "TIPs,In farce,");
        let parsed = parse(broken.as_bytes()).unwrap();
        assert_eq!(parsed.errors[0].in_file("u.csv"), "u.csv line 3, field `status`: `In farce` is not a known status");
    }
}
