//! The store: the latest snapshot of every live process, the dumps read
//! from the dump directory, and a sequence number that grows by one on
//! every change.
//!
//! A process is named by its key (unique per process lifetime).
//!
//! - **Processes** are what pushes: a pushed snapshot always replaces the
//!   one held. A process is *live* while at least one push connection
//!   that has sent its snapshots is still open; when the last one ends it
//!   turns *stale*: it keeps its last snapshot, stays in the live view
//!   (its findings are still reported, marked stale by the UI), and is
//!   forgotten once it has been stale for `--stale-after`
//!   ([`Store::forget_stale`]).
//! - **Dumps** are pictures of the past: a dump file is never a live
//!   process, even when the process that wrote it (on SIGUSR1) is pushing
//!   right now. Dumps are kept apart, one per process key (a newer dump
//!   of the same process replaces an older one), and never enter the
//!   live view.
//!
//! **Memory** ([`Budget`]): every snapshot held is counted as
//! [`HELD_PER_RAW_BYTE`] times its JSON size (its JSON, its parsed form
//! and its share of the view). When what is held passes `--max-memory`,
//! the recording's history gives way first (its budget shrinks to what is
//! left), then the processes stale the longest are forgotten, then a new
//! process or dump is refused with a log line; a process already held is
//! always updated.
//!
//! Writers (ingest tasks, the dump watcher thread) hold the lock only to
//! swap an `Arc`; the expensive work (merging, analysing) happens in
//! [`super::view`] on a copy of the `Arc`s, outside the lock.

use super::memory::{Budget, HELD_PER_RAW_BYTE};
use super::record::Recorder;
use bytes::Bytes;
use peeps_graph::Snapshot;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// Where a process's latest snapshot came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Source {
    /// A push connection.
    Push,
    /// A dump file.
    Dump,
}

/// One process as the store holds it.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The latest snapshot.
    pub(crate) snapshot: Arc<Snapshot>,
    /// The snapshot's JSON exactly as received (frame body or file).
    pub(crate) raw: Bytes,
    /// Where it came from.
    pub(crate) source: Source,
    /// Open push connections that have sent this process's snapshots.
    pub(crate) live: u32,
    /// When the server last heard from the process (push) or when the
    /// snapshot was captured (replay), in ms since the Unix epoch.
    pub(crate) last_seen_ms: u64,
}

impl Entry {
    /// No open connection feeds this process.
    pub(crate) fn stale(&self) -> bool {
        self.live == 0
    }
}

/// One dump as the store holds it: a picture of a process in the past.
#[derive(Debug, Clone)]
pub(crate) struct Dump {
    /// Its snapshot.
    pub(crate) snapshot: Arc<Snapshot>,
    /// The file's bytes.
    pub(crate) raw: Bytes,
    /// The file it was read from.
    pub(crate) file: PathBuf,
}

#[derive(Debug, Default)]
struct State {
    seq: u64,
    processes: BTreeMap<String, Entry>,
    dumps: BTreeMap<String, Dump>,
    /// What the processes and dumps held count for ([`HELD_PER_RAW_BYTE`]).
    held: usize,
    counters: Counters,
}

/// What the store has done since start, for `/api/status`.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Counters {
    /// Pushed snapshots taken.
    pub(crate) snapshots: u64,
    /// Their bytes.
    pub(crate) bytes: u64,
    /// Processes forgotten: stale for `--stale-after`, or for room.
    pub(crate) forgotten: u64,
    /// New processes and dumps refused for lack of room.
    pub(crate) refused: u64,
}

/// What the view is computed from: a consistent copy of the store.
#[derive(Debug, Clone)]
pub(crate) struct Contents {
    /// The change number this copy reflects.
    pub(crate) seq: u64,
    /// Every process, by key.
    pub(crate) processes: Vec<(String, Entry)>,
    /// Every dump, by process key.
    pub(crate) dumps: Vec<(String, Dump)>,
}

