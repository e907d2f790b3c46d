//! Integration tests of the World Bank CLASS, AidData TUFF, Brazil ABC, IATI, Yotov trade and
//! expert roster loaders, with figures computed independently from the bundled files.

#![allow(clippy::unwrap_used)]

mod common;

use common::{bundled_bytes, data_counts};
use entity::*;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use seed::{Dataset, ImportOptions, NoProgress, import_bundled_dataset, import_file};

async fn import(db: &DatabaseConnection, dataset: Dataset) -> seed::RunReport {
    import_bundled_dataset(db, dataset, &ImportOptions::default(), &NoProgress).await.unwrap()
}

async fn country(db: &DatabaseConnection, iso3: &str) -> country::Model {
    country::Entity::find().filter(country::Column::Iso3.eq(iso3)).one(db).await.unwrap().unwrap()
}

async fn source_id(db: &DatabaseConnection, key: &str) -> i32 {
    source::Entity::find().filter(source::Column::Key.eq(key)).one(db).await.unwrap().unwrap().id
}

async fn flows_of(db: &DatabaseConnection, key: &str) -> Vec<flow::Model> {
    flow::Entity::find().filter(flow::Column::SourceId.eq(source_id(db, key).await)).all(db).await.unwrap()
}

/// The codes of the "Low income" economies of CLASS.xlsx, read with calamine's plain API.
fn low_income_codes() -> Vec<String> {
    use calamine::{Reader, Xlsx};
    let bytes = bundled_bytes("CLASS.xlsx.gz");
    let mut workbook = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = workbook.worksheet_range("List of economies").unwrap();
    range
        .rows()
        .filter(|row| row.get(3).map(|cell| cell.to_string()) == Some("Low income".to_owned()))
        .map(|row| row[1].to_string())
        .collect()
}

async fn wb_class_import(db: &DatabaseConnection) {
    import(db, Dataset::CountryCodes).await;
    let before = country(db, "KEN").await;
    let report = import(db, Dataset::WbClass).await;
    let kenya = country(db, "KEN").await;
    assert_eq!(kenya.wb_region.as_deref(), Some("Sub-Saharan Africa"));
    assert_eq!(kenya.income_group.as_deref(), Some("Lower middle income"));
    assert_eq!(kenya.lending_category.as_deref(), Some("Blend"));
    // Nothing else of the row changed.
    let restored = country::Model { wb_region: None, income_group: None, lending_category: None, ..kenya.clone() };
    assert_eq!(restored, before);

    let mut matching = 0;
    for code in low_income_codes() {
        if country::Entity::find().filter(country::Column::Iso3.eq(code.as_str())).count(db).await.unwrap() == 1 {
            matching += 1;
        }
    }
    let stored = country::Entity::find().filter(country::Column::IncomeGroup.eq("Low income")).count(db).await.unwrap();
    assert_eq!(stored, matching);
    assert!(stored > 20);
    assert!(report.messages.iter().any(|m| m.contains("`XKX`")), "{:?}", report.messages);
    assert!(report.messages.iter().any(|m| m.contains("`CHI`")), "{:?}", report.messages);

    let again = import(db, Dataset::WbClass).await;
    assert_eq!((again.inserted, again.updated), (0, 0));
    // A re-import of country-codes keeps the World Bank columns.
    import(db, Dataset::CountryCodes).await;
    assert_eq!(country(db, "KEN").await, kenya);
}
on_both_databases!(wb_class_sqlite, wb_class_postgres, wb_class_import);

/// Classified country-years of the workbook ("Country Analytical History": a code in column
/// A, a class letter under a data year), read with calamine's plain API.
fn workbook_classes() -> Vec<(String, i32, String)> {
    use calamine::{Reader, Xlsx};
    let bytes = bundled_bytes("Historical_income_classification.xlsx.gz");
    let mut workbook = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = workbook.worksheet_range("Country Analytical History").unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|row| row.iter().map(ToString::to_string).collect()).collect();
    let years = rows.iter().find(|row| row[1].trim() == "Data for calendar year :").unwrap().clone();
    let mut classes = Vec::new();
    for row in rows.iter().filter(|row| !row[0].trim().is_empty()) {
        for (column, year) in years.iter().enumerate().skip(2) {
            let (Ok(year), class) = (year.parse::<f64>(), row[column].trim()) else { continue };
            if ["L", "LM", "LM*", "UM", "H"].contains(&class) {
                classes.push((row[0].trim().to_owned(), year as i32, class.to_owned()));
            }
        }
    }
    classes
}

