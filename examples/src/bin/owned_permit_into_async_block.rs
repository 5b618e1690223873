//! Healthy control: tokio's own connection limit, its handlers plain
//! `async move` blocks. The acceptor (`peeps::spawn_named`, its body
//! instrumented) takes an owned permit of `connections` (2 permits) for
//! each connection and moves it into a handler started with plain
//! `tokio::spawn(async move { .. })`, which keeps it while serving the
//! connection (slowly: a timer). With both permits out, the acceptor
//! waits for a third.
//!
//! Expected: no deadlock, nothing stuck forever: the permits are with the
//! handlers, on timers (peeps cannot follow a permit into an
//! uninstrumented block, so it must not pin them on the acceptor).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn accept_loop(connections: Arc<Semaphore>) {
    for connection in 0u64.. {
        let permit = connections
            .clone()
            .acquire_owned()
            .await
            .expect("connections is never closed");
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            println!("connection {connection} served");
            drop(permit);
        });
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("owned_permit_into_async_block");
    let connections = Arc::new(Semaphore::new(2).named("connections"));
    peeps::spawn_named("acceptor", accept_loop(connections));

    ready_when(|g| waited_on_for(g, NodeKind::Semaphore, "connections", "acquire"));
    park().await
}
