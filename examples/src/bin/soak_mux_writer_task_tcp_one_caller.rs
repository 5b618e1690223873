//! Healthy, under steady load, written with peeps' own spawns: a
//! multiplexed RPC client over one real TCP connection on 127.0.0.1, the
//! writer-task shape, used by one task: a single caller
//! (`peeps::spawn_named("caller")`, a sequential client, as a CLI or one
//! stream of work is) in a loop makes a `oneshot` named `reply`, sends a `Call` (an id,
//! a 64-byte payload and the reply sender) into `calls` and awaits the
//! reply. `mux-writer` receives each call, files its reply sender in a
//! shared pending map (`Arc<std::sync::Mutex<HashMap<u64, Sender>>>`),
//! writes the request as a line to the socket (an `.await`) and receives
//! again. `mux-reader` reads the answer lines, takes each sender out of
//! the map and answers. The server (`echo-server`, its answers by
//! `delayed-answer` tasks through `server-out` to `server-writer`)
//! answers each request after 100-1500 ms. Every task is peeps': the
//! census counts none unseen. Multi-thread runtime. The realistic TCP
//! version of `soak_router_pending_map_backend`; `soak_mux_writer_task_tcp`
//! has four callers.
//!
//! Each reply sender is on the heap (the map), not with `mux-writer`: the
//! call's bytes it was moved out of may stay in the writer's state.
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock, and no long wait (a wait on `reply` is a receive,
//! no stall).

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

struct Call {
    id: u64,
    payload: [u8; 64],
    reply: oneshot::Sender<u64>,
}

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
        let id: u64 = line
            .split(' ')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("an id");
        peeps::spawn_named("delayed-answer", answer_later(id, out.clone()));
    }
}

#[peeps::instrument]
async fn write_requests(
    mut calls: mpsc::Receiver<Call>,
    pending: Pending,
    mut write: OwnedWriteHalf,
) {
    while let Some(call) = calls.recv().await {
        pending
            .lock()
            .expect("not poisoned")
            .insert(call.id, call.reply);
        let line = format!("{} {}\n", call.id, call.payload[0]);
        if write.write_all(line.as_bytes()).await.is_err() {
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
async fn call_loop(calls: mpsc::Sender<Call>, next_id: Arc<AtomicU64>, answered: Arc<AtomicU64>) {
    loop {
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        let (reply, answer) = oneshot::channel_named("reply");
        let call = Call {
            id,
            payload: [id as u8; 64],
            reply,
        };
        if calls.send(call).await.is_err() {
            return;
        }
        match answer.await {
            Ok(v) => assert_eq!(v, id * 10),
            Err(_) => return,
        }
        answered.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_mux_writer_task_tcp_one_caller");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("an address");
    peeps::spawn_named("echo-server", serve(listener));
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (read, write) = stream.into_split();
    let (calls, calls_rx) = mpsc::channel_named("calls", 16);
    let pending: Pending = Arc::default();
    peeps::spawn_named(
        "mux-writer",
        write_requests(calls_rx, pending.clone(), write),
    );
    peeps::spawn_named("mux-reader", read_replies(read, pending));
    let next_id = Arc::new(AtomicU64::new(0));
    let answered = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("caller", call_loop(calls, next_id, answered.clone()));
    let seen = answered.clone();
    ready_when(move |g| {
        seen.load(Ordering::Relaxed) >= 2 && waited_on_for(g, NodeKind::Channel, "reply", "recv")
    });
    examples::park().await
}
