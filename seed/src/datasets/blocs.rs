//! Blocs and their members from CountrycodesOrgs.csv (CIA World Factbook memberships).
//!
//! Only the organisations in [`BLOCS`] are imported (groupings of the South, and the groups
//! that UNCTAD's treaty list names as parties, the European Union and EFTA among them), and
//! only rows whose `org_member` is `member` (observers, associates, dialogue partners are
//! not members). Members are matched by `ISO_3166_3` through the resolver; unmatched ones are reported and skipped.
//! The League of Arab States is read from the file's `AL` rows (22 members, with the State
//! of Palestine) rather than its `LAS` rows (21 members, without it).
//!
//! Correction: the file's G-77 lacks the State of Palestine, a member of the Group of 77;
//! it is added with its own source row, `correction-g77-palestine`, as the membership's
//! `source_id`, and noted in the report.
//!
//! Memberships of these blocs that a newer file no longer lists are deleted (and noted).

use crate::datasets::{countries, read_first};
use crate::error::{ImportError, ParseError};
use crate::run::{Input, Load};
use crate::source::{self, G77_PALESTINE};
use crate::sync::upsert;
use crate::table::{CsvTable, LeftOut, Parsed};
use crate::text;
use crate::{Dataset, SkipKind};
use entity::{BlocKind, bloc, bloc_member};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::{HashMap, HashSet};

/// The blocs imported: our code, the file's `org_id`, and the kind.
pub const BLOCS: &[(&str, &str, BlocKind)] = &[
    ("G77", "G-77", BlocKind::NegotiatingGroup),
    ("NAM", "NAM", BlocKind::PoliticalGrouping),
    ("AU", "AU", BlocKind::RegionalOrganization),
    ("ASEAN", "ASEAN", BlocKind::RegionalOrganization),
    ("ECOWAS", "ECOWAS", BlocKind::EconomicCommunity),
    ("SADC", "SADC", BlocKind::EconomicCommunity),
    ("MERCOSUR", "MERCOSUR", BlocKind::EconomicCommunity),
    ("CAN", "CAN", BlocKind::EconomicCommunity),
    ("CARICOM", "CARICOM", BlocKind::EconomicCommunity),
    ("SAARC", "SAARC", BlocKind::RegionalOrganization),
    ("BRICS", "BRICS", BlocKind::PoliticalGrouping),
    ("G15", "G-15", BlocKind::PoliticalGrouping),
    ("G24", "G-24", BlocKind::NegotiatingGroup),
    ("CELAC", "CELAC", BlocKind::RegionalOrganization),
    ("LAS", "AL", BlocKind::RegionalOrganization),
    ("OIC", "OIC", BlocKind::RegionalOrganization),
    ("COMESA", "COMESA", BlocKind::EconomicCommunity),
    ("EAC", "EAC", BlocKind::EconomicCommunity),
    ("IGAD", "IGAD", BlocKind::RegionalOrganization),
    ("SICA", "SICA", BlocKind::RegionalOrganization),
    ("SACU", "SACU", BlocKind::EconomicCommunity),
    ("GCC", "GCC", BlocKind::EconomicCommunity),
    ("AOSIS", "AOSIS", BlocKind::NegotiatingGroup),
    ("D8", "D-8", BlocKind::EconomicCommunity),
    // Groups that UNCTAD's treaty list names as parties in their own right.
    ("EU", "EU", BlocKind::EconomicCommunity),
    ("EFTA", "EFTA", BlocKind::EconomicCommunity),
    ("ACP", "ACP", BlocKind::PoliticalGrouping),
    ("CACM", "CACM", BlocKind::EconomicCommunity),
    ("WAEMU", "WAEMU", BlocKind::EconomicCommunity),
    ("CEMAC", "CEMAC", BlocKind::EconomicCommunity),
    ("CEFTA", "CEFTA", BlocKind::EconomicCommunity),
    ("CEPGL", "CEPGL", BlocKind::EconomicCommunity),
    ("LAIA", "LAIA", BlocKind::EconomicCommunity),
    ("SPARTECA", "SPARTECA", BlocKind::EconomicCommunity),
    ("AMU", "AMU", BlocKind::RegionalOrganization),
    ("EAEU", "EAEU", BlocKind::EconomicCommunity),
    ("ECO", "ECO", BlocKind::RegionalOrganization),
    ("BIMSTEC", "BIMSTEC", BlocKind::RegionalOrganization),
];

