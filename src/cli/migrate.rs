//! `southgraph migrate`: apply pending migrations.

use clap::Args;

use crate::{config::DatabaseConfig, db};

/// Options of `migrate`.
#[derive(Args, Debug)]
pub struct Opts {
    #[command(flatten)]
    database: DatabaseConfig,
}

/// Applies pending migrations.
pub async fn run(opts: Opts) -> anyhow::Result<()> {
    let db = db::connect(&opts.database).await?;
    db::migrate(&db).await?;
    println!("the database schema is up to date");
    Ok(())
}
