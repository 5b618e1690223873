//! The recording: every snapshot the server received, so a person can step
//! back and see the graph as it was at an earlier moment.
//!
//! Each pushed snapshot the store takes is kept here (dumps are not: they
//! are files already, and never part of the live view) as the JSON
//! it came as, by process and capture time, within a byte budget
//! (`--record-bytes`): past it, the oldest snapshots of any process go
//! first. With `--record DIR` each one is also written to
//! `DIR/<process key>/<captured_at_ms>.json` (by a thread of its own, never
//! on an async worker), and deleted from there when it leaves the budget;
//! `peeps serve --replay DIR` reads such a directory back ([`Recorder::load`]).
//!
//! Under `--max-memory` the budget shrinks to what the live processes
//! and dumps leave ([`Recorder::limit`]): the recording's history is the
//! first thing to give way.
//!
//! The state at an instant `t` is, for each process, its latest snapshot
//! captured at or before `t` ([`Recorder::at`]).

use super::store::Source;
use bytes::Bytes;
use peeps_graph::Snapshot;
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Mutex, MutexGuard};

/// The default budget: how many bytes of snapshots are kept.
pub(crate) const DEFAULT_RECORD_BYTES: usize = 256 << 20;

/// How many instants [`Recorder::instants`] lists at most (evenly thinned).
const MAX_INSTANTS: usize = 5000;

/// Writes waiting for the writer thread; more are dropped (and said).
const WRITE_QUEUE: usize = 256;

/// One recorded snapshot.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    /// Its process's key.
    pub(crate) key: String,
    /// When it was captured, ms since the Unix epoch.
    pub(crate) captured_at_ms: u64,
    /// Its JSON, as received.
    pub(crate) raw: Bytes,
    /// Where it came from.
    pub(crate) source: Source,
}

#[derive(Debug, Default)]
struct State {
    /// Per process key, its snapshots by capture time.
    by_key: BTreeMap<String, BTreeMap<u64, Recorded>>,
    /// Every snapshot kept, oldest received first: what goes first.
    order: VecDeque<(String, u64)>,
    bytes: usize,
}

/// What the writer thread does.
#[derive(Debug)]
enum Write {
    Save(Recorded),
    Delete(String, u64),
}

/// The recording of one server.
#[derive(Debug)]
pub(crate) struct Recorder {
    state: Mutex<State>,
    max_bytes: usize,
    /// What `--max-memory` leaves for the recording ([`Recorder::limit`]).
    allowed: AtomicUsize,
    /// The writer thread's queue, with `--record DIR`.
    writer: Option<SyncSender<Write>>,
    /// The directory written (`--record`) or read (`--replay`).
    dir: Option<PathBuf>,
    /// Serving a recording: nothing new comes in.
    replay: bool,
}

impl Recorder {
    /// A recording kept in memory only, within `max_bytes`.
    pub(crate) fn in_memory(max_bytes: usize) -> Recorder {
        Recorder {
            state: Mutex::default(),
            max_bytes,
            allowed: AtomicUsize::new(usize::MAX),
            writer: None,
            dir: None,
            replay: false,
        }
    }

    /// A recording also written to `dir` (made if missing).
    pub(crate) fn to_dir(dir: PathBuf, max_bytes: usize) -> std::io::Result<Recorder> {
        std::fs::create_dir_all(&dir)?;
        let (tx, rx) = sync_channel::<Write>(WRITE_QUEUE);
        let root = dir.clone();
        std::thread::Builder::new()
            .name("peeps-record".into())
            .spawn(move || {
                for w in rx {
                    write(&root, w);
                }
            })?;
        Ok(Recorder {
            state: Mutex::default(),
            max_bytes,
            allowed: AtomicUsize::new(usize::MAX),
            writer: Some(tx),
            dir: Some(dir),
            replay: false,
        })
    }

