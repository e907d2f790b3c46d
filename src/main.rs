//! The `southgraph` command: parse the command line, start tracing, dispatch.

use std::process::ExitCode;

use clap::Parser;
use southgraph::cli::Cli;

/// mimalloc: a GraphQL response is built from many small allocations (values, maps,
/// futures), and glibc's malloc and free took about a quarter of the server's CPU time under
/// load (`perf` on the peer comparison's q1).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    cli.init_tracing();
    match cli.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", southgraph::cli::describe(&error));
            ExitCode::FAILURE
        }
    }
}
