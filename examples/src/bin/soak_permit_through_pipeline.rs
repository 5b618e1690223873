//! Healthy, under steady load: admission control over a three-stage
//! pipeline. `ingress` (`peeps::spawn_named`) takes an owned permit of
//! `inflight` (4 permits) per request and sends the request, permit
//! inside, into `parse` (capacity 2). `parser` (`peeps::spawn_named`)
//! forwards into `enrich` (capacity 2); two enrichers (plain
//! `tokio::spawn`, sharing the receiver behind a `peeps::sync::Mutex`
//! named `enrich-rx`) take 150-400 ms and forward into `store`;
//! `storer` (`peeps::spawn_named`) writes for 350 ms and drops the request,
//! which frees its permit. Multi-thread runtime.
//!
//! The permits travel in messages and sit in stage tasks while `ingress`
//! waits for one. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock; waits on `inflight` are long.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, OwnedSemaphorePermit, Semaphore, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Request {
    id: u64,
    body: Vec<u8>,
    _admitted: OwnedSemaphorePermit,
}

#[peeps::instrument]
async fn ingress(inflight: Arc<Semaphore>, parse: mpsc::Sender<Request>) {
    for id in 0u64.. {
        let permit = inflight
            .clone()
            .acquire_owned()
            .await
            .expect("never closed");
        let req = Request {
            id,
            body: vec![id as u8; 32],
            _admitted: permit,
        };
        if parse.send(req).await.is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn parse_stage(mut rx: mpsc::Receiver<Request>, enrich: mpsc::Sender<Request>) {
    while let Some(mut req) = rx.recv().await {
        req.body.reverse();
        if enrich.send(req).await.is_err() {
            return;
        }
    }
}

async fn enrich_stage(rx: Arc<Mutex<mpsc::Receiver<Request>>>, store: mpsc::Sender<Request>) {
    loop {
        let next = rx.lock().await.recv().await;
        let Some(mut req) = next else { return };
        tokio::time::sleep(Duration::from_millis(150 + (req.id * 71) % 250)).await;
        req.body.push(1);
        if store.send(req).await.is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn store_stage(mut rx: mpsc::Receiver<Request>, stored: Arc<AtomicU64>) {
    while let Some(req) = rx.recv().await {
        tokio::time::sleep(Duration::from_millis(350)).await;
        std::hint::black_box(req.body.len());
        drop(req);
        stored.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_permit_through_pipeline");
    let inflight = Arc::new(Semaphore::new(4).named("inflight"));
    let (parse_tx, parse_rx) = mpsc::channel_named("parse", 2);
    let (enrich_tx, enrich_rx) = mpsc::channel_named("enrich", 2);
    let (store_tx, store_rx) = mpsc::channel_named("store", 2);
    let stored = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("storer", store_stage(store_rx, stored.clone()));
    let enrich_rx = Arc::new(Mutex::new(enrich_rx).named("enrich-rx"));
    for _ in 0..2 {
        tokio::spawn(enrich_stage(enrich_rx.clone(), store_tx.clone()));
    }
    drop(store_tx);
    peeps::spawn_named("parser", parse_stage(parse_rx, enrich_tx));
    peeps::spawn_named("ingress", ingress(inflight, parse_tx));
    ready_when(move |g| {
        stored.load(Ordering::Relaxed) >= 6 && waited_on(g, NodeKind::Semaphore, "inflight")
    });
    examples::park().await
}
