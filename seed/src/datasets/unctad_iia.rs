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
//!   Belgium and Luxembourg (the BLEU concludes BITs on behalf of both), and "Channel
//!   Islands (Guernsey, Jersey)" into the two; every other group that a bloc stands for
//!   ([`BLOC_PARTIES`]: the European Union, EFTA, MERCOSUR, ASEAN …) is kept as a party in
//!   its own right, linked to its `bloc` (`agreement_bloc_party`), never expanded into
//!   today's members, which would be wrong for old treaties;
//! - a name that no country and no bloc resolves is reported, and so is every treaty left
//!   with fewer than two parties, with the reason.

use crate::datasets::{countries, read_first};
use crate::error::{FieldError, ImportError, ParseError};
use crate::resolver::CountryResolver;
use crate::run::{Input, Load};
use crate::store;
use crate::table::{CsvTable, Parsed};
use crate::text;
use crate::{Dataset, SkipKind};
use chrono::{Datelike, NaiveDate};
use entity::{AgreementKind, AgreementStatus, agreement, agreement_bloc_party, agreement_party, bloc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::{BTreeSet, HashMap};

/// Groups that stand for a fixed set of countries, expanded into them.
pub const EXPANDED_GROUPS: &[(&str, &[&str])] = &[
    // The Belgium-Luxembourg Economic Union signs BITs for both its members.
    ("BLEU (Belgium-Luxembourg Economic Union)", &["BEL", "LUX"]),
    ("Channel Islands (Guernsey, Jersey)", &["GGY", "JEY"]),
];

/// Groups that UNCTAD names as parties, and the code of the bloc each is. UNCTAD's
/// abbreviation differs from the bloc's code for the Andean Community (ANCOM), the Arab
/// Maghreb Union (UMA) and the South Asian Free Trade Area, the free trade area of the
/// SAARC's members; "OIC Investment Agreement members" are the Organisation of Islamic
/// Cooperation's states that signed its investment agreement.
pub const BLOC_PARTIES: &[(&str, &str)] = &[
    ("EU (European Union)", "EU"),
    ("European Union", "EU"),
    ("League of Arab States", "LAS"),
    ("Eurasian Economic Union", "EAEU"),
    ("OIC Investment Agreement members", "OIC"),
    ("EFTA (European Free Trade Association)", "EFTA"),
    ("MERCOSUR (Mercado Común Sudamericano)", "MERCOSUR"),
    ("ASEAN (Association of South-East Asian Nations)", "ASEAN"),
    ("CARICOM (Caribbean Community)", "CARICOM"),
    ("GCC (Gulf Cooperation Council)", "GCC"),
    ("ECOWAS (Economic Community of West African States)", "ECOWAS"),
    ("CACM (Central American Common Market)", "CACM"),
    ("ANCOM (Andean Community)", "CAN"),
    ("AU (African Union)", "AU"),
    ("SACU (Southern African Customs Union)", "SACU"),
    ("COMESA (Common Market for Eastern and Southern Africa)", "COMESA"),
    ("ACP (African, Caribbean and Pacific Group of States)", "ACP"),
    ("EAC (East African Community)", "EAC"),
    ("SADC (Southern African Development Community)", "SADC"),
    ("WAEMU (West African Economic and Monetary Union)", "WAEMU"),
    ("CEMAC (Economic and Monetary Community of Central Africa)", "CEMAC"),
    ("CEFTA (Central European Free Trade Agreement)", "CEFTA"),
    ("ECO (Economic Cooperation Organization)", "ECO"),
    ("BIMSTEC (Bay of Bengal Initiative for Multi-Sectoral Technical and Economic Cooperation)", "BIMSTEC"),
    ("SAFTA (South Asian Free Trade Area Accord)", "SAARC"),
    ("UMA (Arab Maghreb Union)", "AMU"),
    ("CEPGL (Economic Community of the Great Lakes Countries)", "CEPGL"),
    ("LAIA (Latin American Integration Association)", "LAIA"),
    ("SPARTECA (South Pacific Regional Trade and Economic Cooperation Agreement)", "SPARTECA"),
];

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

/// What a party name stands for.
#[derive(Debug, PartialEq, Eq)]
enum Party {
    /// One country, or the countries of a group that is expanded.
    Countries(Vec<i32>),
    /// A bloc, a party in its own right.
    Bloc(i32),
}

/// Resolves a party name, or `None` when no country and no bloc matches it.
fn party(name: &str, resolver: &CountryResolver, blocs: &HashMap<&str, i32>) -> Option<Party> {
    if let Some((_, members)) = EXPANDED_GROUPS.iter().find(|(group, _)| *group == name) {
        return members.iter().map(|iso3| resolver.iso3(iso3)).collect::<Option<_>>().map(Party::Countries);
    }
    if let Some((_, code)) = BLOC_PARTIES.iter().find(|(group, _)| *group == name) {
        return blocs.get(code).map(|id| Party::Bloc(*id));
    }
    resolver.name(name).map(|id| Party::Countries(vec![id]))
}

/// The ids of the blocs of [`BLOC_PARTIES`], failing when no bloc has been imported yet.
async fn bloc_ids(load: &Load<'_>) -> Result<HashMap<&'static str, i32>, ImportError> {
    let codes = BLOC_PARTIES.iter().map(|(_, code)| *code);
    let stored = bloc::Entity::find().filter(bloc::Column::Code.is_in(codes)).all(load.txn).await?;
    if stored.is_empty() {
        return Err(ImportError::MissingPrerequisite {
            dataset: Dataset::UnctadIia.name(),
            needs: Dataset::Blocs.name(),
        });
    }
    let ids: HashMap<&str, i32> = stored.iter().map(|row| (row.code.as_str(), row.id)).collect();
    Ok(BLOC_PARTIES.iter().filter_map(|(_, code)| ids.get(code).map(|id| (*code, *id))).collect())
}

/// The parties of one treaty.
#[derive(Default)]
struct Parties {
    countries: BTreeSet<i32>,
    blocs: BTreeSet<i32>,
    unmatched: Vec<String>,
}

impl Parties {
    /// Why a treaty has fewer than two parties, or `None` when it has two or more.
    fn shortfall(&self, listed: &str) -> Option<String> {
        let count = self.countries.len() + self.blocs.len();
        let listed = listed.trim();
        let unmatched: Vec<String> = self.unmatched.iter().map(|name| format!("`{name}`")).collect();
        let parties = if count == 0 { "no party" } else { "one party" };
        match (count, unmatched.is_empty()) {
            (2.., _) => None,
            (_, false) => Some(format!("has {parties}: {} matches no country or bloc", unmatched.join(", "))),
            (0, true) => Some("has no party: the file lists none".to_owned()),
            (_, true) if self.blocs.len() == 1 => {
                Some(format!("has one party, the bloc `{listed}`: an agreement among its members"))
            }
            (_, true) => Some(format!("has one party: the file lists only `{listed}`")),
        }
    }
}

/// The file, parsed before the import's transaction opens ([`super::read`]).
pub(crate) type Read = Result<Parsed<TreatyRecord>, ImportError>;

/// Parses the file.
pub(crate) fn read(input: &Input) -> Read {
    read_first(input, parse)
}

/// Validates and upserts agreements and their parties, countries and blocs.
pub(crate) async fn import(load: &mut Load<'_>, read: Read) -> Result<(), ImportError> {
    let records = load.accept(read?)?;
    let resolver = countries(load, Dataset::UnctadIia).await?;
    let blocs = bloc_ids(load).await?;
    let mut agreements = Vec::with_capacity(records.len());
    let mut parties: Vec<(String, Parties)> = Vec::with_capacity(records.len());
    for record in &records {
        let mut found = Parties::default();
        for name in split_parties(&record.parties, |name| resolver.name(name).is_some()) {
            match party(&name, &resolver, &blocs) {
                Some(Party::Countries(ids)) => found.countries.extend(ids),
                Some(Party::Bloc(id)) => {
                    found.blocs.insert(id);
                }
                None => {
                    load.skip(
                        SkipKind::Unmatched,
                        record.line,
                        "party matches no country or bloc",
                        &format!("party `{name}` matches no country or bloc"),
                    );
                    found.unmatched.push(name);
                }
            }
        }
        if let Some(why) = found.shortfall(&record.parties) {
            load.note(record.line, &format!("treaty {} ({}) {why}", record.treaty_id, record.short_title));
        }
        parties.push((record.treaty_id.clone(), found));
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
    let mut country_rows = Vec::new();
    let mut bloc_rows = Vec::new();
    for (reference, found) in parties {
        let Some(&agreement_id) = ids.get(&reference) else { continue };
        country_rows.extend(found.countries.into_iter().map(|country_id| agreement_party::Model {
            agreement_id,
            country_id,
            joined_year: None,
            withdrawn_year: None,
        }));
        bloc_rows.extend(found.blocs.into_iter().map(|bloc_id| agreement_bloc_party::Model { agreement_id, bloc_id }));
    }
    let agreement_ids: Vec<i32> = ids.values().copied().collect();
    store::parties(load, agreement_ids.clone(), country_rows).await?;
    store::bloc_parties(load, agreement_ids, bloc_rows).await
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
