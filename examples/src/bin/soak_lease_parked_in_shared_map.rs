//! Healthy, under steady load, written with peeps' own spawns: leases of a
//! licence pool. `checkout` (`peeps::spawn_named`) takes an owned permit
//! of `licences` (a `Semaphore` of 1, `acquire_owned`), logs the lease
//! into `audit` (an `.await`: the lease is a local in its state across
//! it), then parks it in a shared lease table (`Arc<std::sync::Mutex<
//! Vec<Lease>>>`) for the client to use, and goes for the next licence.
//! `reaper` (`peeps::spawn_named`) expires the table every 1.2 s, which
//! frees the licence. `auditor` drains `audit`. Every task is peeps': the
//! census counts none unseen. Multi-thread runtime.
//!
//! The permit is on the heap (the table), not with `checkout`: the lease's
//! bytes it was moved out of may stay in the checkout's state. Expected,
//! in every dump: no deadlock, nothing stuck forever, no potential
//! deadlock; the checkout's wait on `licences` is an honest long wait.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Lease {
    id: u64,
    holder: [u8; 32],
    permit: OwnedSemaphorePermit,
}

type Table = Arc<std::sync::Mutex<Vec<Lease>>>;

#[peeps::instrument]
async fn check_out(
    licences: Arc<Semaphore>,
    table: Table,
    audit: mpsc::Sender<u64>,
    leased: Arc<AtomicU64>,
) {
    for id in 0u64.. {
        let permit = licences
            .clone()
            .acquire_owned()
            .await
            .expect("never closed");
        let lease = Lease {
            id,
            holder: [id as u8; 32],
            permit,
        };
        if audit.send(lease.id).await.is_err() {
            return;
        }
        table.lock().expect("not poisoned").push(lease);
        leased.fetch_add(1, Ordering::Relaxed);
    }
}

#[peeps::instrument]
async fn reap(table: Table) {
    let mut tick = tokio::time::interval(Duration::from_millis(1200));
    loop {
        tick.tick().await;
        let expired: Vec<Lease> = table.lock().expect("not poisoned").drain(..).collect();
        for lease in expired {
            std::hint::black_box((lease.id, lease.holder));
            drop(lease.permit);
        }
    }
}

#[peeps::instrument]
async fn drain_audit(mut audit: mpsc::Receiver<u64>) {
    while let Some(id) = audit.recv().await {
        std::hint::black_box(id);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_lease_parked_in_shared_map");
    let licences = Arc::new(Semaphore::new(1).named("licences"));
    let table: Table = Arc::default();
    let (audit, audit_rx) = mpsc::channel_named("audit", 8);
    let leased = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("auditor", drain_audit(audit_rx));
    peeps::spawn_named("reaper", reap(table.clone()));
    peeps::spawn_named(
        "checkout",
        check_out(licences, table, audit, leased.clone()),
    );
    let seen = leased.clone();
    ready_when(move |g| {
        seen.load(Ordering::Relaxed) >= 2
            && waited_on_for(g, NodeKind::Semaphore, "licences", "acquire")
    });
    examples::park().await
}
