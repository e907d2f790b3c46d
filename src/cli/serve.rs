//! `southgraph serve`: migrate, import the bundled data into an empty database, serve.

use clap::Args;

use super::progress::TerminalProgress;
use crate::{
    build_schema,
    config::{ApiConfig, DatabaseConfig, HttpConfig, ServerConfig},
    db,
    http::{self, AppOptions},
};

/// Options of `serve`.
#[derive(Args, Debug)]
pub struct Opts {
    #[command(flatten)]
    database: DatabaseConfig,
    #[command(flatten)]
    server: ServerConfig,
    #[command(flatten)]
    api: ApiConfig,
    #[command(flatten)]
    http: HttpConfig,
}

impl Opts {
    /// The options with every default (and the environment), as `southgraph` alone uses.
    pub fn parse_from<I: IntoIterator<Item = &'static str>>(args: I) -> Self {
        #[derive(clap::Parser)]
        struct Wrapper {
            #[command(flatten)]
            opts: Opts,
        }
        <Wrapper as clap::Parser>::parse_from(args).opts
    }
}

/// Serves until SIGINT or SIGTERM.
pub async fn run(opts: Opts) -> anyhow::Result<()> {
    let db = db::connect(&opts.database).await?;
    db::migrate(&db).await?;
    if opts.server.import_if_empty && seed::is_empty(&db).await? {
        tracing::info!("the database is empty: importing the bundled open data");
        let reports = seed::import_bundled(&db, &TerminalProgress::new()).await?;
        let rows: u64 = reports.iter().map(|report| report.inserted).sum();
        tracing::info!(datasets = reports.len(), rows, "bundled data imported");
    }
    db.close().await?;
    let db = db::connect_serving(&opts.database, opts.http.request_timeout()).await?;
    let schema = build_schema(db.clone(), opts.api.clone());
    let listener = tokio::net::TcpListener::bind(opts.server.bind).await?;
    tracing::info!("southgraph listening on http://{}/ (GraphiQL) and /graphql", listener.local_addr()?);
    let header_timeout = std::time::Duration::from_millis(opts.http.header_timeout_ms);
    let app =
        http::app_with(schema, db.clone(), AppOptions { api: opts.api, http: opts.http, ..AppOptions::default() });
    http::serve(listener, app, header_timeout, http::shutdown_signal()).await?;
    db.close().await?;
    Ok(())
}
