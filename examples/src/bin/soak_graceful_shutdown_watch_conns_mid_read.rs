//! Healthy, restarting: a TCP echo server shut down gracefully every
//! 1.5 s while its connections are in the middle of reading, the
//! mini-redis way, written with peeps' own spawns.
//!
//! Each generation binds a listener and publishes its address on
//! `server-addr` (a peeps `watch`). The `acceptor` `select!`s `accept`
//! against `shutdown` (a peeps `watch<bool>`) and starts a `conn` task
//! per connection with a clone of `shutdown` and of `shutdown-complete`'s
//! sender (a peeps mpsc of capacity 1 that nobody sends on). A `conn`
//! checks `shutdown` and `select!`s its next line against
//! `shutdown.changed()`: a line is echoed, a shutdown answers `BYE` and
//! ends the task. `main` hands the only other sender to the `acceptor`,
//! sleeps 1.5 s, sends `true` on `shutdown` and waits on
//! `shutdown-complete`'s receiver until every `conn` and the `acceptor`
//! have dropped theirs; then the next generation. Six `client`s connect to the published address, send a
//! line every 50-400 ms and read the echo, and reconnect after `BYE`.
//!
//! The `conn`s spend their time in socket reads peeps cannot see, `main`
//! in a sleep or, briefly, in the receive. Expected, in every dump: no
//! deadlock, nothing stuck forever, no potential deadlock.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, watch};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

async fn conn(socket: TcpStream, mut shutdown: watch::Receiver<bool>, _done: mpsc::Sender<()>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    while !*shutdown.borrow() {
        tokio::select! {
            line = lines.next_line() => {
                let Ok(Some(line)) = line else { return };
                if write.write_all(format!("{line}\n").as_bytes()).await.is_err() {
                    return;
                }
            }
            _ = shutdown.changed() => {}
        }
    }
    let _ = write.write_all(b"BYE\n").await;
}

async fn accept(
    listener: TcpListener,
    mut shutdown: watch::Receiver<bool>,
    done: mpsc::Sender<()>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((socket, _)) = accepted else { continue };
                peeps::spawn_named("conn", conn(socket, shutdown.clone(), done.clone()));
            }
            _ = shutdown.changed() => return,
        }
    }
}

async fn client(n: u64, mut addrs: watch::Receiver<Option<SocketAddr>>, echoes: Arc<AtomicU64>) {
    loop {
        let addr = *addrs.borrow_and_update();
        let Some(addr) = addr else {
            if addrs.changed().await.is_err() {
                return;
            }
            continue;
        };
        let Ok(socket) = TcpStream::connect(addr).await else {
            tokio::time::sleep(Duration::from_millis(30)).await;
            continue;
        };
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        for i in 0u64.. {
            if write
                .write_all(format!("hello {n} {i}\n").as_bytes())
                .await
                .is_err()
            {
                break;
            }
            match lines.next_line().await {
                Ok(Some(line)) if line != "BYE" => {
                    echoes.fetch_add(1, Ordering::Relaxed);
                }
                _ => break,
            }
            tokio::time::sleep(Duration::from_millis(50 + (n * 97 + i * 61) % 350)).await;
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_graceful_shutdown_watch_conns_mid_read");
    let (addr_tx, addr_rx) = watch::channel_named("server-addr", None);
    let echoes = Arc::new(AtomicU64::new(0));
    for n in 0..6 {
        peeps::spawn_named("client", client(n, addr_rx.clone(), echoes.clone()));
    }
    drop(addr_rx);
    let generations = Arc::new(AtomicU64::new(0));
    let seen_generations = generations.clone();
    let mid_read = AtomicBool::new(false);
    ready_when(move |g| {
        if waiters(g, NodeKind::Channel, "shutdown") >= 3 {
            mid_read.store(true, Ordering::Relaxed);
        }
        seen_generations.load(Ordering::Relaxed) >= 2
            && echoes.load(Ordering::Relaxed) > 50
            && mid_read.load(Ordering::Relaxed)
    });
    loop {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("an address");
        let (shutdown, shutdown_rx) = watch::channel_named("shutdown", false);
        let (done, mut all_done) = mpsc::channel_named::<()>("shutdown-complete", 1);
        peeps::spawn_named("acceptor", accept(listener, shutdown_rx, done));
        let _ = addr_tx.send(Some(addr));
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let _ = shutdown.send(true);
        let _ = addr_tx.send(None);
        let _ = all_done.recv().await;
        generations.fetch_add(1, Ordering::Relaxed);
    }
}
