//! Healthy, under steady load: a windowed sender over TCP whose window
//! opens when a reader task, sitting in `read_line`, fires a `Notify`.
//!
//! A server (plain `tokio::spawn`) reads `DATA n` lines and, after every
//! eighth, "commits" for 15 ms and answers `ACK n`. On the client, the
//! `sender` (`peeps::spawn_named`) locks `window` (a peeps `Mutex` over
//! the next sequence number and the socket's write half), waits,
//! holding it, on `acked` (a peeps `Notify`) while 16 lines are
//! unacknowledged, then writes the next line and lets `window` go. The
//! reader, a plain `tokio::spawn`, loops on `read_line`; for each `ACK n`
//! it stores `n` in an atomic and calls `acked.notify_one()`. The
//! `window-stats` task (`peeps::spawn_named`) locks `window` every 200 ms
//! to read the sequence number.
//!
//! `window-stats` waits for `window`, held by the `sender`, which waits
//! on `acked`, which only the reader notifies, and the reader waits in a
//! socket read peeps cannot see. Expected, in every dump: no deadlock,
//! nothing stuck forever, no potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Notify};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};

const WINDOW: u64 = 16;

struct Window {
    next: u64,
    out: OwnedWriteHalf,
}

async fn server(listener: TcpListener) {
    let (socket, _) = listener.accept().await.expect("accept");
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut received = 0u64;
    while let Ok(Some(line)) = lines.next_line().await {
        let Some(n) = line
            .strip_prefix("DATA ")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        received += 1;
        if received.is_multiple_of(8) {
            tokio::time::sleep(Duration::from_millis(15)).await;
            if write
                .write_all(format!("ACK {n}\n").as_bytes())
                .await
                .is_err()
            {
                return;
            }
        }
    }
}

async fn send_windowed(window: Arc<Mutex<Window>>, acked: Arc<AtomicU64>, notify: Arc<Notify>) {
    loop {
        let mut w = window.lock().await;
        while w.next >= acked.load(Ordering::Acquire) + WINDOW {
            notify.notified().await;
        }
        let line = format!("DATA {} {}\n", w.next, "z".repeat(40));
        if w.out.write_all(line.as_bytes()).await.is_err() {
            return;
        }
        w.next += 1;
    }
}

async fn window_stats(window: Arc<Mutex<Window>>) {
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let w = window.lock().await;
        std::hint::black_box(w.next);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_read_line_reader_notifies_window_sender");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(server(listener));
    let socket = TcpStream::connect(addr).await.expect("connect");
    let (read, write) = socket.into_split();
    let window = Arc::new(
        Mutex::new(Window {
            next: 0,
            out: write,
        })
        .named("window"),
    );
    let acked = Arc::new(AtomicU64::new(0));
    let notify = Arc::new(Notify::new().named("acked"));
    peeps::spawn_named(
        "sender",
        send_windowed(window.clone(), acked.clone(), notify.clone()),
    );
    peeps::spawn_named("window-stats", window_stats(window));
    let reader_acked = acked.clone();
    tokio::spawn(async move {
        let mut reader = BufReader::new(read);
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if let Some(n) = line
                .trim_end()
                .strip_prefix("ACK ")
                .and_then(|n| n.parse::<u64>().ok())
            {
                reader_acked.store(n + 1, Ordering::Release);
                notify.notify_one();
            }
        }
    });
    let stats_waited = AtomicBool::new(false);
    ready_when(move |g| {
        if waited_on(g, NodeKind::Mutex, "window") {
            stats_waited.store(true, Ordering::Relaxed);
        }
        stats_waited.load(Ordering::Relaxed)
            && acked.load(Ordering::Relaxed) > 200
            && waited_on(g, NodeKind::Notify, "acked")
    });
    park().await
}
