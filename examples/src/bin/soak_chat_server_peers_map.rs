//! Healthy, under steady load, written with peeps' own spawns: tokio's
//! chat server example, instrumented. `chat-server` accepts connections
//! on 127.0.0.1 and runs a `chat-conn` task for each: it makes an
//! unbounded channel named `peer`, files the sender in a shared peer table
//! (`Arc<std::sync::Mutex<HashMap<SocketAddr, UnboundedSender>>>`), then
//! `tokio::select!`s between its `peer` receiver (a message for this
//! client, written to the socket) and the socket's next line (broadcast
//! to every other sender in the table); when the client leaves it removes
//! its sender. Four chatters (`peeps::spawn_named("chatter-N")`) each, in
//! a loop, connect, spawn a `chatter-reader` for the broadcasts, say ten
//! lines 100-500 ms apart and hang up. Every task is peeps': the census
//! counts none unseen. Multi-thread runtime.
//!
//! Each `peer` sender is on the heap (the table), used by the other
//! connections' tasks. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock, and no long wait (the channels are
//! unbounded, the table's lock is taken briefly, a receive is no stall).

use examples::ready_when;
use peeps::sync::mpsc;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::{TcpListener, TcpStream};

type Peers = Arc<std::sync::Mutex<HashMap<SocketAddr, mpsc::UnboundedSender<String>>>>;

#[peeps::instrument]
async fn handle(stream: TcpStream, addr: SocketAddr, peers: Peers) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let (tx, mut rx) = mpsc::unbounded_channel_named("peer");
    peers.lock().expect("not poisoned").insert(addr, tx);
    loop {
        tokio::select! {
            Some(msg) = rx.recv() => {
                if write.write_all(format!("{msg}\n").as_bytes()).await.is_err() {
                    break;
                }
            }
            line = lines.next_line() => match line {
                Ok(Some(line)) => {
                    for (other, peer) in peers.lock().expect("not poisoned").iter() {
                        if *other != addr {
                            let _ = peer.send(format!("{addr}: {line}"));
                        }
                    }
                }
                _ => break,
            },
        }
    }
    peers.lock().expect("not poisoned").remove(&addr);
}

#[peeps::instrument]
async fn serve(listener: TcpListener, peers: Peers) {
    loop {
        let (stream, addr) = listener.accept().await.expect("accept");
        peeps::spawn_named("chat-conn", handle(stream, addr, peers.clone()));
    }
}

#[peeps::instrument]
async fn read_broadcasts(read: OwnedReadHalf, heard: Arc<AtomicU64>) {
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        std::hint::black_box(line);
        heard.fetch_add(1, Ordering::Relaxed);
    }
}

#[peeps::instrument]
async fn chat(addr: SocketAddr, me: u64, heard: Arc<AtomicU64>) {
    for session in 0u64.. {
        let stream = TcpStream::connect(addr).await.expect("connect");
        let (read, mut write) = stream.into_split();
        let reader = peeps::spawn_named("chatter-reader", read_broadcasts(read, heard.clone()));
        for n in 0..10u64 {
            let gap = 100 + ((me * 13 + session * 5 + n) * 97) % 400;
            tokio::time::sleep(Duration::from_millis(gap)).await;
            let line = format!("hello {n} from {me}\n");
            write.write_all(line.as_bytes()).await.expect("write");
        }
        drop(write);
        let _ = reader.await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_chat_server_peers_map");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("an address");
    let peers: Peers = Arc::default();
    peeps::spawn_named("chat-server", serve(listener, peers));
    let heard = Arc::new(AtomicU64::new(0));
    for (me, name) in [
        (1, "chatter-1"),
        (2, "chatter-2"),
        (3, "chatter-3"),
        (4, "chatter-4"),
    ] {
        peeps::spawn_named(name, chat(addr, me, heard.clone()));
    }
    ready_when(move |_| heard.load(Ordering::Relaxed) >= 40);
    examples::park().await
}
