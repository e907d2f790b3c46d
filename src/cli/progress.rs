//! Import progress: a bar on a terminal, plain log lines otherwise; and the server's
//! readiness while its first import runs.

use std::{
    io::IsTerminal,
    sync::atomic::{AtomicUsize, Ordering},
};

use indicatif::{ProgressBar, ProgressStyle};
use seed::{Dataset, Progress, RunReport};

use crate::readiness::{Readiness, Stage};

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
                if bar.message() != dataset {
                    bar.reset();
                    bar.set_message(dataset.to_owned());
                }
                bar.set_length(total_rows);
            }
            None => tracing::debug!(dataset, rows = total_rows, "importing"),
        }
    }

    fn advance(&self, rows: u64) {
        // The bar counts the file's rows; a row may write several (a flow and its sectors).
        if let Some(bar) = &self.bar {
            let length = bar.length().unwrap_or(0);
            bar.set_position((bar.position() + rows).min(length));
        }
    }

    fn finish(&self, _report: &RunReport) {
        // Every row read is now imported, left out or skipped: the bar ends at its total.
        // `seed` logs the dataset's summary line.
        if let Some(bar) = &self.bar {
            bar.set_position(bar.length().unwrap_or(0));
            bar.finish_and_clear();
        }
    }
}

/// Tells the server's [`Readiness`] how far the first import is (the dataset being imported
/// and how many have committed), and another [`Progress`] (the terminal) everything.
pub struct ReadinessProgress<P> {
    inner: P,
    readiness: Readiness,
    committed: AtomicUsize,
}

impl<P: Progress> ReadinessProgress<P> {
    /// Starts at the first bundled dataset, none committed.
    pub fn new(inner: P, readiness: Readiness) -> Self {
        readiness.set(importing(0));
        Self { inner, readiness, committed: AtomicUsize::new(0) }
    }
}

/// The stage of the first import once `committed` bundled datasets have committed:
/// importing the next one.
pub fn importing(committed: usize) -> Stage {
    let bundled = Dataset::BUNDLED;
    let next = bundled.get(committed).or(bundled.last()).map_or("", |dataset| dataset.name());
    Stage::Importing { dataset: next.to_owned(), datasets_done: committed, datasets_total: bundled.len() }
}

impl<P: Progress> Progress for ReadinessProgress<P> {
    fn start(&self, dataset: &str, total_rows: u64) {
        self.inner.start(dataset, total_rows);
        let committed = self.committed.load(Ordering::SeqCst);
        self.readiness.set(Stage::Importing {
            dataset: dataset.to_owned(),
            datasets_done: committed,
            datasets_total: Dataset::BUNDLED.len(),
        });
    }

    fn advance(&self, rows: u64) {
        self.inner.advance(rows);
    }

    fn finish(&self, report: &RunReport) {
        self.inner.finish(report);
        let committed = self.committed.fetch_add(1, Ordering::SeqCst) + 1;
        self.readiness.set(importing(committed));
    }
}

#[cfg(test)]
mod tests {
    use seed::NoProgress;

    use super::*;

    #[test]
    fn readiness_follows_the_datasets() {
        let readiness = Readiness::ready();
        let progress = ReadinessProgress::new(NoProgress, readiness.clone());
        let total = Dataset::BUNDLED.len();
        let first = Stage::Importing { dataset: "country-codes".to_owned(), datasets_done: 0, datasets_total: total };
        assert_eq!(readiness.stage(), first);
        progress.start("country-codes", 250);
        progress.finish(&RunReport { dataset: "country-codes".to_owned(), ..RunReport::default() });
        let second = Stage::Importing { dataset: "blocs".to_owned(), datasets_done: 1, datasets_total: total };
        assert_eq!(readiness.stage(), second);
        assert!(!readiness.is_ready());
    }
}