/// A new process or dump that did not fit in `--max-memory`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Refused {
    /// What it would have counted for, in bytes.
    pub(crate) needs: usize,
    /// What is held already.
    pub(crate) held: usize,
    /// The budget.
    pub(crate) max: usize,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "over the memory budget: it needs {} MiB, {} MiB of {} MiB (--max-memory) are held \
             by live processes and dumps",
            self.needs >> 20,
            self.held >> 20,
            self.max >> 20
        )
    }
}

/// The store. Shared as `Arc<Store>` by every writer and the view.
#[derive(Debug)]
pub(crate) struct Store {
    state: Mutex<State>,
    changed: watch::Sender<u64>,
    /// Every pushed snapshot taken, for stepping back ([`super::record`]).
    recorder: Arc<Recorder>,
    budget: Budget,
}

/// Wall-clock now, in ms since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// What a snapshot of `raw` bytes counts for.
fn cost(raw: &Bytes) -> usize {
    raw.len().saturating_mul(HELD_PER_RAW_BYTE)
}

impl Store {
    /// An empty store at change 0, recording in memory by default.
    #[cfg(test)]
    pub(crate) fn new() -> Store {
        Store::recording(
            Arc::new(Recorder::in_memory(super::record::DEFAULT_RECORD_BYTES)),
            Budget::new(super::memory::DEFAULT_MAX_MEMORY),
        )
    }

    /// An empty store at change 0 that records every pushed snapshot it
    /// takes into `recorder`, within `budget`.
    pub(crate) fn recording(recorder: Arc<Recorder>, budget: Budget) -> Store {
        Store {
            state: Mutex::new(State::default()),
            changed: watch::channel(0).0,
            recorder,
            budget,
        }
    }

    /// The recording.
    pub(crate) fn recorder(&self) -> &Arc<Recorder> {
        &self.recorder
    }

    /// The memory budget.
    pub(crate) fn budget(&self) -> &Budget {
        &self.budget
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the maps half-updated
        // (every update is an insert or a removal with its count): keep
        // serving.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn bump(&self, state: &mut State) {
        state.seq += 1;
        self.changed.send_replace(state.seq);
    }

    /// Waits for changes: the receiver sees the latest change number.
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Makes room for `adding` bytes that replace `replacing` bytes held
    /// under `key`: forgets the processes stale the longest (never `key`)
    /// while over budget; then, if still over and `may_refuse`, refuses
    /// (and when forgetting every stale process would not make room, it
    /// refuses at once and forgets none of them).
    /// On success the new total is counted and the recording gets what is
    /// left.
    fn fit(
        &self,
        state: &mut State,
        key: &str,
        adding: usize,
        replacing: usize,
        may_refuse: bool,
    ) -> Result<(), Refused> {
        let max = self.budget.max_bytes();
        let mut after = state.held.saturating_sub(replacing) + adding;
        if after > max {
            let mut stale: Vec<(u64, String)> = state
                .processes
                .iter()
                .filter(|(k, e)| e.stale() && k.as_str() != key)
                .map(|(k, e)| (e.last_seen_ms, k.clone()))
                .collect();
            stale.sort_unstable();
            // Forget nobody for a newcomer that would not fit even then.
            let freeable: usize = stale
                .iter()
                .filter_map(|(_, k)| state.processes.get(k))
                .map(|e| cost(&e.raw))
                .sum();
            if may_refuse && after.saturating_sub(freeable) > max {
                state.counters.refused += 1;
                return Err(Refused {
                    needs: adding,
                    held: state.held,
                    max,
                });
            }
            let mut forgotten = 0;
            for (_, k) in stale {
                if after <= max {
                    break;
                }
                if let Some(e) = state.processes.remove(&k) {
                    after = after.saturating_sub(cost(&e.raw));
                    state.held = state.held.saturating_sub(cost(&e.raw));
                    forgotten += 1;
                }
            }
            if forgotten > 0 {
                state.counters.forgotten += forgotten;
                eprintln!(
                    "peeps: memory: forgot the {forgotten} process(es) stale the longest to stay \
                     within --max-memory ({} MiB)",
                    max >> 20
                );
            }
        }
        if after > max && may_refuse {
            state.counters.refused += 1;
            return Err(Refused {
                needs: adding,
                held: state.held,
                max,
            });
        }
        state.held = after;
        self.recorder.limit(max.saturating_sub(after));
        Ok(())
    }

