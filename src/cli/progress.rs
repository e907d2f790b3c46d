//! Import progress: a bar on a terminal, plain log lines otherwise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use seed::{Progress, RunReport};

/// Renders [`Progress`] for people.
pub struct TerminalProgress {
    bar: Option<ProgressBar>,
}

impl TerminalProgress {
    /// A bar when stderr is a terminal, log lines otherwise.
    pub fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::hidden();
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{msg:>16} [{bar:40}] {pos}/{len} rows")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar
        });
        Self { bar }
    }
}

impl Progress for TerminalProgress {
    fn start(&self, dataset: &str, total_rows: u64) {
        match &self.bar {
            Some(bar) => {
                bar.reset();
                bar.set_length(total_rows);
                bar.set_message(dataset.to_owned());
            }
            None => tracing::info!(dataset, rows = total_rows, "importing"),
        }
    }

    fn advance(&self, rows: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(rows);
        }
    }

    fn finish(&self, report: &RunReport) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        tracing::info!(
            dataset = report.dataset,
            read = report.rows_read,
            inserted = report.inserted,
            updated = report.updated,
            skipped = report.skipped,
            "imported"
        );
    }
}
