//! The Brazilian Cooperation Agency's (ABC) technical cooperation actions 1999–2010, as
//! AidData republished them, flattened to one row per action and partner with the
//! partner's ISO3 code added (a DERIVED CSV, see `seed/data/README.md`).
//!
//! Flows (natural key: source + ref, `ref` = `<project code>/<partner ISO3>`, or
//! `<project code>/Regionais` for regional actions):
//! - provider Brazil, kind TECHNICAL_ASSISTANCE, `flow_type` = `Ação/Projeto` (the column of
//!   ABC's sheet the rows come from);
//! - recipient: `partner_iso3` through the resolver; the "Regionais" rows have none: no
//!   recipient, `recipient_label` = `Regionais`;
//! - year, `status` (`Concluído`, `Em execução`), title, description = `objective`;
//! - no amounts: this sheet has no budget column (only the 2011 sheet of the workbook, not
//!   imported, has budgets, in reais); no sector: the file has none, and none is guessed
//!   from titles.
//!
//! The same action appears under several partners (one flow each). Rows that repeat an
//! earlier row exactly (same code, partner and text: 246 rows of the file) are skipped and
//! reported; rows that share code and partner but differ in text are kept, the later ones
//! with `#2`, `#3` … after the ref.
//!
//! Experts: an action whose title begins with "Missão" (any case, after opening quotes) is
//! an expert mission. It becomes an expert of kind TEAM (ref `abc-<flow ref>`, name = the
//! title, home country Brazil, no headcount: the file gives none) with one deployment (ref
//! `1`) to the partner (none for regional actions) in the action's year, linked to the flow.
//! Missions that come to Brazil are not Brazilian teams and are left out: partner Brazil,
//! titles with "ao Brasil" or "delegação", and missions of foreign "especialistas" or
//! "técnicos" (the word after is a nationality other than "brasileiros":
//! "Missão de Especialistas Bolivianos …"). The people are never named: no person is made up.

use crate::Dataset;
use crate::datasets::{countries, first_part};
use crate::error::{ImportError, ParseError};
use crate::run::{Input, Load};
use crate::store;
use crate::table::{CsvTable, Parsed};
use crate::text;
use entity::{ExpertKind, FlowKind, deployment, expert};
use std::collections::HashMap;

/// The `flow_type` of every flow.
pub const FLOW_TYPE: &str = "Ação/Projeto";

/// One action row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ActionRecord {
    pub line: u64,
    pub reference: String,
    pub partner: String,
    pub partner_iso3: Option<String>,
    pub status: Option<String>,
    pub title: Option<String>,
    pub objective: Option<String>,
    pub year: Option<i32>,
}

/// Parses the CSV.
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed<ActionRecord>, ParseError> {
    let text = text::decode_utf8(bytes)?;
    let table = CsvTable::parse(&text)?;
    let partner = table.column("partner_country_pt")?;
    let iso3 = table.column("partner_iso3")?;
    let code = table.column("project_code")?;
    let status = table.column("status")?;
    let title = table.column("title")?;
    let objective = table.column("objective")?;
    let year = table.column("year")?;
    let mut parsed = Parsed::new();
    // (code, partner) → the rows seen with it (line, text).
    let mut seen: HashMap<(String, String), Vec<(u64, ActionRecord)>> = HashMap::new();
    for row in &table.rows {
        parsed.rows_read += 1;
        let record = (|| {
            let code = row.required(code)?.to_owned();
            let partner = row.required(partner)?.to_owned();
            let partner_iso3 = row.text(iso3).map(str::to_owned);
            if let Some(bad) =
                partner_iso3.as_deref().filter(|c| c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()))
            {
                return Err(row.invalid(iso3, bad, "an ISO3 code"));
            }
            Ok(ActionRecord {
                line: row.line,
                reference: format!("{code}/{}", partner_iso3.as_deref().unwrap_or(&partner)),
                partner,
                partner_iso3,
                status: row.text(status).map(str::to_owned),
                title: row.text(title).map(str::to_owned),
                objective: row.text(objective).map(str::to_owned),
                year: row.year(year)?,
            })
        })();
        let mut record = match record {
            Ok(record) => record,
            Err(error) => {
                parsed.errors.push(error);
                continue;
            }
        };
        let earlier = seen.entry((record.reference.clone(), record.partner.clone())).or_default();
        if let Some((first, _)) =
            earlier.iter().find(|(_, other)| ActionRecord { line: record.line, ..other.clone() } == record)
        {
            parsed.left_out.push((row.line, format!("repeats line {first} (`{}`)", record.reference)));
            continue;
        }
        let same_key = earlier.len();
        earlier.push((row.line, record.clone()));
        if same_key > 0 {
            record.reference = format!("{}#{}", record.reference, same_key + 1);
        }
        parsed.records.push(record);
    }
    Ok(parsed)
}

