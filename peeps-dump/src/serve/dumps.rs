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
//! The polling runs on its own thread (`peeps-dumps`): reading and parsing
//! a large file never occupies an async worker.

use super::store::Store;
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

/// Watches one directory.
#[derive(Debug)]
pub(crate) struct Watcher {
    dir: PathBuf,
    max_bytes: usize,
    seen: HashMap<PathBuf, Version>,
    /// The directory could not be listed last time (said once).
    unlistable: bool,
}

impl Watcher {
    /// A watcher of `dir` that reads files of at most `max_bytes`.
    pub(crate) fn new(dir: PathBuf, max_bytes: usize) -> Watcher {
        Watcher {
            dir,
            max_bytes,
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
            if self.seen.get(&path) == Some(&version) {
                continue;
            }
            self.seen.insert(path.clone(), version);
            self.read(&path, version, store);
        }
        // Forget deleted files, so a file of the same name is read anew.
        // (Their processes stay in the store, like disconnected ones.)
        self.seen.retain(|p, _| present.contains(p));
    }

    fn read(&self, path: &Path, version: Version, store: &Store) {
        if version.len > self.max_bytes as u64 {
            eprintln!(
                "peeps: dumps: {}: ignored: {} bytes, over the limit of {} (--max-frame-bytes)",
                path.display(),
                version.len,
                self.max_bytes
            );
            return;
        }
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("peeps: dumps: {}: cannot read: {e}", path.display());
                return;
            }
        };
        match Snapshot::from_slice(&bytes) {
            Ok(snap) => {
                let name = snap.process.name.clone();
                if store.dump(snap, Bytes::from(bytes)) {
                    eprintln!("peeps: dumps: {}: loaded ({name:?})", path.display());
                }
            }
            Err(e) => eprintln!(
                "peeps: dumps: {}: ignored: not a peeps dump: {e}",
                path.display()
            ),
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
                }
            })
    }
}
