//! Healthy: generations of a `worker` (`peeps::spawn_named`) loop on a
//! `biased` `tokio::select!` over `&mut stop` (a peeps oneshot) and its
//! `jobs` inbox (capacity 8); each job locks `ledger`, which a `holder`
//! task keeps for 800 ms at a time (a sleep under the guard). A
//! `controller` feeds a generation jobs every 20 ms for 1.2 s, sends the
//! stop while the worker waits for `ledger` (so the stop sits unread while
//! the worker awaits the lock, and jobs pile up in the inbox), then awaits
//! the worker's `JoinHandle` and starts the next generation. Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::sync::Arc;
use std::time::Duration;

async fn worker(
    mut stop: oneshot::Receiver<()>,
    mut jobs: mpsc::Receiver<u64>,
    ledger: Arc<Mutex<u64>>,
) -> u64 {
    let mut done = 0;
    loop {
        tokio::select! {
            biased;
            _ = &mut stop => break,
            Some(j) = jobs.recv() => {
                let mut g = ledger.lock().await;
                *g += j;
                done += 1;
            }
        }
    }
    done
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_select_stop_oneshot_handler_waits_busy_lock");
    let ledger = Arc::new(Mutex::new(0u64).named("ledger"));
    let l = ledger.clone();
    peeps::spawn_named("holder", async move {
        loop {
            let g = l.lock().await;
            tokio::time::sleep(Duration::from_millis(800)).await;
            drop(g);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    let controller = peeps::spawn_named("controller", async move {
        loop {
            let (stop_tx, stop_rx) = oneshot::channel_named::<()>("worker-stop");
            let (jobs_tx, jobs_rx) = mpsc::channel_named::<u64>("jobs", 8);
            let w = peeps::spawn_named("worker", worker(stop_rx, jobs_rx, ledger.clone()));
            for j in 0..60u64 {
                if jobs_tx.try_send(j).is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let _ = stop_tx.send(());
            let n = w.await.unwrap();
            drop(jobs_tx);
            if n == u64::MAX {
                break;
            }
        }
    });
    ready_when(|g| waited_on_for(g, NodeKind::Task, "worker", "join"));
    controller.await.unwrap();
}
