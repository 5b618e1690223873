//! Healthy, idle after a burst: a reconnecting TCP client whose
//! `conn-supervisor` swaps each connection's fresh outbox sender into an
//! `Arc<RwLock<mpsc::Sender>>` (`outbox-slot`) and awaits the connection
//! task's `JoinHandle`. The connection tasks and the callers are plain
//! `tokio::spawn`; the supervisor and the server's acceptor are
//! `peeps::spawn_named`.
//!
//! The server on 127.0.0.1 echoes lines and hangs up after 20 of them.
//! `conn-supervisor` connects, makes `conn-outbox`, spawns the connection
//! (it `select!`s a line from the socket, answering the oldest in-flight
//! request, and a request from its outbox, written to the socket), writes
//! the sender into `outbox-slot` and joins the connection; when the server
//! hangs up it backs off 20 ms and reconnects. Callers clone the sender
//! out of the slot under a read for each call, send the line with an
//! `echo-reply` oneshot and retry on a closed outbox or a dropped reply.
//! After 15 calls each (three hang-ups), the callers sleep 10 minutes:
//! the newest connection waits on its socket and its outbox meanwhile.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{RwLock, mpsc, oneshot};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

struct Request {
    line: String,
    reply: oneshot::Sender<String>,
}

type OutboxSlot = Arc<RwLock<mpsc::Sender<Request>>>;

async fn echo_server(listener: TcpListener) {
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            // The server hangs up after 20 lines: the client reconnects.
            for _ in 0..20 {
                let Ok(Some(line)) = lines.next_line().await else {
                    return;
                };
                if write
                    .write_all(format!("{line}\n").as_bytes())
                    .await
                    .is_err()
                {
                    return;
                }
            }
        });
    }
}

async fn connection(socket: TcpStream, mut outbox: mpsc::Receiver<Request>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut in_flight: VecDeque<oneshot::Sender<String>> = VecDeque::new();
    loop {
        tokio::select! {
            line = lines.next_line() => {
                // Hung up: the in-flight replies drop, their callers retry.
                let Ok(Some(line)) = line else { return };
                if let Some(reply) = in_flight.pop_front() {
                    let _ = reply.send(line);
                }
            }
            request = outbox.recv() => {
                let Some(Request { line, reply }) = request else { return };
                if write.write_all(format!("{line}\n").as_bytes()).await.is_err() {
                    return;
                }
                in_flight.push_back(reply);
            }
        }
    }
}

async fn supervisor(addr: SocketAddr, slot: OutboxSlot, connects: Arc<AtomicU64>) {
    loop {
        let Ok(socket) = TcpStream::connect(addr).await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let (tx, rx) = mpsc::channel_named("conn-outbox", 32);
        let conn = tokio::spawn(connection(socket, rx));
        *slot.write().await = tx;
        connects.fetch_add(1, Ordering::Relaxed);
        let _ = conn.await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn call(slot: &OutboxSlot, line: String) -> Option<String> {
    for _ in 0..8 {
        let outbox = slot.read().await.clone();
        let (reply, answer) = oneshot::channel_named("echo-reply");
        let request = Request {
            line: line.clone(),
            reply,
        };
        if outbox.send(request).await.is_err() {
            tokio::time::sleep(Duration::from_millis(30)).await;
            continue;
        }
        match answer.await {
            Ok(echo) => return Some(echo),
            Err(_) => tokio::time::sleep(Duration::from_millis(30)).await,
        }
    }
    None
}

async fn caller(id: u64, slot: OutboxSlot, calls: Arc<AtomicU64>) {
    loop {
        for n in 0..15 {
            std::hint::black_box(call(&slot, format!("caller {id} line {n}")).await);
            calls.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_reconnecting_client_swaps_outbox_plain");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("bound");
    peeps::spawn_named("acceptor", echo_server(listener));

    // Until the first connection, a sender nobody reads from.
    let (placeholder, _) = mpsc::channel(1);
    let slot: OutboxSlot = Arc::new(RwLock::new(placeholder).named("outbox-slot"));
    let connects = Arc::new(AtomicU64::new(0));
    let calls = Arc::new(AtomicU64::new(0));
    peeps::spawn_named(
        "conn-supervisor",
        supervisor(addr, slot.clone(), connects.clone()),
    );
    for id in 0..4 {
        tokio::spawn(caller(id, slot.clone(), calls.clone()));
    }
    ready_when(move |_| {
        connects.load(Ordering::Relaxed) >= 3 && calls.load(Ordering::Relaxed) >= 60
    });
    park().await
}
