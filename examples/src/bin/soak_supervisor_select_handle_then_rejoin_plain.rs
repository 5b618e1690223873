//! Healthy: a supervisor that health-checks its worker. The worker's tokio
//! `JoinHandle` lives in a `Supervised` struct with a `oneshot` stop
//! sender. A plain `tokio::spawn` supervisor loops on `tokio::select!` of
//! `&mut sup.handle` against a 100 ms `sleep`; on each tick it locks the
//! shared `stats` `Mutex`, and once the worker has run 900 ms it sends
//! `stop` and awaits the same handle again (`(&mut sup.handle).await`),
//! then starts a new worker. The worker (plain `tokio::spawn`) `select!`s
//! its stop receiver against its `mpsc` inbox (capacity 8), fed every 10 ms
//! by a plain producer task that holds the sender and ends when the inbox
//! closes; each job sleeps 5-20 ms and locks `stats`.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{ready_when, wait_once_seen};
use peeps::sync::{Mutex, mpsc, oneshot};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

#[derive(Default)]
struct Stats {
    jobs: u64,
    checks: u64,
}

struct Supervised {
    handle: JoinHandle<u64>,
    stop: Option<oneshot::Sender<()>>,
    started: Instant,
}

fn start(stats: Arc<Mutex<Stats>>) -> Supervised {
    let (jobs_tx, mut jobs) = mpsc::channel::<u64>(8);
    let (stop_tx, mut stop) = oneshot::channel::<()>();
    tokio::spawn(async move {
        for n in 0u64.. {
            tokio::time::sleep(Duration::from_millis(10)).await;
            if jobs_tx.send(n).await.is_err() {
                return;
            }
        }
    });
    let handle = tokio::spawn(async move {
        let mut handled = 0;
        loop {
            tokio::select! {
                _ = &mut stop => return handled,
                job = jobs.recv() => {
                    let Some(job) = job else { return handled };
                    tokio::time::sleep(Duration::from_millis(5 + job % 16)).await;
                    stats.lock().await.jobs += 1;
                    handled += 1;
                }
            }
        }
    });
    Supervised {
        handle,
        stop: Some(stop_tx),
        started: Instant::now(),
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_supervisor_select_handle_then_rejoin_plain");
    let stats = Arc::new(Mutex::new(Stats::default()));
    wait_once_seen("boot").await;
    let supervisor = tokio::spawn(async move {
        let mut sup = start(stats.clone());
        loop {
            tokio::select! {
                res = &mut sup.handle => {
                    println!("worker ended early: {res:?}");
                    sup = start(stats.clone());
                }
                _ = tokio::time::sleep(Duration::from_millis(100)) => {
                    stats.lock().await.checks += 1;
                    if sup.started.elapsed() > Duration::from_millis(900) {
                        if let Some(stop) = sup.stop.take() {
                            let _ = stop.send(());
                        }
                        let handled = (&mut sup.handle).await.expect("worker");
                        println!("worker stopped after {handled} jobs");
                        sup = start(stats.clone());
                    }
                }
            }
        }
    });
    ready_when(|g| {
        g.edges
            .iter()
            .any(|e| e.attrs.get("op").and_then(|v| v.as_str()) == Some("join"))
    });
    supervisor.await.expect("supervisor");
}