    /// A pushed snapshot. `first` is true for the first snapshot of its
    /// connection: the connection then counts as feeding the process live
    /// until [`Store::disconnect`]. A process the store does not hold yet
    /// is refused when it does not fit in the budget (the caller closes
    /// its connection); one it holds is always updated.
    pub(crate) fn push(&self, snapshot: Snapshot, raw: Bytes, first: bool) -> Result<(), Refused> {
        let key = snapshot.process.key.clone();
        let snapshot = Arc::new(snapshot);
        // The entry replaced, freed once the lock is released.
        let _replaced;
        {
            let mut state = self.lock();
            let held = state.processes.get(&key);
            let live = held.map_or(0, |e| e.live) + u32::from(first);
            let replacing = held.map_or(0, |e| cost(&e.raw));
            let new = held.is_none();
            self.fit(&mut state, &key, cost(&raw), replacing, new)?;
            state.counters.snapshots += 1;
            state.counters.bytes += raw.len() as u64;
            _replaced = state.processes.insert(
                key,
                Entry {
                    snapshot: snapshot.clone(),
                    raw: raw.clone(),
                    source: Source::Push,
                    live,
                    last_seen_ms: now_ms(),
                },
            );
            self.bump(&mut state);
        }
        // Outside the store's lock (the recorder has its own); it shares
        // the JSON with the entry.
        self.recorder.add(&snapshot, raw, Source::Push);
        Ok(())
    }

    /// A push connection that had sent snapshots of `key` ended.
    pub(crate) fn disconnect(&self, key: &str) {
        let mut state = self.lock();
        let Some(entry) = state.processes.get_mut(key) else {
            return;
        };
        entry.live = entry.live.saturating_sub(1);
        if entry.live == 0 {
            entry.last_seen_ms = now_ms();
        }
        self.bump(&mut state);
    }

    /// Forgets the processes stale for at least `after_ms`; returns how
    /// many.
    pub(crate) fn forget_stale(&self, after_ms: u64) -> usize {
        let now = now_ms();
        let mut state = self.lock();
        let old: Vec<String> = state
            .processes
            .iter()
            .filter(|(_, e)| e.stale() && now.saturating_sub(e.last_seen_ms) >= after_ms)
            .map(|(k, _)| k.clone())
            .collect();
        for k in &old {
            if let Some(e) = state.processes.remove(k) {
                state.held = state.held.saturating_sub(cost(&e.raw));
            }
        }
        if !old.is_empty() {
            state.counters.forgotten += old.len() as u64;
            let held = state.held;
            self.recorder
                .limit(self.budget.max_bytes().saturating_sub(held));
            self.bump(&mut state);
        }
        old.len()
    }

    /// A dump file's snapshot. Kept unless the store holds a dump of that
    /// process captured at the same time or later (`Ok(false)`); a new
    /// dump that does not fit in the budget is refused.
    pub(crate) fn dump(
        &self,
        snapshot: Snapshot,
        raw: Bytes,
        file: &Path,
    ) -> Result<bool, Refused> {
        let mut state = self.lock();
        let key = snapshot.process.key.clone();
        let replacing = match state.dumps.get(&key) {
            Some(held) if held.snapshot.captured_at_ms >= snapshot.captured_at_ms => {
                return Ok(false);
            }
            Some(held) => cost(&held.raw),
            None => 0,
        };
        self.fit(&mut state, &key, cost(&raw), replacing, true)?;
        state.dumps.insert(
            key,
            Dump {
                snapshot: Arc::new(snapshot),
                raw,
                file: file.to_owned(),
            },
        );
        self.bump(&mut state);
        Ok(true)
    }

