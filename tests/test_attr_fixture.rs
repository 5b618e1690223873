//! `#[peeps::test]` as CI runs it: the fixture crate
//! (tests/fixtures/test-attr-fixture) — deadlocking, slow, hanging and
//! healthy tests — run by a child `cargo test` and `cargo nextest run`,
//! its test binary also killed with SIGTERM directly. Checks what each test
//! prints, how the run ends, and that the deadlocking test failed long
//! before its timeout (by the time peeps and nextest report, not by a clock
//! here).
//!
//! The fixture is built into `<this target dir>/test-attr-fixture`, so only
//! the first run pays for the build. The child runs are serialized (they
//! share that directory).

#![cfg(feature = "diagnostics")]

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The fixture's directory.
const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/test-attr-fixture"
);
/// `timeout = ".."` of the fixture's `a_deadlock`, in ms.
const DEADLOCK_TIMEOUT_MS: u64 = 30_000;
/// How long the SIGTERM test waits for the hanging test to get stuck and
/// then to end: a first run builds the fixture.
const PATIENCE: Duration = Duration::from_secs(1_200);

/// One child cargo at a time: they share the fixture's target directory.
static CHILD: Mutex<()> = Mutex::new(());

/// Where the fixture builds: a directory of this test's own target dir
/// (`<target>/debug/deps/<this test>` → `<target>`).
fn fixture_target() -> PathBuf {
    let exe = std::env::current_exe().expect("own path");
    let target = exe.ancestors().nth(3).expect("<target>/debug/deps/<exe>");
    target.join("test-attr-fixture")
}

/// `cargo <args>` in the fixture, offline (every crate it needs is one the
/// workspace has fetched, pinned by its committed Cargo.lock), its
/// environment cleared of what would change the runs (timeouts, the
/// report's switch, an outer nextest's).
fn cargo(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(args)
        .current_dir(FIXTURE)
        .env("CARGO_TARGET_DIR", fixture_target())
        .env("CARGO_NET_OFFLINE", "true");
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("PEEPS_") || key.starts_with("NEXTEST") || key == "RUST_TEST_THREADS" {
            cmd.env_remove(key.as_ref());
        }
    }
    cmd
}

fn run(mut cmd: Command) -> (Output, String) {
    let _one = CHILD.lock().unwrap_or_else(|e| e.into_inner());
    let out = cmd.output().expect("run cargo");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out, text)
}

/// `"612 ms"`, `"1.2 s"`, `"30.0 s"` → ms.
fn ms_of(words: &str) -> u64 {
    let (n, unit) = words
        .split_once(' ')
        .unwrap_or_else(|| panic!("a duration: {words:?}"));
    let n: f64 = n.parse().unwrap_or_else(|_| panic!("a number: {words:?}"));
    match unit {
        "ms" => n as u64,
        "s" => (n * 1000.0) as u64,
        other => panic!("unexpected unit {other:?}"),
    }
}

