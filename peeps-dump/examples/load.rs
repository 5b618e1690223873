//! The load test of `peeps serve`: many processes pushing large snapshots
//! at 1 Hz, on 127.0.0.1 only, for a bounded time.
//!
//! ```text
//! cargo build --release -p peeps-dump --bin peeps --example load
//! target/release/examples/load --processes 300 --nodes 2000 --secs 60
//! ```
//!
//! It starts the real `peeps serve` (the `peeps` binary next to its own
//! directory, or `--peeps PATH`) on ephemeral loopback ports with an empty
//! dump directory, opens `--processes` push connections that speak the
//! wire protocol (a hello, then one snapshot frame a second each, spread
//! over the second), each with a synthetic `--nodes`-node snapshot of a
//! busy service (`tests/serve_support/synthetic.rs`: tasks, futures,
//! mutexes, channels, semaphores, one deadlock per 400 nodes), while one
//! client GETs the main API endpoints in turn. It prints what it measured:
//! snapshots and MB accepted per second (the server's own counts, from
//! `/api/status`), the analysis time per recompute (the server's own
//! timing: changes are coalesced), the server's resident size (VmRSS of
//! `/proc/PID/status`, sampled every second) against `--max-memory`, and
//! the latency of each endpoint (p50, p99, max). The first `--warmup`
//! seconds are pushed but not measured. The defaults are a smoke run of a
//! few seconds; docs/PERFORMANCE.md has the full-size figures.

// Shared with the scale test, where its items are the support's public API.
#[allow(unreachable_pub)]
#[path = "../tests/serve_support/synthetic.rs"]
mod synthetic;

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use synthetic::Synthetic;

/// The command line.
#[derive(Debug, clap::Parser)]
#[command(about = "Load test of `peeps serve` on 127.0.0.1 (see docs/PERFORMANCE.md)")]
struct Args {
    /// How many processes push.
    #[arg(long, default_value_t = 10)]
    processes: u32,
    /// How many nodes each snapshot has.
    #[arg(long, default_value_t = 500)]
    nodes: usize,
    /// How long to measure, in seconds (after the warm-up).
    #[arg(long, default_value_t = 5)]
    secs: u64,
    /// Seconds pushed before measuring.
    #[arg(long, default_value_t = 3)]
    warmup: u64,
    /// The server's --max-memory, in bytes [default: the server's].
    #[arg(long)]
    max_memory: Option<u64>,
    /// The `peeps` binary [default: target/<profile>/peeps, next to
    /// this example's directory].
    #[arg(long)]
    peeps: Option<PathBuf>,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The `peeps serve` under test; killed when dropped.
struct Server {
    child: Child,
    /// Its log lines saying a process was refused or forgotten.
    refusals: Arc<AtomicU64>,
    ingest: SocketAddr,
    http: SocketAddr,
    _dumps: PathBuf,
}

impl Server {
    fn start(peeps: &PathBuf, max_memory: Option<u64>) -> Server {
        let dumps = std::env::temp_dir().join(format!("peeps-load-{}", std::process::id()));
        std::fs::create_dir_all(&dumps).expect("a temporary dump directory");
        let mut cmd = Command::new(peeps);
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0"])
            .arg("--dumps")
            .arg(&dumps)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(m) = max_memory {
            cmd.args(["--max-memory", &m.to_string()]);
        }
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", peeps.display()));
        // Its log lines: kept out of the report; the first refusal is
        // shown, all are counted.
        let stderr = child.stderr.take().expect("piped");
        let refusals = Arc::new(AtomicU64::new(0));
        let counted = refusals.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if (line.contains("refused") || line.contains("forgot"))
                    && counted.fetch_add(1, Ordering::Relaxed) == 0
                {
                    eprintln!("{line}");
                }
            }
        });
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let (mut ingest, mut http) = (None, None);
        for line in lines.by_ref().map_while(Result::ok) {
            if let Some(a) = line.strip_prefix("peeps: ingest listening on ") {
                ingest = a.parse().ok();
            }
            if let Some(a) = line.strip_prefix("peeps: http listening on ") {
                http = a.parse().ok();
            }
            if line.starts_with("peeps: open ") {
                break;
            }
        }
        std::thread::spawn(move || lines.for_each(drop));
        Server {
            child,
            refusals,
            ingest: ingest.expect("an ingest line"),
            http: http.expect("an http line"),
            _dumps: dumps,
        }
    }

    fn rss_bytes(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kib| kib * 1024)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self._dumps);
    }
}

