//! `PEEPS_ON_TERM=report` in real child processes: this test binary runs
//! itself again with one of the `child_*` tests selected, waits until the
//! child is stuck, sends it SIGTERM or SIGINT, and reads its stderr and how
//! it ended.

// The runner and the report exist only with feature `diagnostics`.
#![cfg(feature = "diagnostics")]

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Set in the child's environment: which scenario to run.
const CHILD_ENV: &str = "PEEPS_ON_TERM_TEST_CHILD";
/// How long the parent waits for the child to get ready, or to end.
const PATIENCE: Duration = Duration::from_secs(60);
/// What the child prints once stuck for longer than the settle time.
const READY: &str = "child: ready";

/// Two peeps tasks joining each other, and a sleeper waited on; READY once
/// the deadlock has settled.
async fn get_stuck() {
    let (to_a, from_b) = tokio::sync::oneshot::channel::<peeps_runtime::JoinHandle<()>>();
    let (to_b, from_a) = tokio::sync::oneshot::channel::<peeps_runtime::JoinHandle<()>>();
    let a = peeps_runtime::spawn_named("joiner-a", async move {
        let _ = from_b.await.expect("b's handle").await;
    });
    let b = peeps_runtime::spawn_named("joiner-b", async move {
        let _ = from_a.await.expect("a's handle").await;
    });
    to_a.send(b).expect("a is alive");
    to_b.send(a).expect("b is alive");
    let sleeper =
        peeps_runtime::spawn_named("sleeper", tokio::time::sleep(Duration::from_secs(600)));
    // Past the settle time the deadlock is certain.
    announce_ready_after(Duration::from_millis(600));
    let _ = peeps_runtime::instrument("wait_for_sleeper", "tests/on_term.rs:1:1", sleeper).await;
}

/// Prints READY after `delay`, from a thread of its own: by then the
/// caller has long been waiting where it waits, and no task of the report
/// is busy printing.
fn announce_ready_after(delay: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(delay);
        eprintln!("{READY}");
    });
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// SIGINT and SIGTERM as a program started from a terminal has them: a
/// child inherits "ignored" from a test run started in the background by a
/// non-interactive shell (which ignores SIGINT in background jobs), and
/// peeps keeps a signal the program ignored ignored.
fn default_dispositions() {
    for signal in [
        nix::sys::signal::Signal::SIGINT,
        nix::sys::signal::Signal::SIGTERM,
    ] {
        // SAFETY: the default disposition runs no code in a handler.
        unsafe { nix::sys::signal::signal(signal, nix::sys::signal::SigHandler::SigDfl) }
            .expect("default disposition");
    }
}

#[test]
#[ignore = "a child process of the on-term tests"]
fn child_stuck_process() {
    assert_eq!(std::env::var(CHILD_ENV).as_deref(), Ok("stuck"));
    default_dispositions();
    peeps_runtime::init_named("term-child");
    runtime().block_on(get_stuck());
}

/// A test whose body waits on a long sleep (no deadlock: the run must not
/// fail before the signal); READY soon after.
async fn wait_long() {
    let sleeper =
        peeps_runtime::spawn_named("sleeper", tokio::time::sleep(Duration::from_secs(600)));
    announce_ready_after(Duration::from_millis(300));
    let _ = peeps_runtime::instrument("wait_for_sleeper", "tests/on_term.rs:1:1", sleeper).await;
}

#[test]
#[ignore = "a child process of the on-term tests"]
fn child_stuck_test() {
    assert_eq!(std::env::var(CHILD_ENV).as_deref(), Ok("test"));
    default_dispositions();
    peeps_runtime::test::run(
        peeps_runtime::test::Test::new("on_term::stuck_test"),
        wait_long,
    );
}

#[test]
#[ignore = "a child process of the on-term tests"]
fn child_ignores_sigterm() {
    assert_eq!(std::env::var(CHILD_ENV).as_deref(), Ok("ignores"));
    default_dispositions();
    // The program ignored SIGTERM before peeps came: it still does after
    // the report.
    // SAFETY: setting a signal to be ignored runs no code in the handler.
    unsafe {
        nix::sys::signal::signal(
            nix::sys::signal::Signal::SIGTERM,
            nix::sys::signal::SigHandler::SigIgn,
        )
    }
    .expect("ignore SIGTERM");
    peeps_runtime::init_named("term-child");
    eprintln!("{READY}");
    // Until peeps has reported and put the old disposition back.
    let deadline = Instant::now() + PATIENCE;
    while !sigterm_ignored() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // Had the signal been raised with the default disposition, the
    // process would be gone before this line.
    std::thread::sleep(Duration::from_millis(200));
    eprintln!("child: survived");
}

/// Whether SIGTERM's disposition is "ignore" now.
fn sigterm_ignored() -> bool {
    // SAFETY: a query (null new action) into a zeroed sigaction.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(libc::SIGTERM, std::ptr::null(), &mut old) == 0
            && old.sa_sigaction == libc::SIG_IGN
    }
}

