//! Healthy, under steady load: a TCP line-protocol key-value server on
//! 127.0.0.1 with its clients in the same process, everything spawned
//! with plain `tokio::spawn`.
//!
//! The server keeps `kv` (a peeps `RwLock<HashMap>`), `conns` (a peeps
//! `RwLock<HashMap<id, Arc<Mutex<OwnedWriteHalf>>>>`, each connection's
//! write half behind a `conn-writer` mutex) and `kv-events` (a
//! `broadcast`). One task per connection `select!`s its next line against
//! `kv-events`: `SET k v` write-locks `kv` and announces the change on
//! `kv-events`; `GET k` read-locks `kv`; `SAY msg` read-locks `conns` and,
//! holding it, writes the message to every connection in turn, each under
//! its `conn-writer` (held across the `write_all`); every reply and event
//! goes out under the connection's own `conn-writer`. Locks are always
//! taken `conns` before `conn-writer`. The accept loop write-locks `conns`
//! to register a connection, a leaving connection to remove itself. Five
//! clients connect, send 150 commands 8 ms apart, and reconnect; a reader
//! task per client connection reads every line.
//!
//! Every task spends most of its time in socket reads and writes peeps
//! cannot see. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, RwLock, broadcast};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};

type Writer = Arc<Mutex<OwnedWriteHalf>>;

struct Server {
    kv: RwLock<HashMap<String, String>>,
    conns: RwLock<HashMap<u64, Writer>>,
    events: broadcast::Sender<String>,
}

async fn handle(id: u64, socket: TcpStream, server: Arc<Server>) {
    let (read, write) = socket.into_split();
    let writer: Writer = Arc::new(Mutex::new(write).named("conn-writer"));
    server.conns.write().await.insert(id, writer.clone());
    let mut events = server.events.subscribe();
    let mut lines = BufReader::new(read).lines();
    loop {
        tokio::select! {
            line = lines.next_line() => {
                let Ok(Some(line)) = line else { break };
                let mut words = line.splitn(3, ' ');
                let reply = match (words.next(), words.next(), words.next()) {
                    (Some("SET"), Some(key), Some(value)) => {
                        server.kv.write().await.insert(key.to_string(), value.to_string());
                        let _ = server.events.send(format!("changed {key}"));
                        "OK".to_string()
                    }
                    (Some("GET"), Some(key), None) => server
                        .kv
                        .read()
                        .await
                        .get(key)
                        .cloned()
                        .unwrap_or_else(|| "NIL".to_string()),
                    (Some("SAY"), Some(first), rest) => {
                        let msg = format!("MSG {id} {first} {}\n", rest.unwrap_or(""));
                        let conns = server.conns.read().await;
                        for other in conns.values() {
                            let _ = other.lock().await.write_all(msg.as_bytes()).await;
                        }
                        format!("SENT {}", conns.len())
                    }
                    _ => "ERR".to_string(),
                };
                let mut w = writer.lock().await;
                if w.write_all(format!("{reply}\n").as_bytes()).await.is_err() {
                    break;
                }
            }
            event = events.recv() => match event {
                Ok(event) => {
                    let mut w = writer.lock().await;
                    if w.write_all(format!("EVENT {event}\n").as_bytes()).await.is_err() {
                        break;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => break,
            },
        }
    }
    server.conns.write().await.remove(&id);
}

async fn client(n: u64, addr: SocketAddr, lines_read: Arc<AtomicU64>) {
    for round in 0u64.. {
        let Ok(socket) = TcpStream::connect(addr).await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let (read, mut write) = socket.into_split();
        let counter = lines_read.clone();
        let reader = tokio::spawn(async move {
            let mut lines = BufReader::new(read).lines();
            while let Ok(Some(_)) = lines.next_line().await {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        });
        for i in 0u64..150 {
            let key = (n * 7 + i) % 13;
            let command = match i % 5 {
                0 | 1 => format!("SET k{key} v{round}.{i}\n"),
                2 | 3 => format!("GET k{key}\n"),
                _ => format!("SAY hello from {n}\n"),
            };
            if write.write_all(command.as_bytes()).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(8)).await;
        }
        drop(write);
        let _ = reader.await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_tcp_line_server_registry_broadcast_plain");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("an address");
    let (events, _) = broadcast::channel_named("kv-events", 64);
    let server = Arc::new(Server {
        kv: RwLock::new(HashMap::new()).named("kv"),
        conns: RwLock::new(HashMap::new()).named("conns"),
        events,
    });
    tokio::spawn(async move {
        let mut next_id = 0u64;
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                continue;
            };
            next_id += 1;
            tokio::spawn(handle(next_id, socket, server.clone()));
        }
    });
    let lines_read = Arc::new(AtomicU64::new(0));
    for n in 0..5 {
        tokio::spawn(client(n, addr, lines_read.clone()));
    }
    ready_when(move |g| {
        let writers = g
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Mutex && n.name == "conn-writer")
            .count();
        writers >= 5 && lines_read.load(Ordering::Relaxed) > 1000
    });
    park().await
}
