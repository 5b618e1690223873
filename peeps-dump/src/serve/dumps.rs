//! Dump files: every `*.json` in the dump directory is loaded at start, and
//! the directory is polled every 500 ms for new and rewritten dumps.
//!
//! Polling (not inotify) keeps this free of platform dependencies and
//! works on any file system; a dump is picked up within half a second.
//! A file is read again only when its size or modification time changes.
//! `*.json.tmp` files (dumps being written; peeps renames them when done)
//! and anything else not ending in `.json` are ignored.
//!
//! A file that is not a `peeps/1` snapshot (garbage, half written by a
//! tool that does not rename, a wrong schema) or that is larger than
//! `--max-frame-bytes` gets one line on stderr naming it, and is ignored
//! until it changes. A dump older than what the server already holds for
//! that process (e.g. while the process pushes live) is ignored silently.
//!
//! Every dump is a picture of the past, kept apart from the live processes
//! (see [`super::store`]), also one written by a process that is pushing
//! right now (on SIGUSR1). With `--dumps-max-age`, a dump captured longer
//! ago than that is left out: not loaded, counted in one line per poll
//! that met such files; a loaded dump that grows older than that while the
//! server runs is dropped. A deleted file's dump goes too. A dump that
//! does not fit in `--max-memory` is refused with a line naming it.
//!
//! The polling runs on its own thread (`peeps-dumps`): reading and parsing
//! a large file never occupies an async worker.

use super::store::{Store, now_ms};
use bytes::Bytes;
use peeps_graph::Snapshot;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::watch;

/// How often the directory is listed.
const POLL: Duration = Duration::from_millis(500);

/// What a file looked like when it was last read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Version {
    len: u64,
    modified: Option<SystemTime>,
}

/// A file as the watcher last read it.
#[derive(Debug)]
struct Seen {
    version: Version,
    /// The key of the process its dump named, when it was one.
    key: Option<String>,
}

/// Watches one directory.
#[derive(Debug)]
pub(crate) struct Watcher {
    dir: PathBuf,
    max_bytes: usize,
    /// Dumps captured longer ago are left out (`--dumps-max-age`).
    max_age: Option<Duration>,
    /// Each file read, as it was then, and the process its dump named.
    seen: HashMap<PathBuf, Seen>,
    /// The directory could not be listed last time (said once).
    unlistable: bool,
}

impl Watcher {
    /// A watcher of `dir` that reads files of at most `max_bytes`, leaving
    /// out dumps captured more than `max_age` ago.
    pub(crate) fn new(dir: PathBuf, max_bytes: usize, max_age: Option<Duration>) -> Watcher {
        Watcher {
            dir,
            max_bytes,
            max_age,
            seen: HashMap::new(),
            unlistable: false,
        }
    }