async fn income_history_import(db: &DatabaseConnection) {
    import(db, Dataset::CountryCodes).await;
    let report = import(db, Dataset::WbIncomeHistory).await;
    let classes = workbook_classes();
    let oghist = source_id(db, "wb-oghist-fy2023").await;
    let stored = country_income_group::Entity::find()
        .filter(country_income_group::Column::SourceId.eq(oghist))
        .count(db)
        .await
        .unwrap();
    let unmatched = ["ANT", "CHI", "CSK", "SUN", "XKX", "YUG", "YUGf"];
    let expected = classes.iter().filter(|(code, _, _)| !unmatched.contains(&code.as_str())).count() as u64;
    assert_eq!(stored, expected);
    for code in unmatched {
        assert!(report.messages.iter().any(|m| m.contains(&format!("`{code}`"))), "{code}: {:?}", report.messages);
    }
    // Kenya's class set from 2003 income (FY2005) took effect on 1 July 2004.
    let (_, _, letter) = classes.iter().find(|(code, year, _)| code == "KEN" && *year == 2003).unwrap();
    let kenya = country(db, "KEN").await;
    let class = country_income_group::Entity::find_by_id((kenya.id, 2004)).one(db).await.unwrap().unwrap();
    assert_eq!((letter.as_str(), class.income_group.as_str()), ("L", "Low income"));
    // OWID adds the two years after the workbook's, with its own source.
    let owid = source_id(db, "owid-wb-income-groups-2024").await;
    let later = country_income_group::Entity::find()
        .filter(country_income_group::Column::SourceId.eq(owid))
        .filter(country_income_group::Column::Year.lte(2022))
        .count(db)
        .await
        .unwrap();
    assert_eq!(later, 0);

    let again = import(db, Dataset::WbIncomeHistory).await;
    assert_eq!((again.inserted, again.updated), (0, 0));
}
on_both_databases!(income_history_sqlite, income_history_postgres, income_history_import);

/// The rows of a bundled TUFF file (Windows-1252, CR line endings) as header → value maps.
fn tuff_rows(file: &str) -> Vec<std::collections::HashMap<String, String>> {
    let text: String = bundled_bytes(file).iter().map(|byte| *byte as char).collect::<String>().replace('\r', "\n");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|record| headers.iter().zip(record.unwrap().iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect())
        .collect()
}

async fn tuff_import(db: &DatabaseConnection) {
    import(db, Dataset::CountryCodes).await;
    import(db, Dataset::Sectors).await;
    let qatar = import(db, Dataset::TuffQatar).await;
    let saudi = import(db, Dataset::TuffSaudiArabia).await;
    let qatar_rows = tuff_rows("Qatar_TUFFDonorDataset_Level1_v1.0.csv.gz");
    let saudi_rows = tuff_rows("SaudiArabia_TUFFDonorDataset_Level1_v1.0.csv.gz");
    let unique: std::collections::HashSet<&String> = qatar_rows.iter().map(|row| &row["project_id"]).collect();
    assert_eq!((qatar_rows.len(), unique.len()), (136, 135));
    assert_eq!((qatar.left_out, qatar.skipped), (1, 0), "{:?}", qatar.messages);
    assert_eq!((saudi.left_out, saudi.skipped), (0, 0), "{:?}", saudi.messages);
    let qatar_flows = flows_of(db, "aiddata-tuff-qatar-1.0").await;
    let saudi_flows = flows_of(db, "aiddata-tuff-saudi-arabia-1.0").await;
    assert_eq!((qatar_flows.len(), saudi_flows.len()), (135, saudi_rows.len()));
    assert!(qatar_flows.iter().all(|flow| flow.provider_id == qatar_flows[0].provider_id));
    assert_eq!(saudi_flows[0].provider_id, country(db, "SAU").await.id);

    // Constant 2012 USD from Saudi Arabia to Pakistan ("PAK" or "PAK; PAK"), summed here.
    let expected: f64 = saudi_rows
        .iter()
        .filter(|row| row["recipient_iso3"].split(';').all(|code| code.trim() == "PAK"))
        .filter_map(|row| row["usd_defl"].replace(',', "").trim().parse::<f64>().ok())
        .sum();
    let pakistan = country(db, "PAK").await.id;
    let stored: f64 = saudi_flows
        .iter()
        .filter(|flow| flow.recipient_id == Some(pakistan))
        .filter_map(|flow| flow.amount_usd_constant)
        .sum();
    assert!((stored - expected).abs() < 1.0 && expected > 1e6, "{stored} vs {expected}");
    assert!(
        saudi_flows
            .iter()
            .filter(|flow| flow.amount_usd_constant.is_some())
            .all(|f| f.constant_base_year == Some(2012))
    );
    let with_sector = saudi_flows.iter().filter(|flow| flow.sector_id.is_some()).count();
    assert_eq!(with_sector, saudi_rows.iter().filter(|row| !row["crs_sector_code"].trim().is_empty()).count());

    for dataset in [Dataset::TuffQatar, Dataset::TuffSaudiArabia] {
        let again = import(db, dataset).await;
        assert_eq!((again.inserted, again.updated), (0, 0));
    }
}
on_both_databases!(tuff_sqlite, tuff_postgres, tuff_import);

/// The action rows of ABC's workbook, each with the partner heading above it: rows with a
/// code and a status, under a heading row that holds a name alone.
fn abc_actions() -> Vec<(String, Vec<String>)> {
    use calamine::{Reader, Xlsx};
    let bytes = bundled_bytes("Brazil_2005-2011_raw_data.xlsx.gz");
    let mut workbook = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = workbook.worksheet_range("Dados Básicos de Projetos por P").unwrap();
    let mut partner = String::new();
    let mut actions = Vec::new();
    for row in range.rows() {
        let cells: Vec<String> = row.iter().take(5).map(|cell| cell.to_string().trim().to_owned()).collect();
        match cells.as_slice() {
            [name, rest @ ..] if !name.is_empty() && rest.iter().all(String::is_empty) => partner = name.clone(),
            [code, status, ..] if !code.is_empty() && !status.is_empty() && code != "Ação" && code != "Projeto" => {
                actions.push((partner.clone(), cells.clone()));
            }
            _ => {}
        }
    }
    actions
}

