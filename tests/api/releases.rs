//! A newer release replaces a source's records: what it no longer has is deleted with its
//! links, and `Source.changes(since:)` lists what was inserted, changed and deleted.

use std::io::Read;

use serde_json::{Value, json};

use crate::support::TestDb;

/// The bundled UNCTAD file as published, changed the way a newer release might: treaty 10
/// dropped, treaty 2 renamed and left with Ukraine alone as party, a treaty 99999 added (a
/// copy of treaty 1).
fn newer_release() -> (tempfile_path::Dir, std::path::PathBuf) {
    release_with(|_| {})
}

/// [`newer_release`], then `change` applied to the rows (fields in the file's order).
fn release_with(change: impl Fn(&mut Vec<Vec<String>>)) -> (tempfile_path::Dir, std::path::PathBuf) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/data/unctad_iia_scrape_bits_raw.csv.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("file")).read_to_string(&mut text).expect("gzip");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("header").clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let mut fields: Vec<String> = record.expect("record").iter().map(str::to_owned).collect();
        match fields[0].as_str() {
            "10" => continue,
            "1" => {
                rows.push(fields.clone());
                fields[0] = "99999".to_owned();
            }
            "2" => {
                assert_eq!(fields[4], "Ukraine, United Arab Emirates");
                fields[1] = format!("{} (renamed)", fields[1]);
                fields[4] = "Ukraine".to_owned();
            }
            _ => {}
        }
        rows.push(fields);
    }
    change(&mut rows);
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&headers).expect("header");
    for row in &rows {
        writer.write_record(row).expect("row");
    }
    let dir = tempfile_path::Dir::new();
    let file = dir.0.join("unctad_iia_scrape_bits_raw.csv");
    std::fs::write(&file, writer.into_inner().expect("csv")).expect("write");
    (dir, file)
}

/// A directory of its own under the temp dir, removed afterwards.
mod tempfile_path {
    pub struct Dir(pub std::path::PathBuf);

    impl Dir {
        pub fn new() -> Self {
            let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            let dir =
                std::env::temp_dir().join(format!("southgraph-release-{}-{}", std::process::id(), nanos.as_nanos()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            Self(dir)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            std::fs::remove_dir_all(&self.0).ok();
        }
    }
}

#[tokio::test]
async fn a_newer_release_replaces_the_sources_records_and_says_what_changed() {
    let test = TestDb::new().await;
    let api = test.api();
    let before = api
        .data(
            r#"{ source(key: "unctad-iia-navigator") { importRuns(first: 1) { nodes { finishedAt } } }
                 agreement(source: "unctad-iia-navigator", reference: "10") { title parties { totalCount } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(before["agreement"]["parties"]["totalCount"], 2);
    let since = before["source"]["importRuns"]["nodes"][0]["finishedAt"].as_str().expect("a run").to_owned();

    let (_dir, file) = newer_release();
    let report = seed::import_file(
        &test.db,
        seed::Dataset::UnctadIia,
        &file,
        &seed::ImportOptions::default(),
        &seed::NoProgress,
    )
    .await
    .expect("import");
    assert_eq!((report.inserted >= 1, report.updated, report.deleted), (true, 1, 1), "{:?}", report.messages);

    let after = api
        .data(
            r#"query($since: String!) {
                 source(key: "unctad-iia-navigator") {
                   importRuns(first: 1) { nodes { rowsDeleted rowsUpdated } }
                   changes(since: $since, first: 10) { totalCount nodes { record reference change run { rowsDeleted } } }
                 }
                 dropped: agreement(source: "unctad-iia-navigator", reference: "10") { title }
                 renamed: agreement(source: "unctad-iia-navigator", reference: "2") { parties { nodes { iso3 } } }
                 added: agreement(source: "unctad-iia-navigator", reference: "99999") { title }
               }"#,
            json!({ "since": since }),
        )
        .await;
    assert_eq!(after["dropped"], Value::Null);
    // A party the release no longer lists is no longer a party.
    assert_eq!(after["renamed"]["parties"]["nodes"], json!([{ "iso3": "UKR" }]));
    assert!(after["added"]["title"].is_string());
    assert_eq!(after["source"]["importRuns"]["nodes"][0], json!({ "rowsDeleted": 1, "rowsUpdated": 1 }));
    let changes = &after["source"]["changes"];
    assert_eq!(changes["totalCount"], 3);
    let mut seen: Vec<(String, String)> = changes["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| {
            (
                n["reference"].as_str().unwrap_or_default().to_owned(),
                n["change"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    seen.sort();
    let expected =
        [("10", "DELETED"), ("2", "UPDATED"), ("99999", "INSERTED")].map(|(r, c)| (r.to_owned(), c.to_owned()));
    assert_eq!(seen, expected);
    assert!(
        changes["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .all(|n| n["record"] == "AGREEMENT" && n["run"]["rowsDeleted"] == 1)
    );

    // Nothing changed since the newer release; a date that is not one is a coded error.
    let now = chrono::Utc::now().to_rfc3339();
    let none = api
        .data(r#"query($since: String!) { source(key: "unctad-iia-navigator") { changes(since: $since) { totalCount } } }"#, json!({ "since": now }))
        .await;
    assert_eq!(none["source"]["changes"]["totalCount"], 0);
    let bad = api
        .post(r#"{ source(key: "unctad-iia-navigator") { changes(since: "yesterday") { totalCount } } }"#, json!({}))
        .await;
    assert_eq!(bad["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{bad}");
}

/// A release imported with bad rows skipped deletes nothing: a record it seems to drop may
/// be one of the rows skipped.
#[tokio::test]
async fn a_release_with_rows_skipped_for_errors_deletes_nothing() {
    let test = TestDb::new().await;
    let (_dir, file) = release_with(|rows| rows[5][3] = "In farce".to_owned());
    let options = seed::ImportOptions { skip_bad_rows: true };
    let report = seed::import_file(&test.db, seed::Dataset::UnctadIia, &file, &options, &seed::NoProgress)
        .await
        .expect("import");
    assert_eq!((report.skipped, report.deleted), (1, 0), "{:?}", report.messages);
    assert!(report.messages.iter().any(|m| m.contains("were kept, not deleted")), "{:?}", report.messages);
    let data = test
        .api()
        .data(r#"{ agreement(source: "unctad-iia-navigator", reference: "10") { parties { totalCount } } }"#, json!({}))
        .await;
    assert_eq!(data["agreement"]["parties"]["totalCount"], 2);
}
