//! Healthy, under steady load: a dispatcher (plain `tokio::spawn`) limits
//! concurrent jobs with a `Semaphore` of 3 (`job-slots`): it takes an
//! owned permit (`acquire_owned`) and moves it into a plain `tokio::spawn`
//! job, forever. Each job `select!`s between its work (a 0.6–2.4 s timer)
//! and a `broadcast` shutdown (`shutdown`) that `main` keeps and never
//! sends, and counts into a `done` mutex at the end. Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock. The dispatcher's wait for a permit is an honest
//! long wait (the permits are with the jobs, on timers).

use examples::ready_when;
use peeps::sync::{Mutex, Semaphore, broadcast};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_semaphore_jobs_broadcast");
    let slots = Arc::new(Semaphore::new(3).named("job-slots"));
    let (shutdown, _) = broadcast::channel_named::<()>("shutdown", 1);
    let done = Arc::new(Mutex::new(0u64).named("done"));
    let finished = Arc::new(AtomicU64::new(0));
    let dispatch_shutdown = shutdown.clone();
    let dispatch_finished = finished.clone();
    tokio::spawn(async move {
        for n in 0u64.. {
            let permit = slots.clone().acquire_owned().await.expect("never closed");
            let mut stop = dispatch_shutdown.subscribe();
            let done = done.clone();
            let finished = dispatch_finished.clone();
            tokio::spawn(async move {
                let work = Duration::from_millis(600 + (n * 700) % 1800);
                tokio::select! {
                    _ = stop.recv() => {}
                    _ = tokio::time::sleep(work) => {
                        *done.lock().await += 1;
                        finished.fetch_add(1, Ordering::Relaxed);
                    }
                }
                drop(permit);
            });
        }
    });
    let seen = finished.clone();
    ready_when(move |_| seen.load(Ordering::Relaxed) >= 4);
    // `main` keeps `shutdown` (never sent) while it parks.
    examples::park().await
}
