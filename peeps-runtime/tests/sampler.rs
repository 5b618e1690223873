//! The thread sampler in real child processes, with real signals.
//!
//! Each test runs this test binary again with one `#[ignore]`d `child_*`
//! test selected (named by `PEEPS_SAMPLER_TEST_CHILD`), waits for it to say
//! READY, then signals it and reads what it wrote. Every wait is bounded;
//! nothing asserts on timing.

// What the dumps say of futures and blocking polls needs feature
// `diagnostics`.
#![cfg(feature = "diagnostics")]

use peeps_graph::analysis::{BlockingPoll, Options, Report};
use peeps_graph::{Snapshot, ThreadInfo, attr};
use peeps_test_support::{ChildProcess, rerun};
use std::future::Future;
use std::hint::black_box;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// Set in the child's environment: which scenario to run.
const CHILD_ENV: &str = "PEEPS_SAMPLER_TEST_CHILD";
/// How long the parent waits for anything from a child.
const PATIENCE: Duration = Duration::from_secs(60);

// ---- the parent's side ----------------------------------------------------

fn child_command(child: &str, dir: &Path) -> Command {
    let mut cmd = rerun(child);
    cmd.env(CHILD_ENV, child)
        .env("PEEPS_DUMP_DIR", dir)
        .env_remove("PEEPS_SAMPLE_HZ")
        .env_remove("PEEPS_WATCHDOG")
        .env_remove("PEEPS_DASHBOARD");
    cmd
}

/// Starts `child` and waits (bounded) for its `READY <pid>` line.
fn start_child(child: &str, dir: &Path) -> (ChildProcess, i32) {
    let proc = ChildProcess::start(child, child_command(child, dir));
    let pid = proc.ready(PATIENCE);
    (proc, pid as i32)
}