    /// Forgets the dumps read from `file` (it was deleted) and those
    /// captured before `oldest_ms`; returns how many.
    pub(crate) fn forget_dumps(&self, file: Option<&Path>, oldest_ms: u64) -> usize {
        let mut state = self.lock();
        let gone: Vec<String> = state
            .dumps
            .iter()
            .filter(|(_, d)| {
                Some(d.file.as_path()) == file || d.snapshot.captured_at_ms < oldest_ms
            })
            .map(|(k, _)| k.clone())
            .collect();
        for k in &gone {
            if let Some(d) = state.dumps.remove(k) {
                state.held = state.held.saturating_sub(cost(&d.raw));
            }
        }
        if !gone.is_empty() {
            self.bump(&mut state);
        }
        gone.len()
    }

    /// A recorded snapshot served by `--replay`: a process as it was,
    /// stale (nothing feeds it).
    pub(crate) fn replayed(&self, snapshot: Snapshot, raw: Bytes, source: Source) {
        let mut state = self.lock();
        let key = snapshot.process.key.clone();
        state.held += cost(&raw);
        let last_seen_ms = snapshot.captured_at_ms;
        state.processes.insert(
            key,
            Entry {
                snapshot: Arc::new(snapshot),
                raw,
                source,
                live: 0,
                last_seen_ms,
            },
        );
        self.bump(&mut state);
    }

    /// What is held (bytes, as counted against the budget) and the
    /// counters.
    pub(crate) fn usage(&self) -> (usize, Counters) {
        let state = self.lock();
        (state.held, state.counters)
    }

    /// A consistent copy of everything (cheap: `Arc`s and `Bytes`).
    pub(crate) fn contents(&self) -> Contents {
        let state = self.lock();
        Contents {
            seq: state.seq,
            processes: state
                .processes
                .iter()
                .map(|(k, e)| (k.clone(), e.clone()))
                .collect(),
            dumps: state
                .dumps
                .iter()
                .map(|(k, d)| (k.clone(), d.clone()))
                .collect(),
        }
    }
}

