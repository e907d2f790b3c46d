//! The `southgraph` command: parse the command line, start tracing, dispatch.

use clap::Parser;
use southgraph::cli::Cli;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    cli.init_tracing();
    cli.run().await
}