/// `GET path` over a fresh connection: the body (empty on error).
fn get(addr: SocketAddr, path: &str) -> Vec<u8> {
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(30)) else {
        return Vec::new();
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(60)));
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if s.write_all(request.as_bytes()).is_err() {
        return Vec::new();
    }
    let mut all = Vec::new();
    let _ = s.read_to_end(&mut all);
    match all.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(at) => all.split_off(at + 4),
        None => Vec::new(),
    }
}

/// `/api/status` (warp answers small bodies unchunked).
fn status(addr: SocketAddr) -> Value {
    serde_json::from_slice(&get(addr, "/api/status")).unwrap_or(Value::Null)
}

/// One process pushing at 1 Hz until `stop`, starting `offset` into each
/// second.
fn push(
    mut snap: Synthetic,
    ingest: SocketAddr,
    offset: Duration,
    stop: Arc<AtomicBool>,
    failed: Arc<AtomicU64>,
) {
    let Ok(mut s) = TcpStream::connect(ingest) else {
        failed.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let _ = s.set_write_timeout(Some(Duration::from_secs(30)));
    if peeps_graph::wire::write_frame(&mut s, &snap.hello()).is_err() {
        failed.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let start = Instant::now() + offset;
    let mut n = 0u32;
    while !stop.load(Ordering::Relaxed) {
        let due = start + Duration::from_secs(u64::from(n));
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        snap.stamp(now_ms());
        if peeps_graph::wire::write_frame(&mut s, &snap.json).is_err() {
            failed.fetch_add(1, Ordering::Relaxed);
            return;
        }
        n += 1;
    }
}

/// Percentile `p` (0..=100) of sorted `xs`.
fn pct(xs: &[f64], p: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * (xs.len() - 1) as f64).round() as usize;
    xs[i.min(xs.len() - 1)]
}

fn main() {
    let args = <Args as clap::Parser>::parse();
    let peeps = args.peeps.clone().unwrap_or_else(|| {
        let exe = std::env::current_exe().expect("its own path");
        exe.parent()
            .and_then(|examples| examples.parent())
            .expect("target/<profile>/examples/load")
            .join("peeps")
    });
    let server = Server::start(&peeps, args.max_memory);
    let t0 = now_ms();
    let snaps: Vec<Synthetic> = (0..args.processes)
        .map(|i| Synthetic::new(100_000 + i, &format!("service-{i}"), args.nodes, t0))
        .collect();
    let keys: Vec<String> = snaps.iter().map(|s| s.key.clone()).collect();
    let frame_bytes = snaps.iter().map(|s| s.json.len()).sum::<usize>() / snaps.len().max(1);
    println!(
        "load: {} processes x {} nodes ({} KiB a snapshot) at 1 Hz against {} (pid {}); {} s warm-up, {} s measured",
        args.processes,
        args.nodes,
        frame_bytes >> 10,
        peeps.display(),
        server.child.id(),
        args.warmup,
        args.secs
    );
    let stop = Arc::new(AtomicBool::new(false));
    let failed = Arc::new(AtomicU64::new(0));
    let n = args.processes.max(1);
    let pushers: Vec<_> = snaps
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let offset = Duration::from_millis(1000 * i as u64 / u64::from(n));
            let (stop, failed, ingest) = (stop.clone(), failed.clone(), server.ingest);
            std::thread::Builder::new()
                .stack_size(256 << 10)
                .spawn(move || push(s, ingest, offset, stop, failed))
                .expect("a pusher thread")
        })
        .collect();

    std::thread::sleep(Duration::from_secs(args.warmup));
    let before = status(server.http);
    let measuring = Instant::now();
    // One client per endpoint, so a slow answer (the whole graph) does not
    // starve the others' measurements.
    let endpoints = [
        "/api/processes",
        "/api/deadlocks",
        "/api/graph",
        "/api/status",
    ];
    let done = Arc::new(AtomicBool::new(false));
    let probes: Vec<_> = endpoints
        .iter()
        .map(|&e| {
            let (done, http) = (done.clone(), server.http);
            std::thread::spawn(move || {
                let mut xs = Vec::new();
                while !done.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    if !get(http, e).is_empty() {
                        xs.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
                xs
            })
        })
        .collect();
    let mut rss = Vec::new();
    while measuring.elapsed() < Duration::from_secs(args.secs) {
        rss.push(server.rss_bytes());
        std::thread::sleep(Duration::from_secs(1));
    }
    let secs = measuring.elapsed().as_secs_f64();
    let after = status(server.http);
    let listed: Vec<Value> =
        serde_json::from_slice(&get(server.http, "/api/processes")).unwrap_or_default();
    let listed_live = keys
        .iter()
        .filter(|k| {
            listed
                .iter()
                .any(|p| p["key"] == k.as_str() && p["stale"] == false)
        })
        .count();
    rss.push(server.rss_bytes());
    done.store(true, Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    let mut latencies: Vec<Vec<f64>> = probes
        .into_iter()
        .map(|p| p.join().unwrap_or_default())
        .collect();
    for p in pushers {
        let _ = p.join();
    }

    let num = |v: &Value, path: &[&str]| {
        path.iter()
            .fold(v, |v, k| &v[*k])
            .as_f64()
            .unwrap_or(f64::NAN)
    };
    let snapshots = num(&after, &["snapshots_received"]) - num(&before, &["snapshots_received"]);
    let bytes = num(&after, &["bytes_received"]) - num(&before, &["bytes_received"]);
    let analyses = num(&after, &["analysis", "count"]) - num(&before, &["analysis", "count"]);
    println!(
        "ingest: {:.1} snapshots/s, {:.1} MB/s accepted ({} pushers failed)",
        snapshots / secs,
        bytes / secs / 1e6,
        failed.load(Ordering::Relaxed)
    );
    println!(
        "analysis: {:.0} recomputes in {secs:.0} s ({:.1} changes each); last {:.0} ms, mean since start {:.0} ms, max {:.0} ms, {} nodes merged",
        analyses,
        snapshots / analyses.max(1.0),
        num(&after, &["analysis", "last_ms"]),
        num(&after, &["analysis", "mean_ms"]),
        num(&after, &["analysis", "max_ms"]),
        after["analysis"]["nodes"]
    );
    let max_rss = rss.iter().copied().max().unwrap_or(0);
    println!(
        "memory: RSS max {} MiB, at end {} MiB; counted {} MiB held + {} MiB recording; --max-memory {} MiB; {} refused, {} forgotten ({} log lines)",
        max_rss >> 20,
        rss.last().copied().unwrap_or(0) >> 20,
        after["memory"]["held_bytes"].as_u64().unwrap_or(0) >> 20,
        after["memory"]["recording_bytes"].as_u64().unwrap_or(0) >> 20,
        after["memory"]["max_bytes"].as_u64().unwrap_or(0) >> 20,
        after["refused"],
        after["forgotten"],
        server.refusals.load(Ordering::Relaxed)
    );
    println!(
        "processes listed live by /api/processes: {listed_live} of {}",
        args.processes
    );
    for (e, xs) in endpoints.iter().zip(&mut latencies) {
        xs.sort_by(f64::total_cmp);
        println!(
            "latency {e}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} requests)",
            pct(xs, 50.0),
            pct(xs, 99.0),
            xs.last().copied().unwrap_or(f64::NAN),
            xs.len()
        );
    }
}
