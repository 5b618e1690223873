//! Healthy, busy for a few seconds then idle: exclusive edit leases on
//! documents. Each document has an `edit-seat` semaphore of one permit. A
//! `lease-manager` actor (`peeps::spawn_named`, inbox `lease-requests`)
//! handles `Open { doc, user, reply }` in turn: it `acquire_owned`s the
//! document's seat, files the permit in a `Lease` in `leases` (a
//! `Mutex<HashMap<doc, Lease>>`) and answers on an `open-reply` oneshot. A
//! `lease-reaper` (`peeps::spawn_named`) drops leases idle for 6 s, every
//! 250 ms. `editor-alice` opens doc 0 and `editor-bob` doc 1; then
//! `editor-carol` asks for doc 0 and the manager waits for alice's lease to
//! expire (about 6 s; a simple design: the manager takes no other request
//! meanwhile). Every task is a peeps task: no plain task, no thread.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock. (Alice's seat is in `leases`, where the reaper
//! drops it when it expires.)

use examples::{park, ready_when};
use peeps::sync::{Mutex, OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

const IDLE_TTL: Duration = Duration::from_secs(6);

struct Open {
    doc: usize,
    user: &'static str,
    reply: oneshot::Sender<bool>,
}

struct Lease {
    user: &'static str,
    taken: Instant,
    _seat: OwnedSemaphorePermit,
}

type Leases = Arc<Mutex<HashMap<usize, Lease>>>;

async fn lease_manager(
    mut requests: mpsc::Receiver<Open>,
    seats: Vec<Arc<Semaphore>>,
    leases: Leases,
) {
    while let Some(Open { doc, user, reply }) = requests.recv().await {
        let Some(seat) = seats.get(doc) else {
            let _ = reply.send(false);
            continue;
        };
        let Ok(seat) = seat.clone().acquire_owned().await else {
            let _ = reply.send(false);
            continue;
        };
        leases.lock().await.insert(
            doc,
            Lease {
                user,
                taken: Instant::now(),
                _seat: seat,
            },
        );
        let _ = reply.send(true);
    }
}

async fn lease_reaper(leases: Leases, expired: Arc<AtomicU64>) {
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        leases.lock().await.retain(|_, lease| {
            let keep = lease.taken.elapsed() < IDLE_TTL;
            if !keep {
                std::hint::black_box(lease.user);
                expired.fetch_add(1, Ordering::Relaxed);
            }
            keep
        });
    }
}

async fn editor(
    user: &'static str,
    doc: usize,
    requests: mpsc::Sender<Open>,
    opened: Arc<AtomicU64>,
) {
    let (reply, answer) = oneshot::channel_named("open-reply");
    if requests.send(Open { doc, user, reply }).await.is_ok() && answer.await == Ok(true) {
        opened.fetch_add(1, Ordering::Relaxed);
    }
    // Edit for a while, then go idle.
    tokio::time::sleep(Duration::from_secs(600)).await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_edit_lease_manager_waits_for_expiring_lease");
    let seats: Vec<_> = (0..2)
        .map(|_| Arc::new(Semaphore::new(1).named("edit-seat")))
        .collect();
    let leases: Leases = Arc::new(Mutex::new(HashMap::new()).named("leases"));
    let (requests, inbox) = mpsc::channel_named("lease-requests", 8);
    let opened = Arc::new(AtomicU64::new(0));
    let expired = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("lease-manager", lease_manager(inbox, seats, leases.clone()));
    peeps::spawn_named("lease-reaper", lease_reaper(leases, expired.clone()));
    for (user, doc) in [("alice", 0), ("bob", 1)] {
        peeps::spawn_named(
            format!("editor-{user}"),
            editor(user, doc, requests.clone(), opened.clone()),
        );
    }
    while opened.load(Ordering::Relaxed) < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    peeps::spawn_named("editor-carol", editor("carol", 0, requests, opened.clone()));
    ready_when(move |g| {
        examples::waited_on(g, peeps::graph::NodeKind::Semaphore, "edit-seat")
            && expired.load(Ordering::Relaxed) == 0
    });
    park().await
}
