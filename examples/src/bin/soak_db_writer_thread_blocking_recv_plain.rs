//! Healthy, idle after a burst: an embedded database (SQLite-style) with a
//! single writer on a dedicated `std::thread` and reads on
//! `spawn_blocking`. Connection handlers are `#[peeps::instrument]` fns
//! under plain `tokio::spawn`; `main` runs the accept loop itself.
//!
//! The database's connection is `db-conn`, a `peeps::sync::blocking::Mutex`
//! (parking_lot). Writes go through `writes` (an `mpsc` of 16, its sender
//! kept in an `Arc<AppState>`) to the `db-writer` thread, which parks in
//! `blocking_recv`, applies each write under `db-conn` and acks it on a
//! `oneshot`. Reads run `spawn_blocking(|| db.conn.lock().get(..))`. A
//! checkpoint task (plain) locks `db-conn` on `spawn_blocking` for 20 ms
//! every 300 ms. Four clients of a line server on 127.0.0.1 send 20
//! `PUT`/`GET`s each, then keep their connection open, idle; the writer
//! thread then waits, parked, for the next write.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock (the parked writer is released by any handler,
//! each waiting on its socket).

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{blocking, mpsc, oneshot};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

struct Db {
    conn: blocking::Mutex<HashMap<String, String>>,
}

struct Write {
    key: String,
    value: String,
    ack: oneshot::Sender<()>,
}

struct AppState {
    db: Arc<Db>,
    writes: mpsc::Sender<Write>,
}

fn writer_thread(db: Arc<Db>, mut writes: mpsc::Receiver<Write>) {
    while let Some(Write { key, value, ack }) = writes.blocking_recv() {
        let mut conn = db.conn.lock();
        conn.insert(key, value);
        // fsync of the WAL.
        std::thread::sleep(Duration::from_millis(1));
        drop(conn);
        let _ = ack.send(());
    }
}

#[peeps::instrument]
async fn handle_conn(socket: TcpStream, state: Arc<AppState>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let mut words = line.split_whitespace();
        let out = match (words.next(), words.next(), words.next()) {
            (Some("PUT"), Some(k), Some(v)) => {
                let (ack, acked) = oneshot::channel_named("write-ack");
                let w = Write {
                    key: k.to_owned(),
                    value: v.to_owned(),
                    ack,
                };
                if state.writes.send(w).await.is_err() || acked.await.is_err() {
                    "ERR".to_owned()
                } else {
                    "OK".to_owned()
                }
            }
            (Some("GET"), Some(k), None) => {
                let db = state.db.clone();
                let k = k.to_owned();
                tokio::task::spawn_blocking(move || db.conn.lock().get(&k).cloned())
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| "NIL".to_owned())
            }
            _ => "ERR".to_owned(),
        };
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
            format!("PUT k{id}-{n} v{n}\n")
        } else {
            format!("GET k{id}-{}\n", n - 1)
        };
        write.write_all(cmd.as_bytes()).await.expect("write");
        lines.next_line().await.expect("read").expect("an answer");
    }
    done.fetch_add(1, Ordering::Relaxed);
    let _ = lines.next_line().await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_db_writer_thread_blocking_recv_plain");
    let db = Arc::new(Db {
        conn: blocking::Mutex::new(HashMap::new()).named("db-conn"),
    });
    let (writes, rx) = mpsc::channel_named("writes", 16);
    let writer_db = db.clone();
    std::thread::Builder::new()
        .name("db-writer".into())
        .spawn(move || writer_thread(writer_db, rx))
        .expect("spawn the writer");
    let state = Arc::new(AppState { db, writes });

    let checkpoint_db = state.db.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(300));
        loop {
            tick.tick().await;
            let db = checkpoint_db.clone();
            let _ = tokio::task::spawn_blocking(move || {
                let conn = db.conn.lock();
                std::thread::sleep(Duration::from_millis(20));
                conn.len()
            })
            .await;
        }
    });

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("bound");
    let done = Arc::new(AtomicU64::new(0));
    for id in 0..4 {
        tokio::spawn(client(addr, id, done.clone()));
    }
    ready_when(move |g| {
        done.load(Ordering::Relaxed) == 4 && waited_on_for(g, NodeKind::Channel, "writes", "recv")
    });
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(handle_conn(socket, state.clone()));
    }
}