/// Runs the child `test` with `scenario`, `PEEPS_ON_TERM` as given; once
/// it says READY, sends it `signal`. Returns its whole stderr and how it
/// ended.
fn signal_child(
    test: &str,
    scenario: &str,
    on_term: Option<&str>,
    signal: nix::sys::signal::Signal,
) -> (String, ExitStatus) {
    let mut cmd = Command::new(std::env::current_exe().expect("own path"));
    cmd.args([
        "--exact",
        test,
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_ENV, scenario)
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    match on_term {
        Some(v) => cmd.env("PEEPS_ON_TERM", v),
        None => cmd.env_remove("PEEPS_ON_TERM"),
    };
    let mut child = cmd.spawn().expect("spawn the child");
    let mut stderr = child.stderr.take().expect("piped stderr");
    // Read on a thread: bytes as they come, to see READY, then all of it.
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
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
    while !String::from_utf8_lossy(&seen).contains(READY) {
        let left = deadline
            .checked_duration_since(Instant::now())
            .unwrap_or_default();
        match rx.recv_timeout(left) {
            Ok(bytes) => seen.extend(bytes),
            Err(e) => {
                let _ = child.kill();
                panic!(
                    "the child never got ready ({e}); it said:\n{}",
                    String::from_utf8_lossy(&seen)
                );
            }
        }
    }
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal)
        .expect("signal the child");
    let status = wait_at_most(&mut child, PATIENCE);
    while let Ok(bytes) = rx.recv_timeout(PATIENCE) {
        seen.extend(bytes);
    }
    (String::from_utf8_lossy(&seen).into_owned(), status)
}

fn wait_at_most(child: &mut Child, patience: Duration) -> ExitStatus {
    let deadline = Instant::now() + patience;
    loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the child did not end within {patience:?} of the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigterm_prints_the_tasks_and_the_deadlock_then_ends_the_process_by_the_signal() {
    let (stderr, status) = signal_child(
        "child_stuck_process",
        "stuck",
        Some("report"),
        nix::sys::signal::Signal::SIGTERM,
    );
    assert_eq!(
        status.signal(),
        Some(libc::SIGTERM),
        "died of SIGTERM: {status:?}\n{stderr}"
    );
    let report = stderr.split_once(READY).map(|(_, r)| r).unwrap_or("");
    assert!(
        report.contains("\npeeps: received SIGTERM; what process \"term-child\" (pid "),
        "{stderr}"
    );
    assert!(
        report.contains("task \"joiner-a\" (peeps-runtime/tests/on_term.rs:"),
        "{stderr}"
    );
    assert!(
        report.contains(
            "\n  future \"wait_for_sleeper\" (tests/on_term.rs:1)\n    waits for task \"sleeper\""
        ),
        "{stderr}"
    );
    assert!(
        report.contains("\ndeadlock (certain, 2 tasks, 1 process):\n"),
        "{stderr}"
    );
    assert!(
        report.contains("\n1 deadlock, 0 stuck forever, 0 long waits, 0 blocking polls\n"),
        "{stderr}"
    );
    assert!(!report.contains("running test"), "no test runs: {stderr}");
}

#[test]
fn sigint_does_the_same() {
    let (stderr, status) = signal_child(
        "child_stuck_process",
        "stuck",
        Some("report"),
        nix::sys::signal::Signal::SIGINT,
    );
    assert_eq!(status.signal(), Some(libc::SIGINT), "{status:?}\n{stderr}");
    assert!(
        stderr.contains("peeps: received SIGINT; what process \"term-child\""),
        "{stderr}"
    );
}

#[test]
fn without_peeps_on_term_the_signal_ends_the_process_without_a_word() {
    let (stderr, status) = signal_child(
        "child_stuck_process",
        "stuck",
        None,
        nix::sys::signal::Signal::SIGTERM,
    );
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    assert!(!stderr.contains("peeps: received"), "{stderr}");
}

#[test]
fn inside_a_test_run_the_report_is_on_by_default_and_groups_the_tasks_by_test() {
    let (stderr, status) = signal_child(
        "child_stuck_test",
        "test",
        None,
        nix::sys::signal::Signal::SIGTERM,
    );
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}\n{stderr}");
    let report = stderr
        .split_once("peeps: received SIGTERM;")
        .map(|(_, r)| r)
        .unwrap_or_else(|| panic!("{stderr}"));
    let test = report
        .find("\ntest `on_term::stuck_test`, running for ")
        .unwrap_or_else(|| panic!("{stderr}"));
    let body = report
        .find("\ntask \"on_term::stuck_test\"")
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        test < body,
        "the test's heading, then its body first: {stderr}"
    );
    assert!(report.contains("; 2 of its tasks are alive:\n"), "{stderr}");
    assert!(report.contains("\ntask \"sleeper\""), "{stderr}");
}

#[test]
fn peeps_on_term_off_turns_it_off_inside_a_test_run() {
    let (stderr, status) = signal_child(
        "child_stuck_test",
        "test",
        Some("off"),
        nix::sys::signal::Signal::SIGTERM,
    );
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    assert!(!stderr.contains("peeps: received"), "{stderr}");
}

#[test]
fn a_disposition_set_before_peeps_is_put_back_after_the_report() {
    let (stderr, status) = signal_child(
        "child_ignores_sigterm",
        "ignores",
        Some("report"),
        nix::sys::signal::Signal::SIGTERM,
    );
    assert!(stderr.contains("peeps: received SIGTERM"), "{stderr}");
    assert!(
        stderr.contains("child: survived"),
        "SIGTERM is still ignored: {stderr}"
    );
    assert!(status.success(), "{status:?}\n{stderr}");
}
