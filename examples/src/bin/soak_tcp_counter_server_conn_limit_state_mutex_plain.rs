//! Healthy, under steady load: a line-protocol counter server on
//! 127.0.0.1 (`tokio::net`). The plain accept loop takes an owned permit
//! of a connection-limit `Semaphore` (3) *before* `accept()`, and moves
//! it into a plain per-connection task; with eight plain clients and room
//! for three, the accept loop mostly waits for a permit whose holders
//! wait on their sockets. A connection reads `INCR key` / `GET key`
//! lines, answers each under the shared `Mutex<HashMap>` of counters
//! (locked per line, never across I/O) and ends when its client hangs up;
//! each client sends 15 requests 4 ms apart, keeps the
//! connection idle for 400 ms, hangs up and reconnects. A plain
//! stats task locks the counters every 50 ms and holds them across a
//! 5 ms "snapshot write". Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, Semaphore};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_tcp_counter_server_conn_limit_state_mutex_plain");
    let counters = Arc::new(Mutex::new(HashMap::<String, u64>::new()));
    let limit = Arc::new(Semaphore::new(3));
    let answered = Arc::new(AtomicU64::new(0));
    let sessions = Arc::new(AtomicU64::new(0));

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");

    let (c, l, sess) = (counters.clone(), limit.clone(), sessions.clone());
    tokio::spawn(async move {
        loop {
            let permit = l.clone().acquire_owned().await.expect("open");
            let Ok((sock, _)) = listener.accept().await else {
                continue;
            };
            let c = c.clone();
            sess.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                let _permit = permit;
                let (rd, mut wr) = sock.into_split();
                let mut lines = BufReader::new(rd).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    let reply = {
                        let mut map = c.lock().await;
                        match line.split_once(' ') {
                            Some(("INCR", key)) => {
                                let v = map.entry(key.to_owned()).or_default();
                                *v += 1;
                                *v
                            }
                            Some(("GET", key)) => map.get(key).copied().unwrap_or(0),
                            _ => 0,
                        }
                    };
                    if wr.write_all(format!("{reply}\n").as_bytes()).await.is_err() {
                        break;
                    }
                }
            });
        }
    });

    for client in 0..8u64 {
        let a = answered.clone();
        tokio::spawn(async move {
            loop {
                let Ok(sock) = TcpStream::connect(addr).await else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let (rd, mut wr) = sock.into_split();
                let mut replies = BufReader::new(rd).lines();
                for n in 0..15u64 {
                    tokio::time::sleep(Duration::from_millis(4)).await;
                    let cmd = if n.is_multiple_of(3) { "GET" } else { "INCR" };
                    let req = format!("{cmd} key{}\n", (client + n) % 5);
                    if wr.write_all(req.as_bytes()).await.is_err() {
                        break;
                    }
                    match replies.next_line().await {
                        Ok(Some(_)) => {
                            a.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => break,
                    }
                }
                // Keep-alive: idle a while before hanging up.
                tokio::time::sleep(Duration::from_millis(400)).await;
            }
        });
    }

    let c = counters.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let map = c.lock().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
            let _ = map.len();
        }
    });

    ready_when(move |_| {
        sessions.load(Ordering::Relaxed) >= 10 && answered.load(Ordering::Relaxed) >= 60
    });
    park().await
}
