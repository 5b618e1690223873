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
//! # Feature `diagnostics`
//!
//! On by default: everything records. With `default-features = false`,
//! every type and macro is a pass-through with the cost of the plain tokio
//! type, so a library can depend on peeps that way and let the binary
//! switch it on.

pub use peeps_graph as graph;
pub use peeps_graph::Snapshot;
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
    pub use peeps_runtime::{Instrumented, instrument};
}
