//! The command line: one enum of subcommands, each in its own module with its options
//! and `run`.

mod import;
mod migrate;
mod progress;
mod schema;
mod serve;

use std::io::IsTerminal;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// southgraph: a GraphQL API over open data on South–South cooperation.
#[derive(Parser, Debug)]
#[command(name = "southgraph", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do; `serve` when not given, with the options below.
    #[command(subcommand)]
    command: Option<Command>,
    /// `serve`'s options, for `southgraph` without a subcommand (`southgraph --bind …`).
    #[command(flatten)]
    serve: serve::Opts,
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
    /// Print a shell completion script: `southgraph completions bash > ~/.local/share/bash-completion/completions/southgraph`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
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
            None => serve::run(self.serve).await,
            Some(Command::Serve(opts)) => serve::run(*opts).await,
            Some(Command::Migrate(opts)) => migrate::run(opts).await,
            Some(Command::Import(opts)) => import::run(opts).await,
            Some(Command::Schema(opts)) => schema::run(opts),
            Some(Command::Completions { shell }) => {
                clap_complete::generate(shell, &mut Cli::command(), "southgraph", &mut std::io::stdout());
                Ok(())
            }
        }
    }
}

/// An error and its causes as one line, each cause once: a cause whose text the message
/// already holds (errors that quote their source) is not repeated.
pub fn describe(error: &anyhow::Error) -> String {
    let mut line = error.to_string();
    for cause in error.chain().skip(1) {
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_is_described_once_with_each_new_cause() {
        let io = std::io::Error::new(std::io::ErrorKind::AddrInUse, "Address already in use (os error 98)");
        let error = anyhow::Error::new(io).context("cannot listen on 127.0.0.1:8000");
        assert_eq!(describe(&error), "cannot listen on 127.0.0.1:8000: Address already in use (os error 98)");
        let quoting = anyhow::anyhow!("the import failed: disk full").context("the import failed: disk full");
        assert_eq!(describe(&quoting), "the import failed: disk full");
    }

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn completions_cover_every_subcommand_in_each_shell() {
        for shell in [clap_complete::Shell::Bash, clap_complete::Shell::Zsh, clap_complete::Shell::Fish] {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "southgraph", &mut script);
            let script = String::from_utf8(script).expect("UTF-8");
            for subcommand in ["serve", "import", "migrate", "schema", "completions"] {
                assert!(script.contains(subcommand), "{shell}: {subcommand}");
            }
        }
    }

    #[test]
    fn serve_options_work_without_the_subcommand_and_not_beside_another() {
        let cli = Cli::try_parse_from(["southgraph", "--bind", "127.0.0.1:18400"]).expect("serve's flags alone");
        assert!(cli.command.is_none());
        assert!(format!("{:?}", cli.serve).contains("127.0.0.1:18400"), "{cli:?}");
        let serve = Cli::try_parse_from(["southgraph", "serve", "--bind", "127.0.0.1:18401"]).expect("serve");
        assert!(matches!(serve.command, Some(Command::Serve(_))));
        assert!(Cli::try_parse_from(["southgraph", "--bind", "127.0.0.1:1", "import", "--all"]).is_err());
    }
}
