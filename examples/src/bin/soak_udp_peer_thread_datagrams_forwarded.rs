//! Healthy: a `peer` std::thread sends a UDP datagram to 127.0.0.1 every
//! 300 ms (`std::net::UdpSocket`); a plain `tokio::spawn` listener
//! receives them on a `tokio::net::UdpSocket` and forwards each on the
//! peeps channel `datagrams` to the `decoder` peeps task. `main` awaits a
//! `JoinSet` holding the decoder.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_udp_peer_thread_datagrams_forwarded");
    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap();
    std::thread::Builder::new()
        .name("peer".into())
        .spawn(move || {
            let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            for i in 0u32.. {
                std::thread::sleep(Duration::from_millis(300));
                let _ = s.send_to(&i.to_be_bytes(), addr);
            }
        })
        .unwrap();
    let (tx, mut rx) = mpsc::channel_named::<Vec<u8>>("datagrams", 16);
    tokio::spawn(async move {
        let mut buf = [0u8; 64];
        loop {
            let Ok((n, _)) = sock.recv_from(&mut buf).await else {
                break;
            };
            if tx.send(buf[..n].to_vec()).await.is_err() {
                break;
            }
        }
    });
    let mut set = tokio::task::JoinSet::new();
    set.spawn(async move {
        let mut n = 0usize;
        while let Some(d) = rx.recv().await {
            n += d.len();
        }
        n
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "datagrams", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "datagrams", "recv")
    });
    while let Some(r) = set.join_next().await {
        println!("{}", r.unwrap());
    }
}