    /// The recording in `dir` (as `--record` writes it; any `*.json`
    /// snapshot under it is read), served as it is: returns it and how
    /// many snapshots it has.
    pub(crate) fn load(dir: &Path, max_bytes: usize) -> anyhow::Result<(Recorder, usize)> {
        use anyhow::Context;
        let mut files = Vec::new();
        collect_json(dir, &mut files, 0)
            .with_context(|| format!("{}: cannot read the recording", dir.display()))?;
        files.sort();
        let mut rec = Recorder::in_memory(max_bytes);
        rec.dir = Some(dir.to_owned());
        rec.replay = true;
        let mut n = 0;
        for path in files {
            let bytes = match std::fs::read(&path) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("peeps: replay: {}: cannot read: {e}", path.display());
                    continue;
                }
            };
            match Snapshot::from_slice(&bytes) {
                Ok(snap) => {
                    rec.add(&snap, Bytes::from(bytes), Source::Dump);
                    n += 1;
                }
                Err(e) => eprintln!(
                    "peeps: replay: {}: ignored: not a peeps dump: {e}",
                    path.display()
                ),
            }
        }
        Ok((rec, n))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update leaves the maps consistent: keep serving after a panic.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps `snap`, received as `raw` from `source` (a second snapshot of
    /// a process with the same capture time replaces the first).
    pub(crate) fn add(&self, snap: &Snapshot, raw: Bytes, source: Source) {
        let key = snap.process.key.clone();
        let at = snap.captured_at_ms;
        let rec = Recorded {
            key: key.clone(),
            captured_at_ms: at,
            raw,
            source,
        };
        let mut guard = self.lock();
        let state = &mut *guard;
        state.bytes += rec.raw.len();
        if let Some(old) = state
            .by_key
            .entry(key.clone())
            .or_default()
            .insert(at, rec.clone())
        {
            state.bytes -= old.raw.len();
        } else {
            state.order.push_back((key, at));
        }
        let gone = self.trim(state);
        drop(guard);
        self.send(std::iter::once(Write::Save(rec)).chain(gone));
    }

    /// The budget in force: `--record-bytes`, or less when `--max-memory`
    /// needs the room.
    fn budget(&self) -> usize {
        self.max_bytes.min(self.allowed.load(Ordering::Relaxed))
    }

    /// Drops the oldest snapshots past the budget. Within `--record-bytes`
    /// alone the latest snapshot is kept even when it is larger; a budget
    /// shrunk by `--max-memory` is kept strictly.
    fn trim(&self, state: &mut State) -> Vec<Write> {
        let budget = self.budget();
        let strict = budget < self.max_bytes;
        let mut gone = Vec::new();
        while state.bytes > budget && (state.order.len() > 1 || strict) {
            let Some((k, t)) = state.order.pop_front() else {
                break;
            };
            if let Some(per) = state.by_key.get_mut(&k) {
                if let Some(r) = per.remove(&t) {
                    state.bytes -= r.raw.len();
                }
                if per.is_empty() {
                    state.by_key.remove(&k);
                }
            }
            gone.push(Write::Delete(k, t));
        }
        gone
    }

    /// Leaves the recording at most `bytes` (what `--max-memory` has left
    /// over), dropping its oldest snapshots now if it holds more.
    pub(crate) fn limit(&self, bytes: usize) {
        if self.allowed.swap(bytes, Ordering::Relaxed) <= bytes {
            return;
        }
        let mut state = self.lock();
        let gone = self.trim(&mut state);
        drop(state);
        self.send(gone);
    }

    /// Hands writes to the writer thread (with `--record DIR`).
    fn send(&self, writes: impl IntoIterator<Item = Write>) {
        if let Some(tx) = &self.writer {
            for w in writes {
                if let Err(TrySendError::Full(w)) = tx.try_send(w) {
                    eprintln!(
                        "peeps: record: the disk is behind; not written: {}",
                        describe(&w)
                    );
                }
            }
        }
    }

    /// The latest snapshot of each process captured at or before `at_ms`.
    pub(crate) fn at(&self, at_ms: u64) -> Vec<Recorded> {
        let state = self.lock();
        state
            .by_key
            .values()
            .filter_map(|per| per.range(..=at_ms).next_back().map(|(_, r)| r.clone()))
            .collect()
    }

    /// The latest snapshot of every process.
    pub(crate) fn latest(&self) -> Vec<Recorded> {
        self.at(u64::MAX)
    }

    /// How many bytes of snapshots it keeps.
    pub(crate) fn bytes(&self) -> usize {
        self.lock().bytes
    }

    /// What `/api/recording` says.
    pub(crate) fn summary(&self) -> super::api::Recording {
        let state = self.lock();
        let mut instants: Vec<u64> = state
            .by_key
            .values()
            .flat_map(|per| per.keys().copied())
            .collect();
        instants.sort_unstable();
        instants.dedup();
        if instants.len() > MAX_INSTANTS {
            let step = instants.len().div_ceil(MAX_INSTANTS);
            let last = instants.last().copied();
            instants = instants.into_iter().step_by(step).collect();
            if instants.last().copied() != last {
                instants.extend(last);
            }
        }
        super::api::Recording {
            replay: self.replay,
            dir: self.dir.as_ref().map(|d| d.display().to_string()),
            snapshots: state.order.len(),
            bytes: state.bytes,
            max_bytes: self.budget(),
            instants,
        }
    }
}

