//! Cross-process deadlocks through RPC, end to end: real processes (the
//! demo's ring, `peeps demo service`) calling each other over roam on real
//! loopback sockets, read back from SIGUSR1 dump files by `peeps analyze`
//! and live from a real `peeps serve`. Every wait is bounded; no verdict
//! depends on timing.

mod serve_support;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::Value;
use serve_support::{PATIENCE, Server, TempDir, eventually};
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Instant;

const PEEPS: &str = env!("CARGO_BIN_EXE_peeps");

/// One process of a ring, killed when the ring drops.
struct Proc {
    name: String,
    child: Child,
    lines: Receiver<String>,
}

impl Proc {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The rest of the next stdout line starting with `prefix`.
    #[track_caller]
    fn line(&mut self, prefix: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix(prefix) {
                        return rest.trim().to_owned();
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("{} said no {prefix:?} in time", self.name)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "{} ended before saying {prefix:?}: {:?}",
                        self.name,
                        self.child.wait()
                    )
                }
            }
        }
    }
}

/// A ring of `peeps demo service` processes named a, b, c, ...: the last
/// one calls the first one's `Ring.start`.
struct Ring {
    procs: Vec<Proc>,
}

impl Ring {
    fn start(
        n: usize,
        healthy: bool,
        dashboard: Option<SocketAddr>,
        dumps: &Path,
        kicker: &[&str],
    ) -> Ring {
        let names: Vec<String> = (0..n)
            .map(|i| char::from(b'a' + i as u8).to_string())
            .collect();
        let mut procs = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let mut cmd = Command::new(PEEPS);
            cmd.args([
                "demo",
                "service",
                "--name",
                name,
                "--next-name",
                &names[(i + 1) % n],
            ])
            .args(["--ring", &n.to_string()])
            .env("PEEPS_DUMP_DIR", dumps)
            .env_remove("PEEPS_DASHBOARD")
            .env_remove("PEEPS_WATCHDOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
            if let Some(addr) = dashboard {
                cmd.env("PEEPS_DASHBOARD", addr.to_string());
            }
            if healthy {
                cmd.arg("--healthy");
            }
            if i + 1 == n {
                cmd.arg("--kick").args(kicker);
            }
            let mut child = cmd.spawn().expect("start a ring process");
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
            procs.push(Proc {
                name: name.clone(),
                child,
                lines,
            });
        }
        let addrs: Vec<String> = procs.iter_mut().map(|p| p.line("LISTEN ")).collect();
        for (i, p) in procs.iter_mut().enumerate() {
            let stdin = p.child.stdin.as_mut().expect("piped stdin");
            writeln!(stdin, "{}", addrs[(i + 1) % n]).expect("tell the next address");
        }
        for p in &mut procs {
            assert_eq!(p.line("READY "), p.pid().to_string());
        }
        Ring { procs }
    }

    /// Fresh SIGUSR1 dumps of every process: their paths.
    fn dump(&self, dir: &Path) -> Vec<PathBuf> {
        let paths: Vec<PathBuf> = self
            .procs
            .iter()
            .map(|p| dir.join(format!("{}.json", p.pid())))
            .collect();
        for (p, path) in self.procs.iter().zip(&paths) {
            let _ = std::fs::remove_file(path);
            kill(Pid::from_raw(p.pid() as i32), Signal::SIGUSR1).expect("send SIGUSR1");
        }
        eventually("the dumps", || {
            let missing: Vec<_> = paths.iter().filter(|p| !p.exists()).collect();
            if missing.is_empty() {
                Ok(())
            } else {
                Err(format!("missing {missing:?}"))
            }
        });
        paths
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        for p in &mut self.procs {
            let _ = p.child.kill();
            let _ = p.child.wait();
        }
    }
}

