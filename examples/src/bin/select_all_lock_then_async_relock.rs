//! The fixed twin of `select_all_lock_then_block_in_place_relock`
//! (tokio-rs/tokio#7892, eclipse-zenoh/zenoh#2409): the new-transport
//! handler is async and awaits the lock of `transports` instead of
//! `block_in_place(|| Handle::current().block_on(..))`, so the scouting
//! task keeps polling both connections. A link manager holds the table
//! 40 ms every 60 ms; `scout` connects to two peers every 50 ms.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock.

use examples::{park, ready_when};
use futures::future::{BoxFuture, FutureExt};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

type Transports = Arc<Mutex<Vec<&'static str>>>;

static ROUNDS: AtomicU64 = AtomicU64::new(0);

#[peeps::instrument]
async fn connect_peer(transports: Transports, peer: &'static str) {
    let mut open = transports.lock().await;
    open.push(peer);
    open.truncate(16);
}

/// The handler made async: it awaits the table like everyone else.
async fn on_new_transport(transports: &Transports, peer: &'static str) -> usize {
    let open = transports.lock().await;
    if open.len() > 100 {
        println!("admin space: new transport {peer}");
    }
    open.len()
}

#[peeps::instrument]
async fn connect_peer_admin(transports: Transports, peer: &'static str) {
    tokio::task::yield_now().await;
    on_new_transport(&transports, peer).await;
}

async fn scout(transports: Transports) {
    loop {
        let connects: Vec<BoxFuture<'static, ()>> = vec![
            connect_peer(transports.clone(), "peer-a").boxed(),
            connect_peer_admin(transports.clone(), "peer-b").boxed(),
        ];
        let (_, _, rest) = futures::future::select_all(connects).await;
        futures::future::join_all(rest).await;
        ROUNDS.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn link_manager(transports: Transports) {
    loop {
        {
            let _opening = transports.lock().await;
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("select_all_lock_then_async_relock");
    let transports: Transports = Arc::new(Mutex::new(Vec::new()).named("transports"));
    peeps::spawn_named("link-manager", link_manager(transports.clone()));
    peeps::spawn_named("scout", scout(transports.clone()));
    ready_when(|g| {
        ROUNDS.load(Ordering::Relaxed) >= 5
            && examples::node(g, NodeKind::Mutex, "transports").is_some()
    });
    park().await
}
