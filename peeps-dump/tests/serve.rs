//! `peeps serve` end to end: real programs push to a real server over
//! loopback on ephemeral ports; the HTTP API lists them, reports their
//! deadlocks, streams changes, keeps a killed process as stale; dumps are
//! picked up while the server runs, and kept apart from the live
//! processes.
//!
//! The pushing programs are this test binary re-run as children on the
//! `#[ignore]`d `child_*` functions below (they do nothing unless started
//! by the tests).

mod serve_support;

use serde_json::Value;
use serve_support::*;
use std::sync::Arc;

/// A two-task lock-order inversion, then parks forever, pushing every
/// 100 ms to `PEEPS_DASHBOARD`.
#[test]
#[ignore = "a child process of the tests below"]
fn child_push_deadlock() {
    if !is_child() {
        return;
    }
    let name = std::env::var("CHILD_NAME").unwrap_or_else(|_| "bank".to_owned());
    peeps::init_named(&name);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        spawn_crossed_transfers(Arc::default());
        println!("READY {}", std::process::id());
        std::future::pending::<()>().await;
    });
}

fn start_deadlocked(server: &Server, name: &str) -> (ChildProc, String) {
    let ingest = server.ingest.to_string();
    let mut child = ChildProc::start(
        "child_push_deadlock",
        &[
            ("PEEPS_DASHBOARD", &ingest),
            ("PEEPS_PUSH_MS", "100"),
            ("CHILD_NAME", name),
        ],
    );
    let pid = child.line("READY ");
    assert_eq!(pid, child.pid().to_string());
    (child, pid)
}

/// The process of `/api/processes` with this pid, once a snapshot with its
/// tasks has arrived (the first push may come before they exist).
fn process_with_pid(server: &Server, pid: &str) -> Result<Value, String> {
    let list = server.json("/api/processes");
    list.as_array()
        .and_then(|l| {
            l.iter()
                .find(|p| p["pid"].as_u64().map(|n| n.to_string()).as_deref() == Some(pid))
                .cloned()
        })
        .filter(|p| p["nodes"].as_u64().unwrap_or(0) >= 4)
        .ok_or_else(|| list.to_string())
}

