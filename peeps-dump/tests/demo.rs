//! `peeps demo` end to end: it starts a dashboard and the ring, says the
//! deadlock the dashboard found and where to see it, and every process it
//! started goes when it does, on Ctrl-C or when it is killed outright.

mod serve_support;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serve_support::{PATIENCE, eventually, http_get, http_get_with};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Instant;

/// A running `peeps demo`, killed (with its group) when dropped.
struct Demo {
    child: Child,
    lines: Receiver<String>,
    /// Everything it printed so far.
    seen: Vec<String>,
}

impl Demo {
    fn start(args: &[&str]) -> Demo {
        Demo::start_with_env(args, &[])
    }

    /// As [`Demo::start`], with `env` added (and no `PEEPS_TOKEN` but the
    /// one `env` may give).
    fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Demo {
        let mut child = Command::new(env!("CARGO_BIN_EXE_peeps"))
            .arg("demo")
            .args(args)
            .env_remove("PEEPS_DASHBOARD")
            .env_remove("PEEPS_TOKEN")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start peeps demo");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Demo {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Reads lines until one starts with `prefix`; returns it.
    #[track_caller]
    fn until(&mut self, prefix: &str) -> String {
        self.until_line(prefix, |l| l.starts_with(prefix))
    }

    /// Reads lines until one satisfies `pred` (described as `what`).
    #[track_caller]
    fn until_line(&mut self, prefix: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE * 2;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if pred(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no {prefix:?} line in time; saw:\n{}", self.seen.join("\n"))
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "demo ended ({:?}) before {prefix:?}; saw:\n{}",
                        self.child.wait(),
                        self.seen.join("\n")
                    )
                }
            }
        }
    }

    /// The pids of the processes it listed (`  <name>  pid <pid>  ...`).
    fn pids(&self) -> Vec<(String, Pid)> {
        self.seen
            .iter()
            .filter_map(|l| {
                let mut words = l.split_whitespace();
                let name = words.next()?;
                (words.next()? == "pid").then_some(())?;
                Some((name.to_owned(), Pid::from_raw(words.next()?.parse().ok()?)))
            })
            .collect()
    }

    /// The dashboard's HTTP address, from its URL line.
    fn http(&self) -> SocketAddr {
        let line = self
            .seen
            .iter()
            .find(|l| l.trim_start().starts_with("dashboard "))
            .expect("dashboard line");
        let url = line.split_whitespace().last().unwrap();
        let host_port = url.trim_start_matches("http://").split('/').next();
        host_port
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no dashboard address in {line:?}"))
    }

    /// Waits (bounded) for the demo to exit: its exit code.
    fn wait(&mut self) -> Option<i32> {
        eventually("the demo to exit", || match self.child.try_wait() {
            Ok(Some(status)) => Ok(status.code()),
            other => Err(format!("{other:?}")),
        })
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `pid` is gone (not even a zombie waiting to be reaped: its
/// parent, the demo, reaps it, or init does once the demo is gone).
fn gone(pid: Pid) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}

#[track_caller]
fn assert_all_gone(pids: &[(String, Pid)]) {
    eventually("every process the demo started to be gone", || {
        let left: Vec<_> = pids.iter().filter(|(_, p)| !gone(*p)).collect();
        if left.is_empty() {
            Ok(())
        } else {
            Err(format!("still running: {left:?}"))
        }
    });
}

#[test]
fn the_demo_reports_the_deadlock_and_stops_everything_on_ctrl_c() {
    let mut demo = Demo::start(&[]);
    let deadlock = demo.until("deadlock (");
    assert!(
        deadlock.starts_with("deadlock (certain, 3 tasks, 2 processes):"),
        "{deadlock}"
    );
    let found = demo.until("The dashboard found it");
    let http = demo.http();
    assert!(
        found.ends_with(&format!("see it at http://{http}/")),
        "{found}"
    );
    let pids = demo.pids();
    let names: Vec<&str> = pids.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["dashboard", "a", "b"]);
    // The words name both processes, both handlers' tasks and the lock.
    let text = demo.seen.join("\n");
    for part in [
        "[a]",
        "[b]",
        "\"handle Ring.relay\"",
        "\"handle Ring.settle\"",
        "mutex \"ledger\"",
    ] {
        assert!(text.contains(part), "{part} missing:\n{text}");
    }
    // What it printed is what the dashboard serves.
    let (status, body) = http_get(http, "/api/deadlocks");
    assert_eq!(status, 200);
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["deadlocks"][0]["cross_process"], true, "{report:#}");

    kill(Pid::from_raw(demo.child.id() as i32), Signal::SIGINT).expect("send SIGINT");
    assert_eq!(demo.wait(), Some(0), "{}", demo.seen.join("\n"));
    assert_all_gone(&pids);
    demo.until("peeps demo: stopped 3 processes");
}

