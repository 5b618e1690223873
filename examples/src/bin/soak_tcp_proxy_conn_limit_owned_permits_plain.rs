//! Healthy, idle after a burst: a TCP proxy on 127.0.0.1 that limits its
//! connections the way tokio's docs show — the accept loop takes an owned
//! permit of `conn-limit` (a `Semaphore` of 4) *before* it accepts, and
//! moves it into the connection's task. Plain `tokio::spawn` everywhere,
//! no peeps annotation; only the resources are `peeps::sync`.
//!
//! Each connection task connects to an echo backend (also on 127.0.0.1)
//! and runs `tokio::io::copy_bidirectional`, counting its connection and
//! bytes in `proxy-stats` (a `Mutex`). A reporter (`peeps::spawn_named`)
//! reads `proxy-stats` every 250 ms. Two short clients send 20 lines and
//! hang up; four long clients send 20 lines and keep their connection
//! open, idle, so all four permits stay out; a fifth long client connects
//! (the kernel's backlog accepts it) and waits for the echo of its first
//! line, which comes only when a permit frees. The accept loop waits for
//! a permit; `main` awaits the proxy's `JoinHandle`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock (the accept loop's long wait on `conn-limit` is
//! released by connection tasks that wait on their sockets).

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const MAX_CONNS: usize = 4;

#[derive(Default)]
struct Stats {
    conns: u64,
    bytes: u64,
}

async fn echo_backend(listener: TcpListener) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let (mut read, mut write) = socket.split();
            let _ = tokio::io::copy(&mut read, &mut write).await;
        });
    }
}

async fn proxy(
    listener: TcpListener,
    backend: SocketAddr,
    limit: Arc<Semaphore>,
    stats: Arc<Mutex<Stats>>,
) {
    loop {
        let permit = limit.clone().acquire_owned().await.expect("limit open");
        let Ok((mut inbound, _)) = listener.accept().await else {
            continue;
        };
        let stats = stats.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let Ok(mut outbound) = TcpStream::connect(backend).await else {
                return;
            };
            stats.lock().await.conns += 1;
            if let Ok((up, down)) = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await
            {
                stats.lock().await.bytes += up + down;
            }
        });
    }
}

/// Sends `lines` lines and reads each echo; keeps the connection open
/// afterwards when `linger`.
async fn client(addr: SocketAddr, lines: u64, linger: bool, done: Arc<AtomicU64>) {
    let socket = TcpStream::connect(addr).await.expect("connect");
    let (read, mut write) = socket.into_split();
    let mut echoes = BufReader::new(read).lines();
    for n in 0..lines {
        write
            .write_all(format!("line {n}\n").as_bytes())
            .await
            .expect("write");
        echoes.next_line().await.expect("read").expect("an echo");
    }
    done.fetch_add(1, Ordering::Relaxed);
    if linger {
        // An idle keep-alive connection: nothing more to say.
        let _ = echoes.next_line().await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_tcp_proxy_conn_limit_owned_permits_plain");
    let backend_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let backend = backend_listener.local_addr().expect("bound");
    tokio::spawn(echo_backend(backend_listener));

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("bound");
    let limit = Arc::new(Semaphore::new(MAX_CONNS).named("conn-limit"));
    let stats = Arc::new(Mutex::new(Stats::default()).named("proxy-stats"));
    let server = tokio::spawn(proxy(listener, backend, limit, stats.clone()));
    peeps::spawn_named("stats-reporter", async move {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        let mut last = 0;
        loop {
            tick.tick().await;
            let s = stats.lock().await;
            if s.bytes != last {
                last = s.bytes;
                let _ = (s.conns, s.bytes);
            }
        }
    });

    let done = Arc::new(AtomicU64::new(0));
    // Two short clients first: their permits come back.
    let short: Vec<_> = (0..2)
        .map(|_| tokio::spawn(client(addr, 20, false, done.clone())))
        .collect();
    for c in short {
        c.await.expect("short client");
    }
    for _ in 0..MAX_CONNS {
        tokio::spawn(client(addr, 20, true, done.clone()));
    }
    // Once the four long clients are through, a fifth waits in the backlog.
    let before_fifth = done.clone();
    tokio::spawn(async move {
        while before_fifth.load(Ordering::Relaxed) < 2 + MAX_CONNS as u64 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        client(addr, 1, true, before_fifth).await;
    });
    let ready_done = done.clone();
    ready_when(move |g| {
        ready_done.load(Ordering::Relaxed) == 2 + MAX_CONNS as u64
            && waited_on(g, NodeKind::Semaphore, "conn-limit")
    });
    let _ = server.await;
}
