//! Healthy, under steady load, written with peeps' own spawns: streaming
//! calls multiplexed over one real TCP connection on 127.0.0.1, the way an
//! HTTP/2-ish client routes frames to streams. Four callers
//! (`peeps::spawn_named("caller-N")`) each, in a loop, open a stream: make
//! an mpsc channel named `stream` (capacity 1), move its sender into a
//! shared stream table (`Arc<std::sync::Mutex<HashMap<u64, Sender>>>`),
//! send the request into `outgoing`, and receive chunks, slowly (600-1000
//! ms each), until the stream closes. `mux-writer` writes each request as
//! a line; `mux-reader` reads frame lines, clones the stream's sender out
//! of the table and `send().await`s the chunk (waiting for a slow caller's
//! room), and on an end frame removes the sender, which closes the stream.
//! The server (`echo-server`, a `stream-answer` task a request, through
//! `server-out` to `server-writer`) sends three chunks, the first after 600-1200 ms, the
//! others 100-300 ms apart,
//! then the end. Every task is peeps': the census counts none unseen.
//! Multi-thread runtime.
//!
//! Each stream's sender is on the heap (the table), the reader sending on
//! clones of it. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock; the reader's waits to send on `stream`
//! are honest long waits, a caller's receive is none.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

type Streams = Arc<std::sync::Mutex<HashMap<u64, mpsc::Sender<u64>>>>;

/// A frame: `id chunk` or `id end`.
#[peeps::instrument]
async fn answer_stream(id: u64, out: mpsc::Sender<String>) {
    for k in 0..3u64 {
        // The first chunk is slow to come (time to first byte).
        let gap = if k == 0 {
            600 + (id * 131) % 600
        } else {
            100 + ((id * 7 + k) * 131) % 200
        };
        tokio::time::sleep(Duration::from_millis(gap)).await;
        if out.send(format!("{id} {}", id * 10 + k)).await.is_err() {
            return;
        }
    }
    let _ = out.send(format!("{id} end")).await;
}

#[peeps::instrument]
async fn server_write(mut out_rx: mpsc::Receiver<String>, mut write: OwnedWriteHalf) {
    while let Some(frame) = out_rx.recv().await {
        if write
            .write_all(format!("{frame}\n").as_bytes())
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
        peeps::spawn_named("stream-answer", answer_stream(id, out.clone()));
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
async fn read_frames(read: OwnedReadHalf, streams: Streams) {
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let (id, rest) = line.split_once(' ').expect("a frame");
        let id: u64 = id.parse().expect("an id");
        if rest == "end" {
            streams.lock().expect("not poisoned").remove(&id);
            continue;
        }
        let chunk: u64 = rest.parse().expect("a chunk");
        let to = streams.lock().expect("not poisoned").get(&id).cloned();
        if let Some(to) = to {
            let _ = to.send(chunk).await;
        }
    }
}

#[peeps::instrument]
async fn call_loop(
    outgoing: mpsc::Sender<u64>,
    streams: Streams,
    next_id: Arc<AtomicU64>,
    chunks: Arc<AtomicU64>,
) {
    loop {
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, mut rx) = mpsc::channel_named("stream", 1);
        streams.lock().expect("not poisoned").insert(id, tx);
        if outgoing.send(id).await.is_err() {
            return;
        }
        let mut k = 0;
        while let Some(chunk) = rx.recv().await {
            assert_eq!(chunk, id * 10 + k);
            k += 1;
            chunks.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(600 + (chunk * 97) % 400)).await;
        }
        assert_eq!(k, 3);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_mux_streams_senders_in_map");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("an address");
    peeps::spawn_named("echo-server", serve(listener));
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (read, write) = stream.into_split();
    let (outgoing, outgoing_rx) = mpsc::channel_named("outgoing", 16);
    let streams: Streams = Arc::default();
    peeps::spawn_named("mux-writer", write_requests(outgoing_rx, write));
    peeps::spawn_named("mux-reader", read_frames(read, streams.clone()));
    let next_id = Arc::new(AtomicU64::new(0));
    let chunks = Arc::new(AtomicU64::new(0));
    for name in ["caller-1", "caller-2", "caller-3", "caller-4"] {
        peeps::spawn_named(
            name,
            call_loop(
                outgoing.clone(),
                streams.clone(),
                next_id.clone(),
                chunks.clone(),
            ),
        );
    }
    drop(outgoing);
    let seen = chunks.clone();
    ready_when(move |g| {
        seen.load(Ordering::Relaxed) >= 8 && waited_on_for(g, NodeKind::Channel, "stream", "send")
    });
    examples::park().await
}
