//! Healthy: a service object that owns its tasks, restarted in
//! generations. `Service { jobs: Option<mpsc::Sender>, shutdown:
//! watch::Sender<bool>, workers: Vec<JoinHandle<u64>>, flusher: JoinHandle }`.
//! Three plain workers share the jobs receiver behind an
//! `Arc<Mutex<Receiver>>` (`let Some(job) = rx.lock().await.recv().await`,
//! the guard let go at the end of that statement), work 5-25 ms
//! per job and send results (an `mpsc` of capacity 8, one clone each) to a
//! plain flusher, which also `select!`s `shutdown.changed()` to flush
//! early and ends when every result sender is gone. `main` feeds a job
//! every 8 ms for 700 ms, then `stop()`: takes and drops the jobs sender,
//! sends `true` on `shutdown`, awaits each worker's handle (they drain the
//! queue, then see `None`), then the flusher's.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{ready_when, wait_once_seen};
use peeps::sync::{Mutex, mpsc, watch};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

struct Service {
    jobs: Option<mpsc::Sender<u64>>,
    shutdown: watch::Sender<bool>,
    workers: Vec<JoinHandle<u64>>,
    flusher: JoinHandle<u64>,
}

impl Service {
    fn start() -> Service {
        let (jobs, rx) = mpsc::channel::<u64>(16);
        let rx = Arc::new(Mutex::new(rx));
        let (shutdown, mut stop) = watch::channel(false);
        let (results_tx, mut results) = mpsc::channel::<u64>(8);
        let workers = (0..3)
            .map(|_| {
                let (rx, results) = (rx.clone(), results_tx.clone());
                tokio::spawn(async move {
                    let mut done = 0;
                    loop {
                        // The guard is a temporary of this statement: let go
                        // before the work.
                        let Some(job) = rx.lock().await.recv().await else {
                            break;
                        };
                        tokio::time::sleep(Duration::from_millis(5 + job % 21)).await;
                        if results.send(job).await.is_err() {
                            break;
                        }
                        done += 1;
                    }
                    done
                })
            })
            .collect();
        drop(results_tx);
        let flusher = tokio::spawn(async move {
            let (mut batch, mut flushed) = (Vec::new(), 0u64);
            loop {
                tokio::select! {
                    r = results.recv() => match r {
                        Some(r) => {
                            batch.push(r);
                            if batch.len() >= 10 {
                                flushed += batch.drain(..).count() as u64;
                            }
                        }
                        None => break,
                    },
                    Ok(()) = stop.changed() => flushed += batch.drain(..).count() as u64,
                }
            }
            flushed + batch.len() as u64
        });
        Service {
            jobs: Some(jobs),
            shutdown,
            workers,
            flusher,
        }
    }

    async fn submit(&self, job: u64) {
        if let Some(jobs) = &self.jobs {
            jobs.send(job).await.expect("workers alive");
        }
    }

    async fn stop(mut self) -> (u64, u64) {
        drop(self.jobs.take());
        let _ = self.shutdown.send(true);
        let mut done = 0;
        for h in self.workers.drain(..) {
            done += h.await.expect("worker");
        }
        (done, self.flusher.await.expect("flusher"))
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_service_struct_handles_watch_shutdown_plain");
    wait_once_seen("boot").await;
    let mut said_ready = false;
    for generation in 0u64.. {
        let service = Service::start();
        let until = Instant::now() + Duration::from_millis(700);
        let mut n = 0;
        while Instant::now() < until {
            service.submit(n).await;
            n += 1;
            tokio::time::sleep(Duration::from_millis(8)).await;
        }
        let (done, flushed) = service.stop().await;
        println!("generation {generation}: {n} jobs, {done} done, {flushed} flushed");
        if !said_ready {
            said_ready = true;
            ready_when(|_| true);
        }
    }
}
