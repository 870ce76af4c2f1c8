//! A store that times what passes through it.

use super::*;

// --- a store that times what passes through it --------------------------------------------------

#[derive(Default)]
pub(crate) struct Stats {
    pub gets: AtomicU64,
    pub get_ns: AtomicU64,
    pub scans: AtomicU64,
    pub scan_ns: AtomicU64,
    pub commits: AtomicU64,
    pub commit_ns: AtomicU64,
    pub each_calls: AtomicU64,
    pub each_batches: AtomicU64,
    pub each_writes: AtomicU64,
    pub each_ns: AtomicU64,
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Snapshot {
    pub gets: u64,
    pub get_ns: u64,
    pub scans: u64,
    pub scan_ns: u64,
    pub commits: u64,
    pub commit_ns: u64,
    pub each_calls: u64,
    pub each_batches: u64,
    pub each_writes: u64,
    pub each_ns: u64,
}

impl Stats {
    pub(crate) fn take(&self) -> Snapshot {
        let t = |a: &AtomicU64| a.swap(0, Ordering::SeqCst);
        Snapshot {
            gets: t(&self.gets),
            get_ns: t(&self.get_ns),
            scans: t(&self.scans),
            scan_ns: t(&self.scan_ns),
            commits: t(&self.commits),
            commit_ns: t(&self.commit_ns),
            each_calls: t(&self.each_calls),
            each_batches: t(&self.each_batches),
            each_writes: t(&self.each_writes),
            each_ns: t(&self.each_ns),
        }
    }
}

pub(crate) fn add(counter: &AtomicU64, timer: &AtomicU64, since: Instant) {
    counter.fetch_add(1, Ordering::Relaxed);
    timer.fetch_add(since.elapsed().as_nanos() as u64, Ordering::Relaxed);
}

type Detail = std::collections::BTreeMap<(&'static str, &'static str), (usize, usize)>;

/// `SledStore`, timed. With `merge > 0`, `commit_each` joins every `merge` batches into one
/// transaction (a what-if only: a failing guard would then fail its neighbours too).
pub(crate) struct TimedStore {
    pub inner: SledStore,
    pub stats: Stats,
    pub merge: usize,
    /// Bytes (keys + values) and writes per tree of the last `commit_each`, when asked.
    pub detail: Option<std::sync::Mutex<Detail>>,
}

impl Store for TimedStore {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let start = Instant::now();
        let out = self.inner.get(tree, key);
        add(&self.stats.gets, &self.stats.get_ns, start);
        out
    }

    fn scan(
        &self,
        tree: Tree,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
        reverse: bool,
    ) -> Result<Entries> {
        let start = Instant::now();
        let out = self.inner.scan(tree, prefix, after, limit, reverse);
        add(&self.stats.scans, &self.stats.scan_ns, start);
        out
    }

    fn generation(&self) -> u64 {
        self.inner.generation()
    }

    fn commit(&self, batch: Batch) -> Result<()> {
        let start = Instant::now();
        let out = self.inner.commit(batch);
        add(&self.stats.commits, &self.stats.commit_ns, start);
        out
    }

    fn commit_each(&self, batches: Vec<Batch>) -> Vec<Result<()>> {
        if let Some(detail) = &self.detail {
            let mut detail = detail.lock().unwrap();
            detail.clear();
            for write in batches.iter().flat_map(|b| &b.writes) {
                let bytes = match write {
                    Write::Put { key, value, .. } | Write::Create { key, value, .. } => {
                        key.len() + value.len()
                    }
                    Write::Remove { key, .. } => key.len(),
                    Write::Expect { key, value, .. } => {
                        key.len() + value.as_ref().map_or(0, Vec::len)
                    }
                };
                let kind = match write {
                    Write::Put { .. } => "put",
                    Write::Create { .. } => "create",
                    Write::Remove { .. } => "remove",
                    Write::Expect { .. } => "expect",
                };
                let entry = detail.entry((write.tree().name(), kind)).or_default();
                entry.0 += 1;
                entry.1 += bytes;
            }
        }
        let start = Instant::now();
        let count = batches.len();
        let writes: usize = batches.iter().map(|b| b.writes.len()).sum();
        let out = if self.merge == 0 {
            self.inner.commit_each(batches)
        } else {
            let mut merged = Vec::with_capacity(count.div_ceil(self.merge));
            let mut sizes = Vec::with_capacity(merged.capacity());
            let mut rest = batches.into_iter().peekable();
            while rest.peek().is_some() {
                let mut one = Batch::default();
                let mut n = 0;
                for b in rest.by_ref().take(self.merge) {
                    one.extend(b);
                    n += 1;
                }
                merged.push(one);
                sizes.push(n);
            }
            let results = self.inner.commit_each(merged);
            results
                .into_iter()
                .zip(sizes)
                .flat_map(|(r, n)| {
                    let r = r.map_err(|e| e.to_string());
                    (0..n).map(move |_| r.clone().map_err(docket_engine::Error::Storage))
                })
                .collect()
        };
        self.stats
            .each_batches
            .fetch_add(count as u64, Ordering::Relaxed);
        self.stats
            .each_writes
            .fetch_add(writes as u64, Ordering::Relaxed);
        add(&self.stats.each_calls, &self.stats.each_ns, start);
        out
    }

    fn flush(&self) -> Result<()> {
        self.inner.flush()
    }

    fn len(&self, tree: Tree) -> Result<usize> {
        self.inner.len(tree)
    }

    fn for_each(&self, each: Visit) -> Result<()> {
        self.inner.for_each(each)
    }

    fn files(&self) -> &docket_engine::store::FileStore {
        self.inner.files()
    }
}
