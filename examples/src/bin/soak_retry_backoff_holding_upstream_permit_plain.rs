//! Healthy, steady: calls to a flaky upstream, at most 3 at a time (a
//! `peeps::sync::Semaphore`, `upstream-slots`), each retried with
//! exponential backoff (10, 20, 40, 80, 160 ms) while it keeps its slot.
//! The upstream is an actor (`peeps::spawn_named` `payments-upstream`,
//! inbox `upstream-calls`, answering on an `upstream-reply` oneshot) that
//! is "down" (answers an error) for 600 ms out of every 1.5 s, its state in
//! an `upstream-health` `Mutex` flipped by a `chaos` task. Each call also
//! gives up on a reply after a 100 ms `timeout`. Twenty plain
//! `tokio::spawn` clients make 10 calls each (waiting on the semaphore
//! behind the retrying holders for long stretches), then one call every
//! 400 ms.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, Semaphore, mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Call {
    amount: u64,
    reply: oneshot::Sender<Result<u64, &'static str>>,
}

struct Health {
    up: bool,
    flips: u64,
}

async fn upstream(mut calls: mpsc::Receiver<Call>, health: Arc<Mutex<Health>>) {
    while let Some(Call { amount, reply }) = calls.recv().await {
        let up = health.lock().await.up;
        tokio::time::sleep(Duration::from_millis(2)).await;
        let _ = reply.send(if up { Ok(amount * 2) } else { Err("503") });
    }
}

async fn chaos(health: Arc<Mutex<Health>>) {
    loop {
        tokio::time::sleep(Duration::from_millis(900)).await;
        {
            let mut h = health.lock().await;
            h.up = false;
            h.flips += 1;
        }
        tokio::time::sleep(Duration::from_millis(600)).await;
        health.lock().await.up = true;
    }
}

async fn call_once(upstream: &mpsc::Sender<Call>, amount: u64) -> Result<u64, &'static str> {
    let (reply, answer) = oneshot::channel_named("upstream-reply");
    upstream
        .send(Call { amount, reply })
        .await
        .map_err(|_| "upstream gone")?;
    match tokio::time::timeout(Duration::from_millis(100), answer).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err("dropped"),
        Err(_) => Err("timeout"),
    }
}

async fn call_with_retry(
    slots: &Semaphore,
    upstream: &mpsc::Sender<Call>,
    amount: u64,
) -> Result<u64, &'static str> {
    let _slot = slots.acquire().await.map_err(|_| "closed")?;
    let mut backoff = Duration::from_millis(10);
    let mut last = Err("never tried");
    for _ in 0..5 {
        last = call_once(upstream, amount).await;
        if last.is_ok() {
            break;
        }
        tokio::time::sleep(backoff).await;
        backoff *= 2;
    }
    last
}

async fn client(
    id: u64,
    slots: Arc<Semaphore>,
    upstream: mpsc::Sender<Call>,
    ok: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
) {
    for n in 0.. {
        match call_with_retry(&slots, &upstream, id * 100 + n).await {
            Ok(_) => ok.fetch_add(1, Ordering::Relaxed),
            Err(_) => failed.fetch_add(1, Ordering::Relaxed),
        };
        if n >= 10 {
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_retry_backoff_holding_upstream_permit_plain");
    let health = Arc::new(Mutex::new(Health { up: true, flips: 0 }).named("upstream-health"));
    let (upstream_tx, calls) = mpsc::channel_named("upstream-calls", 8);
    let slots = Arc::new(Semaphore::new(3).named("upstream-slots"));
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("payments-upstream", upstream(calls, health.clone()));
    peeps::spawn_named("chaos", chaos(health.clone()));
    for id in 0..20 {
        tokio::spawn(client(
            id,
            slots.clone(),
            upstream_tx.clone(),
            ok.clone(),
            failed.clone(),
        ));
    }
    ready_when(move |_| {
        ok.load(Ordering::Relaxed) >= 20 && health.try_lock().is_ok_and(|h| h.flips >= 1)
    });
    park().await
}
