//! peeps makes a stuck async Rust program explain itself.
//!
//! When a tokio program hangs, every future returned `Pending` and a
//! debugger shows parked threads. peeps records **who waits on whom** —
//! futures, tasks, locks, channels, semaphores and RPC calls — as a live
//! graph, and dumps it on `SIGUSR1`, in-process with [`snapshot`], or to the
//! `peeps` dashboard, which finds the deadlocks and says them in words.
//!
//! ```no_run
//! # async fn run() {
//! peeps::init_named("my-service");
//! peeps::install_sigusr1("my-service"); // kill -USR1 <pid> -> /tmp/peeps-dumps/<pid>.json
//!
//! #[peeps::instrument]
//! async fn handle(n: u32) -> u32 { n + 1 }
//!
//! let m = peeps::sync::Mutex::new(0).named("counter");
//! let task = peeps::spawn_named("worker", async move { handle(1).await });
//! let x = peeps::peeps!("fetch", async { 1 }).await;
//! let snap: peeps::Snapshot = peeps::snapshot();
//! # let _ = (m, task, x, snap);
//! # }
//! ```
//!
//! A test that hangs says why: `#[peeps::test]` (a drop-in for
//! `#[tokio::test]`) fails as soon as its tasks deadlock, with the deadlock
//! in words, and at its `timeout` with every task's stack; see [`test`].
//!
//! # Feature `diagnostics`
//!
//! On by default: everything records. With `default-features = false`,
//! every type and macro is a pass-through with the cost of the plain tokio
//! type, so a library can depend on peeps that way and let the binary
//! switch it on.
//!
//! # Feature `tracing`
//!
//! Off by default. On, each new finding of the watchdog ([`watchdog`],
//! `PEEPS_WATCHDOG`) is also a `tracing` event with target `peeps` —
//! ERROR for a deadlock or a potential deadlock, WARN for a task stuck
//! forever, a long wait or a blocking poll — with its tasks, resources,
//! certainty, summary and text as fields, for the program's subscriber.
//! What the watchdog prints on stderr does not change.

pub use peeps_graph as graph;
pub use peeps_graph::Snapshot;
/// This process's own `/metrics` for Prometheus, served from a dedicated
/// thread (also started by `PEEPS_METRICS=host:port` at [`init`]).
pub use peeps_runtime::metrics;
/// Starts the watchdog: every interval, analyse this process and print each
/// new deadlock once to stderr (also started by `PEEPS_WATCHDOG=<secs>` at
/// [`init`], or at the first [`spawn`] of a program that never calls it).
pub use peeps_runtime::watchdog;
pub use peeps_runtime::{
    dump_dir, dump_path, dump_to, init, init_named, install_sigusr1, snapshot,
};

/// Records an async fn, async method or fn returning `impl Future` as a
/// `future` node named after the fn (or `name = "..."`), located at the fn.
///
/// Each poll learns its parent (a `needs` edge from whatever awaits it),
/// counts polls and poll time; the node leaves when the future completes or
/// is dropped. Works on `&self`, `&mut self` and `self` methods and generic
/// fns.
///
/// Inside the body, each argument of a call named `spawn`, `spawn_local`
/// or `spawn_blocking` (`tokio::spawn`, `set.spawn`, `std::thread::spawn`,
/// …) is passed through unchanged, after peeps notes that the channel ends,
/// owned guards and permits in it left this future for something it does
/// not follow (so the bytes they leave behind are not taken for them;
/// docs/ownership.md).
///
/// # Examples
///
/// ```
/// #[peeps::instrument]
/// async fn load(id: u32) -> Result<u32, std::io::Error> { Ok(id) }
///
/// #[peeps::instrument(name = "flush")]
/// fn flush() -> impl std::future::Future<Output = ()> { async {} }
/// ```
pub use peeps_macros::instrument;

