//! Healthy, under steady load, on a current-thread runtime: load
//! shedding at ingest. Six ingest handlers (three `peeps::spawn_named`,
//! three plain `tokio::spawn`) offer events to `events` (capacity 4)
//! with `tokio::time::timeout(250 ms, tx.send(ev))` and drop the event on
//! a timeout. The `consumer` (`peeps::spawn_named`) `select!`s between
//! receiving an event and a 100 ms flush timer; each event takes 40 ms,
//! and every tenth a 500 ms stall (writing a segment under the `segment`
//! mutex, which a `compactor` also holds for 300 ms every 700 ms).
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits to send on `events` are cut at 250 ms, so
//! any long wait is on `segment`.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Event {
    source: u64,
    payload: String,
}

async fn ingest(
    source: u64,
    tx: mpsc::Sender<Event>,
    accepted: Arc<AtomicU64>,
    shed: Arc<AtomicU64>,
) {
    for n in 0u64.. {
        tokio::time::sleep(Duration::from_millis(20 + source * 3)).await;
        let ev = Event {
            source,
            payload: format!("{source}:{n}"),
        };
        match tokio::time::timeout(Duration::from_millis(250), tx.send(ev)).await {
            Ok(Ok(())) => accepted.fetch_add(1, Ordering::Relaxed),
            Ok(Err(_)) => return,
            Err(_) => shed.fetch_add(1, Ordering::Relaxed),
        };
    }
}

#[peeps::instrument]
async fn consume(mut rx: mpsc::Receiver<Event>, segment: Arc<Mutex<Vec<String>>>) {
    let mut flush = tokio::time::interval(Duration::from_millis(100));
    let mut n = 0u64;
    loop {
        tokio::select! {
            ev = rx.recv() => {
                let Some(ev) = ev else { return };
                n += 1;
                tokio::time::sleep(Duration::from_millis(40)).await;
                if n.is_multiple_of(10) {
                    let mut seg = segment.lock().await;
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    seg.push(ev.payload);
                } else {
                    std::hint::black_box((ev.source, ev.payload.len()));
                }
            }
            _ = flush.tick() => {
                let mut seg = segment.lock().await;
                if seg.len() > 16 {
                    seg.clear();
                }
            }
        }
    }
}

#[peeps::instrument]
async fn compact(segment: Arc<Mutex<Vec<String>>>) {
    loop {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let seg = segment.lock().await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        std::hint::black_box(seg.len());
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_timeout_send_load_shed");
    let (tx, rx) = mpsc::channel_named("events", 4);
    let segment = Arc::new(Mutex::new(Vec::new()).named("segment"));
    let accepted = Arc::new(AtomicU64::new(0));
    let shed = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("consumer", consume(rx, segment.clone()));
    peeps::spawn_named("compactor", compact(segment));
    for source in 1..=3 {
        peeps::spawn_named(
            format!("ingest-{source}"),
            ingest(source, tx.clone(), accepted.clone(), shed.clone()),
        );
        tokio::spawn(ingest(
            source + 3,
            tx.clone(),
            accepted.clone(),
            shed.clone(),
        ));
    }
    drop(tx);
    ready_when(move |g| {
        accepted.load(Ordering::Relaxed) >= 20
            && shed.load(Ordering::Relaxed) >= 2
            && waited_on_for(g, NodeKind::Channel, "events", "send")
    });
    examples::park().await
}
