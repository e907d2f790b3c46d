//! `southgraph schema`: print the SDL.

use clap::Args;

/// Options of `schema`.
#[derive(Args, Debug)]
pub struct Opts {}

/// Prints the SDL to stdout.
pub fn run(_opts: Opts) -> anyhow::Result<()> {
    print!("{}", crate::graphql::sdl());
    Ok(())
}
