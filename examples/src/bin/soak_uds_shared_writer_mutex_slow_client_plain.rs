//! Healthy, under sustained backpressure: a request/response server over
//! a Unix socket whose responses go out through one shared write half,
//! and a client that reads them slowly.
//!
//! The server's `uds-reader` (`peeps::spawn_named`) reads request lines;
//! for each it takes an owned permit of `inflight` (a peeps `Semaphore`
//! of 6) and starts a handler with plain `tokio::spawn` that works for
//! 5-40 ms, then locks `uds-writer` (a peeps
//! `Arc<Mutex<OwnedWriteHalf>>`) and, holding it, writes a 4 KiB response
//! with `write_all`, then lets the permit go. The client's writer (plain
//! `tokio::spawn`) sends a request every millisecond; its `client-reader`
//! (`peeps::spawn_named`) reads a response line, then sleeps 15 ms.
//!
//! The socket's buffer fills: the handler holding `uds-writer` waits in
//! `write_all` (peeps cannot see it), the other handlers wait for
//! `uds-writer`, the reader for `inflight`, the client's writer in its
//! own `write_all`. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when, waited_on, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{UnixListener, UnixStream};

async fn serve(read: OwnedReadHalf, writer: Arc<Mutex<OwnedWriteHalf>>, inflight: Arc<Semaphore>) {
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let Ok(id) = line.trim_start_matches("REQ ").parse::<u64>() else {
            continue;
        };
        let permit = inflight
            .clone()
            .acquire_owned()
            .await
            .expect("never closed");
        let writer = writer.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(5 + (id * 37) % 35)).await;
            let body = format!("RESP {id} {}\n", "y".repeat(4096));
            let mut w = writer.lock().await;
            let _ = w.write_all(body.as_bytes()).await;
            drop(w);
            drop(permit);
        });
    }
}

async fn read_responses(read: OwnedReadHalf, answered: Arc<AtomicU64>) {
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(_)) = lines.next_line().await {
        answered.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_uds_shared_writer_mutex_slow_client_plain");
    let path = std::env::temp_dir().join(format!("peeps-uds-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path).expect("bind");
    let client = UnixStream::connect(&path).await.expect("connect");
    let (server, _) = listener.accept().await.expect("accept");
    std::fs::remove_file(&path).expect("unlink");
    let (server_read, server_write) = server.into_split();
    let writer = Arc::new(Mutex::new(server_write).named("uds-writer"));
    let inflight = Arc::new(Semaphore::new(6).named("inflight"));
    peeps::spawn_named("uds-reader", serve(server_read, writer, inflight));
    let (client_read, mut client_write) = client.into_split();
    let answered = Arc::new(AtomicU64::new(0));
    peeps::spawn_named(
        "client-reader",
        read_responses(client_read, answered.clone()),
    );
    tokio::spawn(async move {
        for id in 0u64.. {
            if client_write
                .write_all(format!("REQ {id}\n").as_bytes())
                .await
                .is_err()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    });
    ready_when(move |g| {
        answered.load(Ordering::Relaxed) >= 20
            && waiters(g, NodeKind::Mutex, "uds-writer") >= 3
            && waited_on(g, NodeKind::Semaphore, "inflight")
    });
    park().await
}
