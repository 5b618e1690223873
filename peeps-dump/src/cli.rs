//! The command line: one `Cli`, one `Command` enum with a variant per
//! subcommand. Adding a subcommand is a module with an `Args` type that
//! implements [`Run`], plus one line in the `commands!` list below.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// How `peeps` exits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 0: nothing to report, or the command did what it was asked.
    Ok = 0,
    /// 1: a deadlock was found (`peeps analyze`; with
    /// `--fail-on-potential`, also a potential deadlock).
    Found = 1,
    /// 2: unreadable input or a command-line error (clap uses 2 too).
    Error = 2,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// What a subcommand does once its arguments are parsed.
pub(crate) trait Run {
    /// Runs the subcommand; `Err` is printed and exits 2.
    fn run(self) -> anyhow::Result<Exit>;
}

/// peeps: make a stuck async Rust program explain itself.
///
/// Reads snapshots written by peeps (`kill -USR1 <pid>` writes one to
/// `/tmp/peeps-dumps/<pid>.json`) and says which tasks can never make
/// progress, and why.
#[derive(Debug, Parser)]
#[command(name = "peeps", version, max_term_width = 100)]
pub(crate) struct Cli {
    /// With no subcommand, `peeps` runs `serve` with its defaults and the
    /// PEEPS_* environment.
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

/// Declares the subcommands: the `Command` enum and its dispatch.
macro_rules! commands {
    ($( $(#[$meta:meta])* $variant:ident($args:ty), )*) => {
        /// A subcommand.
        #[derive(Debug, Subcommand)]
        pub(crate) enum Command {
            $( $(#[$meta])* $variant($args), )*
        }

        impl Command {
            /// Runs the chosen subcommand.
            pub(crate) fn run(self) -> anyhow::Result<Exit> {
                match self {
                    $( Command::$variant(args) => Run::run(args), )*
                }
            }
        }
    };
}

commands! {
    /// Find deadlocks, tasks stuck forever, long waits and blocking polls,
    /// and potential deadlocks (lock-order inversions that have not hung).
    ///
    /// Prints them in words (or JSON with --json). Exits 1 when there is a
    /// deadlock (or, with --fail-on-potential, a potential deadlock), 0
    /// otherwise, 2 when an input cannot be read.
    Analyze(crate::analyze::AnalyzeArgs),
    /// Print what a dump recorded before it: its events in words, oldest
    /// first.
    ///
    /// Tasks spawned and ended, locks and permits taken and released, waits
    /// begun, messages sent and received, joins and RPC calls, each with
    /// its time since the process started and its line of code.
    History(crate::history::HistoryArgs),
    /// Write the wait graph as Graphviz DOT, deadlocked cycles in red.
    ///
    /// Render with e.g. `peeps dot dump.json | dot -Tsvg > graph.svg`.
    Dot(crate::dot::DotArgs),
    /// Run the dashboard: receive pushed snapshots and dumps, serve the
    /// HTTP API and the UI (the default when no subcommand is given).
    ///
    /// Programs push to it when started with PEEPS_DASHBOARD=<ingest
    /// address> and calling `peeps::init()`. Beyond loopback it needs a
    /// token (PEEPS_TOKEN or --token-file), which pushing programs send
    /// (their PEEPS_TOKEN) and HTTP clients present (bearer header, or the
    /// cookie the printed one-time URL sets).
    Serve(crate::serve::ServeArgs),
    /// Run a deadlock across processes and watch the dashboard find it.
    ///
    /// Starts a dashboard and a ring of processes calling each other over
    /// roam on 127.0.0.1, waits until the dashboard reports the deadlock,
    /// prints it and its URL, and runs until Ctrl-C stops everything.
    Demo(crate::demo::DemoArgs),
}

/// The analysis thresholds, shared by the subcommands that analyse.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Thresholds {
    /// Report a deadlock only when every edge in it is at least this old
    /// (guards against reading a program mid-change).
    #[arg(long, value_name = "MS", default_value_t = peeps_graph::Options::DEFAULT_SETTLE_MS)]
    pub(crate) settle_ms: u64,
    /// Report a task blocked on a lock, a permit, a full channel or an RPC
    /// for at least this long as a long wait.
    #[arg(long, value_name = "MS", default_value_t = peeps_graph::Options::DEFAULT_LONG_WAIT_MS)]
    pub(crate) long_wait_ms: u64,
    /// Report a poll running at least this long as a blocking poll.
    #[arg(long, value_name = "MS", default_value_t = peeps_graph::Options::DEFAULT_SLOW_POLL_MS)]
    pub(crate) slow_poll_ms: u64,
}

impl Thresholds {
    /// The analysis options these thresholds stand for.
    pub(crate) fn options(&self) -> peeps_graph::Options {
        peeps_graph::Options::default()
            .settle_ms(self.settle_ms)
            .long_wait_ms(self.long_wait_ms)
            .slow_poll_ms(self.slow_poll_ms)
    }
}
