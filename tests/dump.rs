//! SIGUSR1 dumps of real child processes.
//!
//! Each test re-runs this test binary as a child (running one of the
//! `#[ignore]`d `child_*` functions below), waits for it to say READY, sends
//! it SIGUSR1 and reads the dump it writes.
// They read what recording wrote. Without recording (`--no-default-features`) there is
// nothing to read: see tests/test_attr_off.rs and the facade doctests.
#![cfg(feature = "diagnostics")]

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use peeps::graph::{EdgeKind, NodeKind, Snapshot};
use peeps_test_support::{ChildProcess, rerun};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Starts `child` (one of this file's ignored tests) with dumps going to
/// `dir`, and waits (bounded) for its READY line. The guard kills it when
/// the test ends, also when an assertion fails first.
fn start_child(child: &str, dir: &Path) -> (ChildProcess, Pid) {
    let mut cmd = rerun(child);
    cmd.env("PEEPS_DUMP_DIR", dir);
    let proc = ChildProcess::start(child, cmd);
    let pid = proc.ready(Duration::from_secs(60));
    (proc, Pid::from_raw(pid as i32))
}

/// Sends SIGUSR1 until the dump appears (bounded), then reads it.
fn dump_of(pid: Pid, dir: &Path) -> Snapshot {
    let path = dir.join(format!("{pid}.json"));
    let deadline = Instant::now() + Duration::from_secs(20);
    kill(pid, Signal::SIGUSR1).unwrap();
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "no dump at {} after SIGUSR1",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Snapshot::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("peeps-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir // not created: the dump must create it
}

fn node<'a>(snap: &'a Snapshot, kind: NodeKind, name: &str) -> &'a peeps::graph::Node {
    snap.nodes
        .iter()
        .find(|n| n.kind == kind && n.name == name)
        .unwrap_or_else(|| panic!("no {kind} {name:?} in {:#?}", snap.nodes))
}

fn has_edge(snap: &Snapshot, from: u64, to: u64, kind: EdgeKind) -> bool {
    snap.edges
        .iter()
        .any(|e| e.from == from && e.to == to && e.kind == kind)
}

#[test]
fn sigusr1_dumps_nested_futures_of_a_parked_task() {
    let dir = temp_dir("nested");
    let (mut child, pid) = start_child("child_nested", &dir);
    let snap = dump_of(pid, &dir);
    child.kill();

    assert_eq!(snap.schema, "peeps/1");
    assert_eq!(snap.process.pid as i32, pid.as_raw());
    assert_eq!(snap.process.name, "nested-child");
    let task = node(&snap, NodeKind::Task, "parker");
    let outer = node(&snap, NodeKind::Future, "outer");
    let middle = node(&snap, NodeKind::Future, "middle");
    let inner = node(&snap, NodeKind::Future, "inner");
    for (n, line) in [
        (outer, "outer_line"),
        (middle, "middle_line"),
        (inner, "inner_line"),
    ] {
        let loc = n.location.as_deref().unwrap();
        assert!(
            loc.starts_with("tests/dump.rs:"),
            "{} at {loc} ({line})",
            n.name
        );
        assert_eq!(n.state.as_deref(), Some("pending"));
    }
    assert!(has_edge(&snap, task.id, outer.id, EdgeKind::Needs));
    assert!(has_edge(&snap, outer.id, middle.id, EdgeKind::Needs));
    assert!(has_edge(&snap, middle.id, inner.id, EdgeKind::Needs));
    assert!(
        !dir.join(format!("{pid}.json.tmp")).exists(),
        "temp file left behind"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigusr1_dumps_while_every_worker_is_blocked() {
    let dir = temp_dir("wedged");
    let (mut child, pid) = start_child("child_wedged", &dir);
    let snap = dump_of(pid, &dir);
    child.kill();

    // Both workers are inside a poll that never returns.
    let wedged: Vec<_> = snap.nodes.iter().filter(|n| n.name == "wedge").collect();
    assert_eq!(wedged.len(), 2, "{:#?}", snap.nodes);
    for n in wedged {
        assert_eq!(n.state.as_deref(), Some("polling"));
        assert!(n.attrs.contains_key("polling_since_ms"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_dump_that_cannot_be_written_is_reported_and_the_program_goes_on() {
    // The dump directory is a file: creating it fails.
    let blocker = std::env::temp_dir().join(format!("peeps-test-blocker-{}", std::process::id()));
    std::fs::write(&blocker, b"not a directory").unwrap();
    let dir = blocker.join("dumps");
    let (mut child, pid) = start_child("child_nested", &dir);
    kill(pid, Signal::SIGUSR1).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // Still alive, still answering signals.
    assert!(
        child.try_wait().is_none(),
        "child died after a failed dump{}",
        child.output()
    );
    kill(pid, Signal::SIGUSR1).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert!(child.try_wait().is_none(), "{}", child.output());
    child.kill();
    let _ = std::fs::remove_file(&blocker);
}

// ---- children ------------------------------------------------------------

#[peeps::instrument]
async fn outer() {
    middle().await
}

#[peeps::instrument]
async fn middle() {
    inner().await
}

#[peeps::instrument]
async fn inner() {
    std::future::pending::<()>().await
}

fn ready() {
    println!("READY {}", std::process::id());
}

#[test]
#[ignore = "child process of sigusr1_dumps_nested_futures_of_a_parked_task"]
fn child_nested() {
    peeps::install_sigusr1("nested-child");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let _task = peeps::spawn_named("parker", outer());
        // Let the task reach its pending state before announcing readiness.
        while !peeps::snapshot().nodes.iter().any(|n| n.name == "inner") {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        ready();
        std::future::pending::<()>().await
    });
}

#[peeps::instrument]
async fn wedge(lock: std::sync::Arc<std::sync::Mutex<()>>) {
    // Blocks the worker thread for good: the mutex is held by main.
    let _g = lock.lock();
}

#[test]
#[ignore = "child process of sigusr1_dumps_while_every_worker_is_blocked"]
fn child_wedged() {
    peeps::install_sigusr1("wedged-child");
    let lock = std::sync::Arc::new(std::sync::Mutex::new(()));
    let _held = lock.lock().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for _ in 0..2 {
        rt.spawn(wedge(lock.clone()));
    }
    while peeps::snapshot()
        .nodes
        .iter()
        .filter(|n| n.name == "wedge" && n.state.as_deref() == Some("polling"))
        .count()
        < 2
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    ready();
    loop {
        std::thread::park();
    }
}