async fn brazil_abc_import(db: &DatabaseConnection) {
    import(db, Dataset::CountryCodes).await;
    let report = import(db, Dataset::BrazilAbc).await;
    let actions = abc_actions();
    assert_eq!(actions.len(), 1354);
    assert_eq!(report.rows_read, 1354);
    let distinct: std::collections::HashSet<&(String, Vec<String>)> = actions.iter().collect();
    let flows = flows_of(db, "aiddata-brazil-abc-2005-2011").await;
    assert_eq!(flows.len(), distinct.len(), "{:?}", report.messages);
    assert_eq!((report.left_out as usize, report.skipped), (actions.len() - distinct.len(), 0));
    assert_eq!(report.rows_imported() as usize, distinct.len());
    assert!(report.messages.iter().all(|m| m.contains("sheet \"Dados Básicos de Projetos por P\" line ")));
    // Codes that do not start with `BRA/` are actions too (the derived CSV dropped them).
    for reference in ["BRA 04/043 S057/HTI", "MERCOSUL - FIDA/Regionais", "BRA04/044 - Diretrizes/CUB"] {
        assert!(flows.iter().any(|flow| flow.r#ref == reference), "{reference}");
    }
    let brazil = country(db, "BRA").await.id;
    assert!(flows.iter().all(|flow| flow.provider_id == brazil && flow.kind == FlowKind::TechnicalAssistance));
    assert!(flows.iter().all(|flow| flow.amount_usd_current.is_none() && flow.sector_id.is_none()));
    let regional = flows.iter().filter(|flow| flow.recipient_id.is_none()).count();
    let regional_rows = distinct.iter().filter(|(partner, _)| partner == "Regionais").count();
    assert_eq!(regional, regional_rows);
    assert!(
        flows
            .iter()
            .filter(|flow| flow.recipient_id.is_none())
            .all(|f| f.recipient_label.as_deref() == Some("Regionais"))
    );

    let afghanistan = flows.iter().find(|flow| flow.r#ref == "BRA/04/043-A167/AFG").unwrap();
    let team = expert::Entity::find()
        .filter(expert::Column::Ref.eq("abc-BRA/04/043-A167/AFG"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((team.kind, team.home_country_id, team.headcount), (ExpertKind::Team, Some(brazil), None));
    let deployment =
        deployment::Entity::find().filter(deployment::Column::ExpertId.eq(team.id)).one(db).await.unwrap().unwrap();
    assert_eq!(deployment.flow_id, Some(afghanistan.id));
    assert_eq!(deployment.host_country_id, Some(country(db, "AFG").await.id));
    assert_eq!(deployment.start_year, Some(2009));
    let teams = expert::Entity::find()
        .filter(expert::Column::SourceId.eq(source_id(db, "aiddata-brazil-abc-2005-2011").await))
        .count(db)
        .await
        .unwrap();
    let missions = distinct
        .iter()
        .filter(|(_, row)| row[2].trim_start_matches(['“', '"']).to_lowercase().starts_with("missão"))
        .count();
    assert!(teams > 250 && teams as usize <= missions, "{teams} of {missions}");

    let again = import(db, Dataset::BrazilAbc).await;
    assert_eq!((again.inserted, again.updated), (0, 0));
}
on_both_databases!(brazil_abc_sqlite, brazil_abc_postgres, brazil_abc_import);

async fn a_bad_tuff_file_changes_nothing(db: &DatabaseConnection) {
    import(db, Dataset::CountryCodes).await;
    import(db, Dataset::TuffSaudiArabia).await;
    let before = data_counts(db).await;
    // The real file (CR line endings) with the year of its third record broken.
    let bytes = bundled_bytes("SaudiArabia_TUFFDonorDataset_Level1_v1.0.csv.gz");
    let mut lines: Vec<Vec<u8>> = bytes.split(|b| *b == b'\r').map(<[u8]>::to_vec).collect();
    let line = String::from_utf8_lossy(&lines[3]).into_owned();
    let year = line.split(',').find(|field| field.len() == 4 && field.starts_with("201")).unwrap().to_owned();
    lines[3] = line.replacen(&format!(",{year},"), ",2O1x,", 1).into_bytes();
    let directory =
        std::env::temp_dir().join(format!("seed-bad-tuff-{}-{:?}", std::process::id(), std::thread::current().id()));
    std::fs::create_dir_all(&directory).unwrap();
    let path = directory.join("SaudiArabia_TUFFDonorDataset_Level1_v1.0.csv");
    std::fs::write(&path, lines.join(&b'\r')).unwrap();
    let error =
        import_file(db, Dataset::TuffSaudiArabia, &path, &ImportOptions::default(), &NoProgress).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "SaudiArabia_TUFFDonorDataset_Level1_v1.0.csv line 4, field `year`: `2O1x` is not a year"
    );
    assert_eq!(data_counts(db).await, before);
    std::fs::remove_dir_all(directory).unwrap();
}
on_both_databases!(bad_tuff_sqlite, bad_tuff_postgres, a_bad_tuff_file_changes_nothing);

async fn yotov_trade_import(db: &DatabaseConnection) {
    import(db, Dataset::CountryCodes).await;
    let before = flow_keys_and_indexes(db).await;
    assert_eq!(before.0, 5, "provider, recipient, sector, agreement, source: {before:?}");
    let report = import(db, Dataset::YotovTrade).await;
    let bytes = bundled_bytes("agtpa_applications.csv.gz");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 99_981);
    let domestic = rows.iter().filter(|row| row[0] == row[1]).count();
    assert!(report.messages.iter().any(|m| m.contains(&format!("{domestic} domestic rows"))), "{:?}", report.messages);
    assert_eq!((report.left_out as usize, report.skipped), (domestic, 0), "{:?}", report.messages);
    let flows = flows_of(db, "yotov-agtpa-2016").await;
    assert_eq!(flows.len(), rows.len() - domestic);
    assert!(flows.iter().all(|flow| flow.kind == FlowKind::Trade));

    // Brazil's exports to China over all years, summed here from the file (millions of USD).
    let expected: f64 = rows
        .iter()
        .filter(|row| &row[0] == "BRA" && &row[1] == "CHN")
        .map(|row| row[3].parse::<f64>().unwrap())
        .sum::<f64>()
        * 1e6;
    let (brazil, china) = (country(db, "BRA").await.id, country(db, "CHN").await.id);
    let stored: f64 = flows
        .iter()
        .filter(|flow| flow.provider_id == brazil && flow.recipient_id == Some(china))
        .filter_map(|flow| flow.amount_usd_current)
        .sum();
    assert!((stored - expected).abs() < 1.0 && expected > 1e9, "{stored} vs {expected}");
    // Romania's old code ROM resolves to ROU.
    let romania = country(db, "ROU").await.id;
    assert!(flows.iter().any(|flow| flow.r#ref == "ROM-ARG-1986" && flow.provider_id == romania));

    let again = import(db, Dataset::YotovTrade).await;
    assert_eq!((again.inserted, again.updated), (0, 0));
    // The first import dropped the flow table's indexes (and on PostgreSQL its foreign keys)
    // to add them back at its end: all are there again, the keys checked.
    assert_eq!(flow_keys_and_indexes(db).await, before);
}

/// The flow table's foreign keys (on PostgreSQL, those checked) and its indexes.
async fn flow_keys_and_indexes(db: &DatabaseConnection) -> (i64, i64) {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT count(*) FILTER (WHERE contype = 'f' AND convalidated) AS keys, \
             (SELECT count(*) FROM pg_indexes WHERE tablename = 'flow') AS indexes \
             FROM pg_constraint WHERE conrelid = 'flow'::regclass"
        }
        _ => {
            "SELECT (SELECT count(DISTINCT id) FROM pragma_foreign_key_list('flow')) AS keys, \
             (SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'flow') AS indexes"
        }
    };
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    (row.try_get("", "keys").unwrap(), row.try_get("", "indexes").unwrap())
}
on_both_databases!(yotov_trade_sqlite, yotov_trade_postgres, yotov_trade_import);

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

async fn import_path(db: &DatabaseConnection, dataset: Dataset, path: &std::path::Path) -> seed::RunReport {
    import_file(db, dataset, path, &ImportOptions::default(), &NoProgress).await.unwrap()
}

async fn expert_roster_import(db: &DatabaseConnection) {
    import(db, Dataset::CountryCodes).await;
    import(db, Dataset::Sectors).await;
    let path = fixture("expert-roster-example.csv");

    // A bad row first: an unknown sector code fails the file and changes nothing.
    let before = data_counts(db).await;
    let directory =
        std::env::temp_dir().join(format!("seed-bad-roster-{}-{:?}", std::process::id(), std::thread::current().id()));
    std::fs::create_dir_all(&directory).unwrap();
    let bad = directory.join("expert-roster-example.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&bad, text.replacen("12220;12230", "12220;99999", 1)).unwrap();
    let error = import_file(db, Dataset::ExpertRoster, &bad, &ImportOptions::default(), &NoProgress).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "expert-roster-example.csv line 3, field `sectors`: `99999` is not a DAC sector code"
    );
    assert_eq!(data_counts(db).await, before);
    std::fs::remove_dir_all(directory).unwrap();

    let report = import_path(db, Dataset::ExpertRoster, &path).await;
    assert_eq!((report.rows_read, report.skipped), (4, 0), "{:?}", report.messages);
    let source = source_id(db, "expert-roster-expert-roster-example").await;
    let experts = expert::Entity::find().filter(expert::Column::SourceId.eq(source)).all(db).await.unwrap();
    assert_eq!(experts.len(), 4);
    let by_ref = |reference: &str| experts.iter().find(|e| e.r#ref == reference).unwrap().clone();
    let one = by_ref("E-1");
    assert_eq!(
        (one.name.as_str(), one.kind, one.home_country_id, one.headcount),
        ("Test Expert One", ExpertKind::Individual, Some(country(db, "KEN").await.id), None)
    );
    let sector_codes = |expert_id: i32| async move {
        let links = expert_sector::Entity::find().filter(expert_sector::Column::ExpertId.eq(expert_id)).all(db).await;
        let mut codes = Vec::new();
        for link in links.unwrap() {
            codes.push(sector::Entity::find_by_id(link.sector_id).one(db).await.unwrap().unwrap().code);
        }
        codes.sort();
        codes
    };
    assert_eq!(sector_codes(one.id).await, ["12220", "12230"]);
    let deployments = |expert_id: i32| async move {
        let mut rows = deployment::Entity::find()
            .filter(deployment::Column::ExpertId.eq(expert_id))
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|d| (d.r#ref, d.host_country_id, d.start_year, d.end_year))
            .collect::<Vec<_>>();
        rows.sort();
        rows
    };
    let (kenya, tanzania) = (country(db, "KEN").await.id, country(db, "TZA").await.id);
    assert_eq!(
        deployments(one.id).await,
        [("1".to_owned(), Some(kenya), Some(2019), Some(2021)), ("2".to_owned(), Some(tanzania), Some(2022), None)]
    );
    let two = by_ref("T-2");
    assert_eq!(
        (two.kind, two.headcount, two.home_country_id),
        (ExpertKind::Team, Some(4), Some(country(db, "BRA").await.id))
    );
    assert_eq!(sector_codes(two.id).await, ["311"]);
    let angola = country(db, "AGO").await.id;
    assert_eq!(deployments(two.id).await[1], ("2".to_owned(), Some(angola), Some(2016), Some(2017)));
    let three = by_ref("I-3");
    assert_eq!((three.kind, three.home_country_id), (ExpertKind::Institution, Some(country(db, "VNM").await.id)));
    assert!(deployments(three.id).await.is_empty() && sector_codes(three.id).await.is_empty());
    let four = by_ref("E-4");
    assert_eq!(deployments(four.id).await, [("1".to_owned(), Some(country(db, "NPL").await.id), None, None)]);

    let again = import_path(db, Dataset::ExpertRoster, &path).await;
    assert_eq!((again.inserted, again.updated), (0, 0));
    search_index_in_step(db, source, &path, &[one.id, two.id, three.id, four.id]).await;
    let not_bundled = import_bundled_dataset(db, Dataset::ExpertRoster, &ImportOptions::default(), &NoProgress).await;
    assert!(not_bundled.is_err());
}
on_both_databases!(expert_roster_sqlite, expert_roster_postgres, expert_roster_import);

/// The search documents of a source: (document id, record id, title terms), by record.
async fn search_documents(db: &DatabaseConnection, source: i32) -> Vec<(i32, i32, String)> {
    let documents = search_document::Entity::find()
        .filter(search_document::Column::SourceId.eq(source))
        .order_by_asc(search_document::Column::NodeId)
        .all(db)
        .await
        .unwrap();
    documents.into_iter().map(|d| (d.id, d.node_id, d.title_terms)).collect()
}

/// The records whose document the database's own full-text index finds for `word`.
async fn indexed(db: &DatabaseConnection, word: &str) -> Vec<i32> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT node_id FROM search_document WHERE vector @@ to_tsquery('simple', $1) ORDER BY node_id"
        }
        _ => {
            "SELECT d.node_id FROM search_index JOIN search_document d ON d.id = search_index.rowid \
              WHERE search_index MATCH ? ORDER BY d.node_id"
        }
    };
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, [word.into()])).await.unwrap();
    rows.iter().map(|row| row.try_get::<i32>("", "node_id").unwrap()).collect()
}

