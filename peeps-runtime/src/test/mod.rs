//! The runner behind `#[peeps::test]`: a test that hangs says why.
//!
//! `#[peeps::test]` expands to a plain `#[test]` fn that calls [`run`] (or
//! [`run_reporting`] for a body returning a `Result`) with the test's
//! settings ([`Test`]) and a closure making its body. `run`
//! starts the body on a thread of its own (named as the test's thread, with
//! the same captured output), on a tokio runtime built as `#[tokio::test]`
//! builds it, with the body itself as a peeps task (so its waits are
//! waker-accounted and a deadlock through it is certain). The test's thread
//! then waits for the first of:
//!
//! - the body's end: its result is the test's (a panic is resumed with its
//!   payload, so `#[should_panic]` works as before);
//! - a verdict of the watcher (`watch.rs`): some of this test's tasks can
//!   never make progress. The test fails at once with the deadlock in
//!   words, whatever its timeout;
//! - the timeout: the test fails with every live task of the test, its
//!   logical stack and what it waits on, then the long waits and blocking
//!   polls of its tasks (`report.rs`).
//!
//! The test's thread never waits on the runtime, so it fails even when the
//! runtime is wedged (every worker blocked). A runtime that failed that way
//! is left behind, as a wedged one could not be dropped.
//!
//! Tasks are told apart by test run ([`scope`]): parallel tests in one
//! `cargo test` process each fail on their own deadlocks only.
//!
//! When the body has ended, the test also fails on a *potential* deadlock
//! its tasks completed: a cycle in the order locks were taken in, although
//! nothing hung (see [`crate::lockorder`] and [`potential`]);
//! `potential_deadlocks = "warn"` prints it instead, `"allow"` accepts it.
//!
//! Inside a test, `PEEPS_ON_TERM` defaults to `report` (see
//! [`crate::on_term`]): a test killed by a time limit (`timeout`, CI,
//! nextest's slow-timeout) prints what it was waiting on.

pub mod potential;
pub(crate) mod report;
pub mod scope;
pub mod timeout;
mod watch;

use std::future::Future;
use std::panic::Location;
use std::process::{ExitCode, Termination};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use potential::Potential;
pub use timeout::{TIMEOUT_ENV, parse_duration};

/// How a `#[peeps::test]` runs: its name, its runtime, its time limit.
/// Made by the attribute's expansion; not meant to be written by hand.
#[derive(Debug, Clone)]
pub struct Test {
    name: &'static str,
    flavor: Flavor,
    timeout: Option<Duration>,
    configure: Option<fn(&mut tokio::runtime::Builder)>,
    potential: Potential,
}

/// The runtime a test runs on, as `#[tokio::test(flavor = ..)]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavor {
    CurrentThread,
    MultiThread { worker_threads: Option<usize> },
}

impl Test {
    /// A test named `name` (`module::path::fn`), on a current-thread
    /// runtime, with the timeout `PEEPS_TEST_TIMEOUT` gives, if any.
    pub fn new(name: &'static str) -> Self {
        Test { name, flavor: Flavor::CurrentThread, timeout: None, configure: None, potential: Potential::Fail }
    }

    /// Runs on a multi-thread runtime with `worker_threads` workers (tokio's
    /// default when `None`).
    pub fn multi_thread(mut self, worker_threads: Option<usize>) -> Self {
        self.flavor = Flavor::MultiThread { worker_threads };
        self
    }

    /// Fails the test, with a report of its tasks, when it runs longer.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// What a potential deadlock of the test's tasks does: fail the test
    /// (the default), print it, or nothing.
    pub fn potential_deadlocks(mut self, potential: Potential) -> Self {
        self.potential = potential;
        self
    }

    /// Calls `configure` on the runtime builder last (`start_paused`, which
    /// needs tokio's `test-util` in the test's own crate).
    pub fn configure(mut self, configure: fn(&mut tokio::runtime::Builder)) -> Self {
        self.configure = Some(configure);
        self
    }

    /// The test's runtime: as `#[tokio::test]` builds it, every thread of
    /// it in test run `scope`.
    fn runtime(&self, scope: u64) -> std::io::Result<tokio::runtime::Runtime> {
        let mut builder = match self.flavor {
            Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
            Flavor::MultiThread { worker_threads } => {
                let mut b = tokio::runtime::Builder::new_multi_thread();
                if let Some(n) = worker_threads {
                    b.worker_threads(n);
                }
                b
            }
        };
        builder.enable_all();
        in_scope(&mut builder, scope);
        if let Some(configure) = self.configure {
            configure(&mut builder);
        }
        builder.build()
    }
}

/// Every thread of the runtime `builder` builds runs in test run `scope`.
#[cfg(not(loom))]
fn in_scope(builder: &mut tokio::runtime::Builder, scope: u64) {
    builder.on_thread_start(move || scope::set_for_thread(scope));
}

/// Under `--cfg loom` tokio has no thread hooks; the loom models (see
/// `crate::loom`) run no runtime.
#[cfg(loom)]
fn in_scope(_: &mut tokio::runtime::Builder, _: u64) {}

/// What one test run shares between its thread, its body's thread and the
/// watcher.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The run's scope id (`test_scope` of its tasks).
    pub(crate) scope: u64,
    /// The test's name, as the test harness calls it.
    pub(crate) name: String,
    pub(crate) started: Instant,
    pub(crate) timeout: Option<Duration>,
    /// The node id of the body's task, once made (0 before).
    pub(crate) body: AtomicU64,
    /// The body has returned (its runtime may be shutting down).
    pub(crate) body_done: AtomicBool,
}

