//! Healthy, idle after a restart: a line server that drains gracefully
//! by taking every permit of its in-flight limit, then comes back on a
//! new port its clients find through a `watch`. Plain `tokio::spawn`, no
//! peeps annotation; only the resources are `peeps::sync`.
//!
//! Each generation has `inflight` (a `Semaphore` of 8: a request holds a
//! permit while it is served, 5 ms) and a `shutdown` `watch<bool>`. The
//! acceptor and every connection task `select!` on `shutdown.changed()`
//! beside their accept / read. After the first generation's burst,
//! `main` sends `shutdown`, waits for the drain with
//! `inflight.acquire_many(8)`, binds a new listener and publishes its
//! address on `endpoint` (a `watch<SocketAddr>`). Four clients, on EOF,
//! wait on `endpoint.changed()`, reconnect, send 10 more lines and then
//! keep their connection open, idle. `main` waits for ctrl-c.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Semaphore, watch};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const MAX_INFLIGHT: usize = 8;

struct Generation {
    shutdown: watch::Sender<bool>,
    inflight: Arc<Semaphore>,
}

async fn serve_conn(
    socket: TcpStream,
    inflight: Arc<Semaphore>,
    mut shutdown: watch::Receiver<bool>,
) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    loop {
        let line = tokio::select! {
            line = lines.next_line() => line,
            _ = shutdown.changed() => return,
        };
        let Ok(Some(line)) = line else { return };
        let Ok(_permit) = inflight.acquire().await else {
            return;
        };
        tokio::time::sleep(Duration::from_millis(5)).await;
        if write
            .write_all(format!("{}\n", line.len()).as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

async fn start(listener: TcpListener) -> Generation {
    let (shutdown, mut stop) = watch::channel_named("shutdown", false);
    let inflight = Arc::new(Semaphore::new(MAX_INFLIGHT).named("inflight"));
    let conns = inflight.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((socket, _)) = accepted else { continue };
                    tokio::spawn(serve_conn(socket, conns.clone(), stop.clone()));
                }
                _ = stop.changed() => return,
            }
        }
    });
    Generation { shutdown, inflight }
}

impl Generation {
    async fn drain(self) {
        let _ = self.shutdown.send(true);
        // Every permit back: no request is being served any more.
        let _all = self
            .inflight
            .acquire_many(MAX_INFLIGHT as u32)
            .await
            .expect("inflight open");
    }
}

async fn client(mut endpoint: watch::Receiver<SocketAddr>, id: u64, done: Arc<AtomicU64>) {
    let mut served = 0u64;
    let mut counted = false;
    loop {
        let addr = *endpoint.borrow_and_update();
        if let Ok(socket) = TcpStream::connect(addr).await {
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            loop {
                if served >= 30 {
                    if !counted {
                        counted = true;
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    // Idle on a live connection; reconnect if it closes.
                    match lines.next_line().await {
                        Ok(Some(_)) => continue,
                        _ => break,
                    }
                }
                let line = format!("client {id} request {served}\n");
                if write.write_all(line.as_bytes()).await.is_err() {
                    break;
                }
                match lines.next_line().await {
                    Ok(Some(_)) => served += 1,
                    _ => break,
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
        if endpoint.changed().await.is_err() {
            return;
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_drain_acquire_all_inflight_restart_plain");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let (endpoint, endpoint_rx) =
        watch::channel_named("endpoint", listener.local_addr().expect("bound"));
    let generation = start(listener).await;
    let done = Arc::new(AtomicU64::new(0));
    for id in 0..4 {
        tokio::spawn(client(endpoint_rx.clone(), id, done.clone()));
    }
    drop(endpoint_rx);
    // Let the first generation serve a while, then roll it.
    tokio::time::sleep(Duration::from_millis(150)).await;
    generation.drain().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("bound");
    let generation = start(listener).await;
    endpoint.send_replace(addr);

    ready_when(move |g| {
        done.load(Ordering::Relaxed) == 4 && waited_on(g, NodeKind::Channel, "shutdown")
    });
    let _ = tokio::signal::ctrl_c().await;
    generation.drain().await;
}
