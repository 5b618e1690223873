//! Healthy, under steady load: a child process as a pipeline stage,
//! written with peeps' own spawns. `cat` is started with
//! `tokio::process::Command`, stdin and stdout piped. The `feeder` writes
//! sensor readings to its stdin, 256 lines at a time then 20 ms of rest;
//! the `parser` reads its stdout line by line (`next_line`) and sends
//! each parsed reading into `readings` (capacity 4); the `collector`
//! receives them and, holding `report` (a peeps `Mutex` over the totals
//! and a `tokio::fs::File`), appends each to the file and flushes it. The
//! `child-supervisor` awaits the child's exit. `main` locks `report`
//! every 250 ms to read the totals.
//!
//! The file writes run on `spawn_blocking` threads, so `readings` fills,
//! `cat`'s stdout pipe fills and the `feeder` waits in its stdin writes:
//! the stages wait on each other through pipes and a file peeps cannot
//! see. Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{ChildStdin, ChildStdout, Command};

struct Reading {
    sensor: u32,
    value: f64,
}

struct Report {
    file: tokio::fs::File,
    readings: u64,
    sum: f64,
}

async fn feed(mut stdin: ChildStdin) {
    for n in 0u64.. {
        let line = format!("sensor-{} {}.{}\n", n % 8, n % 1000, n % 7);
        if stdin.write_all(line.as_bytes()).await.is_err() {
            return;
        }
        if n % 256 == 255 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn parse(stdout: ChildStdout, readings: mpsc::Sender<Reading>) {
    let mut lines = BufReader::new(stdout).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let Some((name, value)) = line.split_once(' ') else {
            continue;
        };
        let reading = Reading {
            sensor: name.trim_start_matches("sensor-").parse().unwrap_or(0),
            value: value.parse().unwrap_or(0.0),
        };
        if readings.send(reading).await.is_err() {
            return;
        }
    }
}

async fn collect(mut readings: mpsc::Receiver<Reading>, report: Arc<Mutex<Report>>) {
    while let Some(reading) = readings.recv().await {
        let mut report = report.lock().await;
        let line = format!("{} {}\n", reading.sensor, reading.value);
        if report.file.write_all(line.as_bytes()).await.is_err() {
            return;
        }
        if report.file.flush().await.is_err() {
            return;
        }
        report.readings += 1;
        report.sum += reading.value;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_child_cat_lines_collector_lock");
    let path = std::env::temp_dir().join(format!("peeps-readings-{}.log", std::process::id()));
    let file = tokio::fs::File::create(&path).await.expect("create");
    // Written, never read back: a killed run leaves nothing behind.
    tokio::fs::remove_file(&path).await.expect("unlink");
    let mut child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start cat");
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = child.stdout.take().expect("piped stdout");
    let (readings, readings_rx) = mpsc::channel_named("readings", 4);
    let report = Arc::new(
        Mutex::new(Report {
            file,
            readings: 0,
            sum: 0.0,
        })
        .named("report"),
    );
    peeps::spawn_named("feeder", feed(stdin));
    peeps::spawn_named("parser", parse(stdout, readings));
    peeps::spawn_named("collector", collect(readings_rx, report.clone()));
    peeps::spawn_named("child-supervisor", async move {
        let status = child.wait().await;
        eprintln!("cat exited: {status:?}");
    });
    let busy = AtomicBool::new(false);
    ready_when(move |g| {
        if waited_on_for(g, NodeKind::Channel, "readings", "send") {
            busy.store(true, Ordering::Relaxed);
        }
        busy.load(Ordering::Relaxed)
            && examples::attr(g, NodeKind::Channel, "readings", "received")
                .is_some_and(|n| n > 5000)
    });
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let report = report.lock().await;
        std::hint::black_box((report.readings, report.sum));
    }
}
