//! Integration tests of the blocs, AidData GCOF, DESTA and UNCTAD loaders and of the whole
//! bundle, with figures computed independently from the bundled files.

#![allow(clippy::unwrap_used)]

mod common;

use common::{bundled_bytes, count, data_counts};
use entity::*;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use seed::{Dataset, ImportOptions, NoProgress, import_bundled, import_bundled_dataset, import_file};

async fn import(db: &DatabaseConnection, dataset: Dataset) -> seed::RunReport {
    import_bundled_dataset(db, dataset, &ImportOptions::default(), &NoProgress).await.unwrap()
}

fn csv_rows(file: &str, latin1: bool) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let bytes = bundled_bytes(file);
    let text: String =
        if latin1 { bytes.iter().map(|byte| *byte as char).collect() } else { String::from_utf8(bytes).unwrap() };
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let rows = reader.records().map(Result::unwrap).collect();
    (headers, rows)
}

fn column(headers: &csv::StringRecord, name: &str) -> usize {
    headers.iter().position(|h| h == name).unwrap()
}

async fn country_id(db: &DatabaseConnection, iso3: &str) -> i32 {
    country::Entity::find().filter(country::Column::Iso3.eq(iso3)).one(db).await.unwrap().unwrap().id
}

async fn blocs_import(db: &DatabaseConnection) {
    import(db, Dataset::CountryCodes).await;
    let report = import(db, Dataset::Blocs).await;
    let (headers, rows) = csv_rows("CountrycodesOrgs.csv.gz", false);
    let (org, member) = (column(&headers, "org_id"), column(&headers, "org_member"));
    let g77_in_file = rows.iter().filter(|row| &row[org] == "G-77" && &row[member] == "member").count() as u64;
    let g77 = bloc::Entity::find().filter(bloc::Column::Code.eq("G77")).one(db).await.unwrap().unwrap();
    assert_eq!(g77.kind, BlocKind::NegotiatingGroup);
    let members = bloc_member::Entity::find().filter(bloc_member::Column::BlocId.eq(g77.id)).all(db).await.unwrap();
    // The file's members (all matched) plus the State of Palestine by correction.
    assert_eq!(members.len() as u64, g77_in_file + 1);
    let palestine = country_id(db, "PSE").await;
    let correction = members.iter().find(|m| m.country_id == palestine).unwrap();
    assert_ne!(correction.source_id, g77.source_id);
    assert!(report.messages.iter().any(|m| m.contains("correction-g77-palestine")));
    for code in [
        "NAM", "AU", "ASEAN", "ECOWAS", "SADC", "MERCOSUR", "CAN", "CARICOM", "SAARC", "BRICS", "G15", "G24", "CELAC",
        "LAS", "OIC",
    ] {
        let bloc = bloc::Entity::find()
            .filter(bloc::Column::Code.eq(code))
            .one(db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{code}"));
        let members =
            bloc_member::Entity::find().filter(bloc_member::Column::BlocId.eq(bloc.id)).count(db).await.unwrap();
        assert!(members >= 4, "{code}: {members}");
    }
    // Rows of other organisations and of observers are left out by design, and counted.
    let not_members = rows.iter().filter(|row| &row[member] != "member").count() as u64;
    let observers = report.reasons.iter().find(|r| r.reason == "observer, associate or partner, not a member").unwrap();
    let other_organisations = report.reasons.iter().find(|r| r.reason == "organisation not imported").unwrap();
    assert!(observers.count <= not_members && other_organisations.count > 9000, "{:?}", report.reasons);
    assert_eq!(report.left_out, observers.count + other_organisations.count);
    assert_eq!(report.rows_imported() + report.left_out + report.skipped, rows.len() as u64);
    let again = import(db, Dataset::Blocs).await;
    assert_eq!((again.inserted, again.updated), (0, 0));
}
on_both_databases!(blocs_sqlite, blocs_postgres, blocs_import);

async fn gcof_import(db: &DatabaseConnection) {
    import(db, Dataset::CountryCodes).await;
    import(db, Dataset::Sectors).await;
    let report = import(db, Dataset::Gcof).await;
    let (headers, rows) = csv_rows("GlobalChineseOfficialFinanceDataset_v1.0.no-contacts.csv.gz", false);
    assert_eq!(rows.len(), 5466);
    assert_eq!(count::<flow::Entity>(db).await, 5466, "{:?}", report.messages);
    assert_eq!(report.skipped, 0, "{:?}", report.messages);

    // Total constant 2014 USD to Angola, summed here from the CSV.
    let (iso3, constant) = (column(&headers, "recipient_iso3"), column(&headers, "usd_defl_2014"));
    let expected: f64 =
        rows.iter().filter(|row| &row[iso3] == "AGO").filter_map(|row| row[constant].trim().parse::<f64>().ok()).sum();
    let angola = country_id(db, "AGO").await;
    let amounts: Vec<Option<f64>> = flow::Entity::find()
        .select_only()
        .column(flow::Column::AmountUsdConstant)
        .filter(flow::Column::RecipientId.eq(angola))
        .into_tuple()
        .all(db)
        .await
        .unwrap();
    let stored: f64 = amounts.into_iter().flatten().sum();
    assert!((stored - expected).abs() < 1.0, "{stored} vs {expected}");
    assert!(expected > 1e9);

    let flow_1 = flow::Entity::find().filter(flow::Column::Ref.eq("1")).one(db).await.unwrap().unwrap();
    assert_eq!(flow_1.kind, FlowKind::TechnicalAssistance);
    assert_eq!(flow_1.amount_usd_constant, None);
    assert_eq!(flow_1.provider_id, country_id(db, "CHN").await);
    let team = expert::Entity::find().filter(expert::Column::Ref.eq("gcof-1")).one(db).await.unwrap().unwrap();
    assert_eq!(team.kind, ExpertKind::Team);
    assert_eq!(team.headcount, Some(27));
    let deployment =
        deployment::Entity::find().filter(deployment::Column::ExpertId.eq(team.id)).one(db).await.unwrap().unwrap();
    assert_eq!(deployment.flow_id, Some(flow_1.id));
    assert_eq!(deployment.host_country_id, Some(country_id(db, "MRT").await));
    assert_eq!(deployment.start_year, Some(2010));
    let regional = flow::Entity::find().filter(flow::Column::RecipientId.is_null()).count(db).await.unwrap();
    assert!(regional > 0);

    let again = import(db, Dataset::Gcof).await;
    assert_eq!((again.inserted, again.updated), (0, 0));
}
on_both_databases!(gcof_sqlite, gcof_postgres, gcof_import);

async fn desta_import(db: &DatabaseConnection) {
    import(db, Dataset::CountryCodes).await;
    let report = import(db, Dataset::Desta).await;
    let (headers, rows) = csv_rows("desta_list_of_treaties_02_02.txt.gz", true);
    let entry_type = column(&headers, "entry_type");
    let base = rows.iter().filter(|row| &row[entry_type] == "base_treaty").count() as u64;
    assert_eq!(base, 877);
    let stored = agreement::Entity::find()
        .filter(agreement::Column::SourceId.eq(source_id(db, "desta-2.02").await))
        .count(db)
        .await
        .unwrap();
    assert_eq!(stored, base);
    assert!(report.messages.iter().any(|m| m.contains("`900`")), "Kosovo is reported");
    // ASEAN FTA (64): six founders, Viet Nam acceded in 1995.
    let asean = agreement::Entity::find().filter(agreement::Column::Ref.eq("64")).one(db).await.unwrap().unwrap();
    assert_eq!(asean.kind, AgreementKind::RegionalIntegration);
    let viet_nam = agreement_party::Entity::find()
        .filter(agreement_party::Column::AgreementId.eq(asean.id))
        .filter(agreement_party::Column::CountryId.eq(country_id(db, "VNM").await))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(viet_nam.joined_year, Some(1995));
    // The UK withdrew from the Chile–EC agreement (202) in 2020.
    let chile_ec = agreement::Entity::find().filter(agreement::Column::Ref.eq("202")).one(db).await.unwrap().unwrap();
    let uk = agreement_party::Entity::find()
        .filter(agreement_party::Column::AgreementId.eq(chile_ec.id))
        .filter(agreement_party::Column::CountryId.eq(country_id(db, "GBR").await))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(uk.withdrawn_year, Some(2020));
    let again = import(db, Dataset::Desta).await;
    assert_eq!((again.inserted, again.updated), (0, 0));
}
on_both_databases!(desta_sqlite, desta_postgres, desta_import);

async fn source_id(db: &DatabaseConnection, key: &str) -> i32 {
    source::Entity::find().filter(source::Column::Key.eq(key)).one(db).await.unwrap().unwrap().id
}

async fn unctad_import(db: &DatabaseConnection) {
    import(db, Dataset::CountryCodes).await;
    import(db, Dataset::Blocs).await;
    let report = import(db, Dataset::UnctadIia).await;
    let (headers, rows) = csv_rows("unctad_iia_scrape_bits_raw.csv.gz", false);
    let kind = column(&headers, "type");
    let bits = rows.iter().filter(|row| &row[kind] == "BITs").count() as u64;
    let stored_bits = agreement::Entity::find()
        .filter(agreement::Column::Kind.eq(AgreementKind::Investment))
        .count(db)
        .await
        .unwrap();
    assert_eq!(stored_bits, bits);
    assert_eq!(report.rows_read, rows.len() as u64);
    // Bahrain - Korea, Republic of BIT (2024): two parties, one of them with a comma.
    let bahrain_korea =
        agreement::Entity::find().filter(agreement::Column::Ref.eq("10")).one(db).await.unwrap().unwrap();
    let parties: Vec<i32> = agreement_party::Entity::find()
        .filter(agreement_party::Column::AgreementId.eq(bahrain_korea.id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|party| party.country_id)
        .collect();
    assert!(parties.contains(&country_id(db, "KOR").await));
    assert!(parties.contains(&country_id(db, "BHR").await));

    // The European Union is a party, not dropped, wherever the file names it, in either form.
    let parties_column = column(&headers, "parties");
    let with_eu = rows
        .iter()
        .filter(|row| {
            row[parties_column].contains("EU (European Union)") || row[parties_column].contains("European Union")
        })
        .count() as u64;
    let eu = bloc::Entity::find().filter(bloc::Column::Code.eq("EU")).one(db).await.unwrap().unwrap();
    let eu_parties = agreement_bloc_party::Entity::find()
        .filter(agreement_bloc_party::Column::BlocId.eq(eu.id))
        .count(db)
        .await
        .unwrap();
    assert_eq!(eu_parties, with_eu);
    assert!(with_eu >= 85, "{with_eu}");

    // Only names that no country or bloc stands for are reported, each with its line.
    let mut unmatched: Vec<&str> = report
        .messages
        .iter()
        .filter(|m| m.contains("matches no country or bloc") && !m.contains("treaty"))
        .map(|m| m.split('`').nth(1).unwrap())
        .collect();
    unmatched.sort_unstable();
    assert_eq!(
        unmatched,
        [
            "ECCAS (Economic Community of Central African States)",
            "Energy Charter Treaty members",
            "OCT (Overseas Countries and Territories)",
            "Yugoslavia (former)"
        ]
    );
    // Every treaty left with fewer than two parties says why.
    let line = rows.iter().position(|row| &row[0] == "3695").unwrap() + 2;
    let expected = format!(
        "unctad_iia_scrape_bits_raw.csv line {line}: treaty 3695 (ECCAS Treaty (1983)) has no party: \
         `ECCAS (Economic Community of Central African States)` matches no country or bloc"
    );
    assert!(report.messages.contains(&expected), "{:#?}", report.messages);
    assert!(report.messages.iter().any(|m| m.contains(
        "treaty 725 (ASEAN Comprehensive Investment Agreement (2009)) has one party, the bloc \
         `ASEAN (Association of South-East Asian Nations)`: an agreement among its members"
    )));
    let again = import(db, Dataset::UnctadIia).await;
    assert_eq!((again.inserted, again.updated), (0, 0));
}

async fn unctad_needs_the_blocs(db: &DatabaseConnection) {
    import(db, Dataset::CountryCodes).await;
    let error =
        import_bundled_dataset(db, Dataset::UnctadIia, &ImportOptions::default(), &NoProgress).await.unwrap_err();
    assert!(error.to_string().contains("blocs"), "{error}");
}
on_both_databases!(unctad_blocs_sqlite, unctad_blocs_postgres, unctad_needs_the_blocs);

on_both_databases!(unctad_sqlite, unctad_postgres, unctad_import);

async fn a_bad_desta_file_changes_nothing(db: &DatabaseConnection) {
    import(db, Dataset::CountryCodes).await;
    import(db, Dataset::Desta).await;
    let before = data_counts(db).await;
    // Line 17 of the real file with its year broken.
    let bytes = bundled_bytes("desta_list_of_treaties_02_02.txt.gz");
    let mut lines: Vec<Vec<u8>> = bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
    let line = String::from_utf8_lossy(&lines[16]).into_owned();
    let year_field = line.split(',').nth(5).unwrap().to_owned();
    let broken = line.replacen(&format!(",{year_field},"), ",19x8,", 1);
    assert_ne!(broken, line);
    lines[16] = broken.into_bytes();
    let directory = std::env::temp_dir().join(format!("seed-bad-desta-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let path = directory.join("desta_list_of_treaties_02_02.txt");
    std::fs::write(&path, lines.join(&b'\n')).unwrap();
    let error = import_file(db, Dataset::Desta, &path, &ImportOptions::default(), &NoProgress).await.unwrap_err();
    assert_eq!(error.to_string(), "desta_list_of_treaties_02_02.txt line 17, field `year`: `19x8` is not a year");
    assert_eq!(data_counts(db).await, before);
    let failed =
        import_run::Entity::find().filter(import_run::Column::Status.eq(ImportStatus::Failed)).count(db).await.unwrap();
    assert_eq!(failed, 1);
    std::fs::remove_dir_all(directory).unwrap();
}
on_both_databases!(bad_desta_sqlite, bad_desta_postgres, a_bad_desta_file_changes_nothing);

async fn whole_bundle(db: &DatabaseConnection) {
    let reports = import_bundled(db, &NoProgress).await.unwrap();
    assert_eq!(reports.len(), Dataset::BUNDLED.len());
    let counts = data_counts(db).await;
    let again = import_bundled(db, &NoProgress).await.unwrap();
    for report in &again {
        assert_eq!((report.dataset.as_str(), report.inserted, report.updated), (report.dataset.as_str(), 0, 0));
    }
    assert_eq!(data_counts(db).await, counts);
    let runs = import_run::Entity::find().count(db).await.unwrap();
    assert_eq!(runs, 2 * Dataset::BUNDLED.len() as u64);
}
on_both_databases!(bundle_sqlite, bundle_postgres, whole_bundle);
