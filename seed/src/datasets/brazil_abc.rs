//! The Brazilian Cooperation Agency's (ABC) technical cooperation actions 1999–2010, from
//! the workbook AidData republished (`Brazil_2005-2011_raw_data.xlsx`, sheet "Dados
//! Básicos de Projetos por P", ABC's SIGAP export).
//!
//! The sheet is a list of blocks, one per partner: a heading row with the partner's name
//! in Portuguese alone in column A ("Afeganistão", "Regionais" for regional actions), a
//! header row ("Ação" or "Projeto", "Situação", "Título", "Objetivo", "Ano"), then one row
//! per action. Every action row is read, whatever its code looks like ("BRA/04/043-A167",
//! "BRA 04/043 S057", "MERCOSUL - FIDA"; surrounding spaces, non-breaking ones too, are
//! trimmed).
//!
//! Flows (natural key: source + ref, `ref` = `<action code>/<partner ISO3>`, or
//! `<action code>/Regionais` for regional actions):
//! - provider Brazil, kind TECHNICAL_ASSISTANCE, `flow_type` = `Ação/Projeto` (the column of
//!   ABC's sheet the rows come from);
//! - recipient: the partner heading, matched by the country tables' Portuguese names or
//!   [`PARTNER_NAMES`]; "Regionais" actions have none: `recipient_label` = `Regionais`;
//! - year, `status` (`Concluído`, `Em execução`), title, description = the objective;
//! - no amounts: this sheet has no budget column (only the 2011 sheet of the workbook, not
//!   imported, has budgets, in reais); no sector: the file has none, and none is guessed
//!   from titles.
//!
//! The same action appears under several partners (one flow each). Rows that repeat an
//! earlier row of the same partner exactly (same code and text) are skipped and reported;
//! rows that share code and partner but differ in text are kept, the later ones with `#2`,
//! `#3` … after the ref.
//!
//! Experts: an action whose title begins with "Missão" (any case, after opening quotes) is
//! an expert mission. It becomes an expert of kind TEAM (ref `abc-<flow ref>`, name = the
//! title, home country Brazil, no headcount: the file gives none) with one deployment (ref
//! `1`) to the partner (none for regional actions) in the action's year, linked to the flow.
//! Missions that come to Brazil are not Brazilian teams and are left out: partner Brazil,
//! titles with "ao Brasil" or "delegação", and missions of foreign "especialistas" or
//! "técnicos" (the word after is a nationality other than "brasileiros":
//! "Missão de Especialistas Bolivianos …"). The people are never named: no person is made up.

use crate::datasets::wb_class::read_sheet;
use crate::datasets::{countries, read_first};
use crate::error::{FieldError, ImportError};
use crate::run::{Input, Load};
use crate::store;
use crate::table::{LeftOut, Parsed, REPEATS};
use crate::{Dataset, SkipKind};
use entity::{ExpertKind, FlowKind, country, deployment, expert};
use sea_orm::{EntityTrait, QuerySelect};
use std::collections::HashMap;

/// The sheet read.
pub const SHEET: &str = "Dados Básicos de Projetos por P";

/// The `flow_type` of every flow.
pub const FLOW_TYPE: &str = "Ação/Projeto";

/// The partner heading of regional actions.
pub const REGIONAL: &str = "Regionais";

/// Partner headings that the country tables' Portuguese names do not match, with the ISO3
/// code of the country each names (old or Brazilian spellings, abbreviations).
pub const PARTNER_NAMES: &[(&str, &str)] = &[
    ("Botsuana", "BWA"),
    ("Casaquistão", "KAZ"),
    ("Etiopia", "ETH"),
    ("Guiana", "GUY"),
    ("Líberia", "LBR"),
    ("Malaui", "MWI"),
    ("Papua-Nova-Guiné", "PNG"),
    ("Quênia", "KEN"),
    ("Rep. Dem. do Congo", "COD"),
    ("Territórios Palestinos", "PSE"),
    ("Trinidad e Tobago", "TTO"),
];

