//! Healthy, under sustained backpressure: a `std::thread` reading a TCP
//! socket with blocking reads and forwarding into a full channel that an
//! async task drains slowly.
//!
//! The `feed` (`peeps::spawn_named`) accepts one connection and writes
//! telemetry lines into it as fast as it can. The `net-reader`, a
//! `std::thread` holding a `std::net::TcpStream`, reads lines with
//! blocking reads, parses each and `blocking_send`s it into `frames` (a
//! peeps mpsc of capacity 8). The `drain` (`peeps::spawn_named`) takes
//! one frame per 20 ms `interval` tick and applies it to `store` (a peeps
//! `RwLock<HashMap>`) under a write lock. `main` read-locks `store` every
//! 300 ms.
//!
//! `frames` stays full: the thread waits in `blocking_send`, the socket's
//! buffers fill and the `feed` waits in `write_all`, which peeps cannot
//! see. Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, mpsc};
use std::collections::HashMap;
use std::io::BufRead;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

struct Frame {
    device: u32,
    temp: i32,
}

async fn feed(listener: TcpListener) {
    let (mut socket, _) = listener.accept().await.expect("accept");
    for n in 0u64.. {
        let line = format!("dev={} temp={}\n", n % 32, (n % 50) as i32 - 10);
        if socket.write_all(line.as_bytes()).await.is_err() {
            return;
        }
    }
}

fn read_socket(addr: std::net::SocketAddr, frames: mpsc::Sender<Frame>) {
    let stream = std::net::TcpStream::connect(addr).expect("connect");
    for line in std::io::BufReader::new(stream).lines() {
        let Ok(line) = line else { return };
        let mut device = 0;
        let mut temp = 0;
        for field in line.split(' ') {
            match field.split_once('=') {
                Some(("dev", v)) => device = v.parse().unwrap_or(0),
                Some(("temp", v)) => temp = v.parse().unwrap_or(0),
                _ => {}
            }
        }
        if frames.blocking_send(Frame { device, temp }).is_err() {
            return;
        }
    }
}

async fn drain(mut frames: mpsc::Receiver<Frame>, store: Arc<RwLock<HashMap<u32, i32>>>) {
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    loop {
        tick.tick().await;
        let Some(frame) = frames.recv().await else {
            return;
        };
        store.write().await.insert(frame.device, frame.temp);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_thread_socket_reader_blocking_send_slow_drain");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("an address");
    peeps::spawn_named("feed", feed(listener));
    let (frames, frames_rx) = mpsc::channel_named("frames", 8);
    std::thread::Builder::new()
        .name("net-reader".into())
        .spawn(move || read_socket(addr, frames))
        .expect("spawn the reader thread");
    let store = Arc::new(RwLock::new(HashMap::new()).named("store"));
    peeps::spawn_named("drain", drain(frames_rx, store.clone()));
    let full = AtomicBool::new(false);
    ready_when(move |g| {
        if waited_on_for(g, NodeKind::Channel, "frames", "send") {
            full.store(true, Ordering::Relaxed);
        }
        full.load(Ordering::Relaxed)
            && examples::attr(g, NodeKind::Channel, "frames", "received").is_some_and(|n| n > 60)
    });
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let store = store.read().await;
        std::hint::black_box(store.len());
    }
}
