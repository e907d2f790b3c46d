//! The command line: one enum of subcommands, each in its own module with its options
//! and `run`.

mod import;
mod migrate;
mod progress;
mod schema;
mod serve;

use std::io::IsTerminal;

use clap::{Parser, Subcommand, ValueEnum};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// southgraph: a GraphQL API over open data on South–South cooperation.
#[derive(Parser, Debug)]
#[command(name = "southgraph", version, about)]
pub struct Cli {
    /// What to do; `serve` when not given.
    #[command(subcommand)]
    command: Option<Command>,
    /// Log format.
    #[arg(long, env = "SOUTHGRAPH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    /// Log filter, in `tracing` EnvFilter syntax (`info`, `southgraph=debug` …).
    #[arg(long, env = "SOUTHGRAPH_LOG", default_value = "info", global = true)]
    log: String,
}

/// How logs are written.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the API (creating, migrating and importing the embedded database if needed).
    Serve(Box<serve::Opts>),
    /// Apply pending database migrations.
    Migrate(migrate::Opts),
    /// Import the bundled open data, or one dataset from a file.
    Import(import::Opts),
    /// Print the GraphQL schema (SDL).
    Schema(schema::Opts),
}

impl Cli {
    /// Starts logging to stderr with the chosen filter and format.
    pub fn init_tracing(&self) {
        let filter = EnvFilter::try_new(&self.log).unwrap_or_else(|_| EnvFilter::new("info"));
        let registry = tracing_subscriber::registry().with(filter);
        match self.log_format {
            LogFormat::Text => registry
                .with(fmt::layer().with_writer(std::io::stderr).with_ansi(std::io::stderr().is_terminal()))
                .init(),
            LogFormat::Json => registry.with(fmt::layer().json().with_writer(std::io::stderr)).init(),
        }
    }

    /// Runs the chosen subcommand.
    pub async fn run(self) -> anyhow::Result<()> {
        match self.command {
            None => serve::run(serve::Opts::parse_from(["serve"])).await,
            Some(Command::Serve(opts)) => serve::run(*opts).await,
            Some(Command::Migrate(opts)) => migrate::run(opts).await,
            Some(Command::Import(opts)) => import::run(opts).await,
            Some(Command::Schema(opts)) => schema::run(opts),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
