//! Integration tests of the country-codes and sectors loaders on the bundled files.

#![allow(clippy::unwrap_used)]

mod common;

use common::{bundled_bytes, count, data_counts};
use entity::{ImportStatus, SectorLevel, country, import_run, sector};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use seed::{Dataset, ImportOptions, NoProgress, import_bundled_dataset, import_file};

async fn import(db: &DatabaseConnection, dataset: Dataset) -> seed::RunReport {
    import_bundled_dataset(db, dataset, &ImportOptions::default(), &NoProgress).await.unwrap()
}

/// Developing rows and rows with an ISO3 code, counted by a plain CSV read.
fn independent_country_counts() -> (u64, u64) {
    let bytes = bundled_bytes("country-codes-2020-with-developing.csv.gz");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader.headers().unwrap().clone();
    let iso3 = headers.iter().position(|h| h == "ISO3166-1-Alpha-3").unwrap();
    let developing = headers.iter().position(|h| h == "Developed / Developing Countries").unwrap();
    let (mut with_iso3, mut developing_count) = (0, 0);
    for record in reader.records() {
        let record = record.unwrap();
        if !record[iso3].trim().is_empty() {
            with_iso3 += 1;
            if &record[developing] == "Developing" {
                developing_count += 1;
            }
        }
    }
    (with_iso3, developing_count)
}

async fn countries_import_and_reimport(db: &DatabaseConnection) {
    assert!(seed::is_empty(db).await.unwrap());
    let first = import(db, Dataset::CountryCodes).await;
    let (with_iso3, developing) = independent_country_counts();
    assert_eq!(count::<country::Entity>(db).await, with_iso3);
    let stored_developing =
        country::Entity::find().filter(country::Column::IsDeveloping.eq(true)).count(db).await.unwrap();
    assert_eq!(stored_developing, developing);
    assert_eq!(developing, 182);
    assert_eq!(first.inserted, with_iso3);
    assert_eq!(first.rows_read, 250);
    // The row without an alpha-3 code is left out by design, and said so.
    assert_eq!((first.left_out, first.skipped), (1, 0), "{:?}", first.messages);
    assert_eq!(first.reasons[0].reason, "no ISO 3166-1 alpha-3 code");
    assert!(!seed::is_empty(db).await.unwrap());

    let kenya = country::Entity::find().filter(country::Column::Iso3.eq("KEN")).one(db).await.unwrap().unwrap();
    assert_eq!(kenya.m49.as_deref(), Some("404"));
    assert_eq!(kenya.region_code.as_deref(), Some("002"));
    assert!(kenya.latitude.is_some());

    let second = import(db, Dataset::CountryCodes).await;
    assert_eq!((second.inserted, second.updated), (0, 0));
    assert_eq!(count::<country::Entity>(db).await, with_iso3);
    let runs = import_run::Entity::find()
        .filter(import_run::Column::Status.eq(ImportStatus::Succeeded))
        .count(db)
        .await
        .unwrap();
    assert_eq!(runs, 2);
}
on_both_databases!(countries_sqlite, countries_postgres, countries_import_and_reimport);

async fn a_bad_country_file_changes_nothing(db: &DatabaseConnection) {
    import(db, Dataset::CountryCodes).await;
    let before = data_counts(db).await;
    // The real file with one M49 code broken on line 3 (Afghanistan, "004").
    let text = String::from_utf8(bundled_bytes("country-codes-2020-with-developing.csv.gz")).unwrap();
    let mut lines: Vec<&str> = text.split('\n').collect();
    let broken = lines[2].replace(",004,34,142,", ",0x4,34,142,");
    assert_ne!(broken, lines[2]);
    lines[2] = &broken;
    let directory = std::env::temp_dir().join(format!(
        "seed-bad-countries-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&directory).unwrap();
    let path = directory.join("country-codes-broken.csv");
    std::fs::write(&path, lines.join("\n").replace("Kenya", "Kenya (changed)")).unwrap();

    let error =
        import_file(db, Dataset::CountryCodes, &path, &ImportOptions::default(), &NoProgress).await.unwrap_err();
    assert_eq!(error.to_string(), "country-codes-broken.csv line 3, field `M49`: `0x4` is not an M49 code");
    assert_eq!(data_counts(db).await, before);
    let kenya = country::Entity::find().filter(country::Column::Iso3.eq("KEN")).one(db).await.unwrap().unwrap();
    assert_eq!(kenya.name, "Kenya");
    let failed =
        import_run::Entity::find().filter(import_run::Column::Status.eq(ImportStatus::Failed)).all(db).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].messages.as_deref().unwrap().contains("line 3"));

    // Skipping bad rows imports the rest and reports the bad one.
    let report = import_file(db, Dataset::CountryCodes, &path, &ImportOptions { skip_bad_rows: true }, &NoProgress)
        .await
        .unwrap();
    assert_eq!((report.left_out, report.skipped), (1, 1));
    assert_eq!(report.reasons.iter().find(|r| r.kind == seed::SkipKind::Error).unwrap().reason, "bad field `M49`");
    assert!(report.messages.iter().any(|m| m.contains("line 3, field `M49`")));
    assert!(report.updated >= 1);
    std::fs::remove_dir_all(directory).unwrap();
}
on_both_databases!(bad_countries_sqlite, bad_countries_postgres, a_bad_country_file_changes_nothing);

