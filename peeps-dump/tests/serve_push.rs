//! The push client (peeps-runtime) against no server, and against a server
//! that accepts but never reads: the program's own work keeps running and
//! its memory stays flat, because the client never queues (it takes the
//! next snapshot only when it can send it) and every write has a timeout.
//!
//! Each case is a child process (this test binary re-run on
//! `child_busy_pushing`): the push thread is one per process.

mod serve_support;

use serve_support::*;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Push intervals in the measured stretch (20 ms each).
const INTERVALS: u32 = 100;
/// The measured stretch is cut into this many windows; the program's
/// counter must advance in every one.
const WINDOWS: u32 = 8;

/// Holds 5000 named mutexes (so each snapshot is ~1 MB of JSON), spins a
/// counter task, pushes every 20 ms, and reports on stdout how its work
/// and memory fared over [`INTERVALS`] push intervals.
#[test]
#[ignore = "a child process of the tests below"]
fn child_busy_pushing() {
    if !is_child() {
        return;
    }
    peeps::init_named("busy");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let locks: Vec<peeps::sync::Mutex<u64>> = (0..5000)
            .map(|i| peeps::sync::Mutex::new(i).named(format!("lock-{i}")))
            .collect();
        let counter = Arc::new(AtomicU64::new(0));
        let work = {
            let counter = counter.clone();
            peeps::spawn_named("work", async move {
                loop {
                    counter.fetch_add(1, Ordering::Relaxed);
                    tokio::task::yield_now().await;
                }
            })
        };
        // Warm up: let the push thread start and reach its steady state.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let push_thread = std::fs::read_dir("/proc/self/task")
            .unwrap()
            .flatten()
            .any(|t| {
                std::fs::read_to_string(t.path().join("comm"))
                    .is_ok_and(|c| c.trim() == "peeps-push")
            });
        let rss_before = rss_kib_of("/proc/self/statm");
        let mut max_rss = rss_before;
        let window = Duration::from_millis(u64::from(20 * INTERVALS / WINDOWS));
        let mut stalled = 0;
        let started = Instant::now();
        for _ in 0..WINDOWS {
            let before = counter.load(Ordering::Relaxed);
            tokio::time::sleep(window).await;
            if counter.load(Ordering::Relaxed) == before {
                stalled += 1;
            }
            max_rss = max_rss.max(rss_kib_of("/proc/self/statm"));
        }
        println!(
            "RESULT push_thread={push_thread} stalled={stalled} rss_before_kib={rss_before} \
             rss_growth_kib={} elapsed_ms={} work={}",
            max_rss - rss_before,
            started.elapsed().as_millis(),
            counter.load(Ordering::Relaxed),
        );
        if std::env::var_os("CHILD_LINGER").is_some() {
            // Keep pushing until the test kills this process.
            std::future::pending::<()>().await;
        }
        work.abort();
        drop(locks);
    });
}

/// Runs the child against `dashboard`; its `RESULT` line.
fn run_child(dashboard: &str) -> std::collections::HashMap<String, String> {
    let mut child = ChildProc::start(
        "child_busy_pushing",
        &[("PEEPS_DASHBOARD", dashboard), ("PEEPS_PUSH_MS", "20")],
    );
    parse(&child.line("RESULT "))
}

/// `k=v k=v` → map.
fn parse(line: &str) -> std::collections::HashMap<String, String> {
    line.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[track_caller]
fn check_unhindered(result: &std::collections::HashMap<String, String>) {
    let num = |k: &str| -> u64 { result[k].parse().unwrap() };
    assert_eq!(result["push_thread"], "true", "{result:?}");
    assert_eq!(num("stalled"), 0, "the program's work stalled: {result:?}");
    // A queue of snapshots would grow by ~1 MB per interval; the client
    // holds at most one.
    assert!(num("rss_growth_kib") < 32 * 1024, "memory grew: {result:?}");
    eprintln!("measured: {result:?}");
}

#[test]
fn no_server_costs_the_program_nothing() {
    // A port nobody listens on: connections are refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    check_unhindered(&run_child(&format!("127.0.0.1:{port}")));
}

#[test]
fn a_server_that_never_reads_costs_the_program_nothing() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    // Accept and hold every connection, never reading; stops by itself.
    let acceptor = std::thread::spawn(move || {
        let mut held = Vec::new();
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline && held.len() < 2 {
            match listener.accept() {
                Ok((s, _)) => held.push(s),
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        held.len()
    });
    let mut child = ChildProc::start(
        "child_busy_pushing",
        &[
            ("PEEPS_DASHBOARD", &addr),
            ("PEEPS_PUSH_MS", "20"),
            ("CHILD_LINGER", "1"),
        ],
    );
    check_unhindered(&parse(&child.line("RESULT ")));
    // Meanwhile the client filled the connection's buffers and blocked in
    // a write; the write timed out and it reconnected instead of hanging.
    let accepted = acceptor.join().unwrap();
    assert_eq!(
        accepted, 2,
        "the client did not reconnect after its write timed out"
    );
    child.kill();
}
