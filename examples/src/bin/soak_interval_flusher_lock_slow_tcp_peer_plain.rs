//! Healthy, under sustained backpressure: a metrics buffer flushed on an
//! `interval` to a TCP collector that reads slowly, the flusher holding
//! the buffer's lock across its socket writes.
//!
//! Four `producer`s (`peeps::spawn_named`) push a 120-byte sample into
//! `samples` (a peeps `Mutex<Vec<String>>`) every 2 ms, dropping it when
//! 2,000 are already buffered. The flusher, a plain `tokio::spawn`, ticks
//! every 100 ms, locks `samples` and, holding it, writes every sample to
//! the collector's socket with `write_all` (send buffer 8 KiB). The
//! collector, a plain `tokio::spawn` with a listener whose accepted
//! sockets have a 4 KiB receive buffer, reads 512 bytes, then sleeps
//! 4 ms, and so on.
//!
//! The flusher spends its time in `write_all` holding `samples`, the
//! producers wait for `samples` for up to seconds, and nothing peeps
//! can see releases them. Expected, in every dump: no deadlock, nothing
//! stuck forever, no potential deadlock.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

const MAX_BUFFERED: usize = 2000;

async fn produce(n: u64, samples: Arc<Mutex<Vec<String>>>, dropped: Arc<AtomicU64>) {
    for i in 0u64.. {
        let sample = format!("host-{n}.cpu.user {i} {}\n", "0".repeat(90));
        {
            let mut samples = samples.lock().await;
            if samples.len() < MAX_BUFFERED {
                samples.push(sample);
            } else {
                dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_interval_flusher_lock_slow_tcp_peer_plain");
    let listen = TcpSocket::new_v4().expect("a socket");
    listen.set_recv_buffer_size(4096).expect("recv buffer");
    listen
        .bind("127.0.0.1:0".parse().expect("an address"))
        .expect("bind");
    let addr = listen.local_addr().expect("an address");
    let listener = listen.listen(16).expect("listen");
    let read_bytes = Arc::new(AtomicU64::new(0));
    let collector_bytes = read_bytes.clone();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("accept");
        let mut buf = [0u8; 512];
        loop {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    collector_bytes.fetch_add(n as u64, Ordering::Relaxed);
                }
            }
            tokio::time::sleep(Duration::from_millis(4)).await;
        }
    });
    let connect = TcpSocket::new_v4().expect("a socket");
    connect.set_send_buffer_size(8192).expect("send buffer");
    let mut socket = connect.connect(addr).await.expect("connect");
    let samples = Arc::new(Mutex::new(Vec::new()).named("samples"));
    let dropped = Arc::new(AtomicU64::new(0));
    for n in 0..4 {
        peeps::spawn_named("producer", produce(n, samples.clone(), dropped.clone()));
    }
    let flushing = samples.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tick.tick().await;
            let mut samples = flushing.lock().await;
            for sample in samples.drain(..) {
                if socket.write_all(sample.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
    });
    ready_when(move |g| {
        read_bytes.load(Ordering::Relaxed) > 100_000 && waiters(g, NodeKind::Mutex, "samples") >= 4
    });
    park().await
}