/// Re-imports keep the search index in step, writing only what changed: the roster at
/// `path` (experts `ids`, in file order) is imported again unchanged, then with the first
/// expert renamed and the last one gone.
async fn search_index_in_step(db: &DatabaseConnection, source: i32, path: &std::path::Path, ids: &[i32; 4]) {
    let documents = search_documents(db, source).await;
    // As the English Snowball stemmer reduces them ("institution" is `institut`).
    let names = ["test expert one", "test team two", "test institut three", "test expert four"];
    let mut expected: Vec<(i32, &str)> = ids.iter().copied().zip(names).collect();
    expected.sort();
    assert_eq!(documents.iter().map(|(_, node, title)| (*node, title.as_str())).collect::<Vec<_>>(), expected);
    assert_eq!(indexed(db, "institut").await, [ids[2]]);

    let directory =
        std::env::temp_dir().join(format!("seed-roster-{}-{:?}", std::process::id(), std::thread::current().id()));
    std::fs::create_dir_all(&directory).unwrap();
    let changed = directory.join("expert-roster-example.csv");
    let text = std::fs::read_to_string(path).unwrap();
    let without_four: String =
        text.lines().filter(|line| !line.starts_with("E-4,")).map(|line| format!("{line}\n")).collect();
    std::fs::write(&changed, without_four.replacen("Test Expert One", "Test Surgeons One", 1)).unwrap();
    let report = import_path(db, Dataset::ExpertRoster, &changed).await;
    std::fs::remove_dir_all(directory).unwrap();
    assert_eq!((report.inserted, report.updated), (0, 1), "{:?}", report.messages);

    let after = search_documents(db, source).await;
    let unchanged = |node: i32| documents.iter().find(|d| d.1 == node).unwrap().clone();
    let mut expected = vec![unchanged(ids[1]), unchanged(ids[2])];
    let renamed = after.iter().find(|d| d.1 == ids[0]).unwrap().clone();
    assert_eq!(renamed.2, "test surgeon one", "the new name's terms, stemmed");
    expected.push(renamed);
    expected.sort_by_key(|d| d.1);
    assert_eq!(after, expected, "the unchanged documents are left as they were, the gone one is deleted");
    assert_eq!(indexed(db, "surgeon").await, [ids[0]]);
    assert!(indexed(db, "four").await.is_empty());
    assert_eq!(indexed(db, "institut").await, [ids[2]]);
}

