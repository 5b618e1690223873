//! Healthy: a job runner that enforces each job's deadline by aborting it,
//! as `soak_joinset_jobs_abort_handles_deadline_plain` with the jobs
//! started by `peeps::spawn_named("settle", ..)` and detached: a plain
//! supervisor ticks every 100 ms, spawns a job, drops its `JoinHandle`
//! and keeps the job's tokio `AbortHandle` with its deadline (250 ms);
//! each tick it aborts the jobs past their deadline. A job locks the
//! shared ledger (a `Mutex`), asks the plain pricer task for a quote over
//! an `mpsc` and waits for its `oneshot` quote with the ledger still
//! locked. The pricer locks the ledger before every second quote: it waits
//! for the lock while a job holding it waits for its quote, until the
//! supervisor aborts the job (its guard and its receiver are dropped).
//! Nothing is named but the jobs.
//!
//! The job's waits are all peeps waits, but its task has a reference
//! beyond them (the `AbortHandle` the supervisor keeps): it may be ended.
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc, oneshot};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::AbortHandle;

struct QuoteRequest {
    account: u32,
    reply: oneshot::Sender<u64>,
}

async fn settle(
    account: u32,
    ledger: Arc<Mutex<Vec<(u32, u64)>>>,
    pricer: mpsc::Sender<QuoteRequest>,
) -> u32 {
    let mut entries = ledger.lock().await;
    let (reply, quote) = oneshot::channel();
    if pricer.send(QuoteRequest { account, reply }).await.is_err() {
        return account;
    }
    if let Ok(price) = quote.await {
        entries.push((account, price));
        if entries.len() > 100 {
            entries.drain(..50);
        }
    }
    account
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_named_jobs_abort_handles_deadline");
    let ledger = Arc::new(Mutex::new(Vec::new()));
    let (pricer, mut requests) = mpsc::channel::<QuoteRequest>(16);

    let pricer_ledger = ledger.clone();
    tokio::spawn(async move {
        let mut served = 0u64;
        while let Some(QuoteRequest { account, reply }) = requests.recv().await {
            served += 1;
            let base = if served.is_multiple_of(2) {
                let entries = pricer_ledger.lock().await;
                entries.last().map_or(100, |&(_, p)| p)
            } else {
                100
            };
            let _ = reply.send(base + u64::from(account % 7));
        }
    });

    tokio::spawn(async move {
        let mut deadlines: Vec<(Instant, AbortHandle)> = Vec::new();
        let mut ticker = tokio::time::interval(Duration::from_millis(100));
        let mut account = 0u32;
        loop {
            ticker.tick().await;
            account += 1;
            let job = peeps::spawn_named("settle", settle(account, ledger.clone(), pricer.clone()));
            deadlines.push((
                Instant::now() + Duration::from_millis(250),
                job.abort_handle(),
            ));
            // The job's `JoinHandle` is dropped: the job is detached, ended
            // by its deadline if it has not finished.
            drop(job);
            let now = Instant::now();
            deadlines.retain(|(deadline, job)| {
                if *deadline <= now {
                    job.abort();
                }
                *deadline > now && !job.is_finished()
            });
        }
    });

    ready_when(|snap| {
        let waits = |op: &str| {
            snap.edges
                .iter()
                .any(|e| e.attrs.get("op").and_then(|v| v.as_str()) == Some(op))
        };
        waits("lock") && waits("recv")
    });
    park().await
}
