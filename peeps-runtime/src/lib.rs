//! The peeps runtime: the registry of live nodes, instrumented futures and
//! tasks, the thread-local context, waker accounting, the resource core the
//! sync types are built on, snapshots and dumps.
//!
//! # Global state
//!
//! One registry of live nodes (sharded, see [`registry`]), the process
//! identity, and the SIGUSR1 pipe. Nothing here runs on the program's
//! runtime: dumps are written from a dedicated OS thread.
//!
//! # Feature `diagnostics`
//!
//! On (the default), every hook records. Off, every hook has a no-op twin
//! with the same signature ([`off`]), so the call sites compile the same and
//! cost what the plain tokio code costs. Snapshots then have no nodes.

mod census;
#[doc(hidden)]
pub mod clock;
pub mod dump;
mod id;
#[doc(hidden)]
pub mod lockorder;
#[doc(hidden)]
pub mod node;
pub mod on_term;
pub mod process;
pub mod push;
#[doc(hidden)]
pub mod registry;
pub mod sampler;
mod signal_pipe;
mod snapshot;
mod task_waker;
mod thread_waker;
mod threads;
pub mod watchdog;
mod watchdog_events;

/// Declares items that exist only with feature `diagnostics`.
macro_rules! cfg_diagnostics {
    ($($item:item)*) => { $( #[cfg(feature = "diagnostics")] $item )* };
}
/// Declares the no-op twins used without feature `diagnostics`.
macro_rules! cfg_not_diagnostics {
    ($($item:item)*) => { $( #[cfg(not(feature = "diagnostics"))] $item )* };
}

cfg_diagnostics! {
    #[doc(hidden)]
    pub mod ambient;
    #[doc(hidden)]
    pub mod context;
    mod first_poll;
    pub mod future;
    pub mod history;
    #[doc(hidden)]
    pub mod hold;
    mod join_set;
    mod loom;
    pub mod metrics;
    mod nested_waker;
    #[doc(hidden)]
    pub mod ownership;
    mod pair;
    mod raced;
    #[doc(hidden)]
    pub mod resource;
    pub mod rpc;
    mod slab;
    mod subwaker;
    pub mod task;
    mod task_cell;
    mod task_join;
    pub mod test;
    mod timer_due;
    #[doc(hidden)]
    pub mod wait;
    mod waker;
}

// The no-op twins are always compiled (benchmarks compare both in one run)
// and stand in for the recording modules without the feature.
#[doc(hidden)]
pub mod off;
mod op;
cfg_not_diagnostics! {
    pub use off::{future, history, hold, metrics, ownership, resource, rpc, task, wait};
}

pub use dump::{dump_dir, dump_path, dump_to, install_sigusr1};
pub use future::{Instrumented, instrument};
pub use peeps_graph::{NodeKind, Snapshot};
pub use snapshot::snapshot;
pub use task::{JoinHandle, spawn, spawn_named};
pub use watchdog::watchdog;

/// The plumbing the sync types (peeps-sync), the roam wrappers and the
/// macros are built on: holds, waits, resources, ownership marks, the
/// thread-local context, the registry. Not API: hidden from the docs, no
/// stability promised, and every item in it has a no-op twin with the
/// same signature without feature `diagnostics` (`tests/hooks.rs` pins
/// them). Its types are sound by their signatures; what is unsafe to use
/// is `unsafe` or crate-private.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "diagnostics")]
    pub use crate::{ambient, context};
    pub use crate::{clock, history, hold, lockorder, node, ownership, registry, resource, wait};
}

/// Names the process after its executable and fixes its key. Optional:
/// instrumentation works without it. May be called before or inside a
/// runtime, any number of times. Starts the watchdog (`PEEPS_WATCHDOG`),
/// the push client (`PEEPS_DASHBOARD`, with `PEEPS_TOKEN` when the server
/// requires one), the metrics endpoint (`PEEPS_METRICS`, see [`metrics`]),
/// the thread sampler
/// (`PEEPS_SAMPLE_HZ`) and the report on SIGTERM/SIGINT
/// (`PEEPS_ON_TERM=report`, see [`on_term`]) when the environment asks.
pub fn init() {
    process::touch();
    on_term::start_from_env();
    watchdog::start_from_env();
    push::start_from_env();
    metrics::start_from_env();
    sampler::start_from_env();
}

/// Names the process `name` in snapshots and dumps; otherwise as [`init`].
pub fn init_named(name: &str) {
    process::set_name(name);
    on_term::start_from_env();
    watchdog::start_from_env();
    push::start_from_env();
    metrics::start_from_env();
    sampler::start_from_env();
}