async fn iati_colombia_import(db: &DatabaseConnection) {
    import(db, Dataset::CountryCodes).await;
    import(db, Dataset::Sectors).await;
    let report = import(db, Dataset::IatiActivities).await;
    let text = String::from_utf8(bundled_bytes("iati_2.03_ColombiaAIMS_GeocodedResearchRelease.xml.gz")).unwrap();
    let activities = text.matches("<iati-activity ").count() + text.matches("<iati-activity>").count();
    assert_eq!(activities, 693);
    let flows = flows_of(db, "aiddata-colombia-aims-iati").await;
    assert_eq!(flows.len() + (report.left_out + report.skipped) as usize, activities, "{:?}", report.messages);
    assert_eq!(flows.len() as u64, report.rows_imported());
    assert_eq!(report.rows_read as usize, activities);
    // One message per organisation that is not a country, not one per activity.
    let undp = report.messages.iter().filter(|m| m.contains("`United Nations Development Programme`")).count();
    assert_eq!(undp, 1, "{:?}", report.messages);
    // Donors by name only, with the file's misspellings.
    let provider_count = |iso3: &'static str| {
        let flows = &flows;
        async move {
            let id = country(db, iso3).await.id;
            flows.iter().filter(|flow| flow.provider_id == id).count()
        }
    };
    assert_eq!(provider_count("BRA").await, 15);
    assert_eq!(provider_count("KOR").await, 4);
    assert_eq!(provider_count("GBR").await, 3);
    // COL9 (Korea): its commitment in USD, its DAC 3-digit sector, its actual start year.
    let col9 = flows.iter().find(|flow| flow.r#ref == "US-501c3-522318905-SG-COL9").unwrap();
    assert_eq!(col9.provider_id, country(db, "KOR").await.id);
    assert_eq!(col9.recipient_id, Some(country(db, "COL").await.id));
    assert_eq!(col9.year, Some(2012));
    let block = text.split("<iati-identifier>US-501c3-522318905-SG-COL9<").nth(1).unwrap();
    let block = block.split("</iati-activity>").next().unwrap();
    let value: f64 =
        block.split("<value currency=\"USD\"").nth(1).unwrap().split(['>', '<']).nth(1).unwrap().parse().unwrap();
    assert_eq!(col9.amount_usd_current, Some(value));
    let sector = sector::Entity::find_by_id(col9.sector_id.unwrap()).one(db).await.unwrap().unwrap();
    assert_eq!(sector.code, "113");

    let again = import(db, Dataset::IatiActivities).await;
    assert_eq!((again.inserted, again.updated), (0, 0));
}
on_both_databases!(iati_colombia_sqlite, iati_colombia_postgres, iati_colombia_import);

