//! Times the import of the whole bundle into a fresh database, dataset by dataset: the
//! first import, a re-import (nothing changes), and a re-import after every stored flow's
//! title was changed (every flow is rewritten).
//!
//! ```sh
//! cargo run -p seed --release --example import_timing                      # in-memory SQLite
//! cargo run -p seed --release --example import_timing 'sqlite:///tmp/t.db?mode=rwc'
//! cargo run -p seed --release --example import_timing postgres://postgres@127.0.0.1:5432/postgres
//! ```
//!
//! With a PostgreSQL URL it creates (and afterwards drops) a scratch database on that
//! server: `seed_timing`, or the name given as the second argument (so that runs from
//! several checkouts on one server do not drop each other's database). With
//! `SEED_TIMING_KEEP=1` the scratch database is kept, to compare its rows afterwards.
#![allow(clippy::unwrap_used)]
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let url = std::env::args().nth(1).unwrap_or_else(|| "sqlite::memory:".to_owned());
    let scratch = std::env::args().nth(2).unwrap_or_else(|| "seed_timing".to_owned());
    let drop_scratch = format!("DROP DATABASE IF EXISTS \"{scratch}\" WITH (FORCE)");
    let (db, admin) = if url.starts_with("postgres") {
        let admin = Database::connect(&url).await.unwrap();
        admin.execute_unprepared(&drop_scratch).await.unwrap();
        admin.execute_unprepared(&format!("CREATE DATABASE \"{scratch}\"")).await.unwrap();
        let (base, _) = url.rsplit_once('/').unwrap();
        (Database::connect(format!("{base}/{scratch}")).await.unwrap(), Some(admin))
    } else {
        (Database::connect(&url).await.unwrap(), None)
    };
    Migrator::up(&db, None).await.unwrap();
    for pass in ["first import", "re-import", "re-import, every flow changed"] {
        if pass.ends_with("changed") {
            db.execute_unprepared("UPDATE flow SET title = 'changed'").await.unwrap();
        }
        let start = Instant::now();
        let mut reports = Vec::new();
        let mut times = Vec::new();
        for dataset in seed::Dataset::BUNDLED {
            let at = Instant::now();
            reports.push(
                seed::import_bundled_dataset(&db, *dataset, &seed::ImportOptions::default(), &seed::NoProgress)
                    .await
                    .unwrap(),
            );
            times.push(at.elapsed().as_secs_f64());
        }
        let elapsed = start.elapsed();
        let (inserted, updated): (u64, u64) = reports.iter().fold((0, 0), |(i, u), r| (i + r.inserted, u + r.updated));
        println!("{pass}: {:.2} s (inserted {inserted}, updated {updated})", elapsed.as_secs_f64());
        for (r, t) in reports.iter().zip(&times) {
            println!(
                "  {:<28} {t:>6.2} s read {:>7} inserted {:>7} updated {:>5} skipped {:>5}",
                r.dataset, r.rows_read, r.inserted, r.updated, r.skipped
            );
        }
    }
    db.close().await.unwrap();
    if let Some(admin) = admin
        && std::env::var_os("SEED_TIMING_KEEP").is_none()
    {
        admin.execute_unprepared(&drop_scratch).await.unwrap();
    }
}
