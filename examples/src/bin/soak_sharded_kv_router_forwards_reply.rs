//! Healthy, idle after a burst: a sharded key-value store of actors, the
//! router forwarding each command — its `oneshot` reply sender inside —
//! to the shard that owns the key. Every task of the service is
//! `peeps::spawn_named`; the clients are plain `tokio::spawn`.
//!
//! `kv-router` reads `router-inbox` (capacity 16) and forwards each
//! command into one of four `shard-inbox` channels (capacity 8; the
//! senders kept in a `Vec` in the router's state); each `kv-shard-N` owns
//! a `HashMap` and answers on the command's oneshot. A line server on
//! 127.0.0.1 (`kv-acceptor`, a `kv-conn` per connection, each with a
//! clone of the router's sender in a `KvHandle`) turns `SET k v` and
//! `GET k` into calls. A `kv-compactor` sends a `Compact` to every shard
//! through the router every 500 ms and awaits each ack. Four clients
//! send 20 commands each, then keep their connection open, idle. `main`
//! awaits the acceptor's `JoinHandle`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock (the shards wait on the router, the router on
//! connections that wait on their sockets and on the compactor's timer).

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const SHARDS: usize = 4;

enum Command {
    Get {
        key: String,
        reply: oneshot::Sender<Option<String>>,
    },
    Set {
        key: String,
        value: String,
        reply: oneshot::Sender<Option<String>>,
    },
    Compact {
        shard: usize,
        reply: oneshot::Sender<usize>,
    },
}

fn shard_of(key: &str) -> usize {
    key.bytes().map(usize::from).sum::<usize>() % SHARDS
}

async fn shard(mut inbox: mpsc::Receiver<Command>) {
    let mut map: HashMap<String, String> = HashMap::new();
    while let Some(cmd) = inbox.recv().await {
        match cmd {
            Command::Get { key, reply } => {
                let _ = reply.send(map.get(&key).cloned());
            }
            Command::Set { key, value, reply } => {
                let _ = reply.send(map.insert(key, value));
            }
            Command::Compact { reply, .. } => {
                map.shrink_to_fit();
                let _ = reply.send(map.len());
            }
        }
    }
}

async fn router(mut inbox: mpsc::Receiver<Command>, shards: Vec<mpsc::Sender<Command>>) {
    while let Some(cmd) = inbox.recv().await {
        let to = match &cmd {
            Command::Get { key, .. } | Command::Set { key, .. } => shard_of(key),
            Command::Compact { shard, .. } => *shard,
        };
        if shards[to].send(cmd).await.is_err() {
            return;
        }
    }
}

#[derive(Clone)]
struct KvHandle {
    router: mpsc::Sender<Command>,
}

impl KvHandle {
    async fn get(&self, key: String) -> Option<String> {
        let (reply, answer) = oneshot::channel_named("kv-reply");
        self.router.send(Command::Get { key, reply }).await.ok()?;
        answer.await.ok().flatten()
    }

    async fn set(&self, key: String, value: String) -> Option<String> {
        let (reply, answer) = oneshot::channel_named("kv-reply");
        self.router
            .send(Command::Set { key, value, reply })
            .await
            .ok()?;
        answer.await.ok().flatten()
    }

    async fn compact(&self, shard: usize) -> Option<usize> {
        let (reply, answer) = oneshot::channel_named("compact-ack");
        self.router
            .send(Command::Compact { shard, reply })
            .await
            .ok()?;
        answer.await.ok()
    }
}

async fn conn(socket: TcpStream, kv: KvHandle) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let mut words = line.split_whitespace();
        let answer = match (words.next(), words.next(), words.next()) {
            (Some("GET"), Some(k), None) => kv.get(k.to_owned()).await,
            (Some("SET"), Some(k), Some(v)) => kv.set(k.to_owned(), v.to_owned()).await,
            _ => Some("ERR".to_owned()),
        };
        let out = answer.unwrap_or_else(|| "NIL".to_owned());
        if write
            .write_all(format!("{out}\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

async fn client(addr: SocketAddr, id: u64, done: Arc<AtomicU64>) {
    let socket = TcpStream::connect(addr).await.expect("connect");
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    for n in 0..20u64 {
        let cmd = if n % 2 == 0 {
            format!("SET user{id}-{n} v{n}\n")
        } else {
            format!("GET user{id}-{}\n", n - 1)
        };
        write.write_all(cmd.as_bytes()).await.expect("write");
        lines.next_line().await.expect("read").expect("an answer");
    }
    done.fetch_add(1, Ordering::Relaxed);
    let _ = lines.next_line().await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_sharded_kv_router_forwards_reply");
    let mut shard_senders = Vec::new();
    for i in 0..SHARDS {
        let (tx, rx) = mpsc::channel_named("shard-inbox", 8);
        peeps::spawn_named(format!("kv-shard-{i}"), shard(rx));
        shard_senders.push(tx);
    }
    let (router_tx, router_rx) = mpsc::channel_named("router-inbox", 16);
    peeps::spawn_named("kv-router", router(router_rx, shard_senders));
    let kv = KvHandle { router: router_tx };

    let compactor = kv.clone();
    peeps::spawn_named("kv-compactor", async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tick.tick().await;
            for s in 0..SHARDS {
                let _ = compactor.compact(s).await;
            }
        }
    });

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("bound");
    let acceptor = peeps::spawn_named("kv-acceptor", async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                continue;
            };
            peeps::spawn_named("kv-conn", conn(socket, kv.clone()));
        }
    });

    let done = Arc::new(AtomicU64::new(0));
    for id in 0..4 {
        tokio::spawn(client(addr, id, done.clone()));
    }
    ready_when(move |g| {
        done.load(Ordering::Relaxed) == 4 && waited_on(g, NodeKind::Channel, "router-inbox")
    });
    let _ = acceptor.await;
}
