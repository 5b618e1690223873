//! Healthy, under steady load, written with peeps' own spawns: a
//! multiplexed RPC client over one real TCP connection on 127.0.0.1.
//! Four callers (`peeps::spawn_named("caller-N")`) each, in a loop, make
//! a `oneshot` named `reply`, move the sender straight into a shared
//! pending map (never borrowed, unlike `soak_mux_client_tcp_pending_map`)
//! (`Arc<std::sync::Mutex<HashMap<u64, Sender>>>`), send the request into
//! `outgoing` and await the reply. `mux-writer` writes each request as a
//! line to the socket; `mux-reader` reads the answer lines, takes each
//! sender out of the map and answers. The server (`echo-server`, its
//! answers by `delayed-answer` tasks through `server-out` to
//! `server-writer`) answers each request after 100-1500 ms. Every task is
//! peeps': the census counts none unseen. Multi-thread runtime.
//!
//! Each reply sender is on the heap (the map); it was never borrowed, so
//! its caller need not keep the bytes it was moved out of. Expected, in
//! every dump: no deadlock, nothing stuck forever, no potential deadlock,
//! and no long wait (a wait on `reply` is a receive, no stall).

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

type Pending = Arc<std::sync::Mutex<HashMap<u64, oneshot::Sender<u64>>>>;

/// How long the server takes to answer request `id`: 100-1500 ms.
fn delay_of(id: u64) -> u64 {
    100 + (id * 397) % 1400
}

#[peeps::instrument]
async fn answer_later(id: u64, out: mpsc::Sender<u64>) {
    tokio::time::sleep(Duration::from_millis(delay_of(id))).await;
    let _ = out.send(id).await;
}

#[peeps::instrument]
async fn server_write(mut out_rx: mpsc::Receiver<u64>, mut write: OwnedWriteHalf) {
    while let Some(id) = out_rx.recv().await {
        if write
            .write_all(format!("{id} {}\n", id * 10).as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

#[peeps::instrument]
async fn serve(listener: TcpListener) {
    let (stream, _) = listener.accept().await.expect("accept");
    let (read, write) = stream.into_split();
    let (out, out_rx) = mpsc::channel_named("server-out", 64);
    peeps::spawn_named("server-writer", server_write(out_rx, write));
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let id: u64 = line.trim().parse().expect("an id");
        peeps::spawn_named("delayed-answer", answer_later(id, out.clone()));
    }
}

#[peeps::instrument]
async fn write_requests(mut outgoing: mpsc::Receiver<u64>, mut write: OwnedWriteHalf) {
    while let Some(id) = outgoing.recv().await {
        if write.write_all(format!("{id}\n").as_bytes()).await.is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn read_replies(read: OwnedReadHalf, pending: Pending) {
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let mut parts = line.split(' ');
        let id: u64 = parts.next().and_then(|p| p.parse().ok()).expect("an id");
        let value: u64 = parts.next().and_then(|p| p.parse().ok()).expect("a value");
        let reply = pending.lock().expect("not poisoned").remove(&id);
        if let Some(reply) = reply {
            let _ = reply.send(value);
        }
    }
}

#[peeps::instrument]
async fn call_loop(
    outgoing: mpsc::Sender<u64>,
    pending: Pending,
    next_id: Arc<AtomicU64>,
    answered: Arc<AtomicU64>,
) {
    loop {
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel_named("reply");
        pending.lock().expect("not poisoned").insert(id, tx);
        if outgoing.send(id).await.is_err() {
            return;
        }
        match rx.await {
            Ok(v) => assert_eq!(v, id * 10),
            Err(_) => return,
        }
        answered.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_mux_client_tcp_pending_map_no_borrow");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("an address");
    peeps::spawn_named("echo-server", serve(listener));
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (read, write) = stream.into_split();
    let (outgoing, outgoing_rx) = mpsc::channel_named("outgoing", 16);
    let pending: Pending = Arc::default();
    peeps::spawn_named("mux-writer", write_requests(outgoing_rx, write));
    peeps::spawn_named("mux-reader", read_replies(read, pending.clone()));
    let next_id = Arc::new(AtomicU64::new(0));
    let answered = Arc::new(AtomicU64::new(0));
    for name in ["caller-1", "caller-2", "caller-3", "caller-4"] {
        peeps::spawn_named(
            name,
            call_loop(
                outgoing.clone(),
                pending.clone(),
                next_id.clone(),
                answered.clone(),
            ),
        );
    }
    drop(outgoing);
    let seen = answered.clone();
    ready_when(move |g| {
        seen.load(Ordering::Relaxed) >= 4 && waited_on_for(g, NodeKind::Channel, "reply", "recv")
    });
    examples::park().await
}