/// One membership row of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MembershipRecord {
    pub line: u64,
    pub iso3: String,
    pub country_name: String,
    pub org_id: String,
    pub org_name: String,
}

/// Parses the CSV, keeping `member` rows of the organisations in [`BLOCS`].
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed<MembershipRecord>, ParseError> {
    let text = text::decode_utf8(bytes)?;
    let table = CsvTable::parse(&text)?;
    let iso3 = table.column("ISO_3166_3")?;
    let name = table.column("NAME.EN")?;
    let org_name = table.column("org_name")?;
    let org_id = table.column("org_id")?;
    let member = table.column("org_member")?;
    let wanted: HashSet<&str> = BLOCS.iter().map(|(_, org, _)| *org).collect();
    let mut parsed = Parsed::new();
    let (mut other_organisations, mut not_members) = (0, 0);
    for row in &table.rows {
        parsed.rows_read += 1;
        let org = row.raw(org_id).trim();
        if !wanted.contains(org) {
            other_organisations += 1;
            continue;
        }
        if row.raw(member).trim() != "member" {
            not_members += 1;
            continue;
        }
        match row.required(iso3) {
            Ok(code) => parsed.records.push(MembershipRecord {
                line: row.line,
                iso3: code.to_owned(),
                country_name: row.raw(name).trim().to_owned(),
                org_id: org.to_owned(),
                org_name: row.raw(org_name).trim().to_owned(),
            }),
            Err(error) => parsed.errors.push(error),
        }
    }
    parsed.left_out.extend(
        [
            LeftOut {
                line: 0,
                rows: other_organisations,
                reason: "organisation not imported",
                message: format!(
                    "{other_organisations} rows of organisations that are not among the blocs imported: left out"
                ),
            },
            LeftOut {
                line: 0,
                rows: not_members,
                reason: "observer, associate or partner, not a member",
                message: format!(
                    "{not_members} rows of observers, associates and partners of the blocs, not members: left out"
                ),
            },
        ]
        .into_iter()
        .filter(|left_out| left_out.rows > 0),
    );
    Ok(parsed)
}

/// The file, parsed before the import's transaction opens ([`super::read`]).
pub(crate) type Read = Result<Parsed<MembershipRecord>, ImportError>;

/// Parses the file.
pub(crate) fn read(input: &Input) -> Read {
    read_first(input, parse)
}