/// A drop-in for `#[tokio::test]` whose hanging test says why.
///
/// Takes what `#[tokio::test]` takes — `flavor` (`"current_thread"`, the
/// default, or `"multi_thread"`), `worker_threads`, `start_paused` (needs
/// tokio's `test-util` feature in your crate, as with tokio) and `crate` (the
/// path to tokio; by default the tokio peeps depends on, so the test crate
/// needs no tokio dependency of its own) — plus `timeout = "30s"` (`ms`, `s`,
/// `m`, `h`; fractions allowed), whose default comes from the environment
/// variable `PEEPS_TEST_TIMEOUT` (none if unset: as `#[tokio::test]`, the
/// test may then run forever, but still fails on a deadlock).
///
/// While the test runs, a peeps thread analyses the process every 250 ms:
///
/// - when some of the test's tasks **deadlock** (certainly: every edge
///   proven, standing for the settle time of 250 ms) or the test's body can
///   never be woken, the test fails within about a second, with the
///   deadlock in words as its message, not at its timeout;
/// - at its **timeout** the test fails with every live task of the test:
///   its name and spawn site, the futures inside it, the leaf it waits on
///   and for how long, who holds that; then the long waits, blocking polls
///   and probable deadlocks of its tasks;
/// - when the body has ended, the test fails on a **potential deadlock**
///   its tasks completed: two paths that took locks in opposite orders
///   (at any time, nothing hung), said in words (see
///   `docs/lock-order.md`). `potential_deadlocks = "warn"` prints it and
///   passes, `"allow"` accepts it.
///
/// A healthy test prints nothing more than under `#[tokio::test]`. Tests
/// running in parallel in one process are told apart: the test's tasks are
/// its body and everything spawned on its runtime. Inside the test,
/// SIGTERM and SIGINT print the same report for every running test before
/// the process ends as the signal asks (see `PEEPS_ON_TERM` at [`init`]),
/// which is what a CI time limit or nextest's slow-timeout sends.
///
/// The body runs on a thread of its own named as the test's, so a test
/// whose runtime is wedged still fails; it returns what the test's body
/// returns as `#[test]` reports it (`Result<(), E>` fails with `Error: ..`).
/// A failed test's wedged runtime is left behind.
///
/// With feature `diagnostics` off, `#[peeps::test]` is exactly
/// `#[tokio::test]` with the same arguments (`timeout` and
/// `potential_deadlocks` are checked and dropped).
///
/// # Examples
///
/// ```
/// #[peeps::test(flavor = "multi_thread", worker_threads = 2, timeout = "30s")]
/// async fn transfers_complete() {
///     let accounts = std::sync::Arc::new(peeps::sync::Mutex::new(0u32));
///     let a = accounts.clone();
///     peeps::spawn_named("deposit", async move { *a.lock().await += 1 }).await.unwrap();
///     assert_eq!(*accounts.lock().await, 1);
/// }
/// ```
///
/// A deadlocked test fails soon after it deadlocks:
///
/// ```text
/// ---- transfers_do_not_deadlock stdout ----
/// thread 'transfers_do_not_deadlock' panicked at tests/bank.rs:12:10:
/// peeps: test `transfers_do_not_deadlock` can never finish (found 512 ms after it started; its timeout is 30 s):
///
/// deadlock (certain, 2 tasks, 1 process):
///   task "transfer-a" (tests/bank.rs:31) waits on mutex "acct-2" (tests/bank.rs:20)
///     held by task "transfer-b" (tests/bank.rs:40)
///   task "transfer-b" waits on mutex "acct-1" (tests/bank.rs:19)
///     held by task "transfer-a"
/// ```
pub use peeps_macros::test;

/// Tasks: spawning through peeps and joining.
pub mod tasks {
    pub use peeps_runtime::{JoinHandle, spawn, spawn_named};

    /// The older name of [`spawn_named`]: spawns `fut` as a task named `name`.
    ///
    /// # Panics
    ///
    /// As `tokio::spawn`: when called outside a tokio runtime.
    #[track_caller]
    pub fn spawn_tracked<F>(
        name: impl Into<std::borrow::Cow<'static, str>>,
        fut: F,
    ) -> JoinHandle<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        spawn_named(name, fut)
    }
}
pub use tasks::{JoinHandle, spawn, spawn_named};

/// Drop-in instrumented `tokio::sync` and `parking_lot` types.
pub use peeps_sync as sync;

/// RPC across processes: an outgoing call is a `request` node with a call id
/// unique across processes, an incoming call a `handler` node named by that
/// id and held by the task serving it; merged snapshots join the two, so a
/// deadlock through an RPC is found like any other.
///
/// Wire any RPC stack in a few lines: send [`rpc::OutgoingCall::id`] with the
/// request and await the response through [`rpc::OutgoingCall::wait`]; serve
/// the call inside [`rpc::handle`] with the id received. `peeps-roam` does it
/// for roam.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let call = peeps::rpc::OutgoingCall::new("Inventory.reserve", "inventory:7000");
/// let id = call.id().to_owned(); // sent with the request
/// // The callee, on receiving `id` with the request:
/// let served = tokio::spawn(peeps::rpc::handle("Inventory.reserve", &id, async { 3 }));
/// let reserved = call.wait(served).await.unwrap();
/// # assert_eq!(reserved, 3);
/// # }
/// ```
pub use peeps_runtime::rpc;

/// Names any future: `peeps!("name", fut)`, or `peeps!(fut)` to name it
/// after the expression's text. The future becomes a `future` node located
/// at the macro call.
///
/// # Examples
///
/// ```
/// # async fn f() {
/// let a = peeps::peeps!("answer", async { 42 }).await;
/// let b = peeps::peeps!(std::future::ready(1)).await;
/// # let _ = (a, b);
/// # }
/// ```
#[macro_export]
macro_rules! peeps {
    ($name:expr, $fut:expr $(,)?) => {
        $crate::__private::instrument(
            $name,
            ::core::concat!(
                ::core::file!(),
                ":",
                ::core::line!(),
                ":",
                ::core::column!()
            ),
            $fut,
        )
    };
    ($fut:expr $(,)?) => {
        $crate::__private::instrument(
            ::core::stringify!($fut),
            ::core::concat!(
                ::core::file!(),
                ":",
                ::core::line!(),
                ":",
                ::core::column!()
            ),
            $fut,
        )
    };
}

/// Macro plumbing. Not public API: may change in any release.
#[doc(hidden)]
pub mod __private {
    /// What `#[peeps::instrument]` passes the arguments of a spawn call
    /// through: the handles inside are handed to something peeps does not
    /// follow (see `peeps_runtime::__private::ownership::handed_off`).
    pub use peeps_runtime::__private::ownership::handed_off;
    /// `#[peeps::test]`'s runner.
    #[cfg(feature = "diagnostics")]
    pub use peeps_runtime::test;
    pub use peeps_runtime::{Instrumented, instrument};
    /// `#[peeps::test]`'s runtime, and `#[tokio::test]` when recording is off.
    pub use tokio;
}
