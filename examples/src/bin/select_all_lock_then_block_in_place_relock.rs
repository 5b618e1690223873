//! Deadlock from tokio-rs/tokio#7892 ("`block_in_place` + `block_on` +
//! `tokio::sync::Mutex` may lead to a deadlock"), seen in
//! eclipse-zenoh/zenoh#2409 ("Scouting task may deadlock": the mutex is
//! unlocked, yet the runtime is blocked waiting for it). The scouting
//! task connects to two peers at once in a `futures::future::select_all`.
//! The first connection waits to lock `transports` (held elsewhere); the
//! second, on its next poll, runs a sync event handler that takes the
//! same mutex with `block_in_place(|| Handle::current().block_on(..))`.
//! When the holder lets go, tokio hands the lock to the first waiter —
//! the first connection, a future of the very task whose poll is parked
//! in `block_on` behind it.
//!
//! `main` holds `transports` (a link being opened), starts `scout`
//! (`peeps::spawn_named`, no other annotation), waits until both of its
//! waits are queued, and lets go.
//!
//! Expected: one `certain` deadlock of `scout` with itself on
//! `transports`: its `block_on` lock waits behind the lock handed to its
//! own `connect_peer` future, which it cannot poll; a blocking poll of
//! `scout`.

use examples::{park, ready_when, waiters};
use futures::future::{BoxFuture, FutureExt};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;

type Transports = Arc<Mutex<Vec<&'static str>>>;

/// Opens a unicast transport to `peer` and records it.
#[peeps::instrument]
async fn connect_peer(transports: Transports, peer: &'static str) {
    let mut open = transports.lock().await;
    open.push(peer);
}

/// The sync callback the transport manager calls for a new transport:
/// it reads the transport table from sync code.
fn on_new_transport(transports: &Transports, peer: &'static str) -> usize {
    let open = tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current().block_on(transports.lock())
    });
    println!("admin space: new transport {peer}");
    open.len()
}

/// Opens a transport whose handshake completes on the next poll, then
/// tells the admin space through its sync handler.
#[peeps::instrument]
async fn connect_peer_admin(transports: Transports, peer: &'static str) {
    tokio::task::yield_now().await;
    let n = on_new_transport(&transports, peer);
    println!("{n} transports");
}

async fn scout(transports: Transports) {
    let connects: Vec<BoxFuture<'static, ()>> = vec![
        connect_peer(transports.clone(), "peer-a").boxed(),
        connect_peer_admin(transports.clone(), "peer-b").boxed(),
    ];
    futures::future::select_all(connects).await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("select_all_lock_then_block_in_place_relock");
    let transports: Transports = Arc::new(Mutex::new(Vec::new()).named("transports"));
    let opening = transports.clone().lock_owned().await;
    peeps::spawn_named("scout", scout(transports.clone()));
    // Wait until both connections wait for the table.
    while {
        let g = peeps::snapshot();
        waiters(&g, NodeKind::Mutex, "transports") < 2
    } {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    drop(opening);
    // Both waits stay: the lock is handed to `connect_peer`, never polled.
    ready_when(|g| {
        waiters(g, NodeKind::Mutex, "transports") == 2
            && examples::holders(g, NodeKind::Mutex, "transports").is_empty()
    });
    park().await
}
