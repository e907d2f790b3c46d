//! Batching without a wait: the keys that resolvers ask a loader for while their request's
//! task runs one pass are loaded together, as soon as that pass ends.
//!
//! async-graphql resolves the fields of a list's items concurrently inside the request's
//! task, so the siblings of one field ask for their keys one after the other in the same
//! pass. Each asker adds its key to the loader's open batch and yields once
//! ([`tokio::task::yield_now`] wakes it only after the task has gone back to the runtime,
//! that is after every sibling has had its turn); the first to resume closes the batch and
//! starts one load for all of it, which the others then await. A timed window (the
//! `DataLoader`'s) makes every relation wait for it and, on a busy machine, may still split
//! a batch in two; this one costs a task switch and depends on no clock. Requests that run
//! at the same time may share a batch too.

use std::{
    collections::{HashMap, HashSet},
    hash::Hash,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use async_graphql::dataloader::Loader;
use futures::future::{BoxFuture, FutureExt, Shared};

/// Most keys one call of a loader gets (one SQL statement's `IN` list); a larger batch is
/// loaded in several calls.
const MAX_KEYS_PER_CALL: usize = 1_000;

/// The values of one batch, or the error that loading it met.
type Loaded<K, V, E> = Result<Arc<HashMap<K, V>>, E>;

/// The load of a closed batch, which every asker of its keys awaits.
type Loading<K, V, E> = Shared<BoxFuture<'static, Loaded<K, V, E>>>;

/// A batch of keys: still open to more, or closed and loading.
enum Batch<K, V, E> {
    /// Keys asked for so far.
    Open(HashSet<K>),
    /// The closed batch's load.
    Loading(Loading<K, V, E>),
}

type SharedBatch<K, V, E> = Arc<Mutex<Batch<K, V, E>>>;

/// A loader whose keys (ids unless said) are batched per pass of execution.
pub struct Batcher<L: Loader<K>, K = i32>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
{
    loader: Arc<L>,
    open: Mutex<SharedBatch<K, L::Value, L::Error>>,
}

/// Locks a mutex whose data stays consistent even if a holder panicked (every critical
/// section here is a single replacement).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<L, K> Batcher<L, K>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    L: Loader<K>,
{
    /// Batches the loads of `loader`.
    pub fn new(loader: L) -> Self {
        Self { loader: Arc::new(loader), open: Mutex::new(Arc::new(Mutex::new(Batch::Open(HashSet::new())))) }
    }

    /// The value of one key, if the loader found one.
    pub async fn load_one(&self, key: K) -> Result<Option<L::Value>, L::Error> {
        let loaded = self.load(std::slice::from_ref(&key)).await?;
        Ok(loaded.get(&key).cloned())
    }

    /// The values of some keys, those the loader found.
    pub async fn load_many(&self, keys: impl IntoIterator<Item = K>) -> Result<HashMap<K, L::Value>, L::Error> {
        let keys: Vec<K> = keys.into_iter().collect();
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let loaded = self.load(&keys).await?;
        Ok(keys.into_iter().filter_map(|key| loaded.get(&key).cloned().map(|value| (key, value))).collect())
    }

    /// Adds the keys to the open batch, lets the siblings add theirs, then awaits the batch.
    async fn load(&self, keys: &[K]) -> Loaded<K, L::Value, L::Error> {
        let batch = self.join(keys);
        tokio::task::yield_now().await;
        self.close(&batch).await
    }

    /// Adds keys to the open batch (opening a new one if the last has closed) and returns
    /// it.
    fn join(&self, keys: &[K]) -> SharedBatch<K, L::Value, L::Error> {
        let mut open = lock(&self.open);
        if matches!(*lock(&open), Batch::Loading(_)) {
            *open = Arc::new(Mutex::new(Batch::Open(HashSet::new())));
        }
        if let Batch::Open(gathered) = &mut *lock(&open) {
            gathered.extend(keys.iter().cloned());
        }
        open.clone()
    }

    /// The load of a batch: started by the first asker to get here, which closes it.
    fn close(&self, batch: &SharedBatch<K, L::Value, L::Error>) -> Loading<K, L::Value, L::Error> {
        let mut state = lock(batch);
        match &mut *state {
            Batch::Loading(loading) => loading.clone(),
            Batch::Open(gathered) => {
                let keys: Vec<K> = gathered.drain().collect();
                let loading = load_all(self.loader.clone(), keys).boxed().shared();
                *state = Batch::Loading(loading.clone());
                loading
            }
        }
    }
}

/// Loads keys in calls of at most [`MAX_KEYS_PER_CALL`], one after the other (each holds a
/// database connection while it runs).
async fn load_all<K, L>(loader: Arc<L>, keys: Vec<K>) -> Loaded<K, L::Value, L::Error>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    L: Loader<K>,
{
    let mut values = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(MAX_KEYS_PER_CALL) {
        values.extend(loader.load(chunk).await?);
    }
    Ok(Arc::new(values))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use futures::future::join_all;

    use super::*;

    /// What a loader saw: how many keys each call got, and how many in all.
    #[derive(Default)]
    struct Calls {
        calls: Mutex<Vec<usize>>,
        keys: AtomicUsize,
    }

    /// Doubles keys (the negative ones it does not find).
    #[derive(Clone, Default)]
    struct Doubler(Arc<Calls>);

    impl std::ops::Deref for Doubler {
        type Target = Calls;

        fn deref(&self) -> &Calls {
            &self.0
        }
    }

    impl Loader<i32> for Doubler {
        type Value = i32;
        type Error = ();

        async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, i32>, ()> {
            lock(&self.calls).push(keys.len());
            self.keys.fetch_add(keys.len(), Ordering::SeqCst);
            Ok(keys.iter().filter(|key| **key >= 0).map(|key| (*key, key * 2)).collect())
        }
    }

    #[tokio::test]
    async fn siblings_of_one_pass_are_loaded_in_one_call() {
        let doubler = Doubler::default();
        let batcher = Batcher::new(doubler.clone());
        let values = join_all((-1..50).map(|key| batcher.load_one(key))).await;
        assert_eq!(values[0], Ok(None), "a key the loader did not find");
        assert!(values[1..].iter().enumerate().all(|(key, value)| *value == Ok(Some(key as i32 * 2))));
        assert_eq!(*lock(&doubler.calls), vec![51]);
    }

    #[tokio::test]
    async fn keys_asked_for_after_a_batch_closed_go_to_the_next() {
        let doubler = Doubler::default();
        let batcher = Batcher::new(doubler.clone());
        let first = batcher.load_many([1, 2, 2]).await;
        let second = join_all([batcher.load_one(2), batcher.load_one(3)]).await;
        assert_eq!(first, Ok(HashMap::from([(1, 2), (2, 4)])));
        assert_eq!(second, vec![Ok(Some(4)), Ok(Some(6))]);
        assert_eq!(*lock(&doubler.calls), vec![2, 2]);
    }

    #[tokio::test]
    async fn a_large_batch_is_loaded_in_calls_of_bounded_size() {
        let doubler = Doubler::default();
        let batcher = Batcher::new(doubler.clone());
        let values = batcher.load_many(0..2_500).await.expect("loaded");
        assert_eq!(values.len(), 2_500);
        let mut calls = lock(&doubler.calls).clone();
        calls.sort_unstable();
        assert_eq!(calls, vec![500, 1_000, 1_000]);
        assert_eq!(doubler.keys.load(Ordering::SeqCst), 2_500);
    }
}