/// One action row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ActionRecord {
    /// The sheet's row.
    pub line: u64,
    pub code: String,
    /// The partner heading the row is under.
    pub partner: String,
    /// 1 for the first row of this code and partner, 2 for the next that differs …
    pub occurrence: usize,
    pub status: Option<String>,
    pub title: Option<String>,
    pub objective: Option<String>,
    pub year: Option<i32>,
}

impl ActionRecord {
    /// The flow's ref, given the ISO3 code of the partner (none for regional actions).
    fn reference(&self, partner_iso3: Option<&str>) -> String {
        let reference = format!("{}/{}", self.code, partner_iso3.unwrap_or(&self.partner));
        if self.occurrence > 1 { format!("{reference}#{}", self.occurrence) } else { reference }
    }
}

/// A cell's text, trimmed (non-breaking spaces too), or none when blank.
fn text(row: &[String], position: usize) -> Option<String> {
    row.get(position).map(|cell| cell.trim()).filter(|cell| !cell.is_empty()).map(str::to_owned)
}

/// Parses the sheet's rows (pure; [`read_sheet`] reads them from the xlsx, row 1 first).
pub(crate) fn parse_rows(rows: &[Vec<String>]) -> Parsed<ActionRecord> {
    let mut parsed = Parsed::new();
    let mut partner: Option<String> = None;
    // (code, partner) → the rows seen with it (line, record).
    let mut seen: HashMap<(String, String), Vec<ActionRecord>> = HashMap::new();
    for (index, row) in rows.iter().enumerate() {
        let line = index as u64 + 1;
        let cells: Vec<Option<String>> = (0..5).map(|position| text(row, position)).collect();
        let Some(first) = cells[0].clone() else { continue };
        if cells[1..].iter().all(Option::is_none) {
            partner = Some(first);
            continue;
        }
        if first == "Ação" || first == "Projeto" {
            continue;
        }
        parsed.rows_read += 1;
        let Some(partner) = partner.clone() else {
            parsed.errors.push(FieldError::new(line, "Ação", format!("`{first}` comes before any partner heading")));
            continue;
        };
        let year = match cells[4].as_deref().map(|year| year.parse::<f64>()) {
            None => None,
            Some(Ok(year)) if year.fract() == 0.0 && (1900.0..=2100.0).contains(&year) => Some(year as i32),
            Some(_) => {
                let value = cells[4].clone().unwrap_or_default();
                parsed.errors.push(FieldError::new(line, "Ano", format!("`{value}` is not a year")));
                continue;
            }
        };
        let mut record = ActionRecord {
            line,
            code: first,
            partner,
            occurrence: 1,
            status: cells[1].clone(),
            title: cells[2].clone(),
            objective: cells[3].clone(),
            year,
        };
        let earlier = seen.entry((record.code.clone(), record.partner.clone())).or_default();
        if let Some(repeated) = earlier
            .iter()
            .find(|other| ActionRecord { line: other.line, occurrence: other.occurrence, ..record.clone() } == **other)
        {
            parsed.left_out.push(LeftOut::row(
                line,
                REPEATS,
                format!("repeats row {} (`{}` for {})", repeated.line, record.code, record.partner),
            ));
            continue;
        }
        record.occurrence = earlier.len() + 1;
        earlier.push(record.clone());
        parsed.records.push(record);
    }
    parsed
}

/// The ISO3 code of a partner heading, none for regional actions; `Err` when unmatched.
fn partner_iso3<'a>(
    partner: &str,
    resolver: &crate::resolver::CountryResolver,
    iso3_of: &'a HashMap<i32, String>,
) -> Result<Option<&'a str>, ()> {
    if partner == REGIONAL {
        return Ok(None);
    }
    let named = PARTNER_NAMES.iter().find(|(name, _)| *name == partner).and_then(|(_, iso3)| resolver.iso3(iso3));
    named.or_else(|| resolver.name(partner)).and_then(|id| iso3_of.get(&id)).map(|iso3| Some(iso3.as_str())).ok_or(())
}

