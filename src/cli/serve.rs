//! `southgraph serve`: bind, migrate, serve, and import the bundled data while serving
//! when the database does not hold all of it yet.
//!
//! The port is bound first, so that an address in use is reported at once. When the bundle
//! is not complete ([`seed::bundle_state`]: an empty database, or a first import that was
//! interrupted or failed), the server serves while the import runs: `/health` reports the
//! progress with 503, data requests get a coded 503 `SERVICE_UNAVAILABLE`, and only once
//! the last dataset committed does the stage move to ready. Nothing partial is ever served
//! as healthy: an import that is killed leaves the bundle incomplete, and the next start
//! imports it again (every dataset is an idempotent upsert).
//!
//! When the import fails, the stage moves to failed, the server stops and the process
//! exits non-zero with the error: an operator has to act (free the disk, fix the
//! permissions), and a supervisor that restarts the process retries the import, where a
//! server lingering on a failed import would look alive while never becoming ready.

use anyhow::Context;
use clap::Args;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

use super::progress::{self, ReadinessProgress, TerminalProgress};
use crate::{
    build_schema,
    config::{ApiConfig, DatabaseConfig, HttpConfig, ServerConfig},
    data_version::DataVersion,
    db,
    db::DatabaseError,
    http::{self, AppOptions},
    readiness::{Readiness, Stage},
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

/// The server task: it ends on SIGINT or SIGTERM, or when told to stop.
type Server = JoinHandle<std::io::Result<()>>;

/// Serves until SIGINT or SIGTERM, importing the bundled data first if needed.
pub async fn run(opts: Opts) -> anyhow::Result<()> {
    let bind = opts.server.bind;
    let listener = TcpListener::bind(bind).await.with_context(|| format!("cannot listen on {bind}"))?;
    let address = listener.local_addr()?;
    let db = db::connect(&opts.database).await?;
    db::migrate(&db).await?;
    let bundle = seed::bundle_state(&db).await.map_err(|error| DatabaseError::of(&db, error))?;
    let import = opts.server.import_if_empty && !bundle.is_complete();
    if !import && !bundle.is_complete() {
        tracing::warn!(%bundle, "serving as is: importing the bundled open data is turned off (--import-if-empty)");
    }
    let readiness = if import { Readiness::new(progress::importing(0)) } else { Readiness::ready() };

    // Requests get a pool of their own, with deadlines on every statement; the import keeps
    // `db`, whose transactions may run as long as a dataset needs.
    let serving = db::connect_serving(&opts.database, opts.http.request_timeout()).await?;
    let header_timeout = std::time::Duration::from_millis(opts.http.header_timeout_ms);
    let data_version = DataVersion::default();
    let options = AppOptions {
        api: opts.api.clone(),
        http: opts.http,
        readiness: readiness.clone(),
        data_version: data_version.clone(),
    };
    let app = http::app_with(build_schema(serving.clone(), opts.api), serving.clone(), options);
    let (stop, stopped) = oneshot::channel::<()>();
    let mut server: Server = tokio::spawn(async move {
        let shutdown = async move {
            tokio::select! {
                () = http::shutdown_signal() => {},
                _ = stopped => {},
            }
        };
        http::serve(listener, app, header_timeout, shutdown).await
    });
    tracing::info!("southgraph listening on http://{address}/ (GraphiQL) and /graphql");

    if import {
        tracing::info!(%bundle, "importing the bundled open data; /health answers 503 until it is complete");
        let progress = ReadinessProgress::new(TerminalProgress::new(), readiness.clone());
        tokio::select! {
            outcome = seed::import_bundled(&db, &progress) => match outcome {
                Ok(reports) => {
                    // Cached responses of the data before the import are out of date now.
                    if let Err(err) = data_version.refresh(&serving).await {
                        tracing::warn!(%err, "cannot read the data version after the import");
                    }
                    readiness.set(Stage::Ready);
                    let rows: u64 = reports.iter().map(|report| report.inserted).sum();
                    tracing::info!(datasets = reports.len(), rows, "bundled data imported: serving");
                }
                Err(error) => {
                    readiness.set(Stage::Failed { reason: error.to_string() });
                    tracing::error!(%error, "the import of the bundled open data failed: stopping");
                    stop.send(()).ok();
                    if let Err(server_error) = join(server).await {
                        tracing::error!(%server_error, "the server failed while stopping");
                    }
                    db.close().await.ok();
                    serving.close().await.ok();
                    return Err(anyhow::Error::new(error).context(
                        "the import of the bundled open data failed; the next start imports it again",
                    ));
                }
            },
            joined = &mut server => {
                tracing::warn!("stopped before the bundled open data was imported; the next start imports it again");
                db.close().await.ok();
                serving.close().await.ok();
                return flatten(joined);
            }
        }
    }

    db.close().await?;
    let served = join(server).await;
    serving.close().await?;
    served
}

/// Waits for the server task to end.
async fn join(server: Server) -> anyhow::Result<()> {
    flatten(server.await)
}

fn flatten(joined: Result<std::io::Result<()>, tokio::task::JoinError>) -> anyhow::Result<()> {
    joined.context("the server task failed")?.context("the server failed")
}
