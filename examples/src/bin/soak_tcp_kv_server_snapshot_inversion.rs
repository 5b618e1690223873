//! Deadlock, under steady load (the twin of `soak_tcp_kv_server`): the
//! same TCP key-value server, with a `journal` mutex added. A `SET`
//! handler locks `store`, then appends to `journal` while it still holds
//! `store`; the snapshotter (plain `tokio::spawn`) locks `journal` first,
//! writes a header (300 ms), then locks `store`. Under steady traffic a
//! handler soon holds `store` while the snapshotter holds `journal`: both
//! hang, and every other handler queues on `store`. Beside it, an
//! unrelated ping/pong pair of plain tasks keeps bouncing messages over
//! two channels, so the process keeps running traffic. Multi-thread
//! runtime.
//!
//! Expected, once it hangs, in every dump: one `certain` deadlock (plain
//! tasks) of two `tokio task N`: the handler waits on `journal` held by
//! the snapshotter, the snapshotter waits on `store` held by the handler;
//! the other handlers that reached `store` are behind it. No potential
//! deadlock: the snapshotter hangs on its first `journal` → `store`, so
//! that order is never taken to the end and never learned.

use examples::{holders, ready_when, waited_on_for, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

type Store = Arc<Mutex<HashMap<String, String>>>;
type Journal = Arc<Mutex<Vec<String>>>;

async fn handle(stream: TcpStream, store: Store, journal: Journal, served: Arc<AtomicU64>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let mut parts = line.splitn(3, ' ');
        let reply = match (parts.next(), parts.next(), parts.next()) {
            (Some("SET"), Some(k), Some(v)) => {
                let mut map = store.lock().await;
                map.insert(k.to_owned(), v.to_owned());
                // The bug: the journal is appended under `store`.
                journal.lock().await.push(line.clone());
                drop(map);
                "OK".to_owned()
            }
            (Some("GET"), Some(k), None) => {
                let map = store.lock().await;
                map.get(k).cloned().unwrap_or_else(|| "NIL".to_owned())
            }
            _ => "ERR".to_owned(),
        };
        served.fetch_add(1, Ordering::Relaxed);
        if write
            .write_all(format!("{reply}\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

async fn client(id: u64, addr: std::net::SocketAddr) {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    for n in 0u64.. {
        let req = if n % 2 == 0 {
            format!("SET k{} v{n}\n", n % 16)
        } else {
            format!("GET k{}\n", (n + id) % 16)
        };
        write.write_all(req.as_bytes()).await.expect("write");
        lines.next_line().await.expect("read").expect("a reply");
        tokio::time::sleep(Duration::from_millis(5 + id)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_tcp_kv_server_snapshot_inversion");
    let store: Store = Arc::new(Mutex::new(HashMap::new()).named("store"));
    let served = Arc::new(AtomicU64::new(0));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("an address");
    let journal: Journal = Arc::new(Mutex::new(Vec::new()).named("journal"));
    let snap_store = store.clone();
    let snap_journal = journal.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let mut log = snap_journal.lock().await;
            // The header, slowly, under `journal`; then the keys.
            tokio::time::sleep(Duration::from_millis(300)).await;
            let map = snap_store.lock().await;
            println!("snapshot of {} keys after {} writes", map.len(), log.len());
            log.clear();
        }
    });
    let (ping_tx, mut ping_rx) = mpsc::channel_named::<u64>("ping", 1);
    let (pong_tx, mut pong_rx) = mpsc::channel_named::<u64>("pong", 1);
    let bounced = Arc::new(AtomicU64::new(0));
    let pong_bounced = bounced.clone();
    tokio::spawn(async move {
        while let Some(n) = ping_rx.recv().await {
            pong_bounced.fetch_add(1, Ordering::Relaxed);
            if pong_tx.send(n + 1).await.is_err() {
                return;
            }
        }
    });
    tokio::spawn(async move {
        let mut n = 0;
        loop {
            if ping_tx.send(n).await.is_err() {
                return;
            }
            n = pong_rx.recv().await.unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    for id in 1..=4 {
        tokio::spawn(client(id, addr));
    }
    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "journal", "lock")
            && waited_on_for(g, NodeKind::Mutex, "store", "lock")
            && holders(g, NodeKind::Mutex, "journal").len() == 1
            && holders(g, NodeKind::Mutex, "store").len() == 1
            && waiters(g, NodeKind::Mutex, "journal") == 1
            && waiters(g, NodeKind::Mutex, "store") == 4
    });
    loop {
        let (stream, _) = listener.accept().await.expect("accept");
        tokio::spawn(handle(
            stream,
            store.clone(),
            journal.clone(),
            served.clone(),
        ));
    }
}