/// Whether an action is a mission of Brazilian experts (module docs).
pub(crate) fn is_brazilian_mission(record: &ActionRecord, partner_iso3: Option<&str>) -> bool {
    let Some(title) = record.title.as_deref() else { return false };
    let title = title.trim_start_matches(|c: char| c.is_whitespace() || "“\"'‘".contains(c)).to_lowercase();
    if !title.starts_with("missão") || partner_iso3 == Some("BRA") {
        return false;
    }
    if title.contains("ao brasil") || title.contains("delegação") {
        return false;
    }
    let words: Vec<&str> =
        title.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|word| !word.is_empty()).collect();
    let foreign = words.windows(2).take(6).any(|pair| {
        ["especialistas", "técnicos", "tecnicos"].contains(&pair[0])
            && pair[1].chars().count() > 4
            && (pair[1].ends_with("os") || pair[1].ends_with("as") || pair[1].ends_with("es"))
            && !pair[1].starts_with("brasileir")
    });
    !foreign
}

/// The workbook's sheet, parsed before the import's transaction opens ([`super::read`]).
pub(crate) type Read = Result<Parsed<ActionRecord>, ImportError>;

/// Reads and parses the workbook's sheet.
pub(crate) fn read(input: &Input) -> Read {
    read_first(input, |bytes| read_sheet(bytes, SHEET)).map(|rows| parse_rows(&rows))
}