async fn iati_standard_example_import(db: &DatabaseConnection) {
    import(db, Dataset::CountryCodes).await;
    import(db, Dataset::Sectors).await;
    let path = fixture("activity-standard-example-annotated-2.03.xml");
    let before = data_counts(db).await;
    let report = import_path(db, Dataset::IatiActivities, &path).await;
    // Its one activity is funded by "Name of Agency B" (ref BB-BBB-123456789): no country.
    assert_eq!((report.rows_read, report.inserted, report.left_out), (1, 0, 1), "{:?}", report.messages);
    assert!(report.messages.iter().any(|m| m.contains("`Name of Agency B` is not a country")), "{:?}", report.messages);
    assert_eq!(data_counts(db).await, before);
    let source = source::Entity::find()
        .filter(source::Column::Key.eq("iati-activity-standard-example-annotated-2.03"))
        .one(db)
        .await
        .unwrap();
    assert!(source.is_some());

    // The same activity funded by a country (ref `GB`) imports, a grant with no USD amount.
    let directory =
        std::env::temp_dir().join(format!("seed-iati-{}-{:?}", std::process::id(), std::thread::current().id()));
    std::fs::create_dir_all(&directory).unwrap();
    let changed = directory.join("activity-from-a-country.xml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&changed, text.replacen("ref=\"BB-BBB-123456789\" role=\"1\"", "ref=\"GB\" role=\"1\"", 1)).unwrap();
    let report = import_path(db, Dataset::IatiActivities, &changed).await;
    let flows = flows_of(db, "iati-activity-from-a-country").await;
    let [flow] = flows.as_slice() else { panic!("{flows:?}") };
    // The flow and its codes, as the file gives them (DAC vocabulary for the aid type).
    let codes: Vec<(String, String)> = flow_code::Entity::find()
        .filter(flow_code::Column::FlowId.eq(flow.id))
        .order_by_asc(flow_code::Column::List)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|code| (code.list, code.code))
        .collect();
    let expected = [
        ("ActivityStatus", "2"),
        ("AidType", "A01"),
        ("CollaborationType", "1"),
        ("FinanceType", "110"),
        ("FlowType", "10"),
        ("TiedStatus", "3"),
    ]
    .map(|(list, code)| (list.to_owned(), code.to_owned()));
    assert_eq!(codes, expected);
    assert_eq!((report.inserted, report.skipped), (1 + expected.len() as u64, 0), "{:?}", report.messages);
    assert_eq!(flow.provider_id, country(db, "GBR").await.id);
    assert_eq!(
        (flow.kind, flow.recipient_id, flow.recipient_label.as_deref()),
        (FlowKind::Grant, None, Some("AF; AG"))
    );
    assert_eq!((flow.year, flow.amount_usd_current), (Some(2012), None));
    std::fs::remove_dir_all(directory).unwrap();
}
on_both_databases!(iati_example_sqlite, iati_example_postgres, iati_standard_example_import);

