//! Whether the server can answer from its database yet.
//!
//! The server binds its port before the first import, so that `/health` can report the
//! import's progress and GraphQL can answer a coded `SERVICE_UNAVAILABLE` instead of a
//! partial graph. The importer moves the stage forward; the HTTP layer reads it.

use std::sync::{Arc, RwLock};

use serde::Serialize;

/// Where the server stands with its data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "stage", rename_all = "camelCase")]
pub enum Stage {
    /// The data is complete: every request is served.
    Ready,
    /// The first import of the bundled data is running.
    #[serde(rename_all = "camelCase")]
    Importing {
        /// The dataset being imported now.
        dataset: String,
        /// Datasets already committed.
        datasets_done: usize,
        /// Datasets in the bundle.
        datasets_total: usize,
    },
    /// The first import failed; the server cannot serve data until an operator acts.
    Failed {
        /// What went wrong, as logged.
        reason: String,
    },
}

/// What a data request (GraphQL, exports) is answered, with 503, while the stage is not
/// [`Stage::Ready`].
pub const NOT_READY_MESSAGE: &str = "the bundled open data is being imported; try again shortly";

/// The `Retry-After` of those answers, in seconds.
pub const RETRY_AFTER_SECONDS: &str = "5";

/// A shared, cheap-to-clone handle on the current [`Stage`].
#[derive(Clone, Debug)]
pub struct Readiness(Arc<RwLock<Stage>>);

impl Readiness {
    /// A handle that starts at `stage`.
    pub fn new(stage: Stage) -> Self {
        Self(Arc::new(RwLock::new(stage)))
    }

    /// A handle on a database whose data is complete.
    pub fn ready() -> Self {
        Self::new(Stage::Ready)
    }

    /// Moves to `stage`.
    pub fn set(&self, stage: Stage) {
        match self.0.write() {
            Ok(mut current) => *current = stage,
            Err(poisoned) => *poisoned.into_inner() = stage,
        }
    }

    /// The current stage.
    pub fn stage(&self) -> Stage {
        match self.0.read() {
            Ok(current) => current.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Whether requests for data can be served.
    pub fn is_ready(&self) -> bool {
        self.stage() == Stage::Ready
    }
}

impl Default for Readiness {
    fn default() -> Self {
        Self::ready()
    }
}