/// Forgets the processes stale for `after`, looking every second (or
/// sooner for a shorter `after`), with a log line counting them; runs until
/// the runtime stops.
pub(crate) async fn forget_stale_every(store: Arc<Store>, after: std::time::Duration) {
    use std::time::Duration;
    let after_ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX);
    let mut every =
        tokio::time::interval(after.clamp(Duration::from_millis(100), Duration::from_secs(1)));
    loop {
        every.tick().await;
        let n = store.forget_stale(after_ms);
        if n > 0 {
            eprintln!(
                "peeps: forgot {n} process(es) stale for {} (--stale-after)",
                humantime::format_duration(after)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(key: &str, captured_at_ms: u64) -> Snapshot {
        let mut s = Snapshot::from_json(include_str!("../../../docs/example-dump.json")).unwrap();
        s.process.key = key.to_owned();
        s.captured_at_ms = captured_at_ms;
        s
    }

    fn budgeted(max: usize) -> Store {
        Store::recording(Arc::new(Recorder::in_memory(1 << 20)), Budget::new(max))
    }

    #[test]
    fn a_process_turns_stale_when_its_last_connection_ends() {
        let store = Store::new();
        store.push(snap("a", 1), Bytes::new(), true).unwrap();
        store.push(snap("a", 2), Bytes::new(), false).unwrap();
        store.push(snap("a", 3), Bytes::new(), true).unwrap(); // a second connection
        let live = |s: &Store| s.contents().processes[0].1.live;
        assert_eq!(live(&store), 2);
        store.disconnect("a");
        assert_eq!(live(&store), 1);
        store.disconnect("a");
        let c = store.contents();
        assert!(c.processes[0].1.stale());
        assert_eq!(c.processes[0].1.snapshot.captured_at_ms, 3);
        assert_eq!(c.seq, 5);
        store.disconnect("unknown");
        assert_eq!(store.contents().seq, 5);
    }

    #[test]
    fn a_dump_is_kept_apart_from_the_live_process_that_wrote_it() {
        let store = Store::new();
        let file = Path::new("/d/a.json");
        store.push(snap("a", 10), Bytes::new(), true).unwrap();
        assert!(store.dump(snap("a", 5), Bytes::new(), file).unwrap());
        assert!(
            !store.dump(snap("a", 5), Bytes::new(), file).unwrap(),
            "not newer"
        );
        assert!(store.dump(snap("a", 11), Bytes::new(), file).unwrap());
        let c = store.contents();
        assert_eq!(c.processes.len(), 1);
        assert_eq!(c.processes[0].1.source, Source::Push);
        assert_eq!(c.processes[0].1.snapshot.captured_at_ms, 10);
        assert!(!c.processes[0].1.stale(), "still fed by its connection");
        assert_eq!(c.dumps.len(), 1);
        assert_eq!(c.dumps[0].1.snapshot.captured_at_ms, 11);
        assert_eq!(store.forget_dumps(Some(file), 0), 1);
        assert!(store.contents().dumps.is_empty());
    }

    #[test]
    fn stale_processes_are_forgotten_after_a_while_and_live_ones_never() {
        let store = Store::new();
        store.push(snap("a", 1), Bytes::new(), true).unwrap();
        store.push(snap("b", 1), Bytes::new(), true).unwrap();
        store.disconnect("a");
        assert_eq!(store.forget_stale(60_000), 0, "a is stale since just now");
        assert_eq!(store.forget_stale(0), 1);
        let keys: Vec<String> = store
            .contents()
            .processes
            .into_iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(keys, ["b"]);
        assert_eq!(store.usage().1.forgotten, 1);
    }

    #[test]
    fn over_budget_the_recording_then_stale_processes_give_way_then_new_ones_are_refused() {
        let kib = |n: usize| Bytes::from(vec![b' '; n << 10]);
        // Each 1 KiB snapshot counts for HELD_PER_RAW_BYTE KiB; room for 3.
        let one = HELD_PER_RAW_BYTE << 10;
        let store = budgeted(3 * one);
        store.push(snap("a", 1), kib(1), true).unwrap();
        store.push(snap("b", 1), kib(1), true).unwrap();
        assert_eq!(store.recorder().summary().max_bytes, one, "the rest");
        store.push(snap("c", 1), kib(1), true).unwrap();
        assert_eq!(
            store.recorder().summary().bytes,
            0,
            "the recording gave way"
        );
        store.disconnect("a");
        store.push(snap("d", 1), kib(1), true).unwrap();
        let keys = |s: &Store| -> Vec<String> {
            s.contents().processes.into_iter().map(|p| p.0).collect()
        };
        assert_eq!(keys(&store), ["b", "c", "d"], "a, stale, was forgotten");
        let refused = store.push(snap("e", 1), kib(1), true).unwrap_err();
        assert!(refused.to_string().contains("--max-memory"), "{refused}");
        store
            .push(snap("b", 2), kib(1), false)
            .expect("a held process is updated");
        assert!(
            store
                .dump(snap("f", 1), kib(1), Path::new("/f.json"))
                .is_err()
        );
        assert_eq!(keys(&store), ["b", "c", "d"]);
        assert_eq!(store.usage().1.refused, 2);
        // A newcomer that would not fit even with every stale process gone
        // is refused without forgetting any of them.
        store.disconnect("c");
        let refused = store.push(snap("g", 1), kib(3), true).unwrap_err();
        assert!(refused.to_string().contains("--max-memory"), "{refused}");
        assert_eq!(keys(&store), ["b", "c", "d"], "c, stale, is kept");
        store.push(snap("h", 1), kib(1), true).unwrap();
        assert_eq!(keys(&store), ["b", "d", "h"], "c gave way to one that fits");
    }
}