/// The text between `start` and the next occurrence of `end` after it.
#[track_caller]
fn between<'t>(text: &'t str, start: &str, end: &str) -> &'t str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} in:\n{text}"))
        + start.len();
    let rest = &text[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The deadlock's failure: its text, found long before the timeout.
#[track_caller]
fn assert_deadlock_failure(text: &str) {
    let found = between(
        text,
        "peeps: test `a_deadlock` can never finish (found ",
        " after it started",
    );
    let found_ms = ms_of(found);
    assert!(
        found_ms * 4 < DEADLOCK_TIMEOUT_MS,
        "found after {found_ms} ms, not long before the {DEADLOCK_TIMEOUT_MS} ms timeout:\n{text}"
    );
    assert!(text.contains("; its timeout is 30.0 s):\n"), "{text}");
    for line in [
        "deadlock (certain, 2 tasks, 1 process):",
        "  task \"transfer-a\" (src/lib.rs:12) waits ",
        " to lock mutex \"acct-2\" (made at src/lib.rs:9) for ",
        " by task \"transfer-b\" (src/lib.rs:17)",
        "  task \"transfer-b\" waits ",
        " to lock mutex \"acct-1\" (made at src/lib.rs:8) for ",
        "    task \"a_deadlock\" (tests/hangs.rs:9) waits for task \"transfer-a\" to finish, for ",
    ] {
        assert!(text.contains(line), "{line:?} in:\n{text}");
    }
}

/// The timeout's failure: every task of the test with its stack, then the
/// long wait and the blocking poll.
#[track_caller]
fn assert_timeout_failure(text: &str) {
    let report = between(
        text,
        "peeps: test `times_out` timed out after ",
        "blocking poll (",
    );
    for line in [
        "; 3 of its tasks are alive:",
        "\ntask \"times_out\" (tests/hangs.rs:37), pending for ",
        " to lock mutex \"config\" (made at tests/hangs.rs:39) for ",
        " by task \"holder\" (tests/hangs.rs:42)",
        "\ntask \"holder\" (tests/hangs.rs:42), spawned by task \"times_out\" (tests/hangs.rs:37), pending for ",
        "\n  waits on something peeps cannot see (a timer, I/O or an uninstrumented future)",
        "\ntask \"blocker\" (tests/hangs.rs:47), spawned by task \"times_out\" (tests/hangs.rs:37), inside a poll for ",
        "\nlong wait (",
    ] {
        assert!(report.contains(line), "{line:?} in:\n{text}");
    }
    assert!(
        text.contains("has been inside a poll of task \"blocker\""),
        "{text}"
    );
}

#[test]
fn under_cargo_test_a_deadlock_and_a_timeout_fail_their_own_tests_only() {
    let mut cmd = cargo(&[
        "test",
        "--test",
        "hangs",
        "--",
        "--test-threads=4",
        "--show-output",
    ]);
    cmd.stdin(Stdio::null());
    let (out, text) = run(cmd);
    assert_eq!(out.status.code(), Some(101), "the run fails:\n{text}");
    for (test, outcome) in [
        ("a_deadlock", "FAILED"),
        ("a_deadlock_with_the_clock_paused", "FAILED"),
        ("times_out", "FAILED"),
        // Ran beside the deadlock (4 test threads), busy for 2 s.
        ("a_healthy_test_beside_it", "ok"),
        ("healthy_current_thread", "ok"),
        ("healthy_paused_clock", "ok"),
        ("healthy_result", "ok"),
    ] {
        assert!(
            text.contains(&format!("\ntest {test} ... {outcome}\n")),
            "{test} {outcome}:\n{text}"
        );
    }
    assert!(
        text.contains("test result: FAILED. 4 passed; 3 failed; 1 ignored;"),
        "{text}"
    );
    assert_deadlock_failure(between(&text, "---- a_deadlock stdout ----", "\n---- "));
    let paused = between(
        &text,
        "---- a_deadlock_with_the_clock_paused stdout ----",
        "\n---- ",
    );
    assert!(
        paused.contains("can never finish (found ")
            && paused.contains("deadlock (certain, 2 tasks, 1 process):"),
        "{paused}"
    );
    assert_timeout_failure(between(
        &text,
        "---- times_out stdout ----",
        "\nfailures:\n",
    ));
    // A healthy test prints nothing more than under #[tokio::test]: with
    // --show-output, a passing test with no output has no section.
    assert!(!text.contains("---- healthy"), "{text}");
    assert!(!text.contains("---- a_healthy_test_beside_it"), "{text}");
}

#[test]
fn under_nextest_each_test_fails_in_its_process_and_the_slow_timeout_kill_leaves_the_report() {
    let mut cmd = cargo(&[
        "nextest",
        "run",
        "--test",
        "hangs",
        "--run-ignored",
        "all",
        "--no-fail-fast",
        "--test-threads",
        "4",
        "--color",
        "never",
    ]);
    cmd.stdin(Stdio::null());
    let (out, text) = run(cmd);
    if !out.status.success() && text.contains("no such command: `nextest`") {
        panic!("cargo-nextest is needed for this test: cargo install cargo-nextest\n{text}");
    }
    // nextest indents a test's captured output by 4 spaces.
    let text: String = text
        .lines()
        .map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l)))
        .collect();
    assert_eq!(
        out.status.code(),
        Some(100),
        "nextest reports failures:\n{text}"
    );
    assert!(
        text.contains("8 tests run: 4 passed, 3 failed, 1 timed out, 0 skipped"),
        "{text}"
    );
    // nextest's own time for the deadlocking test's process:
    // `FAIL [   0.684s] (4/7) test-attr-fixture::hangs a_deadlock`.
    let status = text
        .lines()
        .find(|l| l.trim_start().starts_with("FAIL [") && l.ends_with("hangs a_deadlock"))
        .unwrap_or_else(|| panic!("a_deadlock's FAIL line:\n{text}"));
    let secs = between(status, "FAIL [", "s]");
    let secs: f64 = secs
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("a duration {secs:?}:\n{text}"));
    assert!(
        secs * 4_000.0 < DEADLOCK_TIMEOUT_MS as f64,
        "a_deadlock took {secs} s:\n{text}"
    );
    assert_deadlock_failure(&text);
    assert_timeout_failure(&text[text.find("peeps: test `times_out`").unwrap_or(0)..]);
    // The hanging test, killed by nextest with SIGTERM after 3 s: its
    // report is in nextest's captured output.
    let killed = between(&text, "TIMEOUT [", "(test timed out)");
    assert!(killed.contains("hangs_until_killed"), "{text}");
    for line in [
        "peeps: received SIGTERM; what process ",
        "\ntest `hangs_until_killed`, running for ",
        "; 2 of its tasks are alive:",
        "\ntask \"hangs_until_killed\" (tests/hangs.rs:78), pending for ",
        " to receive from channel ",
        "\ntask \"replier\" (tests/hangs.rs:82), spawned by task \"hangs_until_killed\"",
        "\n0 deadlocks, 0 stuck forever, 0 long waits, 0 blocking polls",
    ] {
        assert!(killed.contains(line), "{line:?} in:\n{text}");
    }
    for test in [
        "healthy_current_thread",
        "healthy_paused_clock",
        "healthy_result",
        "a_healthy_test_beside_it",
    ] {
        assert!(
            text.contains(&format!("test-attr-fixture::hangs {test}\n")),
            "{test}:\n{text}"
        );
    }
}

