//! Running the real `peeps` binary on dumps written to a temp dir.

#![allow(dead_code, unreachable_pub)] // each test file uses a part

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A fresh directory for one test, removed when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty directory named after the test.
    pub fn new(test: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("peeps-cli-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `contents` to `name` in the directory.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write temp file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a run of `peeps` did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().expect("peeps exited, not killed"),
            stdout: String::from_utf8(o.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(o.stderr).expect("utf-8 stderr"),
        }
    }
}

/// Runs `peeps` with `args`.
pub fn peeps<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_peeps"))
        .args(args)
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .output()
        .expect("run peeps")
        .into()
}

/// Runs `peeps` with `args`, feeding `input` on stdin.
pub fn peeps_with_stdin(args: &[&str], input: &str) -> Run {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_peeps"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run peeps");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input.as_bytes())
        .expect("feed stdin");
    child.wait_with_output().expect("wait for peeps").into()
}

/// The documented two-task mutex deadlock.
pub fn deadlock_dump() -> String {
    include_str!("../../../docs/example-dump.json").to_owned()
}

/// A process that never hung, whose tasks took "acct-1" and "acct-2" in
/// opposite orders a minute apart: a potential deadlock, no deadlock.
pub fn potential_dump() -> String {
    let example =
        |task: u64, name: &str, held: u64, acquired: u64, lines: (u32, u32), since: u64| {
            json!({"task": task, "task_kind": "task", "task_name": name,
               "held_lock": held, "held_name": format!("acct-{held}"),
               "acquired_lock": acquired, "acquired_name": format!("acct-{acquired}"),
               "held_at": format!("src/bank.rs:{}:9", lines.0),
               "acquired_at": format!("src/bank.rs:{}:9", lines.1), "since_ms": since})
        };
    let snap: Value = json!({
        "schema": "peeps/1",
        "process": {"name": "bank", "pid": 9, "key": "9-1", "started_at_ms": 0},
        "captured_at_ms": 90000,
        "nodes": [], "edges": [], "threads": [],
        "lock_order": {
            "classes": [
                {"id": 1, "kind": "mutex", "name": "acct-1", "location": "src/bank.rs:11:14", "named": true},
                {"id": 2, "kind": "mutex", "name": "acct-2", "location": "src/bank.rs:12:14", "named": true}
            ],
            "edges": [
                {"from": 1, "to": 2, "held": "write", "acquired": "write",
                 "example": example(20, "transfer-a", 1, 2, (31, 33), 65000)},
                {"from": 2, "to": 1, "held": "write", "acquired": "write",
                 "example": example(21, "transfer-b", 2, 1, (40, 42), 5000)}
            ],
            "dropped": {"classes": 0, "edges": 0, "held": 0}
        }
    });
    serde_json::to_string_pretty(&snap).expect("serialize")
}

/// A process with one task waiting on a mutex held by a task sleeping on a
/// timer (an unaccounted waker clone): no deadlock, a long wait of 12 s.
pub fn healthy_dump(key: &str) -> String {
    let task = |id: u64, name: &str, clones: u64, accounted: u64| {
        json!({"id": id, "kind": "task", "name": name, "location": format!("src/{name}.rs:{id}:1"),
               "state": "pending", "since_ms": 12000,
               "attrs": {"tracked": true, "woken": false, "polls": 2,
                         "waker_clones": clones, "waker_clones_accounted": accounted}})
    };
    let snap: Value = json!({
        "schema": "peeps/1",
        "process": {"name": "svc", "pid": 7, "key": key, "started_at_ms": 0},
        "captured_at_ms": 50000,
        "nodes": [
            task(1, "sleeper", 1, 0),
            task(2, "waiter", 1, 1),
            {"id": 3, "kind": "mutex", "name": "m", "location": "src/m.rs:3:1", "state": "held",
             "attrs": {"holders": 1, "waiters": 1}}
        ],
        "edges": [
            {"from": 3, "to": 1, "kind": "held_by", "since_ms": 12000, "attrs": {"as": "guard"}},
            {"from": 2, "to": 3, "kind": "waits_on", "since_ms": 12000, "attrs": {"op": "lock"}}
        ],
        "threads": []
    });
    serde_json::to_string_pretty(&snap).expect("serialize")
}
