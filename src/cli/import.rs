//! `southgraph import`: the bundled open data (`--all`), or one dataset from a file.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use seed::{Dataset, ImportOptions};

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
    /// The dataset to import: country-codes, blocs, sectors, aiddata-gcof, desta, unctad-iia,
    /// wb-class, aiddata-tuff-qatar, aiddata-tuff-saudi-arabia, aiddata-brazil-abc,
    /// yotov-trade, iati-activities (any IATI 2.03 activity file), expert-roster (a roster
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
    for report in reports {
        println!(
            "{}: {} rows read, {} inserted, {} updated, {} skipped ({})",
            report.dataset, report.rows_read, report.inserted, report.updated, report.skipped, report.file
        );
        for message in &report.messages {
            println!("  {message}");
        }
    }
    Ok(())
}
