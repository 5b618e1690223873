//! A scenario running as a child process: started, waited for until READY,
//! dumped with SIGUSR1, and killed when the guard drops — also when an
//! assertion fails first.

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use peeps::graph::Snapshot;
use peeps_test_support::ChildProcess;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a scenario may take to say READY (a loaded 2-core machine
/// running every test at once is slow; a healthy run takes milliseconds).
const READY_WITHIN: Duration = Duration::from_secs(120);
/// How long a dump may take to appear after SIGUSR1.
const DUMP_WITHIN: Duration = Duration::from_secs(60);
/// How long to wait after READY before dumping: past the analysis' default
/// settle time (250 ms), so the edges the scenario is about count. Edges
/// only grow older, so this is a lower bound, not a timing assertion.
pub const SETTLE: Duration = Duration::from_millis(400);
/// How often the bounded loops look.
const POLL: Duration = Duration::from_millis(20);

/// A dump read back: where it was written and what it says.
#[derive(Debug)]
pub struct Dump {
    /// The dump file (`<dir>/<pid>.json`).
    pub path: PathBuf,
    /// Its contents.
    pub snapshot: Snapshot,
}

/// A running scenario. Dropping it kills the child (its guard) and removes
/// its dump directory.
#[derive(Debug)]
pub struct Scenario {
    name: &'static str,
    child: ChildProcess,
    pid: Pid,
    dir: PathBuf,
}

impl Scenario {
    /// Starts the scenario binary `exe` with dumps going to a fresh
    /// directory, waits for its `READY <pid>` line, then waits [`SETTLE`].
    ///
    /// # Panics
    ///
    /// When the binary cannot start, exits, or says nothing within
    /// `READY_WITHIN`.
    #[track_caller]
    pub fn start(name: &'static str, exe: &str) -> Scenario {
        static RUN: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "peeps-scenario-{name}-{}-{}",
            std::process::id(),
            RUN.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let mut cmd = Command::new(exe);
        cmd.env("PEEPS_DUMP_DIR", &dir)
            .env_remove("PEEPS_WATCHDOG")
            .env_remove("PEEPS_DASHBOARD");
        // From here on the guard kills the child, whatever happens.
        let child = ChildProcess::start(name, cmd);
        let said = child.ready(READY_WITHIN);
        let pid = Pid::from_raw(child.pid() as i32);
        assert_eq!(
            said,
            child.pid(),
            "{name} said READY with another pid{}",
            child.output()
        );
        let scenario = Scenario {
            name,
            child,
            pid,
            dir,
        };
        std::thread::sleep(SETTLE);
        scenario
    }

    /// The child's pid.
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// What the child printed so far, for failure messages.
    pub fn output(&self) -> String {
        self.child.output()
    }

    /// Sends SIGUSR1 and reads the dump it writes (any earlier dump is
    /// removed first, so this is always a fresh one).
    ///
    /// # Panics
    ///
    /// When the child exits or no dump appears within `DUMP_WITHIN`.
    #[track_caller]
    pub fn dump(&mut self) -> Dump {
        let dump = self.dump_unchecked();
        // Every scenario's learned lock order: no potential deadlock but in
        // the scenarios that really have one.
        let report = peeps::graph::analyze(
            std::slice::from_ref(&dump.snapshot),
            &peeps::graph::Options::default(),
        );
        if !HAVE_POTENTIAL_DEADLOCKS.contains(&self.name) {
            assert!(
                report.potential_deadlocks.is_empty(),
                "{}: a potential deadlock it does not have:\n{}",
                self.name,
                report
                    .potential_deadlocks
                    .iter()
                    .map(|p| p.text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        dump
    }

    /// As [`Scenario::dump`], without the lock-order check: for the tests
    /// that count, over many dumps, how many say something false.
    ///
    /// # Panics
    ///
    /// When the child exits or no dump appears within `DUMP_WITHIN`.
    #[track_caller]
    pub fn dump_unchecked(&mut self) -> Dump {
        let path = self.dir.join(format!("{}.json", self.pid));
        let _ = std::fs::remove_file(&path);
        kill(self.pid, Signal::SIGUSR1).expect("signal the scenario");
        let deadline = Instant::now() + DUMP_WITHIN;
        // The dump is written to `.tmp` and renamed: once the file is
        // there, it is whole.
        while !path.exists() {
            if let Some(status) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) before dumping{}",
                    self.name,
                    self.output()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{}: no dump at {} after SIGUSR1{}",
                self.name,
                path.display(),
                self.output()
            );
            std::thread::sleep(POLL);
        }
        let json = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let snapshot = Snapshot::from_json(&json)
            .unwrap_or_else(|e| panic!("{}: bad dump {}: {e}", self.name, path.display()));
        assert_eq!(
            snapshot.process.pid as i32,
            self.pid.as_raw(),
            "dump of another process"
        );
        Dump { path, snapshot }
    }
}

/// The scenarios whose lock order really has a cycle (their tests check
/// what peeps says of it); every other scenario's dump must have no
/// potential deadlock.
const HAVE_POTENTIAL_DEADLOCKS: &[&str] = &[
    "db_permit_then_cache_vs_cache_then_permit_plain",
    "lock_order_potential",
    "lock_across_sleep_inversion_tokio_spawn",
    "rwlock_reads_opposite_both_written_tokio_spawn",
    "blocking_index_in_spawn_blocking_inversion",
    "timeout_site_and_untimed_site_inversion",
    "timeout_helper_optional_deadline_inversion",
    "inversion_under_semaphore_of_two",
    "timeout_never_fired_inversion",
    "soak_bulk_acquire_timeout_gives_up",
    // hunt20
    "thread_aggregation_rereads_room_state_tokio_spawn",
    "consumer_resume_vs_producer_resume_notification",
];

impl Drop for Scenario {
    fn drop(&mut self) {
        self.child.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