async fn iati_codelists_import(db: &DatabaseConnection) {
    let report = import(db, Dataset::IatiCodelists).await;
    for list in
        ["FlowType", "AidType", "FinanceType", "CollaborationType", "TiedStatus", "ActivityStatus", "TransactionType"]
    {
        let text = String::from_utf8(bundled_bytes(&format!("{list}.xml.gz"))).unwrap();
        let items = (text.matches("<codelist-item ").count() + text.matches("<codelist-item>").count()) as u64;
        let withdrawn = text.matches("<codelist-item status=\"withdrawn\"").count() as u64;
        let stored =
            code_list_item::Entity::find().filter(code_list_item::Column::List.eq(list)).all(db).await.unwrap();
        assert_eq!(stored.len() as u64, items, "{list}");
        assert_eq!(stored.iter().filter(|item| item.withdrawn).count() as u64, withdrawn, "{list}");
    }
    let a01 =
        code_list_item::Entity::find_by_id(("AidType".to_owned(), "A01".to_owned())).one(db).await.unwrap().unwrap();
    assert_eq!(a01.name, "General budget support");
    assert_eq!((report.skipped, report.left_out), (0, 0), "{:?}", report.messages);
    let again = import(db, Dataset::IatiCodelists).await;
    assert_eq!((again.inserted, again.updated), (0, 0));
}
on_both_databases!(iati_codelists_sqlite, iati_codelists_postgres, iati_codelists_import);

/// The `project_id`s of China's Public Diplomacy's finance projects, read with calamine.
fn pubdip_project_ids() -> Vec<String> {
    use calamine::{Reader, Xlsx};
    let bytes = bundled_bytes("ChineseFinancialPublicDiplomacyProjectDetails.xlsx.gz");
    let mut workbook = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = workbook.worksheet_range("Data").unwrap();
    range.rows().skip(1).map(|row| row[0].to_string()).collect()
}

/// China's Public Diplomacy imported before GCOF: GCOF's import marks the repeats, and a
/// second import of either changes nothing; the totals of official finance follow each
/// import, and the price series imported last.
async fn china_pubdip_then_gcof(db: &DatabaseConnection) {
    import(db, Dataset::CountryCodes).await;
    let first = import(db, Dataset::ChinaPublicDiplomacy).await;
    assert!(first.messages.iter().any(|m| m.contains("GCOF is not imported yet")), "{:?}", first.messages);
    assert_eq!(flow_repeat::Entity::find().count(db).await.unwrap(), 0);
    totals_in_step(db).await;
    let projects = pubdip_project_ids();
    assert_eq!(flows_of(db, "aiddata-china-pubdip-1.0").await.len(), projects.len());

    import(db, Dataset::Gcof).await;
    let text = String::from_utf8(bundled_bytes("GlobalChineseOfficialFinanceDataset_v1.0.no-contacts.csv.gz")).unwrap();
    let gcof: std::collections::HashSet<String> =
        csv::Reader::from_reader(text.as_bytes()).records().map(|record| record.unwrap()[0].to_owned()).collect();
    let shared = projects.iter().filter(|id| gcof.contains(*id)).count() as u64;
    assert!(shared > 300, "{shared}");
    assert_eq!(flow_repeat::Entity::find().count(db).await.unwrap(), shared);
    // GCOF's import made some of Public Diplomacy's flows repeats: their totals went.
    totals_in_step(db).await;

    let again = import(db, Dataset::ChinaPublicDiplomacy).await;
    assert_eq!((again.inserted, again.updated, again.deleted), (0, 0, 0), "{:?}", again.messages);
    assert_eq!(flow_repeat::Entity::find().count(db).await.unwrap(), shared);
    totals_in_step(db).await;
    // The price series, imported after the flows, gives them real amounts.
    import(db, Dataset::UsCpi).await;
    assert!(flows_of(db, "aiddata-gcof-1.0").await.iter().any(|flow| flow.amount_usd_real.is_some()));
    totals_in_step(db).await;
}

