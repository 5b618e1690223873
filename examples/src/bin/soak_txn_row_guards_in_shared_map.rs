//! Healthy, under steady load, written with peeps' own spawns: row locks
//! held by transactions across calls, the guards filed in a shared
//! transaction table. Four clients (`peeps::spawn_named("client-N")`)
//! each, in a loop, send `Begin` for one of two rows into `txn-inbox` and
//! await the transaction id (a `oneshot` named `begun`), work for
//! 100-600 ms, then send `Commit` and await `committed`. `txn-server`
//! receives requests: for a `Begin` it spawns a `begin` task that takes
//! the row's lock (`lock_owned` on `row-0` or `row-1`, an async
//! `peeps::sync::Mutex`), files the owned guard in the shared table
//! (`Arc<std::sync::Mutex<HashMap<u64, OwnedMutexGuard>>>`), answers and
//! ends; a `Commit` takes the guard out of the table and drops it. Every
//! task is peeps': the census counts none unseen. Multi-thread runtime.
//!
//! A row's guard is on the heap (the table), taken by a `begin` task that
//! has ended. Expected, in every dump: no deadlock, nothing stuck forever,
//! no potential deadlock; a `begin` task's wait on `row-0` or `row-1` is an
//! honest long wait.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, OwnedMutexGuard, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

enum Req {
    Begin {
        row: usize,
        reply: oneshot::Sender<u64>,
    },
    Commit {
        txn: u64,
        reply: oneshot::Sender<()>,
    },
}

type Rows = Arc<Vec<Arc<Mutex<u64>>>>;
type Txns = Arc<std::sync::Mutex<HashMap<u64, OwnedMutexGuard<u64>>>>;

#[peeps::instrument]
async fn begin(row: Arc<Mutex<u64>>, txn: u64, txns: Txns, reply: oneshot::Sender<u64>) {
    let mut guard = row.lock_owned().await;
    *guard += 1;
    txns.lock().expect("not poisoned").insert(txn, guard);
    let _ = reply.send(txn);
}

#[peeps::instrument]
async fn serve(mut inbox: mpsc::Receiver<Req>, rows: Rows, txns: Txns) {
    let mut next = 0u64;
    while let Some(req) = inbox.recv().await {
        match req {
            Req::Begin { row, reply } => {
                next += 1;
                peeps::spawn_named("begin", begin(rows[row].clone(), next, txns.clone(), reply));
            }
            Req::Commit { txn, reply } => {
                let guard = txns.lock().expect("not poisoned").remove(&txn);
                drop(guard);
                let _ = reply.send(());
            }
        }
    }
}

#[peeps::instrument]
async fn client(server: mpsc::Sender<Req>, me: u64, committed: Arc<AtomicU64>) {
    for n in 0u64.. {
        let (reply, begun) = oneshot::channel_named("begun");
        let row = ((me + n) % 2) as usize;
        if server.send(Req::Begin { row, reply }).await.is_err() {
            return;
        }
        let Ok(txn) = begun.await else { return };
        let work = 100 + ((me * 13 + n) * 97) % 500;
        tokio::time::sleep(Duration::from_millis(work)).await;
        let (reply, done) = oneshot::channel_named("committed");
        if server.send(Req::Commit { txn, reply }).await.is_err() {
            return;
        }
        if done.await.is_err() {
            return;
        }
        committed.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_txn_row_guards_in_shared_map");
    let rows: Rows = Arc::new(vec![
        Arc::new(Mutex::new(0).named("row-0")),
        Arc::new(Mutex::new(0).named("row-1")),
    ]);
    let txns: Txns = Arc::default();
    let (server, inbox) = mpsc::channel_named("txn-inbox", 8);
    peeps::spawn_named("txn-server", serve(inbox, rows, txns));
    let committed = Arc::new(AtomicU64::new(0));
    for (me, name) in [
        (1, "client-1"),
        (2, "client-2"),
        (3, "client-3"),
        (4, "client-4"),
    ] {
        peeps::spawn_named(name, client(server.clone(), me, committed.clone()));
    }
    drop(server);
    ready_when(move |g| {
        committed.load(Ordering::Relaxed) >= 4
            && (waited_on(g, NodeKind::Mutex, "row-0") || waited_on(g, NodeKind::Mutex, "row-1"))
    });
    examples::park().await
}
