//! Imports the whole bundle into a fresh SQLite file and prints the time and the reports:
//! `cargo run --release -p seed --example import_bundle -- /tmp/southgraph.db`.

use migration::{Migrator, MigratorTrait};
use sea_orm::Database;
use seed::{NoProgress, import_bundled};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "/tmp/southgraph-seed.db".to_owned());
    let _ = std::fs::remove_file(&path);
    let db = Database::connect(format!("sqlite://{path}?mode=rwc")).await?;
    Migrator::up(&db, None).await?;
    let started = std::time::Instant::now();
    let reports = import_bundled(&db, &NoProgress).await?;
    let elapsed = started.elapsed();
    for report in &reports {
        println!(
            "{:<14} {:<60} read {:>6} inserted {:>6} updated {:>3} skipped {:>4} messages {:>4}",
            report.dataset,
            report.file,
            report.rows_read,
            report.inserted,
            report.updated,
            report.skipped,
            report.messages.len()
        );
    }
    println!("import_bundled took {:.2} s", elapsed.as_secs_f64());
    Ok(())
}