/// A file name part made of a process key (keys are `<pid>-<ns>`; anything
/// else is replaced).
fn safe(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn path_of(root: &Path, key: &str, at: u64) -> PathBuf {
    root.join(safe(key)).join(format!("{at}.json"))
}

fn describe(w: &Write) -> String {
    match w {
        Write::Save(r) => format!("snapshot of {} at {}", r.key, r.captured_at_ms),
        Write::Delete(k, t) => format!("removal of {k} at {t}"),
    }
}

/// Does one write of the recording's directory (temp file, then rename:
/// a reader never sees half a snapshot).
fn write(root: &Path, w: Write) {
    match w {
        Write::Save(r) => {
            let path = path_of(root, &r.key, r.captured_at_ms);
            let tmp = path.with_extension("json.tmp");
            let done = path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&tmp, &r.raw))
                .and_then(|()| std::fs::rename(&tmp, &path));
            if let Err(e) = done {
                eprintln!("peeps: record: {}: cannot write: {e}", path.display());
            }
        }
        Write::Delete(k, t) => {
            let _ = std::fs::remove_file(path_of(root, &k, t));
        }
    }
}

/// Every `*.json` file under `dir`, a few levels deep.
fn collect_json(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() && depth < 2 {
            collect_json(&path, out, depth + 1)?;
        } else if path.extension().is_some_and(|e| e == "json") && path.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(key: &str, at: u64) -> Snapshot {
        let mut s = Snapshot::from_json(include_str!("../../../docs/example-dump.json")).unwrap();
        s.process.key = key.to_owned();
        s.captured_at_ms = at;
        s
    }

    fn add(r: &Recorder, key: &str, at: u64, len: usize) {
        r.add(&snap(key, at), Bytes::from(vec![b' '; len]), Source::Push);
    }

    #[test]
    fn the_state_at_an_instant_is_each_process_latest_snapshot_by_then() {
        let r = Recorder::in_memory(1 << 20);
        add(&r, "a", 10, 1);
        add(&r, "b", 15, 1);
        add(&r, "a", 20, 1);
        let at = |t| {
            r.at(t)
                .into_iter()
                .map(|x| (x.key, x.captured_at_ms))
                .collect::<Vec<_>>()
        };
        assert_eq!(at(5), vec![]);
        assert_eq!(at(12), vec![("a".to_owned(), 10)]);
        assert_eq!(at(16), vec![("a".to_owned(), 10), ("b".to_owned(), 15)]);
        assert_eq!(at(99), vec![("a".to_owned(), 20), ("b".to_owned(), 15)]);
        assert_eq!(r.summary().instants, vec![10, 15, 20]);
    }

    #[test]
    fn the_oldest_snapshots_go_when_the_budget_is_spent() {
        let r = Recorder::in_memory(250);
        for t in 0..10 {
            add(&r, "a", t, 100);
        }
        let s = r.summary();
        assert_eq!((s.snapshots, s.bytes), (2, 200));
        assert_eq!(s.instants, vec![8, 9]);
    }

    #[test]
    fn a_recording_written_to_a_directory_replays() {
        let dir = std::env::temp_dir().join(format!("peeps-record-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let r = Recorder::to_dir(dir.clone(), 1 << 20).unwrap();
        for t in [10, 20] {
            let s = snap("4242-1", t);
            r.add(&s, Bytes::from(s.to_json()), Source::Push);
        }
        drop(r);
        let file = dir.join("4242-1").join("20.json");
        for _ in 0..200 {
            if file.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let (back, n) = Recorder::load(&dir, 1 << 20).unwrap();
        assert_eq!(n, 2);
        assert_eq!(back.summary().instants, vec![10, 20]);
        assert!(back.summary().replay);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
