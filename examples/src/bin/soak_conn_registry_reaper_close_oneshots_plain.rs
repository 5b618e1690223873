//! Healthy, steady: a chat-style TCP server whose connection registry
//! keeps, per connection, its outbox sender and an `Option` of its
//! `close` `oneshot` sender, in a `peeps::sync::Mutex<HashMap<..>>`
//! (`conn-registry`); an idle-connection reaper takes the `close` sender
//! out and fires it. Connections are plain `tokio::spawn` tasks; the
//! acceptor and the reaper are `peeps::spawn_named`.
//!
//! Each connection registers (`conn-outbox`, capacity 16, and `close`),
//! then `select!`s a line from its socket (stamped in the registry, then
//! relayed to every other connection: senders cloned out under the lock,
//! sent after it is let go), its outbox (written to the socket) and
//! `close`; on the way out it removes itself. `reaper` looks every
//! 150 ms and closes connections quiet for 500 ms. Three chatty clients
//! send a line every 100 ms; two quiet clients send 3 lines, read until
//! the server closes them, and reconnect: reaped and reconnected again
//! and again. `main` awaits the acceptor.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

struct Conn {
    outbox: mpsc::Sender<String>,
    close: Option<oneshot::Sender<()>>,
    last_heard: Instant,
}

type Registry = Arc<Mutex<HashMap<u64, Conn>>>;

async fn serve(id: u64, socket: TcpStream, registry: Registry) {
    let (outbox_tx, mut outbox) = mpsc::channel_named("conn-outbox", 16);
    let (close_tx, mut close) = oneshot::channel_named("close");
    registry.lock().await.insert(
        id,
        Conn {
            outbox: outbox_tx,
            close: Some(close_tx),
            last_heard: Instant::now(),
        },
    );
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    loop {
        tokio::select! {
            _ = &mut close => break,
            line = lines.next_line() => {
                let Ok(Some(line)) = line else { break };
                let peers: Vec<mpsc::Sender<String>> = {
                    let mut reg = registry.lock().await;
                    if let Some(me) = reg.get_mut(&id) {
                        me.last_heard = Instant::now();
                    }
                    reg.iter()
                        .filter(|(other, _)| **other != id)
                        .map(|(_, c)| c.outbox.clone())
                        .collect()
                };
                for peer in peers {
                    let _ = peer.try_send(format!("{id}: {line}"));
                }
            }
            Some(msg) = outbox.recv() => {
                if write.write_all(format!("{msg}\n").as_bytes()).await.is_err() {
                    break;
                }
            }
        }
    }
    registry.lock().await.remove(&id);
}

async fn reaper(registry: Registry, reaped: Arc<AtomicU64>) {
    let mut tick = tokio::time::interval(Duration::from_millis(150));
    loop {
        tick.tick().await;
        let mut reg = registry.lock().await;
        for conn in reg.values_mut() {
            if conn.last_heard.elapsed() > Duration::from_millis(500)
                && let Some(close) = conn.close.take()
            {
                let _ = close.send(());
                reaped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

async fn chatty(addr: SocketAddr) {
    let socket = TcpStream::connect(addr).await.expect("connect");
    let (read, mut write) = socket.into_split();
    tokio::spawn(async move {
        let mut lines = BufReader::new(read).lines();
        while let Ok(Some(_)) = lines.next_line().await {}
    });
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    for n in 0u64.. {
        tick.tick().await;
        if write
            .write_all(format!("hello {n}\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

async fn quiet(addr: SocketAddr) {
    loop {
        let Ok(socket) = TcpStream::connect(addr).await else {
            return;
        };
        let (read, mut write) = socket.into_split();
        for n in 0..3 {
            let _ = write.write_all(format!("brb {n}\n").as_bytes()).await;
        }
        let mut lines = BufReader::new(read).lines();
        while let Ok(Some(_)) = lines.next_line().await {}
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_conn_registry_reaper_close_oneshots_plain");
    let registry: Registry = Arc::new(Mutex::new(HashMap::new()).named("conn-registry"));
    let reaped = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("reaper", reaper(registry.clone(), reaped.clone()));

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("bound");
    let acceptor = peeps::spawn_named("acceptor", async move {
        let mut next_id = 0u64;
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                continue;
            };
            next_id += 1;
            tokio::spawn(serve(next_id, socket, registry.clone()));
        }
    });
    for _ in 0..3 {
        tokio::spawn(chatty(addr));
    }
    for _ in 0..2 {
        tokio::spawn(quiet(addr));
    }
    ready_when(move |g| {
        reaped.load(Ordering::Relaxed) >= 4 && waited_on(g, NodeKind::Channel, "close")
    });
    let _ = acceptor.await;
}
