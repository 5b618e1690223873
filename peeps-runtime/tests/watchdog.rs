//! The watchdog in a real child process: this test binary runs itself again
//! with one of the `child_*` tests selected and reads the child's stderr.
//!
//! The deadlock is built from runtime primitives only: two peeps tasks each
//! awaiting the other's `JoinHandle` (handed over through oneshots). A
//! JoinHandle await is a `waits_on` edge to the joined task's node.

use peeps_test_support::{ChildProcess, rerun};
use std::time::Duration;

/// Set in the child's environment: which scenario to run.
const CHILD_ENV: &str = "PEEPS_WATCHDOG_TEST_CHILD";
/// Set in the child's environment: do not call `init`.
const NO_INIT_ENV: &str = "PEEPS_WATCHDOG_TEST_NO_INIT";
/// How long the parent waits for the child to say something.
const PATIENCE: Duration = Duration::from_secs(60);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

#[test]
#[ignore = "a child process of watchdog_prints_a_deadlock_once"]
fn child_join_cycle() {
    assert_eq!(std::env::var(CHILD_ENV).as_deref(), Ok("join_cycle"));
    runtime().block_on(async {
        // PEEPS_WATCHDOG is set by the parent: init starts the watchdog,
        // or, without init, the first peeps task does.
        if std::env::var_os(NO_INIT_ENV).is_none() {
            peeps_runtime::init_named("watchdog-child");
        }
        let (to_a, from_b) = tokio::sync::oneshot::channel::<peeps_runtime::JoinHandle<()>>();
        let (to_b, from_a) = tokio::sync::oneshot::channel::<peeps_runtime::JoinHandle<()>>();
        let a = peeps_runtime::spawn_named("joiner-a", async move {
            let b = from_b.await.expect("b's handle");
            let _ = b.await;
        });
        let b = peeps_runtime::spawn_named("joiner-b", async move {
            let a = from_a.await.expect("a's handle");
            let _ = a.await;
        });
        to_a.send(b).expect("a is alive");
        to_b.send(a).expect("b is alive");
        eprintln!("child: stuck");
        std::future::pending::<()>().await;
    });
}

/// Takes `res` as a lock would (the hold, then the lock order), at the
/// caller's line.
#[cfg(feature = "diagnostics")]
#[track_caller]
fn lock(res: &peeps_runtime::__private::resource::Resource) {
    use peeps_runtime::__private::hold::HoldAs;
    use peeps_runtime::__private::lockorder::{Mode, acquired};
    let at = Some(std::panic::Location::caller());
    let taker = res.holders().hold_exclusive(HoldAs::Guard, true, at);
    acquired(res, Mode::Write, at, taker, 0);
}

#[test]
#[ignore = "a child process of watchdog_prints_a_potential_deadlock_once"]
#[cfg(feature = "diagnostics")]
fn child_inversion() {
    use peeps_graph::NodeKind;
    assert_eq!(std::env::var(CHILD_ENV).as_deref(), Ok("inversion"));
    runtime().block_on(async {
        peeps_runtime::init_named("watchdog-child");
        let a = peeps_runtime::__private::resource::Resource::new(NodeKind::Mutex);
        a.rename("wd-a");
        let b = peeps_runtime::__private::resource::Resource::new(NodeKind::Mutex);
        b.rename("wd-b");
        // Two tasks, one after the other, take the two in opposite orders:
        // nothing ever waits.
        for (name, first, second) in [
            ("wd-ab", a.clone(), b.clone()),
            ("wd-ba", b.clone(), a.clone()),
        ] {
            peeps_runtime::spawn_named(name, async move {
                lock(&first);
                lock(&second);
                second.holders().release_exclusive();
                first.holders().release_exclusive();
            })
            .await
            .expect("the task ends");
        }
        eprintln!("child: both orders taken");
        std::future::pending::<()>().await;
    });
}

