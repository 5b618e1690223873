//! Healthy, under steady load: a line-based TCP key-value server on
//! 127.0.0.1 (tokio::net), its state an `Arc<peeps::sync::Mutex<HashMap>>`
//! named `store`, one plain `tokio::spawn` handler per connection, and four
//! in-process clients (plain `tokio::spawn`) hammering it with `SET`/`GET`
//! forever. A plain `tokio::spawn` snapshotter locks `store` every 2 s and
//! keeps it for 1.2 s while it "writes the snapshot" (a sleep), so the
//! handlers genuinely wait on `store` past the settle time, again and again.
//! Multi-thread runtime.
//!
//! Expected, at any moment and in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock (one lock only). Long waits on `store`
//! (held by the snapshotter) are honest when a dump lands in a snapshot.

use examples::ready_when;
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

type Store = Arc<Mutex<HashMap<String, String>>>;

async fn handle(stream: TcpStream, store: Store, served: Arc<AtomicU64>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let mut parts = line.splitn(3, ' ');
        let reply = match (parts.next(), parts.next(), parts.next()) {
            (Some("SET"), Some(k), Some(v)) => {
                store.lock().await.insert(k.to_owned(), v.to_owned());
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
    peeps::install_sigusr1("soak_tcp_kv_server");
    let store: Store = Arc::new(Mutex::new(HashMap::new()).named("store"));
    let served = Arc::new(AtomicU64::new(0));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("an address");
    let snap_store = store.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(800)).await;
            let map = snap_store.lock().await;
            // Writing the snapshot out, slowly, under the lock.
            tokio::time::sleep(Duration::from_millis(1200)).await;
            println!("snapshot of {} keys", map.len());
        }
    });
    for id in 1..=4 {
        tokio::spawn(client(id, addr));
    }
    let seen = served.clone();
    ready_when(move |_| seen.load(Ordering::Relaxed) > 200);
    loop {
        let (stream, _) = listener.accept().await.expect("accept");
        tokio::spawn(handle(stream, store.clone(), served.clone()));
    }
}
