//! Healthy control: limiting concurrent connections the way tokio's
//! documentation for `Semaphore::acquire_owned` does, each connection
//! handled by an `async move` block started with plain `tokio::spawn` that
//! calls an instrumented handler and then drops its permit.
//!
//! `acceptor` (a peeps task) takes an owned permit of `conn-slots` (2
//! permits), then waits for the next connection on `connections` (a
//! stand-in for a listener), then spawns the connection's handler with the
//! permit moved in. The handlers take an hour (a slow client), so after
//! two connections the acceptor waits for a third permit. The permit it
//! moved out stays live across the acceptor's receive until the move:
//! the bytes it leaves behind are in the acceptor's state.
//!
//! Expected: no deadlock (each handler's timer frees its permit).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Semaphore, mpsc};
use std::sync::Arc;
use std::time::Duration;

/// An accepted connection (its peer's address).
struct Conn {
    peer: String,
}

#[peeps::instrument]
async fn handle(conn: Conn) {
    // A slow client.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    println!("closed {}", conn.peer);
}

#[peeps::instrument]
async fn accept(slots: Arc<Semaphore>, mut connections: mpsc::Receiver<Conn>) {
    loop {
        let permit = slots.clone().acquire_owned().await.expect("never closed");
        let Some(conn) = connections.recv().await else {
            return;
        };
        tokio::spawn(async move {
            handle(conn).await;
            drop(permit);
        });
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("connection_limit_tokio_spawn");
    let slots = Arc::new(Semaphore::new(2).named("conn-slots"));
    let (tx, rx) = mpsc::channel_named("connections", 8);
    peeps::spawn_named("acceptor", accept(slots, rx));
    for n in 0..5 {
        let peer = format!("10.0.0.{n}:443");
        let _ = tx.send(Conn { peer }).await;
    }
    ready_when(|g| waited_on_for(g, NodeKind::Semaphore, "conn-slots", "acquire"));
    park().await
}