#[test]
#[cfg(feature = "diagnostics")]
fn watchdog_prints_a_potential_deadlock_once() {
    let child = spawn_child("child_inversion", "inversion", Some("0.1"), &[]);
    let header = watchdog_header(&child);
    assert!(
        header.contains("process \"watchdog-child\"")
            && header.contains("has a potential deadlock"),
        "{header}"
    );
    let (_, text) = child.stderr_until(PATIENCE, |_| true);
    let text = text.join("\n");
    assert!(
        text.starts_with(
            "potential deadlock: task \"wd-ab\" took \"wd-a\" (peeps-runtime/tests/watchdog.rs:"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("Run at the same time, these two can deadlock."),
        "{text}"
    );
    let (again, more) = child.stderr_until(Duration::from_millis(1_000), |l| {
        l.starts_with("peeps watchdog:")
    });
    assert!(!again, "printed twice:\n{}", more.join("\n"));
}

#[test]
#[ignore = "a child process of the healthy-program watchdog test"]
fn child_healthy() {
    assert_eq!(std::env::var(CHILD_ENV).as_deref(), Ok("healthy"));
    // Started through the API this time.
    peeps_runtime::watchdog(Duration::from_millis(50));
    runtime().block_on(async {
        // Tasks joining tasks that sleep: long joins, never a deadlock.
        for round in 0..4 {
            let sleeper = peeps_runtime::spawn_named("sleeper", async {
                tokio::time::sleep(Duration::from_millis(300)).await;
            });
            let joiner = peeps_runtime::spawn_named("joiner", async move {
                let _ = sleeper.await;
            });
            joiner.await.expect("joiner finishes");
            eprintln!("child: round {round} done");
        }
    });
    eprintln!("child: done");
}

/// Runs this test binary again as the child `test` (scenario `scenario`),
/// with the watchdog at `watchdog` seconds or off, and `env`.
fn spawn_child(
    test: &str,
    scenario: &str,
    watchdog: Option<&str>,
    env: &[(&str, &str)],
) -> ChildProcess {
    let mut cmd = rerun(test);
    cmd.env(CHILD_ENV, scenario).envs(env.iter().copied());
    match watchdog {
        Some(secs) => cmd.env("PEEPS_WATCHDOG", secs),
        None => cmd.env_remove("PEEPS_WATCHDOG"),
    };
    ChildProcess::start(test, cmd)
}

/// Waits for the watchdog's report header on the child's stderr.
#[track_caller]
#[cfg(feature = "diagnostics")]
fn watchdog_header(child: &ChildProcess) -> String {
    let (found, seen) = child.stderr_until(PATIENCE, |l| l.starts_with("peeps watchdog:"));
    assert!(
        found,
        "no watchdog report; the child said:\n{}",
        seen.join("\n")
    );
    seen.last().expect("the matching line").clone()
}

#[test]
// Without feature `diagnostics` nothing is recorded: there is no deadlock to see.
#[cfg(feature = "diagnostics")]
fn watchdog_prints_a_deadlock_once() {
    let child = spawn_child("child_join_cycle", "join_cycle", Some("0.1"), &[]);
    let header = watchdog_header(&child);
    assert!(
        header.contains("process \"watchdog-child\"") && header.contains("has a deadlock"),
        "{header}"
    );
    // The deadlock's text follows: the headline, then one line per task.
    let mut text = Vec::new();
    let (_, _) = child.stderr_until(PATIENCE, |l| {
        text.push(l.to_owned());
        text.len() == 3
    });
    assert_eq!(text.len(), 3, "the report stopped after {text:?}");
    assert_eq!(text[0], "deadlock (certain, 2 tasks, 1 process):");
    let body = text[1..].join("\n");
    assert!(
        body.contains("task \"joiner-a\" (peeps-runtime/tests/watchdog.rs:"),
        "{body}"
    );
    assert!(body.contains("waits for task \"joiner-b\""), "{body}");
    assert!(
        body.contains("task \"joiner-b\" waits for task \"joiner-a\" to finish, for "),
        "{body}"
    );

    // Many more rounds go by (the interval is 100 ms): the same deadlock
    // is not printed again. The child marks the end of our listening with
    // nothing, so count what arrives while it keeps running.
    let (again, more) = child.stderr_until(Duration::from_millis(1_500), |l| {
        l.starts_with("peeps watchdog:")
    });
    assert!(!again, "printed twice:\n{}", more.join("\n"));
}

#[test]
// Without feature `diagnostics` nothing is recorded: there is no deadlock to see.
#[cfg(feature = "diagnostics")]
fn watchdog_works_without_init() {
    let child = spawn_child(
        "child_join_cycle",
        "join_cycle",
        Some("0.1"),
        &[(NO_INIT_ENV, "1")],
    );
    let header = watchdog_header(&child);
    assert!(header.contains("has a deadlock"), "{header}");
}

#[test]
fn watchdog_is_quiet_on_a_healthy_program() {
    let mut child = spawn_child("child_healthy", "healthy", None, &[]);
    let (done, seen) = child.stderr_until(PATIENCE, |l| l == "child: done");
    assert!(done, "the child did not finish:\n{}", seen.join("\n"));
    assert_eq!(
        seen.iter()
            .filter(|l| l.starts_with("child: round"))
            .count(),
        4,
        "{seen:?}"
    );
    assert!(
        !seen
            .iter()
            .any(|l| l.contains("peeps watchdog") || l.contains("deadlock")),
        "false alarm:\n{}",
        seen.join("\n")
    );
    let status = child.wait_exit(PATIENCE).expect("the child exits");
    assert!(status.success(), "{status:?}");
}
