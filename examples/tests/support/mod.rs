//! What every scenario test needs: the scenario as a child process
//! ([`child`]), the real `peeps` binary ([`cli`]), and expectations on the
//! analysis report ([`expect`]).
//!
//! A test starts a scenario binary, which prints `READY <pid>` once its own
//! graph shows the state it is about; waits past the analysis' settle time
//! (edges younger than 250 ms are ignored); sends SIGUSR1; reads the dump;
//! analyses it, through the library or the `peeps analyze --json` binary;
//! and checks the report. Every wait is a bounded loop with a generous
//! limit, and nothing asserts on how long anything took.

#![allow(dead_code, unreachable_pub)] // each test file uses a part

pub mod child;
pub mod cli;
pub mod expect;

pub use child::{Dump, Scenario};
pub use cli::analyze_cli;
pub use expect::{assert_no_deadlock, blocking_poll, deadlock, long_wait, report_text};

/// Analyses a dump through the library with `options`.
pub fn analyze_lib(dump: &Dump, options: &peeps::graph::Options) -> peeps::graph::Report {
    peeps::graph::analyze(std::slice::from_ref(&dump.snapshot), options)
}

/// Starts the scenario binary `$name` of this package (a
/// [`Scenario`](child::Scenario), stuck and settled).
macro_rules! scenario {
    ($name:ident) => {
        $crate::support::Scenario::start(
            stringify!($name),
            env!(concat!("CARGO_BIN_EXE_", stringify!($name))),
        )
    };
}
pub(crate) use scenario;
