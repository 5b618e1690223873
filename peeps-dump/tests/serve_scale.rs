//! `peeps serve` with many processes: every pushing process is listed, the
//! server stays within `--max-memory`, processes stale for `--stale-after`
//! are forgotten, and past the budget stale processes give way and new
//! ones are refused while the API keeps answering. A smoke run of what
//! `examples/load.rs` measures at full size (docs/PERFORMANCE.md); no
//! timing is asserted.

mod serve_support;

use serde_json::Value;
use serve_support::synthetic::Synthetic;
use serve_support::*;

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A push connection for `snap`, its hello and first snapshot sent.
fn connect(server: &Server, snap: &Synthetic) -> Pusher {
    let mut p = Pusher::connect(server);
    p.frame(&snap.hello()).unwrap();
    p.frame(&snap.json).unwrap();
    p
}

/// The keys `/api/processes` lists, with their `stale` flag.
fn listed(server: &Server) -> Vec<(String, bool)> {
    server
        .json("/api/processes")
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["key"].as_str().unwrap().to_owned(), p["stale"] == true))
        .collect()
}

#[test]
fn many_pushing_processes_are_listed_within_max_memory_and_stale_ones_forgotten() {
    const PROCESSES: u32 = 30;
    const NODES: usize = 2000;
    const MAX_MEMORY: u64 = 512 << 20;
    let server = Server::start(
        "scale",
        &[
            "--max-memory",
            &MAX_MEMORY.to_string(),
            "--stale-after",
            "1s",
        ],
    );
    let start = now_ms();
    let mut snaps: Vec<Synthetic> = (0..PROCESSES)
        .map(|i| Synthetic::new(50_000 + i, &format!("svc-{i}"), NODES, start))
        .collect();
    let mut pushers: Vec<Pusher> = snaps.iter().map(|s| connect(&server, s)).collect();
    // Two more rounds, as at 1 Hz (without the waiting).
    for round in 1..=2 {
        for (s, p) in snaps.iter_mut().zip(&mut pushers) {
            s.stamp(start + round * 1000);
            p.frame(&s.json).unwrap();
        }
    }
    let keys: Vec<String> = snaps.iter().map(|s| s.key.clone()).collect();
    eventually("every process listed live", || {
        let l = listed(&server);
        let live = l
            .iter()
            .filter(|(k, stale)| !stale && keys.contains(k))
            .count();
        if live == keys.len() {
            Ok(())
        } else {
            Err(format!("{live} of {} live", keys.len()))
        }
    });
    // Analysed: one deadlock per 400 nodes of each process.
    let status = eventually("the last round analysed", || {
        let status = server.json("/api/status");
        if status["snapshots_received"] == 3 * PROCESSES as u64
            && status["analysis"]["nodes"] == PROCESSES as u64 * NODES as u64
        {
            Ok(status)
        } else {
            Err(status.to_string())
        }
    });
    let report = server.json("/api/deadlocks");
    let deadlocks = report["deadlocks"].as_array().unwrap().len();
    assert_eq!(deadlocks, PROCESSES as usize * NODES / 400, "{status}");
    let memory = &status["memory"];
    let held = memory["held_bytes"].as_u64().unwrap() + memory["recording_bytes"].as_u64().unwrap();
    assert!(held <= MAX_MEMORY, "{status}");
    let rss = server.rss_kib() * 1024;
    assert!(
        rss < MAX_MEMORY,
        "resident {rss} bytes, over --max-memory: {status}"
    );

    // Half of them go away: stale, then forgotten after --stale-after.
    let gone: Vec<String> = keys[..keys.len() / 2].to_vec();
    pushers.drain(..keys.len() / 2);
    eventually("the closed ones forgotten", || {
        let l = listed(&server);
        let left: Vec<&String> = l.iter().map(|(k, _)| k).collect();
        if left.iter().any(|k| gone.contains(k)) || left.len() != keys.len() - gone.len() {
            Err(format!("{} listed", left.len()))
        } else {
            Ok(())
        }
    });
    server.wait_stderr(&["forgot", "--stale-after"]);
    let status = server.json("/api/status");
    assert_eq!(status["forgotten"], gone.len() as u64, "{status}");
    assert_eq!(status["live"], (keys.len() - gone.len()) as u64, "{status}");
    drop(pushers);
}

#[test]
fn past_max_memory_stale_processes_give_way_then_new_ones_are_refused() {
    let start = now_ms();
    let snaps: Vec<Synthetic> = (0..5)
        .map(|i| Synthetic::new(60_000 + i, &format!("svc-{i}"), 400, start))
        .collect();
    // Room for three processes (each counts for 26 bytes per byte of JSON,
    // docs/api.md).
    let room = snaps
        .iter()
        .take(3)
        .map(|s| 26 * s.json.len())
        .sum::<usize>()
        + 1000;
    let server = Server::start(
        "refuse",
        &["--max-memory", &room.to_string(), "--stale-after", "1h"],
    );
    let mut open: Vec<Pusher> = snaps[..3].iter().map(|s| connect(&server, s)).collect();
    eventually("three listed", || match listed(&server).len() {
        3 => Ok(()),
        n => Err(format!("{n} listed")),
    });
    // A fourth does not fit: refused, its connection closed.
    let mut fourth = connect(&server, &snaps[3]);
    assert!(fourth.closed_by_server());
    server.wait_stderr(&["new process refused", "--max-memory"]);
    let keys: Vec<String> = listed(&server).into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys.len(), 3);
    assert!(!keys.contains(&snaps[3].key));
    let status: Value = server.json("/api/status");
    assert_eq!(status["refused"], 1, "{status}");

    // One of the three goes stale: the next new process takes its room.
    open.remove(0);
    eventually("the first stale", || {
        match listed(&server).iter().find(|(k, _)| *k == snaps[0].key) {
            Some((_, true)) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    let _fifth = connect(&server, &snaps[4]);
    eventually("the fifth in, the stale one forgotten", || {
        let keys: Vec<String> = listed(&server).into_iter().map(|(k, _)| k).collect();
        if keys.contains(&snaps[4].key) && !keys.contains(&snaps[0].key) {
            Ok(())
        } else {
            Err(format!("{keys:?}"))
        }
    });
    server.wait_stderr(&["forgot the 1 process(es) stale the longest"]);
    // The API kept answering throughout; it still does: one deadlock in
    // each of the three processes held.
    let report = server.json("/api/deadlocks");
    assert_eq!(report["deadlocks"].as_array().unwrap().len(), 3);
}
