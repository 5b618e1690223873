//! The runner behind `#[peeps::test]` (`peeps_runtime::test::run`), called
//! as the attribute's expansion calls it: its verdicts, its timeout report,
//! how it passes on the body's result and panic, and that runs in parallel
//! threads are told apart.
//!
//! Deadlocks are built from runtime primitives only: two peeps tasks each
//! awaiting the other's `JoinHandle` (handed over through oneshots).

// The runner and the report exist only with feature `diagnostics`.
#![cfg(feature = "diagnostics")]

use peeps_runtime::test::{Test, run, run_reporting};
use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

/// The panic message of `f`, which must panic.
#[track_caller]
fn panic_message<R>(f: impl FnOnce() -> R) -> String {
    let Err(payload): Result<R, Box<dyn Any + Send>> =
        std::panic::catch_unwind(AssertUnwindSafe(f))
    else {
        panic!("the run must fail");
    };
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(p) => p
            .downcast::<&str>()
            .map(|s| (*s).to_owned())
            .expect("a text panic"),
    }
}

/// Two peeps tasks, each joining the other: a certain deadlock. Returns
/// what the body waits on: a plain oneshot whose sender the first task
/// keeps (a wait peeps cannot see into, so the body itself is not part of
/// the deadlock).
fn join_cycle() -> tokio::sync::oneshot::Receiver<()> {
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    let (to_a, from_b) = tokio::sync::oneshot::channel::<peeps_runtime::JoinHandle<()>>();
    let (to_b, from_a) = tokio::sync::oneshot::channel::<peeps_runtime::JoinHandle<()>>();
    let a = peeps_runtime::spawn_named("joiner-a", async move {
        let b = from_b.await.expect("b's handle");
        let _ = b.await;
        let _ = done_tx.send(());
    });
    let b = peeps_runtime::spawn_named("joiner-b", async move {
        let a = from_a.await.expect("a's handle");
        let _ = a.await;
    });
    to_a.send(b).expect("a is alive");
    to_b.send(a).expect("b is alive");
    done_rx
}

/// `"612 ms"`, `"1.2 s"` → ms.
fn parse_duration_words(words: &str) -> u64 {
    let (n, unit) = words.split_once(' ').expect("a number and a unit");
    let n: f64 = n.parse().expect("a number");
    match unit {
        "ms" => n as u64,
        "s" => (n * 1000.0) as u64,
        other => panic!("unexpected unit {other:?}"),
    }
}

#[test]
fn a_deadlock_fails_the_run_with_its_text_long_before_the_timeout() {
    let message = panic_message(|| {
        run(
            Test::new("runner::deadlock").timeout(Duration::from_secs(60)),
            || async {
                let _ = join_cycle().await;
            },
        )
    });
    assert!(
        message.starts_with("peeps: test `runner::deadlock` can never finish (found "),
        "{message}"
    );
    assert!(
        message
            .contains("; its timeout is 1 min 0 s):\n\ndeadlock (certain, 2 tasks, 1 process):\n"),
        "{message}"
    );
    assert!(message.contains("task \"joiner-a\""), "{message}");
    assert!(message.contains("task \"joiner-b\""), "{message}");
    // Found within a few watcher rounds after the settle time: far below
    // the timeout even on a loaded machine.
    let found = message
        .split("(found ")
        .nth(1)
        .and_then(|r| r.split(" after").next())
        .expect("when found");
    let found_ms = parse_duration_words(found);
    assert!(
        found_ms < 20_000,
        "found after {found_ms} ms with a 60 s timeout"
    );
}

#[test]
fn a_body_that_can_never_be_woken_fails_as_stuck_forever() {
    let message = panic_message(|| {
        run(Test::new("runner::stuck"), || async {
            // Returns Pending and keeps no waker.
            std::future::poll_fn(|_| std::task::Poll::<()>::Pending).await;
        })
    });
    assert!(message.contains("can never finish"), "{message}");
    assert!(message.contains("stuck forever ("), "{message}");
    assert!(message.contains("task \"runner::stuck\""), "{message}");
    assert!(
        !message.contains("its timeout"),
        "no timeout was set: {message}"
    );
}