    /// Reads every dump that is new or changed since the last poll.
    pub(crate) fn poll(&mut self, store: &Store) {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => {
                self.unlistable = false;
                entries
            }
            Err(e) => {
                if !self.unlistable {
                    let why = if e.kind() == std::io::ErrorKind::NotFound {
                        "does not exist (yet)".to_owned()
                    } else {
                        format!("cannot be listed: {e}")
                    };
                    eprintln!(
                        "peeps: dumps: {} {why}; looking again every {} ms",
                        self.dir.display(),
                        POLL.as_millis()
                    );
                }
                self.unlistable = true;
                return;
            }
        };
        let mut present = HashSet::new();
        let mut left_out = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() {
                continue;
            }
            let version = Version {
                len: meta.len(),
                modified: meta.modified().ok(),
            };
            present.insert(path.clone());
            if self.seen.get(&path).is_some_and(|s| s.version == version) {
                continue;
            }
            let read = self.read(&path, version, store);
            let key = match read {
                Read::Loaded(key) => Some(key),
                Read::TooOld => {
                    left_out += 1;
                    None
                }
                Read::Ignored => None,
            };
            self.seen.insert(path.clone(), Seen { version, key });
        }
        if let (Some(age), 1..) = (self.max_age, left_out) {
            eprintln!(
                "peeps: dumps: left out {left_out} dump(s) captured more than {} ago \
                 (--dumps-max-age)",
                humantime::format_duration(age)
            );
        }
        // Forget deleted files (and their dumps), so a file of the same
        // name is read anew.
        let gone: Vec<PathBuf> = self
            .seen
            .keys()
            .filter(|p| !present.contains(*p))
            .cloned()
            .collect();
        for path in gone {
            let Some(seen) = self.seen.remove(&path) else {
                continue;
            };
            if store.forget_dumps(Some(&path), 0) > 0 {
                eprintln!(
                    "peeps: dumps: {}: deleted; its dump is gone",
                    path.display()
                );
                // An older file of the same process was passed over for
                // the deleted one: read it again at the next poll.
                if let Some(key) = seen.key {
                    self.seen
                        .retain(|_, s| s.key.as_deref() != Some(key.as_str()));
                }
            }
        }
    }

    /// Dumps captured before this instant (ms since the Unix epoch) are
    /// too old (0 without `--dumps-max-age`).
    pub(crate) fn oldest_ms(&self) -> u64 {
        oldest_ms(self.max_age)
    }

    fn read(&self, path: &Path, version: Version, store: &Store) -> Read {
        if version.len > self.max_bytes as u64 {
            eprintln!(
                "peeps: dumps: {}: ignored: {} bytes, over the limit of {} (--max-frame-bytes)",
                path.display(),
                version.len,
                self.max_bytes
            );
            return Read::Ignored;
        }
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("peeps: dumps: {}: cannot read: {e}", path.display());
                return Read::Ignored;
            }
        };
        match Snapshot::from_slice(&bytes) {
            Ok(snap) if snap.captured_at_ms < self.oldest_ms() => Read::TooOld,
            Ok(snap) => {
                let name = snap.process.name.clone();
                let key = snap.process.key.clone();
                match store.dump(snap, Bytes::from(bytes), path) {
                    Ok(true) => {
                        eprintln!("peeps: dumps: {}: loaded ({name:?})", path.display());
                    }
                    Ok(false) => {}
                    Err(refused) => {
                        eprintln!("peeps: dumps: {}: not loaded: {refused}", path.display());
                    }
                }
                Read::Loaded(key)
            }
            Err(e) => {
                eprintln!(
                    "peeps: dumps: {}: ignored: not a peeps dump: {e}",
                    path.display()
                );
                Read::Ignored
            }
        }
    }

    /// Polls every 500 ms on a thread of its own until shutdown.
    pub(crate) fn spawn(
        mut self,
        store: Arc<Store>,
        shutdown: watch::Receiver<bool>,
    ) -> std::io::Result<std::thread::JoinHandle<()>> {
        std::thread::Builder::new()
            .name("peeps-dumps".into())
            .spawn(move || {
                while !*shutdown.borrow() {
                    std::thread::sleep(POLL);
                    self.poll(&store);
                    let aged = store.forget_dumps(None, self.oldest_ms());
                    if aged > 0 {
                        eprintln!(
                            "peeps: dumps: dropped {aged} dump(s) now older than --dumps-max-age"
                        );
                    }
                }
            })
    }
}

/// What reading one file came to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Read {
    /// A dump of the process with this key, given to the store.
    Loaded(String),
    /// A dump captured before `--dumps-max-age`: left out.
    TooOld,
    /// Not a dump (said on stderr).
    Ignored,
}

/// The capture time before which a dump is too old for `max_age`.
fn oldest_ms(max_age: Option<Duration>) -> u64 {
    max_age.map_or(0, |age| {
        now_ms().saturating_sub(u64::try_from(age.as_millis()).unwrap_or(u64::MAX))
    })
}
