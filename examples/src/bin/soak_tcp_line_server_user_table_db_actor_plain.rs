//! Healthy, idle after a burst: a TCP line server on 127.0.0.1 whose
//! connection handlers (plain `tokio::spawn`, one per accepted socket)
//! share an `Arc<AppState>`: a `users` table (`RwLock<HashMap>`), a
//! `metrics` struct (`Mutex`) and the sender of `db-writes`, the inbox of
//! a `db-writer` actor (`peeps::spawn_named`) that answers each write on
//! a `db-ack` oneshot after "fsyncing" it on `spawn_blocking`.
//!
//! A handler reads lines: `SET name age` write-locks `users`, inserts,
//! lets the guard go, sends the write to `db-writer`, then locks
//! `metrics` and keeps it across the ack's await (other handlers queue on
//! `metrics` meanwhile); `GET name` read-locks `users`; every line bumps
//! `metrics` under its lock. Five clients (plain tasks) each send 30 lines, then keep their
//! connection open and quiet for 10 minutes: each handler waits on its
//! socket, `db-writer` on its inbox, the accept loop on the listener.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, RwLock, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct Metrics {
    lines: u64,
    sets: u64,
    gets: u64,
    misses: u64,
    last_seq: u64,
}

struct DbWrite {
    name: String,
    age: u32,
    ack: oneshot::Sender<u64>,
}

struct AppState {
    users: RwLock<HashMap<String, u32>>,
    metrics: Mutex<Metrics>,
    db: mpsc::Sender<DbWrite>,
}

async fn db_writer(mut inbox: mpsc::Receiver<DbWrite>) {
    let mut log_seq = 0u64;
    while let Some(DbWrite { name, age, ack }) = inbox.recv().await {
        let line = format!("{name}={age}");
        // The "fsync": a blocking call, kept off the runtime.
        let written = tokio::task::spawn_blocking(move || {
            std::thread::sleep(Duration::from_millis(2));
            line.len() as u64
        })
        .await
        .unwrap_or(0);
        log_seq += written;
        let _ = ack.send(log_seq);
    }
}

async fn handle(socket: TcpStream, state: Arc<AppState>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        state.metrics.lock().await.lines += 1;
        let mut words = line.split_whitespace();
        let answer = match (words.next(), words.next(), words.next()) {
            (Some("SET"), Some(name), Some(age)) => {
                let age: u32 = age.parse().unwrap_or(0);
                state.users.write().await.insert(name.to_owned(), age);
                let (ack, acked) = oneshot::channel_named("db-ack");
                let _ = state
                    .db
                    .send(DbWrite {
                        name: name.to_owned(),
                        age,
                        ack,
                    })
                    .await;
                // Counted under the lock across the ack, as it is often
                // written: the db writer never takes `metrics`.
                let mut metrics = state.metrics.lock().await;
                metrics.sets += 1;
                metrics.last_seq = acked.await.unwrap_or(0);
                format!("OK {}\n", metrics.last_seq)
            }
            (Some("GET"), Some(name), None) => {
                let age = state.users.read().await.get(name).copied();
                let mut metrics = state.metrics.lock().await;
                metrics.gets += 1;
                match age {
                    Some(age) => format!("{age}\n"),
                    None => {
                        metrics.misses += 1;
                        "NOT FOUND\n".to_owned()
                    }
                }
            }
            _ => "ERR\n".to_owned(),
        };
        if write.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

async fn serve(listener: TcpListener, state: Arc<AppState>) {
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(handle(socket, state.clone()));
    }
}

async fn client(addr: std::net::SocketAddr, id: u32, done: Arc<AtomicU64>) {
    let socket = TcpStream::connect(addr).await.expect("connect");
    let (read, mut write) = socket.into_split();
    let mut replies = BufReader::new(read).lines();
    for n in 0..30u32 {
        let line = if n % 3 == 0 {
            format!("SET user{}-{} {}\n", id, n, 20 + n)
        } else {
            format!("GET user{}-{}\n", (id + n) % 5, n - n % 3)
        };
        write.write_all(line.as_bytes()).await.expect("write");
        std::hint::black_box(replies.next_line().await.expect("reply"));
    }
    done.fetch_add(1, Ordering::Relaxed);
    // Keep the connection open and quiet, as an idle client does.
    tokio::time::sleep(Duration::from_secs(600)).await;
    drop((write, replies));
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_tcp_line_server_user_table_db_actor_plain");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("bound");
    let (db, db_inbox) = mpsc::channel_named("db-writes", 32);
    let state = Arc::new(AppState {
        users: RwLock::new(HashMap::new()).named("users"),
        metrics: Mutex::new(Metrics::default()).named("metrics"),
        db,
    });
    peeps::spawn_named("db-writer", db_writer(db_inbox));
    peeps::spawn_named("accept-loop", serve(listener, state));
    let done = Arc::new(AtomicU64::new(0));
    for id in 0..5 {
        tokio::spawn(client(addr, id, done.clone()));
    }
    ready_when(move |_| done.load(Ordering::Relaxed) == 5);
    park().await
}
