//! A potential deadlock, never a deadlock: a flusher holds `sessions`
//! across a slow write (a plain `tokio::time::sleep`), then locks
//! `metrics`; a while later a reporter locks `metrics`, then `sessions`.
//! No peeps annotation: plain `tokio::spawn` of `async move` blocks on a
//! two-worker runtime.
//!
//! Right before its write the flusher starts a CPU-heavy compaction job
//! (a blocking `tokio::spawn`), which lands in its worker's LIFO slot and
//! keeps that worker busy, so tokio resumes the flusher on the other
//! worker: it took `sessions` on one thread and `metrics` on another. The
//! flusher repeats until that move happened; only then does the reporter
//! run. Nothing ever waits on anything for long.
//!
//! Expected: no deadlock; exactly one potential deadlock naming
//! `sessions` and `metrics`: run at the same time, the flusher (holding
//! `sessions`, waiting for `metrics`) and the reporter (holding `metrics`,
//! waiting for `sessions`) deadlock. (docs/lock-order.md: a plain task
//! that moves across an uninstrumented `.await` may miss this edge.)

use examples::{park, ready};
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("lock_across_sleep_inversion_tokio_spawn");
    let sessions = Arc::new(Mutex::new(HashMap::<u64, u64>::new()).named("sessions"));
    let metrics = Arc::new(Mutex::new(0u64).named("metrics"));

    let (s, m) = (sessions.clone(), metrics.clone());
    tokio::spawn(async move {
        for _ in 0..50 {
            let open = s.lock().await;
            let before = std::thread::current().id();
            tokio::spawn(async { std::thread::sleep(Duration::from_millis(200)) });
            // Write the sessions out.
            tokio::time::sleep(Duration::from_millis(20)).await;
            let moved = std::thread::current().id() != before;
            *m.lock().await += open.len() as u64;
            drop(open);
            if moved {
                return;
            }
        }
        panic!("the flusher never resumed on another worker");
    })
    .await
    .expect("the flusher");

    tokio::time::sleep(Duration::from_millis(50)).await;
    tokio::spawn(async move {
        let flushed = metrics.lock().await;
        let open = sessions.lock().await.len();
        println!("{} flushed, {open} open", *flushed);
    })
    .await
    .expect("the reporter");

    ready();
    park().await
}