/// Whether an action is a mission of Brazilian experts (module docs).
pub(crate) fn is_brazilian_mission(record: &ActionRecord) -> bool {
    let Some(title) = record.title.as_deref() else { return false };
    let title = title.trim_start_matches(|c: char| c.is_whitespace() || "“\"'‘".contains(c)).to_lowercase();
    if !title.starts_with("missão") || record.partner_iso3.as_deref() == Some("BRA") {
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

/// Validates and upserts the flows, then the mission teams and their deployments.
pub(crate) async fn import(load: &mut Load<'_>, input: &Input) -> Result<(), ImportError> {
    let parsed = parse(first_part(input)).map_err(|error| ImportError::from_parse(&load.file, error))?;
    let records = load.accept(parsed)?;
    let resolver = countries(load, Dataset::BrazilAbc).await?;
    let brazil = resolver
        .iso3("BRA")
        .ok_or(ImportError::MissingPrerequisite { dataset: Dataset::BrazilAbc.name(), needs: "the country BRA" })?;
    let mut flows = Vec::with_capacity(records.len());
    let mut missions = Vec::new();
    for record in records {
        let recipient_id = match record.partner_iso3.as_deref() {
            Some(code) => match resolver.iso3(code) {
                Some(id) => Some(id),
                None => {
                    load.skip(record.line, &format!("partner_iso3 `{code}` matches no country: row skipped"));
                    continue;
                }
            },
            None => None,
        };
        let mut row = store::flow_row(load.source_id, record.reference.clone(), brazil, FlowKind::TechnicalAssistance);
        row.recipient_id = recipient_id;
        row.recipient_label = recipient_id.is_none().then(|| record.partner.clone());
        row.year = record.year;
        row.flow_type = Some(FLOW_TYPE.to_owned());
        row.title = record.title.clone();
        row.description = record.objective.clone();
        row.status = record.status.clone();
        flows.push(row);
        if is_brazilian_mission(&record) {
            missions.push((record, recipient_id));
        }
    }
    let flow_ids = store::flows(load, flows).await?;
    let experts = missions
        .into_iter()
        .map(|(record, host)| store::ExpertRows {
            expert: expert::Model {
                id: 0,
                source_id: load.source_id,
                r#ref: format!("abc-{}", record.reference),
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
                flow_id: flow_ids.get(&record.reference).copied(),
                agreement_id: None,
            }],
        })
        .collect();
    store::experts(load, experts).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real rows of brazil_abc_projects_by_country_derived.csv: a mission to Afghanistan, the
    /// same Bahamas action twice (lines 85 and 87 of the file), a title in curly quotes (Cabo
    /// Verde), a regional mission, and a Bolivian mission to Brazil (with non-breaking
    /// spaces in its objective).
    const EXCERPT: &str = "partner_country_pt,partner_iso3,project_code,status,title,objective,year
Afeganistão,AFG,BRA/04/043-A167,Concluído,Missão de Prospecção na Área de Censo Demográfico do Governo da República Islâmica do Afeganistão,Subsidiar o governo afegane com visita de campo para a criação de projetos de cooperação técnica nas áreas de censo demográfico para a realização do censo de 2010.,2009
Bahamas,BHS,BRA/04/043-A054,Em execução,\"Participação de especialistas caribenhos no Workshop sobre Previsão Climática, Análise de Imagens Recebidas por Satélite e Política de Livre Acesso a Dados Científicos\",\"Transferir para Governos e Associações Regionais do Caribe conhecimentos e técnicas brasileiras na área de previsão climática, análise de imagens recebidas por satélite e política de livre acesso a dados científicos.\",2007
Bahamas,BHS,BRA/04/043-A054,Em execução,\"Participação de especialistas caribenhos no Workshop sobre Previsão Climática, Análise de Imagens Recebidas por Satélite e Política de Livre Acesso a Dados Científicos\",\"Transferir para Governos e Associações Regionais do Caribe conhecimentos e técnicas brasileiras na área de previsão climática, análise de imagens recebidas por satélite e política de livre acesso a dados científicos.\",2007
Cabo Verde,CPV,BRA/04/043-A253,Concluído,“Missão de Acompanhamento à Formação de Coordenadores de Cursos de Educação Especial a Distância em Cabo Verde.”,Subsidiar o governo de Cabo verde com acompanhamento de formação de coordenadores de cursos a distância.,2009
Regionais,,BRA/04/044-A221,Concluído,Missão de Prospecção de Atividades de Cooperação Técnica com o Governo Palestino,Realizar prospecção para a elaboração de atividades de cooperação com o Governo da Autoridade Nacional Palestina.,2008
Bolívia,BOL,BRA/04/044-A060,Concluído,Missão de Especialistas Bolivianos para detalhamento de projetos de Cooperação Técnica sobre experiências Brasileiras do Sistema Único de Saúde.,\"Apresentar aos técnicos bolivianos o funcionamento in loco do Sistema Único de Saúde (SUS), do Brasil, assim como os programas\u{a0} de Saúde Familiar e Comunitária do Ministério da Saúde, com vistas a elaborar projeto de cooperação técnica\u{a0} sobre o tema.\",2006
";

    #[test]
    fn parses_repeats_regional_rows_and_missions() {
        let parsed = parse(EXCERPT.as_bytes()).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.rows_read, 6);
        assert_eq!(parsed.left_out, [(4, "repeats line 3 (`BRA/04/043-A054/BHS`)".to_owned())]);
        let [afghanistan, bahamas, cape_verde, regional, bolivians] = parsed.records.as_slice() else { panic!() };
        assert_eq!(afghanistan.reference, "BRA/04/043-A167/AFG");
        assert_eq!(regional.reference, "BRA/04/044-A221/Regionais");
        assert_eq!(regional.partner_iso3, None);
        assert!(is_brazilian_mission(afghanistan));
        assert!(!is_brazilian_mission(bahamas));
        assert!(is_brazilian_mission(cape_verde));
        assert!(is_brazilian_mission(regional));
        assert!(!is_brazilian_mission(bolivians));
    }
}
