//! HANG: a legacy sync "resolver" `std::thread` serves requests from a
//! peeps channel with `Handle::block_on(requests.recv())` and, to answer,
//! reads the `symbol-index` (a peeps `Mutex`) with
//! `Handle::block_on(index.lock())`, replying on each request's oneshot.
//! The `indexer` peeps task holds `symbol-index` while it asks the
//! resolver and awaits the reply.
//!
//! Expected: a deadlock of the `indexer` (awaiting the `resolved`
//! oneshot, whose sender the resolver thread received) and the resolver
//! thread (waiting on `symbol-index`, held by the indexer); `main` behind.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::BTreeMap;
use std::sync::Arc;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("sync_thread_block_on_lock_replies_oneshot");
    let index =
        Arc::new(Mutex::new(BTreeMap::from([("std".to_string(), 1u32)])).named("symbol-index"));
    let (req_tx, mut req_rx) =
        mpsc::channel_named::<(String, oneshot::Sender<u32>)>("resolve-requests", 8);
    let rt = tokio::runtime::Handle::current();
    let idx = index.clone();
    std::thread::Builder::new()
        .name("resolver".into())
        .spawn(move || {
            while let Some((name, reply)) = rt.block_on(req_rx.recv()) {
                let v = rt.block_on(idx.lock()).get(&name).copied().unwrap_or(0);
                let _ = reply.send(v);
            }
        })
        .unwrap();
    let indexer = peeps::spawn_named("indexer", async move {
        let mut guard = index.lock().await;
        let (tx, rx) = oneshot::channel_named("resolved");
        req_tx.send(("core".into(), tx)).await.unwrap();
        let v = rx.await.unwrap();
        guard.insert("core".into(), v);
    });
    ready_when(|g| waiters(g, NodeKind::Mutex, "symbol-index") == 1);
    indexer.await.unwrap();
}
