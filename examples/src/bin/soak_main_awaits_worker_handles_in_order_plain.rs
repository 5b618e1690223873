//! Healthy: `main` spawns three plain `tokio::spawn` workers and awaits
//! their tokio `JoinHandle`s one after the other (`for h in handles {
//! h.await }`), the commonest way to "wait for everything". None of the
//! workers ever ends: the first receives jobs from an unbounded-looking
//! `mpsc` (capacity 8) whose sender a plain ticker task keeps, sending one
//! every 15 ms; the second reads lines from a TCP socket on 127.0.0.1 that
//! a plain pusher task writes one line into every 30 ms; the third sleeps
//! 40 ms and adds to the shared totals. All three lock one `Mutex` of
//! totals briefly. Before it joins, `main` waits for the workers' `started`
//! messages (a peeps receive), after a first wait that surely pends
//! (`wait_once_seen`).
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{ready_when, wait_once_seen};
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct Totals {
    jobs: u64,
    lines: u64,
    ticks: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_main_awaits_worker_handles_in_order_plain");
    let totals = Arc::new(Mutex::new(Totals::default()));
    let (started_tx, mut started) = mpsc::channel::<&'static str>(4);
    // `main`'s first peeps wait surely pends: peeps counts its waker from then.
    wait_once_seen("boot").await;

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.expect("accept");
        for n in 0u64.. {
            tokio::time::sleep(Duration::from_millis(30)).await;
            if sock
                .write_all(format!("line {n}\n").as_bytes())
                .await
                .is_err()
            {
                return;
            }
        }
    });

    let (jobs_tx, mut jobs) = mpsc::channel::<u64>(8);
    tokio::spawn(async move {
        for n in 0u64.. {
            tokio::time::sleep(Duration::from_millis(15)).await;
            if jobs_tx.send(n).await.is_err() {
                return;
            }
        }
    });

    let mut handles = Vec::new();
    let (t, s) = (totals.clone(), started_tx.clone());
    handles.push(tokio::spawn(async move {
        let _ = s.send("jobs").await;
        while let Some(job) = jobs.recv().await {
            t.lock().await.jobs += job % 3;
        }
    }));
    let (t, s) = (totals.clone(), started_tx.clone());
    handles.push(tokio::spawn(async move {
        let sock = TcpStream::connect(addr).await.expect("connect");
        let _ = s.send("lines").await;
        let mut lines = BufReader::new(sock).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            t.lock().await.lines += line.len() as u64;
        }
    }));
    let (t, s) = (totals.clone(), started_tx);
    handles.push(tokio::spawn(async move {
        let _ = s.send("ticks").await;
        loop {
            tokio::time::sleep(Duration::from_millis(40)).await;
            t.lock().await.ticks += 1;
        }
    }));

    for _ in 0..3 {
        let who = started.recv().await;
        println!("started: {who:?}");
    }
    ready_when(|g| {
        g.edges
            .iter()
            .any(|e| e.attrs.get("op").and_then(|v| v.as_str()) == Some("join"))
    });
    for h in handles {
        h.await.expect("a worker ends cleanly");
    }
    let t = totals.lock().await;
    println!("{} {} {}", t.jobs, t.lines, t.ticks);
}
