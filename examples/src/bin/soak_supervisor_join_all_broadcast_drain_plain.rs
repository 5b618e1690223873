//! Healthy: graceful shutdown in generations, all plain `tokio::spawn`.
//! A supervisor task, per generation, subscribes to a `broadcast`
//! shutdown, starts a feeder and four workers (each with its own `mpsc`
//! inbox of capacity 4, the feeder holding every sender, sending a job
//! every 10 ms round-robin), then awaits `futures::future::join_all` of the
//! workers' `JoinHandle`s and, after it, the feeder's. A controller task
//! sends the shutdown every 1.2 s. On it the feeder stops and drops its
//! senders; each worker `close()`s its inbox and drains it. A job takes a
//! permit of a `Semaphore` of 2 and locks a shared `Mutex` briefly.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{ready_when, wait_once_seen};
use futures::future::join_all;
use peeps::sync::{Mutex, Semaphore, broadcast, mpsc};
use std::sync::Arc;
use std::time::Duration;

async fn work(
    id: usize,
    mut inbox: mpsc::Receiver<u64>,
    mut shutdown: broadcast::Receiver<()>,
    slots: Arc<Semaphore>,
    done: Arc<Mutex<u64>>,
) -> u64 {
    let mut handled = 0;
    loop {
        tokio::select! {
            job = inbox.recv() => match job {
                Some(job) => handled += run(job, &slots, &done).await,
                None => break,
            },
            _ = shutdown.recv() => break,
        }
    }
    // Drain what is already queued.
    inbox.close();
    while let Some(job) = inbox.recv().await {
        handled += run(job, &slots, &done).await;
    }
    let _ = id;
    handled
}

async fn run(job: u64, slots: &Semaphore, done: &Mutex<u64>) -> u64 {
    let _permit = slots.acquire().await.expect("open");
    tokio::time::sleep(Duration::from_millis(5 + job % 15)).await;
    *done.lock().await += 1;
    1
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_supervisor_join_all_broadcast_drain_plain");
    let (shutdown_tx, _) = broadcast::channel::<()>(4);
    let slots = Arc::new(Semaphore::new(2));
    let done = Arc::new(Mutex::new(0u64));
    wait_once_seen("boot").await;

    let controller_tx = shutdown_tx.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(1200)).await;
            let _ = controller_tx.send(());
        }
    });

    let supervisor = tokio::spawn(async move {
        for generation in 0u64.. {
            let mut senders = Vec::new();
            let mut workers = Vec::new();
            for id in 0..4 {
                let (tx, rx) = mpsc::channel::<u64>(4);
                senders.push(tx);
                workers.push(tokio::spawn(work(
                    id,
                    rx,
                    shutdown_tx.subscribe(),
                    slots.clone(),
                    done.clone(),
                )));
            }
            let mut stop = shutdown_tx.subscribe();
            let feeder = tokio::spawn(async move {
                let mut n = 0u64;
                loop {
                    tokio::select! {
                        _ = stop.recv() => return n,
                        _ = tokio::time::sleep(Duration::from_millis(10)) => {}
                    }
                    n += 1;
                    if senders[(n % 4) as usize].send(n).await.is_err() {
                        return n;
                    }
                }
            });
            let handled: u64 = join_all(workers)
                .await
                .into_iter()
                .map(|r| r.expect("worker"))
                .sum();
            let fed = feeder.await.expect("feeder");
            println!("generation {generation}: fed {fed}, handled {handled}");
        }
    });

    ready_when(|g| {
        g.edges
            .iter()
            .any(|e| e.attrs.get("op").and_then(|v| v.as_str()) == Some("recv"))
    });
    supervisor.await.expect("the supervisor ends");
}