/// What the test's thread waits for.
#[derive(Debug)]
pub(crate) enum Event {
    /// The body's thread has ended (returned or panicked).
    Ended,
    /// Tasks of the test can never make progress: the findings' texts.
    Verdict(String),
}

/// Runs a `#[peeps::test]` whose body returns `()`: `body` makes the
/// test's future, run on a runtime of `test`'s flavor.
///
/// # Panics
///
/// When some of the test's tasks deadlock (with the deadlock in words),
/// when the test outlives its timeout (with every live task of it and what
/// it waits on), when the body panics (with the body's own panic, so
/// `#[should_panic]` works as with `#[tokio::test]`), or when the runtime
/// cannot be built.
#[track_caller]
pub fn run<B, F>(test: Test, body: B)
where
    B: FnOnce() -> F + Send + 'static,
    F: Future<Output = ()> + 'static,
{
    run_with(test, Location::caller(), body, |()| ())
}

/// As [`run`], for a body returning any other test result (`Result<(),
/// E>`, ...): the result is reported on the body's thread as the test
/// harness reports it (`Err` prints `Error: ..`), and its exit code
/// returned (which may not cross threads: `Box<dyn Error>` is not `Send`).
///
/// # Panics
///
/// As [`run`].
#[track_caller]
pub fn run_reporting<B, F>(test: Test, body: B) -> ExitCode
where
    B: FnOnce() -> F + Send + 'static,
    F: Future + 'static,
    F::Output: Termination,
{
    run_with(test, Location::caller(), body, Termination::report)
}

/// Runs the body, `finish` turning its output into what the test fn returns.
#[track_caller]
fn run_with<B, F, R>(test: Test, location: &'static Location<'static>, body: B, finish: fn(F::Output) -> R) -> R
where
    B: FnOnce() -> F + Send + 'static,
    F: Future + 'static,
    R: Send + 'static,
{
    crate::on_term::install_for_tests();
    // This thread only waits for the body's: nothing runs here unseen.
    let _seen = crate::census::seen_thread();
    let timeout = test.timeout.or_else(timeout::from_env);
    let shared = Arc::new(Shared {
        scope: scope::new_id(),
        name: harness_name(test.name),
        started: Instant::now(),
        timeout,
        body: AtomicU64::new(0),
        body_done: AtomicBool::new(false),
    });
    let (tx, rx) = mpsc::channel();
    let potential = test.potential;
    let _watch = watch::watch(shared.clone(), tx.clone());
    let runner = spawn_body(test, location, body, finish, shared.clone(), tx);
    let deadline = timeout.map(|t| shared.started + t);
    loop {
        let event = match deadline {
            Some(at) => rx.recv_timeout(at.saturating_duration_since(Instant::now())),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match event {
            Ok(Event::Ended) | Err(RecvTimeoutError::Disconnected) => break,
            // A verdict that raced with the body's end is moot.
            Ok(Event::Verdict(_)) if shared.body_done.load(SeqCst) => {}
            Ok(Event::Verdict(text)) => panic!("{}", report::never_finishes(&shared, &text)),
            Err(RecvTimeoutError::Timeout) => panic!("{}", report::timed_out(&shared)),
        }
    }
    match runner.join() {
        Ok(out) => {
            potential::check(potential, &shared);
            out
        }
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

/// Types a test's body as returning `T`, the test fn's return type, so
/// that `?` and `return` inside it infer as they would in the fn.
pub fn body<T, F: Future<Output = T>>(future: F) -> F {
    future
}

/// The name the test harness gives the test: its thread's name when that
/// ends the module path (libtest names each test's thread after the test,
/// without the crate), else the full path.
fn harness_name(path: &'static str) -> String {
    match std::thread::current().name() {
        Some(thread) if path == thread || path.ends_with(&format!("::{thread}")) => thread.to_owned(),
        _ => path.to_owned(),
    }
}

/// Sends [`Event::Ended`] when dropped: when the body's thread ends, also
/// by a panic.
struct Ended(Sender<Event>);

impl Drop for Ended {
    fn drop(&mut self) {
        let _ = self.0.send(Event::Ended);
    }
}

/// Starts the body on a thread named as the current one (so panics read
/// as the test's own), in the run's scope.
fn spawn_body<B, F, R>(
    test: Test,
    location: &'static Location<'static>,
    body: B,
    finish: fn(F::Output) -> R,
    shared: Arc<Shared>,
    tx: Sender<Event>,
) -> std::thread::JoinHandle<R>
where
    B: FnOnce() -> F + Send + 'static,
    F: Future + 'static,
    R: Send + 'static,
{
    let thread_name = std::thread::current().name().unwrap_or(&shared.name).to_owned();
    let spawned = std::thread::Builder::new().name(thread_name).spawn(move || {
        let _ended = Ended(tx);
        // The body is a peeps task whose state snapshots read.
        let _seen = crate::census::seen_thread();
        scope::set_for_thread(shared.scope);
        let runtime = test.runtime(shared.scope).expect("Failed building the Runtime");
        // The body is driven by `block_on`, not spawned: note the runtime
        // for the task census as a spawn would.
        {
            let _in = runtime.enter();
            crate::census::note_runtime();
        }
        let task = crate::task::task_future(shared.name.clone().into(), location, body());
        shared.body.store(task.id(), SeqCst);
        let output = runtime.block_on(task);
        shared.body_done.store(true, SeqCst);
        let out = finish(output);
        // Its workers stop: the census must not count them any more.
        crate::census::forget_runtime(runtime.handle());
        drop(runtime);
        out
    });
    // As libtest does when it cannot start a test's thread.
    spawned.unwrap_or_else(|e| panic!("failed to spawn thread to run test: {e}"))
}
