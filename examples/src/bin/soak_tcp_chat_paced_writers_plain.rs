//! Healthy, under steady load: a TCP chat server on 127.0.0.1 with a
//! reader task and a paced writer task per connection. Plain
//! `tokio::spawn`, no peeps annotation, no names.
//!
//! `sessions` is an `Arc<Mutex<HashMap<id, mpsc::Sender<String>>>>` of
//! each connection's outbox (bounded, 8). A reader relays every line it
//! reads to every outbox, awaiting each `send` with `sessions` locked (a
//! full outbox makes the relay wait, which is the back-pressure). A
//! writer `select!`s its outbox against a `broadcast` of server notices
//! and writes to its socket, pacing itself (4 ms a line): outboxes fill
//! and relays wait on them. A janitor drops closed outboxes under
//! `sessions` every 300 ms; a notice goes out every 500 ms. Five
//! in-process clients write a line every 15 ms and read everything.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, broadcast, mpsc};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};

type Sessions = Arc<Mutex<HashMap<u64, mpsc::Sender<String>>>>;

async fn writer(
    mut socket: OwnedWriteHalf,
    mut outbox: mpsc::Receiver<String>,
    mut notices: broadcast::Receiver<String>,
) {
    loop {
        let line = tokio::select! {
            line = outbox.recv() => match line {
                Some(line) => line,
                None => return,
            },
            notice = notices.recv() => match notice {
                Ok(notice) => notice,
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            },
        };
        if socket.write_all(line.as_bytes()).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(4)).await;
    }
}

async fn reader(
    id: u64,
    socket: TcpStream,
    sessions: Sessions,
    notices: broadcast::Sender<String>,
) {
    let (read, write) = socket.into_split();
    let (outbox, rx) = mpsc::channel(8);
    tokio::spawn(writer(write, rx, notices.subscribe()));
    sessions.lock().await.insert(id, outbox);
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let sessions = sessions.lock().await;
        for outbox in sessions.values() {
            let _ = outbox.send(format!("{id}: {line}\n")).await;
        }
    }
    sessions.lock().await.remove(&id);
}

async fn client(addr: SocketAddr, received: Arc<AtomicU64>) {
    let socket = TcpStream::connect(addr).await.expect("connect");
    let (read, mut write) = socket.into_split();
    tokio::spawn(async move {
        let mut lines = BufReader::new(read).lines();
        while let Ok(Some(_)) = lines.next_line().await {
            received.fetch_add(1, Ordering::Relaxed);
        }
    });
    for n in 0u64.. {
        if write
            .write_all(format!("hello {n}\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_tcp_chat_paced_writers_plain");
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("an address");
    let listener = TcpListener::bind(addr).await.expect("bind");
    let addr = listener.local_addr().expect("bound");
    let sessions: Sessions = Arc::new(Mutex::new(HashMap::new()));
    let (notices, _) = broadcast::channel(16);
    {
        let sessions = sessions.clone();
        let notices = notices.clone();
        tokio::spawn(async move {
            for id in 0u64.. {
                let (socket, _) = listener.accept().await.expect("accept");
                tokio::spawn(reader(id, socket, sessions.clone(), notices.clone()));
            }
        });
    }
    {
        let sessions = sessions.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(300)).await;
                sessions
                    .lock()
                    .await
                    .retain(|_, outbox| !outbox.is_closed());
            }
        });
    }
    tokio::spawn(async move {
        for n in 0u64.. {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let _ = notices.send(format!("notice {n}\n"));
        }
    });
    let received = Arc::new(AtomicU64::new(0));
    for _ in 0..5 {
        tokio::spawn(client(addr, received.clone()));
    }
    ready_when(move |_| received.load(Ordering::Relaxed) >= 500);
    park().await
}