/// `flow_total` holds what the stored flows sum to, computed here from them: official
/// finance (every kind but trade), repeats left out, per provider, year, kind, source,
/// base year and research flag.
async fn totals_in_step(db: &DatabaseConnection) {
    type Key = (i32, Option<i32>, String, i32, Option<i32>, Option<bool>);
    let repeats: std::collections::HashSet<i32> =
        flow_repeat::Entity::find().all(db).await.unwrap().into_iter().map(|repeat| repeat.flow_id).collect();
    // Per key: flows, then per amount (current, constant, real) how many have one and their sum.
    let mut expected: std::collections::BTreeMap<Key, (i64, [(i64, f64); 3])> = Default::default();
    for flow in flow::Entity::find().all(db).await.unwrap() {
        if flow.kind == FlowKind::Trade || repeats.contains(&flow.id) {
            continue;
        }
        let kind = sea_orm::ActiveEnum::to_value(&flow.kind);
        let key =
            (flow.provider_id, flow.year, kind, flow.source_id, flow.constant_base_year, flow.recommended_for_research);
        let entry = expected.entry(key).or_default();
        entry.0 += 1;
        for (sums, amount) in
            entry.1.iter_mut().zip([flow.amount_usd_current, flow.amount_usd_constant, flow.amount_usd_real])
        {
            if let Some(amount) = amount {
                sums.0 += 1;
                sums.1 += amount;
            }
        }
    }
    let sql = "SELECT provider_id, year, kind, source_id, constant_base_year, recommended_for_research, \
               n, c_cur, s_cur, c_con, s_con, c_real, s_real FROM flow_total";
    let backend = db.get_database_backend();
    let rows = db.query_all_raw(sea_orm::Statement::from_string(backend, sql)).await.unwrap();
    let mut stored: std::collections::BTreeMap<Key, (i64, [(i64, f64); 3])> = Default::default();
    for row in rows {
        let get = |column: &str| row.try_get::<Option<f64>>("", column).unwrap().unwrap_or(0.0);
        let count = |column: &str| row.try_get::<i64>("", column).unwrap();
        let key = (
            row.try_get("", "provider_id").unwrap(),
            row.try_get("", "year").unwrap(),
            row.try_get("", "kind").unwrap(),
            row.try_get("", "source_id").unwrap(),
            row.try_get("", "constant_base_year").unwrap(),
            row.try_get("", "recommended_for_research").unwrap(),
        );
        let sums = [(count("c_cur"), get("s_cur")), (count("c_con"), get("s_con")), (count("c_real"), get("s_real"))];
        assert!(stored.insert(key, (count("n"), sums)).is_none(), "one row per key");
    }
    assert!(!expected.is_empty());
    let missing: Vec<_> = expected.keys().filter(|key| !stored.contains_key(*key)).collect();
    let extra: Vec<_> = stored.keys().filter(|key| !expected.contains_key(*key)).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing {missing:?}, extra {extra:?}");
    for (key, (flows, sums)) in &expected {
        let (stored_flows, stored_sums) = &stored[key];
        assert_eq!(stored_flows, flows, "{key:?}");
        for ((count, sum), (stored_count, stored_sum)) in sums.iter().zip(stored_sums) {
            assert_eq!(stored_count, count, "{key:?}");
            assert!((stored_sum - sum).abs() <= 1e-9 * sum.abs().max(1.0), "{key:?}: {stored_sum} against {sum}");
        }
    }
}
on_both_databases!(china_pubdip_sqlite, china_pubdip_postgres, china_pubdip_then_gcof);

/// A gzip'd file (as `seed/data/` holds them) imports as its content, under its own name.
async fn a_gzipped_file_imports_as_its_content(db: &DatabaseConnection) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/country-codes-2020-with-developing.csv.gz");
    let report = import_path(db, Dataset::CountryCodes, &path).await;
    let text = String::from_utf8(bundled_bytes("country-codes-2020-with-developing.csv.gz")).unwrap();
    let rows = csv::Reader::from_reader(text.as_bytes()).records().count() as u64;
    assert_eq!(report.rows_read, rows);
    assert!(report.file.ends_with("country-codes-2020-with-developing.csv"), "{}", report.file);
}
on_both_databases!(gzipped_sqlite, gzipped_postgres, a_gzipped_file_imports_as_its_content);

/// A path that cannot be read is named, with what is wrong with it.
async fn an_unreadable_path_says_why(db: &DatabaseConnection) {
    let missing = std::env::temp_dir().join("southgraph-no-such-file.csv");
    let error = import_file(db, Dataset::Desta, &missing, &ImportOptions::default(), &NoProgress).await.unwrap_err();
    assert_eq!(error.to_string(), format!("cannot read {}: it does not exist", missing.display()));
    let directory = std::env::temp_dir();
    let error = import_file(db, Dataset::Desta, &directory, &ImportOptions::default(), &NoProgress).await.unwrap_err();
    assert_eq!(error.to_string(), format!("cannot read {}: it is a directory; give the file", directory.display()));
}
on_both_databases!(unreadable_path_sqlite, unreadable_path_postgres, an_unreadable_path_says_why);
