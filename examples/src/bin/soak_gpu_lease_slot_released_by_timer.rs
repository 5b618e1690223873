//! Healthy, idle after a burst: render workers lease one of two GPUs (an
//! owned permit of `gpu-leases`) and keep the lease in a
//! `Mutex<Option<OwnedSemaphorePermit>>` slot (`gpu-lease`) across many
//! jobs; a `lease-timer` task spawned with each lease takes it out of the
//! slot after 120 ms, whoever is using it. Every task is
//! `peeps::spawn_named`.
//!
//! For each job a worker looks at its slot: with a lease there it renders
//! (4 ms, the slot let go meanwhile); without one it acquires a fresh
//! permit, puts it in the slot and spawns that lease's timer. Three
//! workers share the two GPUs, so the third waits for a timer to take a
//! lease back. After 40 jobs each the workers sleep 10 minutes; the
//! timers have given every lease back by then.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, OwnedSemaphorePermit, Semaphore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

type LeaseSlot = Arc<Mutex<Option<OwnedSemaphorePermit>>>;

async fn lease_timer(slot: LeaseSlot, expired: Arc<AtomicU64>) {
    tokio::time::sleep(Duration::from_millis(120)).await;
    if slot.lock().await.take().is_some() {
        expired.fetch_add(1, Ordering::Relaxed);
    }
}

async fn render_worker(
    id: u64,
    gpus: Arc<Semaphore>,
    rendered: Arc<AtomicU64>,
    expired: Arc<AtomicU64>,
) {
    let slot: LeaseSlot = Arc::new(Mutex::new(None).named("gpu-lease"));
    loop {
        for frame in 0..40u64 {
            let leased = slot.lock().await.is_some();
            if !leased {
                let Ok(lease) = gpus.clone().acquire_owned().await else {
                    return;
                };
                *slot.lock().await = Some(lease);
                peeps::spawn_named(
                    format!("lease-timer-{id}"),
                    lease_timer(slot.clone(), expired.clone()),
                );
            }
            tokio::time::sleep(Duration::from_millis(4)).await;
            std::hint::black_box(id * 1000 + frame);
            rendered.fetch_add(1, Ordering::Relaxed);
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_gpu_lease_slot_released_by_timer");
    let gpus = Arc::new(Semaphore::new(2).named("gpu-leases"));
    let rendered = Arc::new(AtomicU64::new(0));
    let expired = Arc::new(AtomicU64::new(0));
    for id in 0..3 {
        peeps::spawn_named(
            format!("render-worker-{id}"),
            render_worker(id, gpus.clone(), rendered.clone(), expired.clone()),
        );
    }
    ready_when(move |_| {
        rendered.load(Ordering::Relaxed) >= 120 && expired.load(Ordering::Relaxed) >= 4
    });
    park().await
}