/// Validates and upserts blocs and memberships.
pub(crate) async fn import(load: &mut Load<'_>, read: Read) -> Result<(), ImportError> {
    let records = load.accept(read?)?;
    let resolver = countries(load, Dataset::Blocs).await?;

    let names: HashMap<&str, &str> =
        records.iter().map(|record| (record.org_id.as_str(), record.org_name.as_str())).collect();
    let blocs: Vec<bloc::Model> = BLOCS
        .iter()
        .filter_map(|(code, org, kind)| {
            names.get(org).map(|name| bloc::Model {
                id: 0,
                code: (*code).to_owned(),
                name: (*name).to_owned(),
                kind: *kind,
                source_id: load.source_id,
            })
        })
        .collect();
    let codes: Vec<String> = blocs.iter().map(|row| row.code.clone()).collect();
    let existing = bloc::Entity::find().filter(bloc::Column::Code.is_in(codes.clone())).all(load.txn).await?;
    let tally =
        upsert::<bloc::Entity, _, _>(load.txn, existing, blocs, |row| row.code.clone(), Some(bloc::Column::Id)).await?;
    load.count(tally);

    let stored = bloc::Entity::find().filter(bloc::Column::Code.is_in(codes)).all(load.txn).await?;
    let bloc_ids: HashMap<&str, i32> = stored.iter().map(|row| (row.code.as_str(), row.id)).collect();
    let org_to_code: HashMap<&str, &str> = BLOCS.iter().map(|(code, org, _)| (*org, *code)).collect();

    let mut members: HashMap<(i32, i32), bloc_member::Model> = HashMap::new();
    for record in &records {
        let Some(bloc_id) = org_to_code.get(record.org_id.as_str()).and_then(|code| bloc_ids.get(code)) else {
            continue;
        };
        match resolver.iso3(&record.iso3) {
            Some(country_id) => {
                members.insert(
                    (*bloc_id, country_id),
                    bloc_member::Model { bloc_id: *bloc_id, country_id, source_id: load.source_id },
                );
            }
            None => load.skip(
                SkipKind::Error,
                record.line,
                "member matches no country",
                &format!("{} member `{}` ({}) matches no country", record.org_id, record.iso3, record.country_name),
            ),
        }
    }

    // Correction: the State of Palestine in the G-77.
    if let (Some(g77), Some(palestine)) = (bloc_ids.get("G77"), resolver.iso3("PSE"))
        && let std::collections::hash_map::Entry::Vacant(vacant) = members.entry((*g77, palestine))
    {
        let correction = source::upsert_source(
            load.txn,
            &(&G77_PALESTINE).into(),
            &source::sha256_hex(G77_PALESTINE.citation.as_bytes()),
            load.started_at,
        )
        .await?;
        vacant.insert(bloc_member::Model { bloc_id: *g77, country_id: palestine, source_id: correction });
        load.note(0, "G-77 lacks the State of Palestine: added as member by correction `correction-g77-palestine`");
    }

    let bloc_id_list: Vec<i32> = bloc_ids.values().copied().collect();
    let existing =
        bloc_member::Entity::find().filter(bloc_member::Column::BlocId.is_in(bloc_id_list)).all(load.txn).await?;
    let stale: Vec<(i32, i32)> =
        existing.iter().map(|row| (row.bloc_id, row.country_id)).filter(|key| !members.contains_key(key)).collect();
    for (bloc_id, country_id) in &stale {
        bloc_member::Entity::delete_many()
            .filter(bloc_member::Column::BlocId.eq(*bloc_id))
            .filter(bloc_member::Column::CountryId.eq(*country_id))
            .exec(load.txn)
            .await?;
    }
    if !stale.is_empty() {
        load.note(0, &format!("{} memberships no longer in the file were removed", stale.len()));
    }
    let mut rows: Vec<bloc_member::Model> = members.into_values().collect();
    rows.sort_by_key(|row| (row.bloc_id, row.country_id));
    let tally =
        upsert::<bloc_member::Entity, _, _>(load.txn, existing, rows, |row| (row.bloc_id, row.country_id), None)
            .await?;
    load.count(tally);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real rows of CountrycodesOrgs.csv: a G-77 member, a NAM observer, an Arab League
    /// member (org_id `AL`) and an organisation not imported.
    const EXCERPT: &str = "\"ISO_3166_2\",\"ISO_3166_3\",\"NAME.EN\",\"source\",\"org_name\",\"org_id\",\"org_member\"\n\
\"AE\",\"ARE\",\"United Arab Emirates\",\"CIAFactbook\",\"Arab Bank for Economic Development in Africa \",\"ABEDA\",\"member\"\n\
\"AF\",\"AFG\",\"Afghanistan\",\"CIAFactbook\",\"Group of 77 \",\"G-77\",\"member\"\n\
\"AR\",\"ARG\",\"Argentina\",\"CIAFactbook\",\"Nonaligned Movement \",\"NAM\",\"observer\"\n\
\"PS\",\"PSE\",\"Palestine, State of\",\"RESTCountries\",\"Arab League\",\"AL\",\"member\"\n";

    #[test]
    fn keeps_members_of_imported_blocs_only() {
        let parsed = parse(EXCERPT.as_bytes()).unwrap();
        assert_eq!(parsed.rows_read, 4);
        let kept: Vec<_> = parsed.records.iter().map(|r| (r.org_id.as_str(), r.iso3.as_str(), r.line)).collect();
        assert_eq!(kept, [("G-77", "AFG", 3), ("AL", "PSE", 5)]);
        assert_eq!(parsed.records[0].org_name, "Group of 77");
        assert_eq!(parsed.records[1].country_name, "Palestine, State of");
    }
}