#[test]
fn with_peeps_token_the_dashboard_requires_it_and_the_demo_still_finds_the_deadlock() {
    let token = "demo-token-5b0e9c7d1a2f4e6b";
    let mut demo = Demo::start_with_env(&[], &[("PEEPS_TOKEN", token)]);
    // The demo asks its dashboard with the token, and its processes push
    // with it: the deadlock is found as without one.
    let found = demo.until("The dashboard found it");
    let http = demo.http();
    let login = found
        .split_once(&format!("see it at http://{http}"))
        .map(|(_, path)| path.to_owned())
        .unwrap_or_else(|| panic!("{found}"));
    assert!(login.starts_with("/login?code="), "{found}");
    let printed = demo.seen.join("\n");
    assert!(
        !printed.contains(token),
        "the token was printed:\n{printed}"
    );

    assert_eq!(http_get(http, "/api/deadlocks").0, 401);
    let bearer = format!("Bearer {token}");
    let report = http_get_with(http, "/api/deadlocks", &[("Authorization", &bearer)]);
    assert_eq!(report.status, 200, "{report:?}");
    let report: serde_json::Value = serde_json::from_str(&report.body).unwrap();
    assert_eq!(report["deadlocks"][0]["cross_process"], true, "{report:#}");
    // The printed URL logs a browser in, once.
    let first = http_get_with(http, &login, &[]);
    assert_eq!(first.status, 200, "{first:?}");
    assert!(first.header("set-cookie").is_some(), "{first:?}");
    assert_eq!(http_get_with(http, &login, &[]).status, 401);

    kill(Pid::from_raw(demo.child.id() as i32), Signal::SIGINT).expect("send SIGINT");
    assert_eq!(demo.wait(), Some(0), "{}", demo.seen.join("\n"));
}

#[test]
fn the_three_process_demo_names_three_processes() {
    let mut demo = Demo::start(&["--processes", "3"]);
    let deadlock = demo.until("deadlock (");
    assert!(
        deadlock.starts_with("deadlock (certain, 4 tasks, 3 processes):"),
        "{deadlock}"
    );
    let pids = demo.pids();
    kill(Pid::from_raw(demo.child.id() as i32), Signal::SIGTERM).expect("send SIGTERM");
    assert_eq!(demo.wait(), Some(0));
    assert_all_gone(&pids);
}

#[test]
fn the_processes_die_with_the_demo_when_it_is_killed_outright() {
    let mut demo = Demo::start(&[]);
    demo.until("waiting for the dashboard");
    let pids = demo.pids();
    assert_eq!(pids.len(), 3, "{pids:?}");
    demo.child.kill().expect("SIGKILL the demo");
    let _ = demo.child.wait();
    assert_all_gone(&pids);
}

#[test]
fn the_healthy_demo_says_no_deadlock() {
    let mut demo = Demo::start(&["--healthy"]);
    // "  5.0 s: N calls answered, ...": the first progress lines may come
    // before any call is answered on a slow machine; wait for one that
    // counts some, and every progress line says no deadlock.
    let answered = |l: &str| l.split_whitespace().nth(2)?.parse::<u64>().ok();
    let line = demo.until_line("calls answered, some", |l| {
        l.contains("calls answered") && answered(l).is_some_and(|n| n > 0)
    });
    for progress in demo.seen.iter().filter(|l| l.contains("calls answered")) {
        assert!(
            progress.ends_with("calls answered, the dashboard reports no deadlock"),
            "{progress}"
        );
    }
    assert!(answered(&line).is_some_and(|n| n > 0), "{line}");
    let pids = demo.pids();
    kill(Pid::from_raw(demo.child.id() as i32), Signal::SIGINT).expect("send SIGINT");
    assert_eq!(demo.wait(), Some(0));
    assert_all_gone(&pids);
}