/// Validates and upserts the flows, then the mission teams and their deployments.
pub(crate) async fn import(load: &mut Load<'_>, read: Read) -> Result<(), ImportError> {
    let sheet = format!("{} sheet \"{SHEET}\"", load.file);
    let records = load.accept_part(&sheet, read?)?;
    let resolver = countries(load, Dataset::BrazilAbc).await?;
    let brazil = resolver
        .iso3("BRA")
        .ok_or(ImportError::MissingPrerequisite { dataset: Dataset::BrazilAbc.name(), needs: "the country BRA" })?;
    let iso3_of: HashMap<i32, String> = country::Entity::find()
        .select_only()
        .columns([country::Column::Id, country::Column::Iso3])
        .into_tuple()
        .all(load.txn)
        .await?
        .into_iter()
        .collect();
    let mut flows = Vec::with_capacity(records.len());
    let mut missions = Vec::new();
    for record in records {
        let Ok(iso3) = partner_iso3(&record.partner, &resolver, &iso3_of) else {
            let message = format!("partner `{}` matches no country: row skipped", record.partner);
            load.skip_in(SkipKind::Error, &sheet, record.line, "partner matches no country", &message);
            continue;
        };
        let recipient_id = iso3.and_then(|code| resolver.iso3(code));
        let reference = record.reference(iso3);
        let mut row = store::flow_row(load.source_id, reference.clone(), brazil, FlowKind::TechnicalAssistance);
        row.recipient_id = recipient_id;
        row.recipient_label = recipient_id.is_none().then(|| record.partner.clone());
        row.year = record.year;
        row.flow_type = Some(FLOW_TYPE.to_owned());
        row.title = record.title.clone();
        row.description = record.objective.clone();
        row.status = record.status.clone();
        flows.push(row);
        if is_brazilian_mission(&record, iso3) {
            missions.push((reference, record, recipient_id));
        }
    }
    store::flows(load, flows).await?;
    let flow_ids = store::flow_ids(load).await?;
    let experts = missions
        .into_iter()
        .map(|(reference, record, host)| store::ExpertRows {
            expert: expert::Model {
                id: 0,
                source_id: load.source_id,
                r#ref: format!("abc-{reference}"),
                name: record
                    .title
                    .as_deref()
                    .map(|title| title.trim_matches(|c: char| c.is_whitespace() || "“”\"'".contains(c)).to_owned())
                    .unwrap_or_default(),
                kind: ExpertKind::Team,
                home_country_id: Some(brazil),
                headcount: None,
            },
            sector_ids: Vec::new(),
            deployments: vec![deployment::Model {
                id: 0,
                expert_id: 0,
                r#ref: "1".to_owned(),
                host_country_id: host,
                start_year: record.year,
                end_year: None,
                flow_id: flow_ids.get(&reference).copied(),
                agreement_id: None,
            }],
        })
        .collect();
    store::experts(load, experts).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(cells: &[&[&str]]) -> Vec<Vec<String>> {
        cells.iter().map(|row| row.iter().map(|cell| (*cell).to_owned()).collect()).collect()
    }

    /// Real rows of the sheet: Afghanistan's heading and header, a mission, the same Bahamas
    /// action twice, a code that does not start with `BRA/` (Haiti), a regional action, a
    /// code with a leading non-breaking space, and a Bolivian mission to Brazil.
    fn sheet() -> Vec<Vec<String>> {
        rows(&[
            &["Afeganistão", "", "", "", ""],
            &[],
            &["Ação", "Situação", "Título ", "Objetivo ", "Ano"],
            &[
                "BRA/04/043-A167",
                "Concluído",
                "Missão de Prospecção na Área de Censo Demográfico do Governo da República Islâmica do Afeganistão",
                "Subsidiar o governo afegane com visita de campo.",
                "2009",
            ],
            &["Bahamas"],
            &["Ação", "Situação", "Título ", "Objetivo ", "Ano Projeto Sap"],
            &[
                "BRA/04/043-A054",
                "Em execução",
                "Participação de especialistas caribenhos no Workshop sobre Previsão Climática",
                "Transferir conhecimentos.",
                "2007",
            ],
            &[
                "BRA/04/043-A054",
                "Em execução",
                "Participação de especialistas caribenhos no Workshop sobre Previsão Climática",
                "Transferir conhecimentos.\n\n",
                "2007",
            ],
            &["Haiti"],
            &["BRA 04/043 S057", "Em execução", "Cisternas", "Apoiar.", "2008"],
            &["Regionais"],
            &[
                "MERCOSUL - FIDA",
                "Concluído",
                "Missão de Prospecção com o Governo Palestino",
                "Realizar prospecção.",
                "2007",
            ],
            &["\u{a0}BRA/04/044-A221", "Concluído", "Seminário", "", ""],
            &["Bolívia"],
            &[
                "BRA/04/044-A060",
                "Concluído",
                "Missão de Especialistas Bolivianos para detalhamento de projetos",
                "Apresentar o SUS.",
                "2006",
            ],
        ])
    }

    #[test]
    fn reads_every_action_under_its_partner() {
        let parsed = parse_rows(&sheet());
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.rows_read, 7);
        assert_eq!(
            parsed.left_out,
            [LeftOut::row(8, REPEATS, "repeats row 7 (`BRA/04/043-A054` for Bahamas)".to_owned())]
        );
        let [afghanistan, _bahamas, haiti, fida, spaced, bolivians] = parsed.records.as_slice() else { panic!() };
        assert_eq!((afghanistan.line, afghanistan.reference(Some("AFG"))), (4, "BRA/04/043-A167/AFG".to_owned()));
        assert_eq!(haiti.reference(Some("HTI")), "BRA 04/043 S057/HTI");
        assert_eq!((fida.partner.as_str(), fida.reference(None)), (REGIONAL, "MERCOSUL - FIDA/Regionais".to_owned()));
        assert_eq!((spaced.code.as_str(), spaced.year, spaced.objective.as_deref()), ("BRA/04/044-A221", None, None));
        assert!(is_brazilian_mission(afghanistan, Some("AFG")));
        assert!(is_brazilian_mission(fida, None));
        assert!(!is_brazilian_mission(bolivians, Some("BOL")));
    }

    #[test]
    fn a_bad_year_names_row_and_field() {
        let mut sheet = sheet();
        sheet[3][4] = "2009b".to_owned();
        let parsed = parse_rows(&sheet);
        assert_eq!(parsed.errors[0].in_file("abc.xlsx"), "abc.xlsx line 4, field `Ano`: `2009b` is not a year");
    }
}