#[test]
fn the_healthy_suite_of_docs_performance_passes_under_both_attributes() {
    let mut cmd = cargo(&["test", "--test", "suite_peeps", "--test", "suite_tokio"]);
    cmd.stdin(Stdio::null());
    let (out, text) = run(cmd);
    assert!(out.status.success(), "{text}");
    assert_eq!(
        text.matches("test result: ok. 24 passed; 0 failed").count(),
        2,
        "{text}"
    );
}

#[test]
fn a_test_binary_killed_by_sigterm_prints_its_tasks_and_dies_of_the_signal() {
    let _one = CHILD.lock().unwrap_or_else(|e| e.into_inner());
    let build = cargo(&[
        "test",
        "--test",
        "hangs",
        "--no-run",
        "--message-format=json",
    ])
    .stderr(Stdio::inherit())
    .output()
    .expect("build the fixture");
    assert!(build.status.success(), "the fixture builds");
    let json = String::from_utf8_lossy(&build.stdout);
    let exe = json
        .lines()
        .filter(|l| l.contains("\"name\":\"hangs\""))
        .find_map(|l| l.split("\"executable\":\"").nth(1)?.split('"').next())
        .expect("the test binary's path")
        .to_owned();
    let mut child = Command::new(&exe)
        .args(["--exact", "hangs_until_killed", "--ignored", "--nocapture"])
        .current_dir(FIXTURE)
        .env_remove("PEEPS_ON_TERM")
        .env_remove("PEEPS_TEST_TIMEOUT")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the test binary");
    let mut stderr = child.stderr.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                return;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + PATIENCE;
    while !String::from_utf8_lossy(&seen).contains("fixture: stuck") {
        let left = deadline
            .checked_duration_since(Instant::now())
            .unwrap_or_default();
        match rx.recv_timeout(left) {
            Ok(bytes) => seen.extend(bytes),
            Err(e) => {
                let _ = child.kill();
                panic!(
                    "the test never got stuck ({e}):\n{}",
                    String::from_utf8_lossy(&seen)
                );
            }
        }
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .expect("signal the test binary");
    let status = child.wait().expect("the test binary ends");
    while let Ok(bytes) = rx.recv_timeout(Duration::from_secs(60)) {
        seen.extend(bytes);
    }
    let text = String::from_utf8_lossy(&seen);
    let sigterm = nix::sys::signal::Signal::SIGTERM as i32;
    assert_eq!(
        status.signal(),
        Some(sigterm),
        "died of SIGTERM: {status:?}\n{text}"
    );
    assert!(
        text.contains("\npeeps: received SIGTERM; what process \"hangs-"),
        "{text}"
    );
    assert!(
        text.contains("\ntest `hangs_until_killed`, running for "),
        "{text}"
    );
    assert!(
        text.contains("\ntask \"replier\" (tests/hangs.rs:82)"),
        "{text}"
    );
}