/// The deadlocks of the report that involve the process `key`.
fn deadlocks_of(server: &Server, key: &str) -> Vec<Value> {
    let report = server.json("/api/deadlocks");
    report["deadlocks"]
        .as_array()
        .expect("deadlocks is a list")
        .iter()
        .filter(|d| {
            d["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["process"] == key)
        })
        .cloned()
        .collect()
}

#[test]
fn pushing_processes_are_listed_analysed_and_streamed() {
    let server = Server::start("e2e", &[]);
    assert_eq!(server.banner.len(), 4, "{:?}", server.banner);
    assert_eq!(
        server.banner[3],
        format!("peeps: open http://{}/", server.http)
    );
    let mut events = Events::open(&server);
    let first_seq = events.next_change();

    let (_bank, bank_pid) = start_deadlocked(&server, "bank");
    let (_shop, shop_pid) = start_deadlocked(&server, "shop");

    // Both are listed, live, from push.
    let bank = eventually("bank in /api/processes", || {
        process_with_pid(&server, &bank_pid)
    });
    let shop = eventually("shop in /api/processes", || {
        process_with_pid(&server, &shop_pid)
    });
    for (p, name) in [(&bank, "bank"), (&shop, "shop")] {
        assert_eq!(p["name"], name, "{p}");
        assert_eq!(p["stale"], false, "{p}");
        assert_eq!(p["source"], "push", "{p}");
        assert!(p["nodes"].as_u64().unwrap() >= 4, "{p}");
        assert!(
            p["key"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{}-", p["pid"]))
        );
    }
    // A change was streamed after the server's first event.
    assert!(events.next_change() > first_seq);

    // Each process's lock-order inversion is reported, once settled.
    let bank_key = bank["key"].as_str().unwrap().to_owned();
    let shop_key = shop["key"].as_str().unwrap().to_owned();
    for key in [&bank_key, &shop_key] {
        let deadlocks = eventually("a deadlock per process", || {
            let d = deadlocks_of(&server, key);
            if d.is_empty() {
                Err(server.get("/api/deadlocks").1)
            } else {
                Ok(d)
            }
        });
        assert_eq!(deadlocks.len(), 1, "{deadlocks:?}");
        let d = &deadlocks[0];
        assert_eq!(d["certainty"], "certain");
        assert_eq!(d["cross_process"], false);
        let mut tasks: Vec<&str> = d["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        tasks.sort();
        assert_eq!(tasks, ["transfer-a", "transfer-b"]);
        assert!(
            d["text"]
                .as_str()
                .unwrap()
                .starts_with("deadlock (certain, 2 tasks")
        );
    }

    // The default graph is the blocked scope: the cycle's tasks and locks,
    // each node named `<key>:<id>`, every edge's ends present.
    let graph = server.json(&format!("/api/graph?process={bank_key}"));
    let nodes = graph["nodes"].as_array().unwrap();
    let names: Vec<&str> = nodes.iter().map(|n| n["name"].as_str().unwrap()).collect();
    for want in ["transfer-a", "transfer-b", "acct-1", "acct-2"] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    for n in nodes {
        assert_eq!(n["process"], bank_key.as_str());
        assert_eq!(n["uid"], format!("{}:{}", bank_key, n["id"]));
    }
    let uids: Vec<&Value> = nodes.iter().map(|n| &n["uid"]).collect();
    let edges = graph["edges"].as_array().unwrap();
    assert!(edges.iter().any(|e| e["kind"] == "waits_on"));
    assert!(edges.iter().any(|e| e["kind"] == "held_by"));
    for e in edges {
        assert!(
            uids.contains(&&e["from"]) && uids.contains(&&e["to"]),
            "{e}"
        );
        assert_eq!(e["cross_process"], false);
    }
    assert_eq!(graph["processes"].as_array().unwrap().len(), 1);
    // `all` has at least as much; the unfiltered graph has both processes.
    let all = server.json("/api/graph?scope=all");
    assert!(all["nodes"].as_array().unwrap().len() >= nodes.len());
    assert_eq!(all["processes"].as_array().unwrap().len(), 2);

    // The raw snapshot is the one pushed.
    let snap = server.json(&format!("/api/snapshots/{bank_key}"));
    assert_eq!(snap["schema"], "peeps/1");
    assert_eq!(snap["process"]["key"], bank_key.as_str());
    let (status, body) = server.get("/api/snapshots/no-such-key");
    assert_eq!(status, 404);
    assert!(body.contains("\"error\""), "{body}");

    assert_eq!(server.terminate(), Some(0));
}

#[test]
fn a_killed_process_turns_stale_and_keeps_its_graph() {
    let server = Server::start("stale", &[]);
    let (mut child, pid) = start_deadlocked(&server, "doomed");
    let key = eventually("the child's deadlock", || {
        let p = process_with_pid(&server, &pid)?;
        let key = p["key"].as_str().unwrap().to_owned();
        if deadlocks_of(&server, &key).is_empty() {
            return Err("no deadlock yet".into());
        }
        Ok(key)
    });
    let before = server.json(&format!("/api/graph?process={key}"));
    child.kill();

    let stale = eventually("the killed process to turn stale", || {
        let p = server.process(&key).ok_or("gone from the list")?;
        if p["stale"] == true {
            Ok(p)
        } else {
            Err(p.to_string())
        }
    });
    assert!(stale["last_seen_ms"].as_u64().unwrap() > 0);
    assert_eq!(stale["source"], "push");
    // Its connection ended, said once: cleanly ("disconnected") or, when
    // the kill landed inside a frame being sent, as a dropped connection.
    let this_pid = format!("pid {pid}");
    eventually("a log line saying the connection ended", || {
        let all = server.stderr();
        all.lines()
            .find(|l| {
                l.contains(&this_pid)
                    && (l.contains(" disconnected")
                        || l.contains("connection ended inside a frame"))
            })
            .map(str::to_owned)
            .ok_or(all)
    });

    // Its last graph, report and snapshot stay.
    assert_eq!(deadlocks_of(&server, &key).len(), 1);
    // (Ages grow between snapshots; what is in the graph does not.)
    let after = server.json(&format!("/api/graph?process={key}"));
    assert_eq!(shape(&after), shape(&before));
    assert_eq!(server.get(&format!("/api/snapshots/{key}")).0, 200);
}

/// A graph's nodes and edges without their ages.
fn shape(graph: &Value) -> (Vec<String>, Vec<String>) {
    let nodes = graph["nodes"].as_array().unwrap();
    let edges = graph["edges"].as_array().unwrap();
    let mut n: Vec<String> = nodes
        .iter()
        .map(|n| format!("{} {} {} {}", n["uid"], n["kind"], n["name"], n["state"]))
        .collect();
    let mut e: Vec<String> = edges
        .iter()
        .map(|e| format!("{} {} {}", e["from"], e["kind"], e["to"]))
        .collect();
    n.sort();
    e.sort();
    assert!(!n.is_empty() && !e.is_empty());
    (n, e)
}

#[test]
fn dumps_are_picked_up_while_running_and_bad_files_said_once() {
    let dir = TempDir::new("dumps");
    // One dump is there from the start.
    std::fs::write(
        dir.path().join("1.json"),
        example_snapshot("1-1", "early").to_json(),
    )
    .unwrap();
    let server = Server::start_with_dumps(dir.path(), &[]);
    // Loaded before the server said it was ready, as a dump.
    assert!(server.dump("1-1").is_some());
    assert!(server.process("1-1").is_none(), "a dump is not a process");

    // A dump written while it runs, the way peeps writes them.
    let tmp = dir.path().join("2.json.tmp");
    std::fs::write(&tmp, example_snapshot("2-1", "later").to_json()).unwrap();
    std::fs::rename(&tmp, dir.path().join("2.json")).unwrap();
    // Garbage, a half-written dump, and a .tmp file (ignored silently).
    // Each bad file appears whole (written aside, renamed in), so the
    // watcher never meets it empty and says it once, as the test counts.
    let put = |name: &str, text: &str| {
        let aside = dir.path().join(format!("{name}.aside"));
        std::fs::write(&aside, text).unwrap();
        std::fs::rename(&aside, dir.path().join(name)).unwrap();
    };
    put("garbage.json", "\u{0}\u{1} not json");
    let whole = example_snapshot("3-1", "half").to_json();
    put("half.json", &whole[..whole.len() / 2]);
    std::fs::write(dir.path().join("4.json.tmp"), "{ partial").unwrap();

    let later = eventually("the new dump", || {
        server.dump("2-1").ok_or_else(String::new)
    });
    assert_eq!(later["name"], "later");
    assert_eq!(later["captured_at_ms"], 1763790012000u64);
    assert!(
        later["file"].as_str().unwrap().ends_with("2.json"),
        "{later}"
    );
    server.wait_stderr(&["garbage.json", "ignored: not a peeps dump"]);
    server.wait_stderr(&["half.json", "ignored: not a peeps dump"]);

    // Another good dump after them: once it is in, the bad files have been
    // looked at again (and not said again).
    std::fs::write(
        dir.path().join("5.json"),
        example_snapshot("5-1", "last").to_json(),
    )
    .unwrap();
    eventually("the last dump", || {
        server.dump("5-1").ok_or_else(String::new)
    });
    let stderr = server.stderr();
    assert_eq!(server.stderr_count("garbage.json"), 1, "{stderr}");
    assert_eq!(server.stderr_count("half.json"), 1, "{stderr}");
    assert_eq!(server.stderr_count(".tmp"), 0, "{stderr}");
    assert!(server.dump("3-1").is_none());
    // Each good dump has its own deadlock; none is a live one.
    for key in ["1-1", "2-1", "5-1"] {
        assert_eq!(server.dump(key).unwrap()["deadlocks"], 1);
        let report = server.json(&format!("/api/deadlocks?dump={key}"));
        assert_eq!(report["deadlocks"].as_array().unwrap().len(), 1, "{report}");
    }
    let live = server.json("/api/deadlocks");
    assert!(live["deadlocks"].as_array().unwrap().is_empty(), "{live}");

    // Once the half-written file is finished, it is read.
    std::fs::write(dir.path().join("half.json"), &whole).unwrap();
    eventually("the finished dump", || {
        server.dump("3-1").ok_or_else(String::new)
    });
    // A deleted file's dump goes.
    std::fs::remove_file(dir.path().join("1.json")).unwrap();
    eventually("the deleted dump gone", || match server.dump("1-1") {
        None => Ok(()),
        Some(d) => Err(d.to_string()),
    });
}

/// A healthy process: one task waiting on a timer (something external).
fn healthy_snapshot(key: &str, pid: u32, captured_at_ms: u64) -> String {
    serde_json::json!({
        "schema": "peeps/1",
        "process": {"name": "healthy", "pid": pid, "key": key, "started_at_ms": 0},
        "captured_at_ms": captured_at_ms,
        "nodes": [
            {"id": 1, "kind": "task", "name": "tick", "state": "pending", "since_ms": 10,
             "attrs": {"tracked": true, "woken": false, "polls": 9,
                       "waker_clones": 1, "waker_clones_accounted": 0}}
        ],
        "edges": [],
        "threads": []
    })
    .to_string()
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// The example deadlock as a dump of process `key`, captured `age_ms` ago.
fn old_dump(dir: &std::path::Path, file: &str, key: &str, age_ms: u64) {
    let mut snap = example_snapshot(key, "old-bank");
    snap.captured_at_ms = now_ms() - age_ms;
    std::fs::write(dir.join(file), snap.to_json()).unwrap();
}

const HOUR_MS: u64 = 3_600_000;

/// Two dump files of one process: the newer is shown; once it is deleted,
/// the older one comes back (it was passed over, not forgotten).
#[test]
fn deleting_the_newer_dump_of_a_process_brings_back_the_older() {
    let dir = TempDir::new("two-dumps");
    old_dump(dir.path(), "older.json", "9-1", 2 * HOUR_MS);
    old_dump(dir.path(), "newer.json", "9-1", HOUR_MS);
    let server = Server::start_with_dumps(dir.path(), &[]);
    let file = |server: &Server| -> Result<String, String> {
        let dump = server.dump("9-1").ok_or("no dump of 9-1")?;
        Ok(dump["file"].as_str().unwrap_or_default().to_owned())
    };
    eventually("the newer dump shown", || {
        file(&server).and_then(|f| f.ends_with("newer.json").then_some(()).ok_or(f))
    });
    std::fs::remove_file(dir.path().join("newer.json")).unwrap();
    eventually("the older dump back", || {
        file(&server).and_then(|f| f.ends_with("older.json").then_some(()).ok_or(f))
    });
}

#[test]
fn a_dump_is_shown_apart_with_its_age_and_never_as_a_live_deadlock() {
    let dir = TempDir::new("apart");
    old_dump(dir.path(), "77.json", "77-1", 3 * HOUR_MS);
    let server = Server::start_with_dumps(dir.path(), &[]);
    // A live, healthy process pushing; then the same process writes a
    // dump of a deadlocked moment (as on SIGUSR1): still only a dump.
    let mut pusher = Pusher::connect(&server);
    let process = peeps_graph::Process {
        name: "healthy".into(),
        pid: 88,
        key: "88-1".into(),
        started_at_ms: 0,
        host: None,
    };
    pusher.hello(&process).unwrap();
    pusher
        .frame(healthy_snapshot("88-1", 88, now_ms()).as_bytes())
        .unwrap();
    old_dump(dir.path(), "88.json", "88-1", 1_000);
    eventually("the live process and both dumps", || {
        let live = server.process("88-1").filter(|p| p["stale"] == false);
        match (live, server.dump("77-1"), server.dump("88-1")) {
            (Some(_), Some(_), Some(_)) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });

    // The live view: one process, no deadlock.
    let processes = server.json("/api/processes");
    let keys: Vec<&str> = processes
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["88-1"]);
    assert_eq!(processes[0]["source"], "push");
    let report = server.json("/api/deadlocks");
    assert!(
        report["deadlocks"].as_array().unwrap().is_empty(),
        "{report}"
    );
    let graph = server.json("/api/graph?scope=all");
    assert!(
        graph["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["process"] == "88-1"),
        "{graph}"
    );

    // The dumps: with their age and their own deadlock.
    let old = server.dump("77-1").unwrap();
    let age = old["age_ms"].as_u64().unwrap();
    assert!((3 * HOUR_MS..4 * HOUR_MS).contains(&age), "{old}");
    assert!(old["age"].as_str().unwrap().starts_with("3 h"), "{old}");
    assert_eq!(old["name"], "old-bank");
    assert_eq!(old["deadlocks"], 1);
    let report = server.json("/api/deadlocks?dump=77-1");
    assert_eq!(report["deadlocks"].as_array().unwrap().len(), 1, "{report}");
    let graph = server.json("/api/graph?dump=77-1");
    assert_eq!(graph["processes"][0]["key"], "77-1");
    assert!(!graph["nodes"].as_array().unwrap().is_empty());
    let processes = server.json("/api/processes?dump=77-1");
    assert_eq!(processes[0]["key"], "77-1");
    assert_eq!(server.dump("88-1").unwrap()["deadlocks"], 1);
    // The live process's own snapshot is the pushed one; the dump only
    // answers for keys no live process has.
    let raw = server.json("/api/snapshots/88-1");
    assert_eq!(raw["process"]["name"], "healthy");
    let raw = server.json("/api/snapshots/77-1");
    assert_eq!(raw["process"]["name"], "old-bank");

    // Bad asks.
    let (status, body) = server.get("/api/graph?dump=nope");
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("no dump"), "{body}");
    let (status, body) = server.get("/api/deadlocks?dump=77-1&at=5");
    assert_eq!(status, 400, "{body}");

    // /api/status counts both sides.
    let status = server.json("/api/status");
    assert_eq!(
        (status["live"].as_u64(), status["dumps"].as_u64()),
        (Some(1), Some(2)),
        "{status}"
    );
    drop(pusher);
}

#[test]
fn dumps_older_than_dumps_max_age_are_left_out() {
    let dir = TempDir::new("max-age");
    old_dump(dir.path(), "1.json", "1-1", 3 * HOUR_MS);
    old_dump(dir.path(), "2.json", "2-1", 30 * 24 * HOUR_MS);
    old_dump(dir.path(), "3.json", "3-1", HOUR_MS / 2);
    let server = Server::start_with_dumps(dir.path(), &["--dumps-max-age", "2h"]);
    // Loaded (or left out) before the server said it was ready.
    let dumps = server.json("/api/dumps");
    let keys: Vec<&str> = dumps
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["3-1"]);
    server.wait_stderr(&["left out 2 dump(s)", "2h", "--dumps-max-age"]);
    // One written later, already too old, is left out too.
    old_dump(dir.path(), "4.json", "4-1", 7 * 24 * HOUR_MS);
    server.wait_stderr(&["left out 1 dump(s)"]);
    assert!(server.dump("4-1").is_none());

    let (status, body) = server_start_error(&["--dumps-max-age", "soon"]);
    assert_ne!(status, 0);
    assert!(body.contains("expected a duration"), "{body}");
}

/// Runs `peeps serve` with `args` that it must refuse: its exit code and
/// stderr.
fn server_start_error(args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_peeps"))
        .args(["serve", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn events_end_and_the_server_exits_on_sigterm() {
    let server = Server::start("sigterm", &[]);
    let mut events = Events::open(&server);
    events.next_change();
    assert_eq!(server.terminate(), Some(0));
    events.wait_end();
}

#[test]
fn unknown_routes_and_bad_queries_get_json_errors() {
    let server = Server::start("errors", &[]);
    for (path, status) in [
        ("/api/nope", 404),
        ("/api/graph?scope=some", 400),
        ("/api/graph?process=missing", 404),
    ] {
        let (got, body) = server.get(path);
        assert_eq!(got, status, "{path}: {body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert!(v["error"].is_string(), "{body}");
    }
    let (status, page) = server.get("/");
    assert_eq!(status, 200);
    assert!(page.to_ascii_lowercase().contains("<html"), "{page}");
    // An empty server answers with empty lists and an empty report.
    assert_eq!(server.json("/api/processes"), serde_json::json!([]));
    let graph = server.json("/api/graph");
    assert_eq!(graph["nodes"], serde_json::json!([]));
    assert_eq!(
        server.json("/api/deadlocks")["deadlocks"],
        serde_json::json!([])
    );
}

#[test]
fn bare_peeps_serves_with_the_environment() {
    let dir = TempDir::new("bare");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_peeps"))
        .env("PEEPS_LISTEN", "127.0.0.1:0")
        .env("PEEPS_HTTP", "127.0.0.1:0")
        .env("PEEPS_DUMP_DIR", dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let lines: Vec<String> = std::io::BufRead::lines(std::io::BufReader::new(stdout))
        .take(4)
        .map(Result::unwrap)
        .collect();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        lines[0].starts_with("peeps: ingest listening on 127.0.0.1:"),
        "{lines:?}"
    );
    assert!(
        !lines[0].ends_with(":0") && !lines[1].ends_with(":0"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("peeps: http listening on 127.0.0.1:"),
        "{lines:?}"
    );
    assert_eq!(
        lines[2],
        format!("peeps: dumps from {}", dir.path().display())
    );
    assert!(
        lines[3].starts_with("peeps: open http://127.0.0.1:"),
        "{lines:?}"
    );
}

/// A process whose task waits on an RPC request, and the process serving
/// it, whose handler waits on a mutex: `calls` is stitched across them.
/// Both push: returns their open connections.
fn rpc_push(server: &Server) -> Vec<Pusher> {
    let caller = serde_json::json!({
        "schema": "peeps/1",
        "process": {"name": "front", "pid": 10, "key": "10-1", "started_at_ms": 0},
        "captured_at_ms": 9000,
        "nodes": [
            {"id": 1, "kind": "task", "name": "serve-req", "state": "pending", "since_ms": 3000,
             "attrs": {"tracked": true, "woken": false, "polls": 1,
                       "waker_clones": 1, "waker_clones_accounted": 1}},
            {"id": 2, "kind": "request", "name": "get_user", "state": "pending", "since_ms": 3000,
             "attrs": {"method": "get_user", "call_id": "10-1/1"}},
            {"id": 3, "kind": "task", "name": "idle", "state": "pending", "since_ms": 3000,
             "attrs": {"tracked": true, "woken": false, "polls": 1,
                       "waker_clones": 1, "waker_clones_accounted": 0}}
        ],
        "edges": [
            {"from": 1, "to": 2, "kind": "waits_on", "since_ms": 3000, "attrs": {"op": "call"}},
            {"from": 1, "to": 3, "kind": "spawned"}
        ],
        "threads": []
    });
    let callee = serde_json::json!({
        "schema": "peeps/1",
        "process": {"name": "users", "pid": 20, "key": "20-1", "started_at_ms": 0},
        "captured_at_ms": 9000,
        "nodes": [
            {"id": 1, "kind": "task", "name": "handle", "state": "pending", "since_ms": 2900,
             "attrs": {"tracked": true, "woken": false, "polls": 1,
                       "waker_clones": 1, "waker_clones_accounted": 1}},
            {"id": 2, "kind": "handler", "name": "get_user", "state": "pending", "since_ms": 2900,
             "attrs": {"method": "get_user", "caller_call_id": "10-1/1"}},
            {"id": 3, "kind": "mutex", "name": "db", "state": "held", "since_ms": 2900},
            {"id": 4, "kind": "task", "name": "holder", "state": "polling", "since_ms": 2900,
             "attrs": {"tracked": true, "polls": 1}},
            {"id": 5, "kind": "task", "name": "unrelated", "state": "pending", "since_ms": 100,
             "attrs": {"tracked": true, "woken": false, "polls": 1,
                       "waker_clones": 1, "waker_clones_accounted": 0}}
        ],
        "edges": [
            {"from": 2, "to": 1, "kind": "held_by"},
            {"from": 1, "to": 3, "kind": "waits_on", "since_ms": 2900, "attrs": {"op": "lock"}},
            {"from": 3, "to": 4, "kind": "held_by", "since_ms": 2900, "attrs": {"as": "guard"}}
        ],
        "threads": []
    });
    let pushers: Vec<Pusher> = [caller, callee]
        .into_iter()
        .map(|snap| {
            let mut p = Pusher::connect(server);
            let process = serde_json::from_value(snap["process"].clone()).unwrap();
            p.hello(&process).unwrap();
            p.frame(snap.to_string().as_bytes()).unwrap();
            p
        })
        .collect();
    eventually("both processes", || {
        match (server.process("10-1"), server.process("20-1")) {
            (Some(_), Some(_)) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    pushers
}

#[test]
fn calls_are_stitched_across_processes_and_scoped() {
    let server = Server::start("rpc", &[]);
    let _pushers = rpc_push(&server);
    let graph = server.json("/api/graph");
    let uids: Vec<&str> = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["uid"].as_str().unwrap())
        .collect();
    // The wait chain across both processes, and nothing else.
    assert_eq!(
        uids,
        ["10-1:1", "10-1:2", "20-1:1", "20-1:2", "20-1:3", "20-1:4"]
    );
    let edges = graph["edges"].as_array().unwrap();
    let calls: Vec<&Value> = edges.iter().filter(|e| e["kind"] == "calls").collect();
    assert_eq!(calls.len(), 1, "{edges:?}");
    assert_eq!(calls[0]["from"], "10-1:2");
    assert_eq!(calls[0]["to"], "20-1:2");
    assert_eq!(calls[0]["cross_process"], true);
    assert!(
        edges
            .iter()
            .filter(|e| e["kind"] != "calls")
            .all(|e| e["cross_process"] == false)
    );
    assert!(edges.iter().all(|e| e["kind"] != "spawned"));

    // `all` has everything, spawned edges included.
    let all = server.json("/api/graph?scope=all");
    assert_eq!(all["nodes"].as_array().unwrap().len(), 8);
    assert!(
        all["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "spawned")
    );

    // Around one process: its nodes, and the far end of the call.
    let front = server.json("/api/graph?process=10-1");
    let uids: Vec<&str> = front["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["uid"].as_str().unwrap())
        .collect();
    assert_eq!(uids, ["10-1:1", "10-1:2", "20-1:2"]);
    let keys: Vec<&str> = front["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["10-1", "20-1"]);
}
