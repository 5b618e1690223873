//! Healthy, parked in a legitimately waiting state: a mini-redis-shaped
//! TCP server after a burst of traffic. `#[tokio::main]` runs the accept
//! loop on 127.0.0.1 in `main` itself, spawning a plain `tokio::spawn`
//! handler per connection with a `broadcast` shutdown receiver
//! (`shutdown`, its sender kept by `main` for ctrl-c) and a clone of the
//! `shutdown-complete` mpsc sender (dropped when the handler ends). Each
//! handler `select!`s a line read against `shutdown.recv()`, serves GET
//! and SET on a shared `db` mutex and publishes each SET on an `events`
//! mpsc read by a stats task that locks `stats`. A purge task waits on a
//! `Notify` for keys with a deadline. No peeps annotation at all.
//!
//! Four in-process clients, plain tasks too, send 40 commands each over
//! about 400 ms, then keep their connections open and wait for a server
//! push that never comes (a read). Then everything is idle: `main` on
//! accept, handlers on their sockets and `shutdown`, the stats task on
//! `events` (its senders with the idle handlers), the purge task on its
//! `Notify`, the clients on their sockets.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Notify, broadcast, mpsc};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

struct Db {
    entries: Mutex<HashMap<String, String>>,
    expirations: Notify,
}

async fn handle(
    socket: TcpStream,
    db: Arc<Db>,
    events: mpsc::Sender<String>,
    mut shutdown: broadcast::Receiver<()>,
    _complete: mpsc::Sender<()>,
) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    loop {
        let line = tokio::select! {
            line = lines.next_line() => line,
            _ = shutdown.recv() => return,
        };
        let Ok(Some(line)) = line else { return };
        let mut parts = line.splitn(3, ' ');
        let reply = match (parts.next(), parts.next(), parts.next()) {
            (Some("SET"), Some(k), Some(v)) => {
                db.entries.lock().await.insert(k.to_owned(), v.to_owned());
                if k.starts_with("ttl") {
                    db.expirations.notify_one();
                }
                let _ = events.send(k.to_owned()).await;
                "OK".to_owned()
            }
            (Some("GET"), Some(k), _) => {
                db.entries.lock().await.get(k).cloned().unwrap_or_default()
            }
            _ => "ERR".to_owned(),
        };
        if write
            .write_all(format!("{reply}\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

async fn client(addr: std::net::SocketAddr, id: u64, done: Arc<AtomicU64>) {
    let socket = TcpStream::connect(addr).await.expect("connect");
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    for n in 0..40u64 {
        let cmd = if n % 3 == 0 {
            format!("SET key{} v{n}\n", (n + id) % 10)
        } else {
            format!("GET key{}\n", (n * 7 + id) % 10)
        };
        write.write_all(cmd.as_bytes()).await.expect("write");
        lines.next_line().await.expect("read").expect("a reply");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    done.fetch_add(1, Ordering::Relaxed);
    // Keep the connection open, waiting for a push from the server.
    let mut rest = Vec::new();
    let _ = lines.into_inner().read_to_end(&mut rest).await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("idle_tcp_server_after_burst");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let db = Arc::new(Db {
        entries: Mutex::new(HashMap::new()).named("db"),
        expirations: Notify::new().named("expirations"),
    });
    let (notify_shutdown, _) = broadcast::channel::<()>(1);
    let notify_shutdown = notify_shutdown.named("shutdown");
    let (complete_tx, _complete_rx) = mpsc::channel::<()>(1);
    let complete_tx = complete_tx.named("shutdown-complete");
    let (events_tx, mut events_rx) = mpsc::channel::<String>(64);
    let events_tx = events_tx.named("events");
    let stats = Arc::new(Mutex::new(HashMap::<String, u64>::new()).named("stats"));
    {
        let stats = stats.clone();
        tokio::spawn(async move {
            while let Some(key) = events_rx.recv().await {
                *stats.lock().await.entry(key).or_default() += 1;
            }
        });
    }
    {
        let db = db.clone();
        tokio::spawn(async move {
            loop {
                db.expirations.notified().await;
                db.entries.lock().await.retain(|k, _| !k.starts_with("ttl"));
            }
        });
    }
    let done = Arc::new(AtomicU64::new(0));
    for id in 0..4 {
        tokio::spawn(client(addr, id, done.clone()));
    }
    ready_when(move |g| {
        done.load(Ordering::Relaxed) == 4 && waited_on(g, NodeKind::Notify, "expirations")
    });
    loop {
        let (socket, _) = listener.accept().await.expect("accept");
        tokio::spawn(handle(
            socket,
            db.clone(),
            events_tx.clone(),
            notify_shutdown.subscribe(),
            complete_tx.clone(),
        ));
    }
}