async fn sectors_import_and_reimport(db: &DatabaseConnection) {
    let report = import(db, Dataset::Sectors).await;
    let categories = String::from_utf8(bundled_bytes("SectorCategory.xml.gz")).unwrap();
    let purposes = String::from_utf8(bundled_bytes("Sector.xml.gz")).unwrap();
    let items = |xml: &str| (xml.matches("<codelist-item>").count() + xml.matches("<codelist-item ").count()) as u64;
    let level =
        |level| async move { sector::Entity::find().filter(sector::Column::Level.eq(level)).count(db).await.unwrap() };
    assert_eq!(level(SectorLevel::Purpose).await, items(&purposes));
    // IATI's categories plus the withdrawn 420.
    assert_eq!(level(SectorLevel::Category).await, items(&categories) + 1);
    assert_eq!(level(SectorLevel::Group).await, 7);
    assert_eq!(report.rows_read, items(&categories) + items(&purposes));

    let find = |code: &'static str| async move {
        sector::Entity::find().filter(sector::Column::Code.eq(code)).one(db).await.unwrap().unwrap()
    };
    let education = find("110").await;
    assert_eq!(education.level, SectorLevel::Group);
    assert_eq!(find("111").await.parent_id, Some(education.id));
    assert_eq!(find("11110").await.parent_id, Some(find("111").await.id));
    assert_eq!(find("720").await.parent_id, Some(find("700").await.id));
    assert_eq!(find("130").await.parent_id, None);

    let again = import(db, Dataset::Sectors).await;
    assert_eq!((again.inserted, again.updated), (0, 0));
}
on_both_databases!(sectors_sqlite, sectors_postgres, sectors_import_and_reimport);

/// Both sector files are parsed before the import's transaction opens, yet the error is the
/// one the files give in order: a bad row of the categories' file before the purposes' file
/// that is not UTF-8, unless bad rows are skipped. Neither import changes anything.
async fn sector_files_fail_in_their_order(db: &DatabaseConnection) {
    import(db, Dataset::Sectors).await;
    let before = data_counts(db).await;
    let directory =
        std::env::temp_dir().join(format!("seed-bad-sectors-{}-{:?}", std::process::id(), std::thread::current().id()));
    std::fs::create_dir_all(&directory).unwrap();
    let categories = String::from_utf8(bundled_bytes("SectorCategory.xml.gz")).unwrap();
    let broken = categories.replacen("<code>111</code>", "<code>11x</code>", 1);
    assert_ne!(broken, categories);
    std::fs::write(directory.join("SectorCategory.xml"), broken).unwrap();
    std::fs::write(directory.join("Sector.xml"), b"<codelist>\xff</codelist>").unwrap();

    for skip_bad_rows in [false, true] {
        let options = ImportOptions { skip_bad_rows };
        let error = import_file(db, Dataset::Sectors, &directory, &options, &NoProgress).await.unwrap_err().to_string();
        let expected =
            if skip_bad_rows { "Sector.xml: not UTF-8" } else { "SectorCategory.xml line 12, field `code`: `11x`" };
        assert!(error.starts_with(expected), "{error}");
        assert_eq!(data_counts(db).await, before);
    }
    std::fs::remove_dir_all(directory).unwrap();
}
on_both_databases!(sector_order_sqlite, sector_order_postgres, sector_files_fail_in_their_order);