/// `peeps analyze --json` of `files`: exit code and report.
fn analyze(files: &[PathBuf]) -> (i32, Value) {
    let out = Command::new(PEEPS)
        .arg("analyze")
        .arg("--json")
        .args(files)
        .output()
        .expect("run peeps analyze");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

/// The process key of every snapshot in `files`, by process name.
fn keys(files: &[PathBuf]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|f| {
            let snap: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            (
                snap["process"]["name"].as_str().unwrap().to_owned(),
                snap["process"]["key"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Checks a report's cross-process deadlock round a ring of `names`: every
/// process's handler task in the cycle, every hop through a request served
/// by the next process's handler, and the first process's `ledger` lock.
#[track_caller]
fn assert_ring_deadlock(report: &Value, keys: &[(String, String)]) {
    let key_of = |name: &str| {
        keys.iter()
            .find(|(n, _)| n == name)
            .map(|(_, k)| k.as_str())
            .unwrap()
    };
    let deadlocks = report["deadlocks"].as_array().expect("deadlocks");
    assert_eq!(deadlocks.len(), 1, "{report:#}");
    let d = &deadlocks[0];
    let text = d["text"].as_str().unwrap();
    assert_eq!(d["certainty"], "certain", "{text}");
    assert_eq!(d["cross_process"], true, "{text}");
    let n = keys.len();
    // The tasks: one handler per hop, in every process.
    let tasks = d["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), n + 1, "{text}");
    for (_, key) in keys {
        assert!(
            tasks.iter().any(|t| t["process"] == key.as_str()),
            "no task of {key}: {text}"
        );
    }
    // The cycle: a's start waits on b's relay ... which waits on a's settle,
    // which waits on a's ledger, held by a's start.
    let cycle = d["cycle"].as_array().unwrap();
    assert_eq!(cycle.len(), n + 1, "{text}");
    let names: Vec<&str> = keys.iter().map(|(n, _)| n.as_str()).collect();
    let first = key_of(names[0]);
    let mut served_by = Vec::new();
    for step in cycle {
        if step["waits_on"]["kind"] == "request" {
            let via = &step["via"];
            assert_eq!(via["kind"], "handler", "{step:#}");
            assert_eq!(step["held_by"]["process"], via["process"], "{step:#}");
            assert_ne!(
                step["task"]["process"], via["process"],
                "a hop crosses processes: {step:#}"
            );
            served_by.push((
                via["name"].as_str().unwrap().to_owned(),
                via["process"].as_str().unwrap().to_owned(),
            ));
        } else {
            assert_eq!(step["waits_on"]["kind"], "mutex", "{step:#}");
            assert_eq!(step["waits_on"]["name"], "ledger", "{step:#}");
            assert_eq!(step["waits_on"]["process"], first, "{step:#}");
            assert_eq!(step["task"]["name"], "handle Ring.settle", "{step:#}");
            assert_eq!(step["held_by"]["name"], "handle Ring.start", "{step:#}");
        }
    }
    let mut expected: Vec<(String, String)> = names[1..]
        .iter()
        .map(|name| ("Ring.relay".to_owned(), key_of(name).to_owned()))
        .collect();
    expected.push(("Ring.settle".to_owned(), first.to_owned()));
    served_by.sort();
    expected.sort();
    assert_eq!(served_by, expected, "{text}");
    let resources = d["resources"].as_array().unwrap();
    assert!(
        resources
            .iter()
            .any(|r| r["kind"] == "mutex" && r["name"] == "ledger" && r["process"] == first),
        "{text}"
    );
    assert_eq!(
        resources.iter().filter(|r| r["kind"] == "request").count(),
        n,
        "{text}"
    );
    for (name, _) in keys {
        assert!(
            text.contains(&format!("[{name}]")),
            "{name} not named: {text}"
        );
    }
}

/// Dumps the ring until `peeps analyze` of the dumps finds the deadlock
/// (its edges must first be older than the settle time).
fn deadlock_from_dumps(n: usize) {
    let dumps = TempDir::new(&format!("rpc-dumps-{n}"));
    let ring = Ring::start(n, false, None, dumps.path(), &[]);
    let (files, report) = eventually("a deadlock in the dumps", || {
        let files = ring.dump(dumps.path());
        match analyze(&files) {
            (1, report) => Ok((files, report)),
            (code, report) => Err(format!("exit {code}: {report}")),
        }
    });
    let keys = keys(&files);
    let names: Vec<&str> = keys.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, &["a", "b", "c"][..n]);
    assert_ring_deadlock(&report, &keys);
    // The stitch is by exact call id: each handler names a request of the
    // process before it in the ring.
    let snaps: Vec<Value> = files
        .iter()
        .map(|f| serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap())
        .collect();
    for (i, snap) in snaps.iter().enumerate() {
        let caller = &snaps[(i + n - 1) % n];
        let caller_key = caller["process"]["key"].as_str().unwrap();
        for h in snap["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "handler")
        {
            let id = h["attrs"]["caller_call_id"]
                .as_str()
                .expect("caller_call_id");
            assert!(
                id.starts_with(&format!("{caller_key}/")),
                "{id} is not {caller_key}'s"
            );
            let request = caller["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["attrs"]["call_id"] == id);
            let request = request
                .unwrap_or_else(|| panic!("no request {id} in {}", caller["process"]["name"]));
            assert_eq!(request["attrs"]["method"], h["attrs"]["method"]);
            // The roam connection's state is on both ends.
            for node in [request, h] {
                assert_eq!(node["attrs"]["connection_open"], true, "{node:#}");
                assert!(
                    node["attrs"]["connection_in_flight"].as_u64().unwrap() >= 1,
                    "{node:#}"
                );
                assert!(node["attrs"]["connection_age_ms"].is_u64(), "{node:#}");
            }
        }
    }
}

#[test]
fn a_two_process_deadlock_is_found_in_dump_files() {
    deadlock_from_dumps(2);
}

#[test]
fn a_three_process_deadlock_is_found_in_dump_files() {
    deadlock_from_dumps(3);
}

#[test]
fn a_two_process_deadlock_is_reported_live_by_a_real_server() {
    let server = Server::start("rpc-live", &[]);
    let dumps = TempDir::new("rpc-live-ring");
    let ring = Ring::start(2, false, Some(server.ingest), dumps.path(), &[]);
    let report = eventually("the server to report the deadlock", || {
        let report = server.json("/api/deadlocks");
        match report["deadlocks"].as_array().map(Vec::len) {
            Some(1..) => Ok(report),
            _ => Err(report.to_string()),
        }
    });
    let processes = server.json("/api/processes");
    let keys: Vec<(String, String)> = ring
        .procs
        .iter()
        .map(|p| {
            let entry = processes
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["pid"] == p.pid())
                .expect("listed");
            assert_eq!(entry["name"], p.name.as_str());
            assert_eq!(entry["source"], "push");
            (p.name.clone(), entry["key"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_ring_deadlock(&report, &keys);
    // The merged graph has the stitched calls edges, one per hop.
    let graph = server.json("/api/graph");
    let calls = graph["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "calls")
        .count();
    assert!(calls >= 2, "{graph:#}");
}

#[test]
fn the_healthy_control_under_load_reports_no_deadlock() {
    let server = Server::start("rpc-healthy", &[]);
    let dumps = TempDir::new("rpc-healthy-ring");
    let mut ring = Ring::start(
        2,
        true,
        Some(server.ingest),
        dumps.path(),
        &["--load-callers", "8", "--load-rounds", "300"],
    );
    // While the load runs: the server and the dumps say no deadlock.
    let deadline = Instant::now() + PATIENCE * 4;
    let mut checks = 0;
    let done = loop {
        let report = server.json("/api/deadlocks");
        assert_eq!(report["deadlocks"], serde_json::json!([]), "{report:#}");
        let (code, report) = analyze(&ring.dump(dumps.path()));
        assert_eq!(code, 0, "{report:#}");
        assert_eq!(report["deadlocks"], serde_json::json!([]), "{report:#}");
        checks += 1;
        let kicker = ring.procs.last_mut().unwrap();
        let said: Vec<String> = kicker.lines.try_iter().collect();
        if let Some(done) = said.iter().find_map(|l| l.strip_prefix("LOAD DONE ")) {
            break done.trim().parse::<u64>().unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "the load did not finish ({checks} checks)"
        );
    };
    assert_eq!(done, 8 * 300, "every call answered");
    // After it, once the server has seen a snapshot from after the load.
    let report = server.json("/api/deadlocks");
    assert_eq!(report["deadlocks"], serde_json::json!([]), "{report:#}");
    assert!(checks >= 1);
}

/// Two lifetimes of one pid (the process re-executes itself: `execv`
/// keeps the pid) make different process keys, so their call ids never
/// collide.
#[test]
fn call_ids_differ_between_two_lifetimes_of_one_pid() {
    const STAGE: &str = "PEEPS_RPC_TEST_EXEC_STAGE";
    let me = "call_ids_differ_between_two_lifetimes_of_one_pid";
    if let Ok(stage) = std::env::var(STAGE) {
        let call = peeps::rpc::OutgoingCall::new("Restart.probe", "nobody");
        println!(
            "CALL {} {} {}",
            std::process::id(),
            peeps::snapshot().process.key,
            call.id()
        );
        std::io::stdout().flush().unwrap();
        if stage == "first" {
            let exe = std::ffi::CString::new(
                std::env::current_exe()
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes(),
            )
            .unwrap();
            let args: Vec<std::ffi::CString> = std::env::args()
                .map(|a| std::ffi::CString::new(a).unwrap())
                .collect();
            // SAFETY: set_var races only with other threads reading the
            // environment; this child runs one test, and execv replaces the
            // process right after.
            unsafe { std::env::set_var(STAGE, "second") };
            let Err(e) = nix::unistd::execv(&exe, &args);
            panic!("execv: {e}");
        }
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", me, "--nocapture", "--test-threads=1"])
        .env(STAGE, "first")
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The harness prints "test ... " before the line: find the marker.
    let calls: Vec<Vec<&str>> = stdout
        .split("CALL ")
        .skip(1)
        .map(|rest| rest.lines().next().unwrap_or("").split(' ').collect())
        .collect();
    assert_eq!(
        calls.len(),
        2,
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (first, second) = (&calls[0], &calls[1]);
    assert_eq!(first[0], second[0], "execv keeps the pid");
    assert_ne!(first[1], second[1], "a new lifetime, a new process key");
    assert_ne!(first[2], second[2], "so the call ids differ");
    for c in &calls {
        assert!(
            c[1].starts_with(&format!("{}-", c[0])),
            "key {} names pid {}",
            c[1],
            c[0]
        );
        assert!(
            c[2].starts_with(&format!("{}/", c[1])),
            "id {} is under key {}",
            c[2],
            c[1]
        );
    }
}
