//! Healthy, idle after a burst: an RPC client multiplexing calls over one
//! TCP connection, its in-flight calls' `oneshot` reply senders kept in a
//! `Mutex<HashMap<u64, oneshot::Sender<String>>>` (`pending`) and taken
//! out by the task reading responses. The callers are plain
//! `tokio::spawn`; the client's `rpc-writer` and `rpc-reader` are
//! `peeps::spawn_named`.
//!
//! A caller makes an `rpc-reply` oneshot, files the sender in `pending`
//! under the call's id, sends the request line to `rpc-writer` on
//! `rpc-requests` and awaits the reply under a 60 ms timeout; on a timeout
//! it takes its own entry back out. `rpc-reader` reads `id result` lines,
//! takes the id's sender out of `pending` and answers (a late answer finds
//! nothing). The server on 127.0.0.1 answers each request from a task of
//! its own after 1-90 ms, out of order. After 25 calls each the callers
//! sleep 10 minutes: the writer waits on its inbox, the reader on its
//! socket.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

struct Client {
    next_id: AtomicU64,
    pending: Mutex<HashMap<u64, oneshot::Sender<String>>>,
    requests: mpsc::Sender<String>,
}

impl Client {
    async fn call(&self, payload: &str) -> Option<String> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (reply, answer) = oneshot::channel_named("rpc-reply");
        self.pending.lock().await.insert(id, reply);
        if self.requests.send(format!("{id} {payload}")).await.is_err() {
            self.pending.lock().await.remove(&id);
            return None;
        }
        match tokio::time::timeout(Duration::from_millis(60), answer).await {
            Ok(Ok(result)) => Some(result),
            Ok(Err(_)) => None,
            Err(_) => {
                self.pending.lock().await.remove(&id);
                None
            }
        }
    }
}

async fn server(listener: TcpListener) {
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let (read, write) = socket.into_split();
            let write = Arc::new(tokio::sync::Mutex::new(write));
            let mut lines = BufReader::new(read).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let write = write.clone();
                tokio::spawn(async move {
                    let (id, payload) = line.split_once(' ').unwrap_or((&line, ""));
                    let id: u64 = id.parse().unwrap_or(0);
                    tokio::time::sleep(Duration::from_millis(1 + (id * 37) % 90)).await;
                    let answer = format!("{id} {}\n", payload.len());
                    let _ = write.lock().await.write_all(answer.as_bytes()).await;
                });
            }
        });
    }
}

async fn rpc_writer(mut requests: mpsc::Receiver<String>, mut socket: OwnedWriteHalf) {
    while let Some(line) = requests.recv().await {
        if socket
            .write_all(format!("{line}\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

async fn rpc_reader(client: Arc<Client>, socket: OwnedReadHalf, answered: Arc<AtomicU64>) {
    let mut lines = BufReader::new(socket).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let Some((id, result)) = line.split_once(' ') else {
            continue;
        };
        let Ok(id) = id.parse::<u64>() else { continue };
        let reply = client.pending.lock().await.remove(&id);
        if let Some(reply) = reply {
            let _ = reply.send(result.to_owned());
            answered.fetch_add(1, Ordering::Relaxed);
        }
    }
}

async fn caller(id: u64, client: Arc<Client>, calls: Arc<AtomicU64>) {
    loop {
        for n in 0..25 {
            std::hint::black_box(client.call(&format!("caller-{id}-call-{n}")).await);
            calls.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_rpc_pending_map_reader_answers_plain");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("bound");
    peeps::spawn_named("rpc-server", server(listener));

    let socket = TcpStream::connect(addr).await.expect("connect");
    let (read, write) = socket.into_split();
    let (requests, request_rx) = mpsc::channel_named("rpc-requests", 64);
    let client = Arc::new(Client {
        next_id: AtomicU64::new(1),
        pending: Mutex::new(HashMap::new()).named("pending"),
        requests,
    });
    let answered = Arc::new(AtomicU64::new(0));
    let calls = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("rpc-writer", rpc_writer(request_rx, write));
    peeps::spawn_named(
        "rpc-reader",
        rpc_reader(client.clone(), read, answered.clone()),
    );
    for id in 0..4 {
        tokio::spawn(caller(id, client.clone(), calls.clone()));
    }
    ready_when(move |_| {
        calls.load(Ordering::Relaxed) >= 100 && answered.load(Ordering::Relaxed) >= 20
    });
    park().await
}