/// Runs `child` to its end (bounded): its status and output.
fn run_child(child: &str, cmd: Command, within: Duration) -> (ExitStatus, ChildProcess) {
    let mut proc = ChildProcess::start(child, cmd);
    match proc.wait_exit(within) {
        Some(status) => (status, proc),
        None => panic!("{child} did not finish in {within:?}{}", proc.output()),
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("peeps-sampler-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Sends SIGUSR1 and reads the dump once it appears (bounded).
fn dump_of(pid: i32, dir: &Path) -> Snapshot {
    let path = dir.join(format!("{pid}.json"));
    // SAFETY: kill(2) on the child's pid, which we started and still own.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGUSR1) }, 0);
    let deadline = Instant::now() + PATIENCE;
    while !path.exists() {
        assert!(Instant::now() < deadline, "no dump at {}", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
    let text = std::fs::read_to_string(&path).expect("the dump reads");
    Snapshot::from_json(&text).expect("the dump parses")
}

fn stop(mut child: ChildProcess, dir: &Path) {
    child.kill();
    let _ = std::fs::remove_dir_all(dir);
}

/// Every blocking poll, whatever its length: the test does not depend on
/// how long the child has been stuck.
fn analyze(snap: &Snapshot) -> Report {
    peeps_graph::analyze(
        std::slice::from_ref(snap),
        &Options::default().slow_poll_ms(1),
    )
}

#[track_caller]
fn blocking_poll_of<'r>(report: &'r Report, future: &str) -> &'r BlockingPoll {
    report
        .blocking_polls
        .iter()
        .find(|p| p.path.last().is_some_and(|f| f.name == future))
        .unwrap_or_else(|| panic!("no blocking poll of {future:?} in {report:#?}"))
}

#[track_caller]
fn thread<'s>(snap: &'s Snapshot, name: &str) -> &'s ThreadInfo {
    snap.threads
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no thread {name:?} in {:#?}", snap.threads))
}

fn dominant(t: &ThreadInfo) -> Vec<String> {
    t.attrs
        .get(attr::DOMINANT_FRAMES)
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|f| f.get(attr::FRAME)?.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The future, the thread (a runtime worker: `tokio-rt-worker` in recent
/// tokio, `tokio-runtime-worker` before) and the named function: in
/// the snapshot (stack and dominant frames) and in the analysis text.
#[track_caller]
fn assert_names(snap: &Snapshot, future: &str, function: &str) {
    let report = analyze(snap);
    let poll = blocking_poll_of(&report, future);
    let t = poll
        .thread
        .as_ref()
        .expect("the blocking poll's thread is known");
    assert!(
        t.stack.iter().any(|f| f.contains(function)),
        "{function} not in the stack {:#?}\n{}",
        t.stack,
        poll.text
    );
    assert!(
        poll.text.contains(&format!(
            "worker `{}` (tid {}) has been inside a poll of future {future:?}",
            t.name, t.tid
        )),
        "{}",
        poll.text
    );
    assert!(poll.text.contains(function), "{}", poll.text);
    let info = snap
        .threads
        .iter()
        .find(|i| i.tid == t.tid)
        .expect("the thread in the snapshot");
    assert!(
        info.polling.is_some() && info.polling_since_ms.is_some(),
        "{info:#?}"
    );
    assert!(
        dominant(info).iter().any(|f| f.contains(function)),
        "{function} not among the dominant frames of {info:#?}"
    );
    assert!(
        !info.attrs.contains_key(attr::STACK_UNAVAILABLE),
        "{info:#?}"
    );
}

#[test]
fn a_dump_names_the_future_and_the_function_a_spinning_task_is_in() {
    let dir = temp_dir("spin");
    let (child, pid) = start_child("child_spin", &dir);
    let snap = dump_of(pid, &dir);
    stop(child, &dir);
    assert_names(&snap, "spin_future", "spin_in_named_function");
}

#[test]
fn a_dump_names_the_future_and_the_function_blocked_in_a_syscall() {
    let dir = temp_dir("blocked");
    let (child, pid) = start_child("child_blocked", &dir);
    let snap = dump_of(pid, &dir);
    stop(child, &dir);
    assert_names(&snap, "read_future", "blocked_in_named_function");
}

#[test]
fn a_thread_that_does_not_answer_is_marked_so() {
    let dir = temp_dir("deaf");
    let (child, pid) = start_child("child_deaf", &dir);
    let snap = dump_of(pid, &dir);
    stop(child, &dir);
    let deaf = thread(&snap, "deaf");
    let why = deaf
        .attrs
        .get(attr::STACK_UNAVAILABLE)
        .and_then(|v| v.as_str());
    assert!(why.is_some_and(|w| w.starts_with("no answer")), "{deaf:#?}");
    assert!(deaf.stack.is_empty());
    // The blocking poll is still reported, with its thread and the reason.
    let report = analyze(&snap);
    let poll = blocking_poll_of(&report, "deaf_future");
    assert!(
        poll.text.contains(&format!(
            "thread `deaf` (tid {}) has been inside a poll",
            deaf.tid
        )),
        "{}",
        poll.text
    );
    assert!(
        poll.text.contains("stack unavailable: no answer"),
        "{}",
        poll.text
    );
    // The other threads answered: the process is listed whole.
    assert!(
        snap.threads.iter().any(|t| t.name == "peeps-sigusr1"),
        "{:#?}",
        snap.threads
    );
}

#[test]
fn a_sigprof_handler_of_someone_else_is_left_alone_and_said() {
    let dir = temp_dir("taken");
    let (child, pid) = start_child("child_taken", &dir);
    let snap = dump_of(pid, &dir);
    stop(child, &dir);
    let report = analyze(&snap);
    let poll = blocking_poll_of(&report, "spin_future");
    let t = poll
        .thread
        .as_ref()
        .expect("the thread is known without a sampler");
    assert!(t.stack.is_empty());
    let why = t.stack_unavailable.as_deref().unwrap_or_default();
    assert!(why.contains("another handler"), "{poll:#?}");
    assert!(
        poll.text
            .contains("stack unavailable: not sampled: another handler"),
        "{}",
        poll.text
    );
}

#[test]
fn thousands_of_sigprofs_while_threads_allocate_and_lock_neither_crash_nor_deadlock() {
    let dir = temp_dir("stress");
    // Past 120 s it is a deadlock.
    let (status, child) = run_child(
        "child_stress",
        child_command("child_stress", &dir),
        Duration::from_secs(120),
    );
    let out = child.output();
    assert!(status.success(), "the stress child failed ({status}):{out}");
    // libtest prints "test child_stress ... " on the same line first.
    let line = out
        .lines()
        .find(|l| l.contains("STRESS OK"))
        .unwrap_or_else(|| panic!("{out}"));
    let handled: u64 = line
        .split("handled=")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .expect("a count");
    assert!(handled > 0, "no signal was handled: {line}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_sampler_on_or_off_gives_the_same_output() {
    let dir = temp_dir("same");
    let run = |hz: Option<&str>| {
        let mut cmd = child_command("child_program", &dir);
        if let Some(hz) = hz {
            cmd.env("PEEPS_SAMPLE_HZ", hz);
        }
        let (status, child) = run_child("child_program", cmd, PATIENCE);
        assert!(status.success(), "{}", child.output());
        // Everything is read once the pipes close.
        let (_, stdout) = child.stdout_until(PATIENCE, |_| false);
        let lines: Vec<String> = stdout
            .into_iter()
            .filter(|l| l.starts_with("OUT "))
            .collect();
        (lines, child.stderr())
    };
    let (off, off_err) = run(None);
    let (on, on_err) = run(Some("997"));
    assert!(!off.is_empty());
    assert_eq!(off, on, "the program's output changed with the sampler on");
    assert!(off_err.contains("sampled: false"), "{off_err}");
    assert!(on_err.contains("sampled: true"), "{on_err}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- the children -----------------------------------------------------------

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

fn in_child(name: &str) -> bool {
    std::env::var(CHILD_ENV).as_deref() == Ok(name)
}

/// Spins until `stop` (never set): a tight loop in a function with a name.
#[inline(never)]
fn spin_in_named_function(stop: &AtomicBool) -> u64 {
    let mut x = 1u64;
    while !stop.load(Relaxed) {
        x = black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
    x
}

/// Blocks in read(2) on a pipe nobody writes to.
#[inline(never)]
fn blocked_in_named_function(pipe: &mut std::fs::File) -> usize {
    let mut buf = [0u8; 16];
    let mut total = 0;
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => return black_box(total),
            Ok(n) => total += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return black_box(total),
        }
    }
}

/// Runs `fut` as a peeps task on a runtime worker, says READY once it has
/// started, and waits forever.
fn run_stuck_task<F>(name: &str, started: Arc<AtomicBool>, fut: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    runtime().block_on(async move {
        peeps_runtime::install_sigusr1(name);
        let _task = peeps_runtime::spawn_named("stuck", fut);
        while !started.load(Relaxed) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Past a few ticks of the coarse clock: a dump taken at once could
        // otherwise see a poll not yet 1 ms long, and no blocking poll.
        tokio::time::sleep(Duration::from_millis(20)).await;
        println!("READY {}", std::process::id());
        std::future::pending::<()>().await;
    });
}

#[test]
#[ignore = "a child process of the spinning-task test"]
fn child_spin() {
    if !in_child("child_spin") {
        return;
    }
    let started = Arc::new(AtomicBool::new(false));
    let flag = started.clone();
    let fut = peeps_runtime::instrument(
        "spin_future",
        concat!(file!(), ":", line!(), ":9"),
        async move {
            flag.store(true, Relaxed);
            static NEVER: AtomicBool = AtomicBool::new(false);
            spin_in_named_function(&NEVER);
        },
    );
    run_stuck_task("spin-child", started, fut);
}

#[test]
#[ignore = "a child process of the SIGPROF-taken test"]
fn child_taken() {
    if !in_child("child_taken") {
        return;
    }
    extern "C" fn someone_elses_profiler(_: libc::c_int) {}
    let handler = someone_elses_profiler as extern "C" fn(libc::c_int);
    // SAFETY: installs an empty (async-signal-safe) handler for SIGPROF.
    unsafe { libc::signal(libc::SIGPROF, handler as libc::sighandler_t) };
    let started = Arc::new(AtomicBool::new(false));
    let flag = started.clone();
    let fut = peeps_runtime::instrument(
        "spin_future",
        concat!(file!(), ":", line!(), ":9"),
        async move {
            flag.store(true, Relaxed);
            static NEVER: AtomicBool = AtomicBool::new(false);
            spin_in_named_function(&NEVER);
        },
    );
    run_stuck_task("taken-child", started, fut);
}

#[test]
#[ignore = "a child process of the blocked-in-a-syscall test"]
fn child_blocked() {
    if !in_child("child_blocked") {
        return;
    }
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe(2) writes.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: the read end is ours alone from here on; the write end stays
    // open (never written) so the read blocks instead of seeing EOF.
    let mut read_end = unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(fds[0]) };
    let started = Arc::new(AtomicBool::new(false));
    let flag = started.clone();
    let fut = peeps_runtime::instrument(
        "read_future",
        concat!(file!(), ":", line!(), ":9"),
        async move {
            flag.store(true, Relaxed);
            blocked_in_named_function(&mut read_end);
        },
    );
    run_stuck_task("blocked-child", started, fut);
}

#[test]
#[ignore = "a child process of the no-answer test"]
fn child_deaf() {
    if !in_child("child_deaf") {
        return;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let _deaf = std::thread::Builder::new()
        .name("deaf".into())
        .spawn(move || {
            // SAFETY: sigset operations on a local, valid sigset_t; blocking
            // SIGPROF on this thread only.
            unsafe {
                let mut set: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                libc::sigaddset(&mut set, libc::SIGPROF);
                libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            }
            let rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("a runtime");
            rt.block_on(peeps_runtime::instrument(
                "deaf_future",
                concat!(file!(), ":", line!(), ":17"),
                async move {
                    let _ = tx.send(());
                    loop {
                        std::thread::sleep(Duration::from_secs(3600));
                    }
                },
            ));
        })
        .expect("a thread");
    rx.recv_timeout(PATIENCE).expect("the deaf thread started");
    peeps_runtime::install_sigusr1("deaf-child");
    println!("READY {}", std::process::id());
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

#[test]
#[ignore = "a child process of the stress test"]
fn child_stress() {
    if !in_child("child_stress") {
        return;
    }
    const WORKERS: usize = 4;
    const SIGNALS: usize = 20_000;
    // The periodic sampler as well, fast, on top of the explicit signals.
    peeps_runtime::sampler::start(1000);
    let shared = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let fair = Arc::new(parking_lot::Mutex::new(std::collections::HashMap::<
        u64,
        Vec<u8>,
    >::new()));
    let done = Arc::new(AtomicBool::new(false));
    let (tid_tx, tid_rx) = std::sync::mpsc::channel::<i32>();
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let (shared, fair, done, tid_tx) =
                (shared.clone(), fair.clone(), done.clone(), tid_tx.clone());
            std::thread::Builder::new()
                .name(format!("stress-{w}"))
                .spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .build()
                        .expect("a runtime");
                    // A top-level instrumented future: the thread is recorded.
                    rt.block_on(peeps_runtime::instrument(
                        "churn",
                        concat!(file!(), ":", line!(), ":33"),
                        async move {
                            // SAFETY: gettid(2) cannot fail.
                            let _ = tid_tx.send(unsafe { libc::gettid() });
                            let mut i = 0u64;
                            while !done.load(Relaxed) {
                                let s = format!("worker {w} item {i}");
                                let boxed: Box<[u8]> =
                                    vec![w as u8; (i % 512) as usize + 1].into_boxed_slice();
                                {
                                    let mut v = shared.lock().expect("not poisoned");
                                    v.push(s);
                                    if v.len() > 1_000 {
                                        v.clear();
                                    }
                                }
                                {
                                    let mut m = fair.lock();
                                    m.insert(i % 4_096, boxed.into_vec());
                                    if i.is_multiple_of(3) {
                                        m.remove(&((i / 3) % 4_096));
                                    }
                                }
                                i += 1;
                            }
                            black_box(i)
                        },
                    ))
                })
                .expect("a thread")
        })
        .collect();
    drop(tid_tx);
    let tids: Vec<i32> = (0..WORKERS)
        .map(|_| tid_rx.recv_timeout(PATIENCE).expect("a worker tid"))
        .collect();
    // Readers at the same time: snapshots (seqlock reads, symbols) and bursts.
    // `sampled` counts the snapshots that showed samples of the workers.
    let sampled = Arc::new(AtomicU64::new(0));
    let reader = {
        let (done, sampled) = (done.clone(), sampled.clone());
        std::thread::spawn(move || {
            let mut samples = 0u64;
            while !done.load(Relaxed) {
                peeps_runtime::sampler::burst();
                let snap = peeps_runtime::snapshot();
                let seen = snap
                    .threads
                    .iter()
                    .filter_map(|t| t.attrs.get(attr::SAMPLES)?.as_u64())
                    .sum::<u64>();
                if seen > 0 {
                    sampled.fetch_add(1, Relaxed);
                }
                samples += seen;
            }
            samples
        })
    };
    // SAFETY: getpid(2) cannot fail.
    let pid = unsafe { libc::getpid() };
    for k in 0..SIGNALS {
        let tid = tids[k % WORKERS];
        // SAFETY: tgkill(2) to our own threads; the sampler's handler is
        // installed (sampler::start above).
        unsafe { libc::syscall(libc::SYS_tgkill, pid, tid, libc::SIGPROF) };
        if k.is_multiple_of(64) {
            std::thread::yield_now();
        }
    }
    // The signals can all be sent before the reader's first burst ends (a
    // fast machine): the workers keep running until a snapshot has seen
    // their samples, or the patience runs out (and the count says 0).
    let waited = Instant::now();
    while sampled.load(Relaxed) == 0 && waited.elapsed() < PATIENCE {
        std::thread::sleep(Duration::from_millis(10));
    }
    done.store(true, Relaxed);
    for w in workers {
        w.join().expect("a worker finished without panicking");
    }
    let seen = reader.join().expect("the reader finished");
    println!("STRESS OK handled={seen} signals={SIGNALS}");
}

#[test]
#[ignore = "a child process of the same-output test"]
fn child_program() {
    if !in_child("child_program") {
        return;
    }
    runtime().block_on(async {
        // PEEPS_SAMPLE_HZ is read here, when the parent set it.
        peeps_runtime::init_named("same-output");
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(usize, u64)>(4);
        for job in 0..8usize {
            let tx = tx.clone();
            peeps_runtime::spawn_named(
                "job",
                peeps_runtime::instrument(
                    "work",
                    concat!(file!(), ":", line!(), ":17"),
                    async move {
                        let mut h = job as u64 + 1;
                        for step in 0..40u64 {
                            h = h.wrapping_mul(1_000_003).wrapping_add(step);
                            if step.is_multiple_of(10) {
                                tokio::time::sleep(Duration::from_millis(2)).await;
                                // Blocking calls that a signal interrupts.
                                std::thread::sleep(Duration::from_millis(1));
                                let mut fds = [0; 2];
                                // SAFETY: pipe(2) into a local array of two fds.
                                assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
                                // SAFETY: both ends are ours and closed by the Files.
                                let (mut r, mut w) = unsafe {
                                    use std::os::fd::FromRawFd;
                                    (
                                        std::fs::File::from_raw_fd(fds[0]),
                                        std::fs::File::from_raw_fd(fds[1]),
                                    )
                                };
                                std::io::Write::write_all(&mut w, &h.to_le_bytes()).expect("write");
                                let mut back = [0u8; 8];
                                r.read_exact(&mut back).expect("read");
                                h ^= u64::from_le_bytes(back).rotate_left(7);
                            }
                            tokio::task::yield_now().await;
                        }
                        tx.send((job, h)).await.expect("the receiver lives");
                    },
                ),
            );
        }
        drop(tx);
        let mut results = Vec::new();
        while let Some(r) = rx.recv().await {
            results.push(r);
        }
        results.sort();
        for (job, h) in results {
            println!("OUT job {job} -> {h:016x}");
        }
        // Did the sampler run? Samples are kept for the poll in progress and
        // the last second, and a loaded machine may not have scheduled the
        // sampler while the jobs ran: give it a task that polls for a while
        // (bounded) and look until a sample shows. Printed to stderr, after
        // the program's output, which is what is compared.
        let has_samples = || {
            peeps_runtime::snapshot().threads.iter().any(|t| {
                t.attrs
                    .get(attr::SAMPLES)
                    .and_then(|v| v.as_u64())
                    .unwrap_or(0)
                    > 0
            })
        };
        let probe = peeps_runtime::spawn_named(
            "probe",
            peeps_runtime::instrument("probe", concat!(file!(), ":", line!(), ":1"), async {
                for _ in 0..500 {
                    std::thread::sleep(Duration::from_millis(20));
                    tokio::task::yield_now().await;
                }
            }),
        );
        let mut sampled = false;
        if std::env::var_os("PEEPS_SAMPLE_HZ").is_some() {
            for _ in 0..200 {
                if has_samples() {
                    sampled = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        } else {
            sampled = has_samples();
        }
        probe.abort();
        eprintln!("sampled: {sampled}");
    });
}
