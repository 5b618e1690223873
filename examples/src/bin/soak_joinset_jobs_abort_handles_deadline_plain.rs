//! Healthy: a job runner that enforces each job's deadline by aborting it.
//! A plain `tokio::spawn` supervisor ticks every 100 ms, spawns a settlement
//! job into a `tokio::task::JoinSet` and keeps the job's `AbortHandle` with
//! its deadline (250 ms); each tick it aborts the jobs past their deadline
//! and reaps the finished ones with `join_next`. A job locks `ledger` (a
//! peeps `Mutex`), asks the plain `pricer` task for a quote over
//! `quote-requests` and waits for its `quote` oneshot with the ledger still
//! locked. The pricer reads `ledger` before every second quote: it waits
//! for the lock while a job holding it waits for its quote, until the
//! supervisor aborts the job (its guard and its receiver are dropped).
//!
//! The job's waits are all peeps waits, but its task has a reference
//! beyond them (the `AbortHandle` the supervisor keeps): it may be ended.
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::{AbortHandle, JoinSet};

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
    let (reply, quote) = oneshot::channel_named("quote");
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
    peeps::install_sigusr1("soak_joinset_jobs_abort_handles_deadline_plain");
    let ledger = Arc::new(Mutex::new(Vec::new()).named("ledger"));
    let (pricer, mut requests) = mpsc::channel_named::<QuoteRequest>("quote-requests", 16);

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
        let mut jobs = JoinSet::new();
        let mut deadlines: Vec<(Instant, AbortHandle)> = Vec::new();
        let mut ticker = tokio::time::interval(Duration::from_millis(100));
        let mut account = 0u32;
        loop {
            tokio::select! {
                _ = ticker.tick() => {
                    account += 1;
                    let abort = jobs.spawn(settle(account, ledger.clone(), pricer.clone()));
                    deadlines.push((Instant::now() + Duration::from_millis(250), abort));
                    let now = Instant::now();
                    deadlines.retain(|(deadline, job)| {
                        if *deadline <= now {
                            job.abort();
                        }
                        *deadline > now && !job.is_finished()
                    });
                }
                Some(done) = jobs.join_next() => {
                    std::hint::black_box(done.is_ok());
                }
            }
        }
    });

    ready_when(|snap| {
        waited_on_for(snap, NodeKind::Mutex, "ledger", "lock")
            && waited_on_for(snap, NodeKind::Channel, "quote", "recv")
    });
    park().await
}
