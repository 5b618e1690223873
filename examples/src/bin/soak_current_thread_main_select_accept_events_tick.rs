//! Healthy: a small TCP service on a current-thread runtime
//! (`#[tokio::main(flavor = "current_thread")]`). `main` loops on
//! `tokio::select!` over `listener.accept()` on 127.0.0.1, the receive of
//! an `events` `mpsc` (capacity 16) and a 100 ms `interval` tick. Each
//! accepted connection gets a plain `tokio::spawn` handler that reads
//! lines, records the session under a `Mutex<HashMap>` `sessions`, sends an
//! event (its own clone of the sender) and writes a reply. Plain client
//! tasks connect, send three lines 20-40 ms apart, read the replies and
//! reconnect. On each tick `main` locks `sessions` and prunes closed ones.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::ready_when;
use peeps::sync::{Mutex, mpsc};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

async fn client(addr: std::net::SocketAddr, id: u64) {
    loop {
        let Ok(sock) = TcpStream::connect(addr).await else {
            return;
        };
        let (r, mut w) = sock.into_split();
        let mut lines = BufReader::new(r).lines();
        for n in 0..3u64 {
            tokio::time::sleep(Duration::from_millis(20 + (id * 7 + n * 5) % 20)).await;
            if w.write_all(format!("hello {id} {n}\n").as_bytes())
                .await
                .is_err()
            {
                break;
            }
            if !matches!(lines.next_line().await, Ok(Some(_))) {
                break;
            }
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_current_thread_main_select_accept_events_tick");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let sessions: Arc<Mutex<HashMap<u64, bool>>> = Arc::new(Mutex::new(HashMap::new()));
    let (events_tx, mut events) = mpsc::channel::<(u64, usize)>(16);
    for id in 0..4 {
        tokio::spawn(client(addr, id));
    }
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let (mut next_id, mut seen, mut pruned) = (0u64, 0usize, 0usize);
    let mut said_ready = false;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((sock, _)) = accepted else { continue };
                next_id += 1;
                let id = next_id;
                let sessions = sessions.clone();
                let events = events_tx.clone();
                tokio::spawn(async move {
                    let (r, mut w) = sock.into_split();
                    let mut lines = BufReader::new(r).lines();
                    while let Ok(Some(line)) = lines.next_line().await {
                        sessions.lock().await.insert(id, true);
                        if events.send((id, line.len())).await.is_err() {
                            break;
                        }
                        if w.write_all(b"ok\n").await.is_err() {
                            break;
                        }
                    }
                    sessions.lock().await.insert(id, false);
                });
            }
            Some((_, len)) = events.recv() => seen += len,
            _ = tick.tick() => {
                let mut s = sessions.lock().await;
                let before = s.len();
                s.retain(|_, open| *open);
                pruned += before - s.len();
                if !said_ready && pruned > 0 {
                    said_ready = true;
                    println!("seen {seen} bytes");
                    ready_when(|_| true);
                }
            }
        }
    }
}
