//! Healthy, idle between rare events: a process-wide event bus in a
//! `static OnceLock<mpsc::Sender<Event>>`, as many services keep their
//! audit or alert log. Every task is `peeps::spawn_named`.
//!
//! The `event-log` task makes the bus, sends itself a `Started` event,
//! publishes the sender in the static and then writes every event it
//! receives. A line-echo server on 127.0.0.1 serves four in-process
//! clients; a handler publishes on the bus only for a request slower
//! than 5 s (never, here), and a `config-reloader` publishes a `Reloaded`
//! event every 10 minutes. The clients echo a line every 50 ms.
//!
//! Nobody but the log has used the bus yet, and the log waits on it: the
//! sender is in the static, where any task can reach it.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

enum Event {
    Started,
    SlowRequest(Duration),
    Reloaded(u64),
}

static BUS: OnceLock<mpsc::Sender<Event>> = OnceLock::new();
static ECHOED: AtomicU64 = AtomicU64::new(0);
static LOGGED: AtomicU64 = AtomicU64::new(0);

async fn publish(event: Event) {
    if let Some(bus) = BUS.get() {
        let _ = bus.send(event).await;
    }
}

async fn event_log() {
    let (tx, mut rx) = mpsc::channel_named("event-bus", 256);
    tx.send(Event::Started)
        .await
        .expect("the log holds the receiver");
    BUS.set(tx).expect("the bus is made once");
    while let Some(event) = rx.recv().await {
        LOGGED.fetch_add(1, Ordering::Relaxed);
        let line = match event {
            Event::Started => "started".to_owned(),
            Event::SlowRequest(took) => format!("slow request: {took:?}"),
            Event::Reloaded(generation) => format!("config generation {generation}"),
        };
        std::hint::black_box(line);
    }
}

async fn handle(socket: TcpStream, hits: std::sync::Arc<Mutex<u64>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let started = Instant::now();
        *hits.lock().await += 1;
        if write
            .write_all(format!("{line}\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
        let took = started.elapsed();
        if took > Duration::from_secs(5) {
            publish(Event::SlowRequest(took)).await;
        }
    }
}

async fn client(addr: SocketAddr) {
    let socket = TcpStream::connect(addr).await.expect("connect");
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    for n in 0u64.. {
        write
            .write_all(format!("ping {n}\n").as_bytes())
            .await
            .expect("write");
        lines.next_line().await.expect("read").expect("an echo");
        ECHOED.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_static_event_bus_oncelock");
    peeps::spawn_named("event-log", event_log());
    peeps::spawn_named("config-reloader", async {
        for generation in 1u64.. {
            tokio::time::sleep(Duration::from_secs(600)).await;
            publish(Event::Reloaded(generation)).await;
        }
    });
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("an address");
    let listener = TcpListener::bind(addr).await.expect("bind");
    let addr = listener.local_addr().expect("bound");
    let hits = std::sync::Arc::new(Mutex::new(0u64));
    peeps::spawn_named("acceptor", async move {
        loop {
            let (socket, _) = listener.accept().await.expect("accept");
            peeps::spawn_named("conn", handle(socket, hits.clone()));
        }
    });
    for i in 0..4 {
        peeps::spawn_named(format!("client-{i}"), client(addr));
    }
    ready_when(|g| {
        ECHOED.load(Ordering::Relaxed) >= 40
            && LOGGED.load(Ordering::Relaxed) >= 1
            && waited_on(g, NodeKind::Channel, "event-bus")
    });
    park().await
}
