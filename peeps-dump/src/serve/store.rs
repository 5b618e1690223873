//! The store: the latest snapshot of every process the server has heard
//! of, whether it is still live, and a sequence number that grows by one on
//! every change.
//!
//! A process is named by its key (unique per process lifetime). A pushed
//! snapshot always replaces the one held; a dump replaces it only when it
//! was captured later (an old dump never hides a live process). A process
//! is *live* while at least one push connection has sent its snapshots and
//! is still open; when the last one ends it turns *stale* and keeps its
//! last snapshot and the time it was last seen. Processes known only from
//! dumps are stale: nothing feeds them live.
//!
//! Writers (ingest tasks, the dump watcher thread) hold the lock only to
//! swap an `Arc`; the expensive work (merging, analysing) happens in
//! [`super::view`] on a copy of the `Arc`s, outside the lock.

use super::record::Recorder;
use bytes::Bytes;
use peeps_graph::Snapshot;
use std::collections::BTreeMap;
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
    /// dump was captured, in ms since the Unix epoch.
    pub(crate) last_seen_ms: u64,
}

impl Entry {
    /// No open connection feeds this process.
    pub(crate) fn stale(&self) -> bool {
        self.live == 0
    }
}

#[derive(Debug, Default)]
struct State {
    seq: u64,
    processes: BTreeMap<String, Entry>,
}

/// What the view is computed from: a consistent copy of the store.
#[derive(Debug, Clone)]
pub(crate) struct Contents {
    /// The change number this copy reflects.
    pub(crate) seq: u64,
    /// Every process, by key.
    pub(crate) processes: Vec<(String, Entry)>,
}

/// The store. Shared as `Arc<Store>` by every writer and the view.
#[derive(Debug)]
pub(crate) struct Store {
    state: Mutex<State>,
    changed: watch::Sender<u64>,
    /// Every snapshot taken, for stepping back ([`super::record`]).
    recorder: Arc<Recorder>,
}

/// Wall-clock now, in ms since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Store {
    /// An empty store at change 0, recording in memory by default.
    #[cfg(test)]
    pub(crate) fn new() -> Store {
        Store::recording(Arc::new(Recorder::in_memory(
            super::record::DEFAULT_RECORD_BYTES,
        )))
    }

    /// An empty store at change 0 that records every snapshot it takes
    /// into `recorder`.
    pub(crate) fn recording(recorder: Arc<Recorder>) -> Store {
        Store {
            state: Mutex::new(State::default()),
            changed: watch::channel(0).0,
            recorder,
        }
    }

    /// The recording.
    pub(crate) fn recorder(&self) -> &Arc<Recorder> {
        &self.recorder
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the map half-updated
        // (every update is one insert or one field store): keep serving.
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

    /// A pushed snapshot. `first` is true for the first snapshot of its
    /// connection: the connection then counts as feeding the process live
    /// until [`Store::disconnect`].
    pub(crate) fn push(&self, snapshot: Snapshot, raw: Bytes, first: bool) {
        self.recorder.add(&snapshot, raw.clone(), Source::Push);
        let mut state = self.lock();
        let key = snapshot.process.key.clone();
        let live = state.processes.get(&key).map_or(0, |e| e.live) + u32::from(first);
        state.processes.insert(
            key,
            Entry {
                snapshot: Arc::new(snapshot),
                raw,
                source: Source::Push,
                live,
                last_seen_ms: now_ms(),
            },
        );
        self.bump(&mut state);
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

    /// A dump file's snapshot. Kept only if it is newer than what the store
    /// holds for that process; returns whether it was.
    pub(crate) fn dump(&self, snapshot: Snapshot, raw: Bytes) -> bool {
        let mut state = self.lock();
        let key = snapshot.process.key.clone();
        let live = match state.processes.get(&key) {
            Some(held) if held.snapshot.captured_at_ms >= snapshot.captured_at_ms => {
                return false;
            }
            Some(held) => held.live,
            None => 0,
        };
        let last_seen_ms = snapshot.captured_at_ms;
        if !self.recorder.replaying() {
            self.recorder.add(&snapshot, raw.clone(), Source::Dump);
        }
        state.processes.insert(
            key,
            Entry {
                snapshot: Arc::new(snapshot),
                raw,
                source: Source::Dump,
                live,
                last_seen_ms,
            },
        );
        self.bump(&mut state);
        true
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

    #[test]
    fn a_process_turns_stale_when_its_last_connection_ends() {
        let store = Store::new();
        store.push(snap("a", 1), Bytes::new(), true);
        store.push(snap("a", 2), Bytes::new(), false);
        store.push(snap("a", 3), Bytes::new(), true); // a second connection
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
    fn an_older_dump_never_replaces_a_newer_snapshot() {
        let store = Store::new();
        store.push(snap("a", 10), Bytes::new(), true);
        assert!(!store.dump(snap("a", 5), Bytes::new()));
        assert!(store.dump(snap("a", 11), Bytes::new()));
        let c = store.contents();
        assert_eq!(c.processes[0].1.source, Source::Dump);
        assert!(!c.processes[0].1.stale(), "still fed by its connection");
        assert!(store.dump(snap("b", 1), Bytes::new()));
        assert!(store.contents().processes[1].1.stale());
    }
}
