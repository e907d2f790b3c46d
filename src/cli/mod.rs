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
#[command(name = "southgraph", version, about, args_conflicts_with_subcommands = true, after_help = EXAMPLES)]
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

/// Targets logged less than the filter asks, unless it names them: one line per migration
/// applied (southgraph logs how many), and PostgreSQL's notices.
const QUIETER: [(&str, &str); 2] = [("sea_orm_migration", "warn"), ("sqlx::postgres::notice", "warn")];

/// How logs are written.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Examples under `southgraph --help`.
const EXAMPLES: &str = "Examples:
  southgraph                                   serve on 127.0.0.1:8000, importing the bundled data on first start
  southgraph --bind 0.0.0.0:8080               the same on another address (serve's options work without `serve`)
  southgraph serve --database-url postgres://user@host/southgraph
  southgraph import --all                      import every bundled dataset into ./southgraph.db
  southgraph import iati-activities my.xml     import an IATI activity file of your own
  southgraph schema > schema.graphql           print the GraphQL schema
  southgraph completions bash > ~/.local/share/bash-completion/completions/southgraph

Each subcommand has its own examples: southgraph <subcommand> --help";

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the API (creating, migrating and importing the embedded database if needed).
    #[command(after_help = "Examples:
  southgraph serve                                        http://127.0.0.1:8000/, SQLite file ./southgraph.db
  southgraph serve --bind 0.0.0.0:8080 --rate-limit off   every interface, no rate limit
  southgraph serve --database-url 'postgres://user@db:5432/southgraph?sslmode=disable'
  SOUTHGRAPH_LOG=debug southgraph serve                   every statement's timing and each import's details
  southgraph serve --log-format json                      one JSON object per log line")]
    Serve(Box<serve::Opts>),
    /// Apply pending database migrations.
    #[command(after_help = "Examples:
  southgraph migrate                                          ./southgraph.db
  southgraph migrate --database-url postgres://user@db/southgraph")]
    Migrate(migrate::Opts),
    /// Import the bundled open data, or one dataset from a file.
    #[command(after_help = "Examples:
  southgraph import --all                                        every bundled dataset, then a table of what each left out
  southgraph import iati-activities activities.xml               an IATI 2.03 activity file of your own
  southgraph import iati-activities activities.xml.gz            gzip'd files are read as they are
  southgraph import expert-roster roster.csv --skip-bad-rows     report bad rows and import the rest
  southgraph import aiddata-gcof GlobalChineseOfficialFinanceDataset_v1.0.csv --database-url postgres://user@db/southgraph
  SOUTHGRAPH_LOG=debug southgraph import --all                   also every row left out, with file and line")]
    Import(import::Opts),
    /// Print the GraphQL schema (SDL).
    #[command(after_help = "Examples:
  southgraph schema > schema.graphql
  southgraph schema | grep -A5 '^type Flow '")]
    Schema(schema::Opts),
    /// Print a shell completion script.
    #[command(after_help = "Examples:
  southgraph completions bash > ~/.local/share/bash-completion/completions/southgraph
  southgraph completions zsh > \"${fpath[1]}/_southgraph\"
  southgraph completions fish > ~/.config/fish/completions/southgraph.fish")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

impl Cli {
    /// Starts logging to stderr with the chosen filter and format. Migrations applied one
    /// by one and PostgreSQL's notices ("relation … already exists, skipping") are left to
    /// `debug` unless the filter names their targets.
    pub fn init_tracing(&self) {
        let mut directives = self.log.clone();
        for (target, level) in QUIETER {
            if !directives.contains(target) {
                directives.push_str(&format!(",{target}={level}"));
            }
        }
        let filter = EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new("info"));
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
    fn every_subcommand_shows_examples_that_parse() {
        let mut cli = Cli::command();
        let top = cli.render_long_help().to_string();
        assert!(top.contains("Examples:"), "{top}");
        for subcommand in ["serve", "migrate", "import", "schema", "completions"] {
            let help = cli.find_subcommand_mut(subcommand).expect(subcommand).render_long_help().to_string();
            let examples = help.split("Examples:").nth(1).unwrap_or_else(|| panic!("{subcommand}: {help}"));
            for line in examples.lines().map(str::trim).filter(|line| line.starts_with("southgraph ")) {
                // The command itself, before any redirection, pipe or comment of two spaces.
                let command = line.split(['>', '|']).next().unwrap_or(line).split("  ").next().unwrap_or(line);
                let words: Vec<&str> = command.split_whitespace().map(|word| word.trim_matches('\'')).collect();
                if let Err(error) = Cli::try_parse_from(&words) {
                    panic!("{subcommand}: `{command}` does not parse: {error}");
                }
            }
        }
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