#[test]
fn a_timeout_lists_every_live_task_with_its_stack_and_the_blocking_polls() {
    let message = panic_message(|| {
        let test = Test::new("runner::slow")
            .multi_thread(Some(2))
            .timeout(Duration::from_millis(1_500));
        run(test, || async {
            let sleeper = peeps_runtime::spawn_named("sleeper", async {
                tokio::time::sleep(Duration::from_secs(60)).await;
            });
            let _blocker = peeps_runtime::spawn_named("blocker", async {
                // Blocks its worker: a blocking poll.
                std::thread::sleep(Duration::from_secs(5));
            });
            peeps_runtime::instrument("wait_for_sleeper", "tests/test_runner.rs:1:1", sleeper)
                .await
                .expect("joined");
        })
    });
    assert!(
        message.starts_with("peeps: test `runner::slow` timed out after 1."),
        "{message}"
    );
    assert!(
        message.contains("; 3 of its tasks are alive:\n\n"),
        "{message}"
    );
    let body = message
        .find("task \"runner::slow\"")
        .expect("the body's stack");
    let sleeper = message
        .find("\ntask \"sleeper\"")
        .expect("the sleeper's stack");
    assert!(body < sleeper, "the body first: {message}");
    assert!(
        message.contains(
            "  future \"wait_for_sleeper\" (tests/test_runner.rs:1)\n    waits for task \"sleeper\""
        ),
        "{message}"
    );
    assert!(message.contains(" to finish, for "), "{message}");
    assert!(
        message.contains("spawned by task \"runner::slow\""),
        "{message}"
    );
    assert!(
        message.contains(
            "waits on something peeps cannot see (a timer, I/O or an uninstrumented future)"
        ),
        "{message}"
    );
    assert!(message.contains("\nblocking poll ("), "{message}");
    assert!(message.contains("task \"blocker\""), "{message}");
}

#[test]
fn the_body_output_is_the_test_result_and_its_panic_is_passed_on() {
    let ok = run_reporting(Test::new("runner::ok"), || async { Ok::<(), String>(()) });
    assert_eq!(ok, ExitCode::SUCCESS);
    let err = run_reporting(Test::new("runner::err"), || async {
        Err::<(), String>("nope".into())
    });
    assert_eq!(err, ExitCode::FAILURE);
    let message = panic_message(|| run(Test::new("runner::panics"), || async { panic!("boom") }));
    assert_eq!(message, "boom", "the body's own payload");
}

#[test]
fn runs_in_parallel_threads_fail_on_their_own_deadlocks_only() {
    let deadlocked = Arc::new(AtomicBool::new(false));
    let (done_tx, done_rx) = mpsc::channel();
    let flag = deadlocked.clone();
    let healthy = std::thread::spawn(move || {
        run(
            Test::new("runner::healthy").multi_thread(Some(1)),
            move || async move {
                // Busy with tasks of its own until the other run has failed.
                while !flag.load(Ordering::SeqCst) {
                    let t = peeps_runtime::spawn_named(
                        "tick",
                        tokio::time::sleep(Duration::from_millis(20)),
                    );
                    t.await.expect("tick");
                }
            },
        )
    });
    let failing = std::thread::spawn(move || {
        let message = panic_message(|| {
            run(Test::new("runner::deadlocks"), || async {
                let _ = join_cycle().await;
            })
        });
        let _ = done_tx.send(());
        message
    });
    let message = failing.join().expect("the failing run's thread");
    done_rx.recv().expect("told");
    deadlocked.store(true, Ordering::SeqCst);
    assert!(message.contains("runner::deadlocks"), "{message}");
    assert!(
        !message.contains("tick"),
        "the other run's tasks are not its: {message}"
    );
    healthy.join().expect("the healthy run passes");
}

/// Set in the child's environment: run the env-timeout scenario.
const CHILD_ENV: &str = "PEEPS_TEST_RUNNER_CHILD";

#[test]
#[ignore = "a child process of the_timeout_defaults_to_peeps_test_timeout"]
fn child_env_timeout() {
    assert_eq!(std::env::var(CHILD_ENV).as_deref(), Ok("env_timeout"));
    let message = panic_message(|| {
        run(Test::new("runner::env"), || async {
            tokio::time::sleep(Duration::from_secs(60)).await;
        })
    });
    println!("child: {}", message.lines().next().unwrap_or(""));
}

#[test]
fn the_timeout_defaults_to_peeps_test_timeout() {
    let out = Command::new(std::env::current_exe().expect("own path"))
        .args([
            "--exact",
            "child_env_timeout",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "env_timeout")
        .env("PEEPS_TEST_TIMEOUT", "700ms")
        .output()
        .expect("the child runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("child: peeps: test `runner::env` timed out after 7"),
        "{stdout}"
    );
}
