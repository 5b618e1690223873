//! Healthy, under steady load: a UDP request/response client with a map
//! of pending requests, against a UDP echo server in the same process,
//! written with peeps' own spawns.
//!
//! The `udp-echo` server receives datagrams and starts one `echo-later`
//! task per datagram that sends it back after 20-800 ms. On the client
//! side six `caller`s share one `UdpSocket`: each, in a loop, makes a
//! `udp-reply` oneshot, files its sender in `pending` (a peeps
//! `Mutex<HashMap<id, (Instant, Sender)>>`), sends the request and awaits
//! the reply with no timeout of its own. The `udp-receiver` receives
//! datagrams, takes the sender out of `pending` and answers; the `reaper`
//! drops, every 250 ms, senders older than 1 s (the caller then gets an
//! error and counts a timeout), as request maps do for lost datagrams.
//!
//! The callers wait on replies whose senders are in a map behind a lock,
//! while the tasks that answer them wait in socket reads peeps cannot
//! see. Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, oneshot};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;

type Pending = Arc<Mutex<HashMap<u64, (Instant, oneshot::Sender<Vec<u8>>)>>>;

#[derive(Default)]
struct Stats {
    answered: AtomicU64,
    timed_out: AtomicU64,
}

async fn echo_server(socket: UdpSocket) {
    let socket = Arc::new(socket);
    let mut buf = [0u8; 1500];
    loop {
        let Ok((n, peer)) = socket.recv_from(&mut buf).await else {
            continue;
        };
        let datagram = buf[..n].to_vec();
        let id = u64::from_be_bytes(datagram[..8].try_into().expect("an id"));
        let socket = socket.clone();
        peeps::spawn_named("echo-later", async move {
            tokio::time::sleep(Duration::from_millis(20 + (id * 131) % 780)).await;
            let _ = socket.send_to(&datagram, peer).await;
        });
    }
}

async fn receive_replies(socket: Arc<UdpSocket>, pending: Pending) {
    let mut buf = [0u8; 1500];
    loop {
        let Ok(n) = socket.recv(&mut buf).await else {
            continue;
        };
        if n < 8 {
            continue;
        }
        let id = u64::from_be_bytes(buf[..8].try_into().expect("an id"));
        let waiting = pending.lock().await.remove(&id);
        if let Some((_, reply)) = waiting {
            let _ = reply.send(buf[8..n].to_vec());
        }
    }
}

async fn reap(pending: Pending) {
    let mut every = tokio::time::interval(Duration::from_millis(250));
    loop {
        every.tick().await;
        let now = Instant::now();
        pending
            .lock()
            .await
            .retain(|_, (sent, _)| now.duration_since(*sent) < Duration::from_secs(1));
    }
}

async fn call(
    socket: &UdpSocket,
    server: SocketAddr,
    pending: &Pending,
    id: u64,
    body: &[u8],
) -> Option<Vec<u8>> {
    let (reply, answer) = oneshot::channel_named("udp-reply");
    pending.lock().await.insert(id, (Instant::now(), reply));
    let mut datagram = id.to_be_bytes().to_vec();
    datagram.extend_from_slice(body);
    socket.send_to(&datagram, server).await.ok()?;
    answer.await.ok()
}

async fn caller(
    socket: Arc<UdpSocket>,
    server: SocketAddr,
    pending: Pending,
    next_id: Arc<AtomicU64>,
    stats: Arc<Stats>,
) {
    loop {
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        let body = format!("ping {id}");
        match call(&socket, server, &pending, id, body.as_bytes()).await {
            Some(echo) => {
                assert_eq!(echo, body.as_bytes());
                stats.answered.fetch_add(1, Ordering::Relaxed);
            }
            None => {
                stats.timed_out.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_udp_echo_pending_oneshots_reaper");
    let server_socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let server = server_socket.local_addr().expect("an address");
    peeps::spawn_named("udp-echo", echo_server(server_socket));
    let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await.expect("bind"));
    let pending: Pending = Arc::new(Mutex::new(HashMap::new()).named("pending"));
    peeps::spawn_named(
        "udp-receiver",
        receive_replies(socket.clone(), pending.clone()),
    );
    peeps::spawn_named("reaper", reap(pending.clone()));
    let next_id = Arc::new(AtomicU64::new(0));
    let stats = Arc::new(Stats::default());
    for _ in 0..6 {
        peeps::spawn_named(
            "caller",
            caller(
                socket.clone(),
                server,
                pending.clone(),
                next_id.clone(),
                stats.clone(),
            ),
        );
    }
    let seen = stats.clone();
    ready_when(move |g| {
        seen.answered.load(Ordering::Relaxed) >= 30
            && waiters(g, NodeKind::Channel, "udp-reply") >= 4
    });
    park().await
}
