//! `southgraph import`: the bundled open data (`--all`), or one dataset from a file.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use seed::{Dataset, ImportOptions, RunReport};

use super::progress::TerminalProgress;
use crate::{config::DatabaseConfig, db};

/// Options of `import`.
#[derive(Args, Debug)]
pub struct Opts {
    #[command(flatten)]
    database: DatabaseConfig,
    /// Import every bundled dataset.
    #[arg(long, conflicts_with_all = ["dataset", "path"])]
    all: bool,
    /// The dataset to import: country-codes, blocs, sectors, iati-codelists (a directory of
    /// the code lists' XML files), aiddata-gcof, desta, unctad-iia,
    /// wb-class, wb-income-history (the workbook, with OWID's CSV beside it), aiddata-tuff-qatar,
    /// aiddata-tuff-saudi-arabia, aiddata-brazil-abc, aiddata-china-pubdip (the folder of its
    /// two workbooks), yotov-trade, iati-activities (any IATI 2.03 activity file), expert-roster (a roster
    /// of experts, format in seed/data/README.md).
    dataset: Option<Dataset>,
    /// The file to import it from.
    path: Option<PathBuf>,
    /// Skip rows with a bad field, reporting each, instead of rejecting the whole file.
    #[arg(long)]
    skip_bad_rows: bool,
}

/// Imports and reports what changed.
pub async fn run(opts: Opts) -> anyhow::Result<()> {
    let db = db::connect(&opts.database).await?;
    db::migrate(&db).await?;
    let progress = TerminalProgress::new();
    let reports = match (opts.all, opts.dataset, opts.path) {
        (true, _, _) => seed::import_bundled(&db, &progress).await?,
        (false, Some(dataset), Some(path)) => {
            let options = ImportOptions { skip_bad_rows: opts.skip_bad_rows };
            vec![seed::import_file(&db, dataset, &path, &options, &progress).await?]
        }
        _ => bail!("give --all, or a dataset and the path of its file"),
    };
    // Each dataset's summary is logged as it commits, and the messages (file and line of
    // each row left out or unmatched) at debug. A file of one's own gets them on stdout;
    // the bundle gets one table.
    if opts.all {
        print!("{}", summary(&reports));
    }
    for report in reports.iter().filter(|_| !opts.all) {
        println!("{}", report.summary());
        for message in &report.messages {
            println!("  {message}");
        }
    }
    Ok(())
}

/// One table of what each import read and did not import, with the reasons counted.
fn summary(reports: &[RunReport]) -> String {
    let header = ["dataset", "rows read", "imported", "left out", "skipped", "unmatched", "reasons"].map(str::to_owned);
    let mut rows = vec![header];
    for report in reports {
        let reasons: Vec<String> = report
            .reasons
            .iter()
            .map(|reason| format!("{} {} ({})", reason.count, reason.reason, reason.kind.label()))
            .collect();
        rows.push([
            report.dataset.clone(),
            report.rows_read.to_string(),
            report.rows_imported().to_string(),
            report.left_out.to_string(),
            report.skipped.to_string(),
            report.unmatched.to_string(),
            reasons.join("; "),
        ]);
    }
    let widths: Vec<usize> =
        (0..6).map(|column| rows.iter().map(|row| row[column].chars().count()).max().unwrap_or(0)).collect();
    let mut table = String::new();
    for row in &rows {
        let mut line = format!("{:<width$}", row[0], width = widths[0]);
        for (cell, width) in row[1..6].iter().zip(&widths[1..]) {
            line.push_str(&format!("  {cell:>width$}"));
        }
        line.push_str("  ");
        line.push_str(&row[6]);
        table.push_str(line.trim_end());
        table.push('\n');
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use seed::{SkipKind, SkipReason};

    #[test]
    fn the_summary_counts_rows_and_reasons_per_dataset() {
        let report = RunReport {
            dataset: "yotov-trade".to_owned(),
            rows_read: 99_981,
            left_out: 1_449,
            skipped: 2,
            reasons: vec![
                SkipReason { kind: SkipKind::ByDesign, reason: "domestic trade".to_owned(), count: 1_449 },
                SkipReason { kind: SkipKind::Error, reason: "importer matches no country".to_owned(), count: 2 },
            ],
            ..RunReport::default()
        };
        let table = summary(&[report]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "dataset      rows read  imported  left out  skipped  unmatched  reasons");
        assert_eq!(
            lines[1],
            "yotov-trade      99981     98530      1449        2          0  \
             1449 domestic trade (by design); 2 importer matches no country (error)"
        );
    }
}
