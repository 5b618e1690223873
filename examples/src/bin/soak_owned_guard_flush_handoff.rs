//! Healthy, under steady load: two writers append to a `journal`
//! (`peeps::sync::Mutex`) and hand the owned guard (`lock_owned`) to a
//! flush task that writes it out (150-350 ms) and only then lets it go,
//! so the next append waits for the previous flush. `writer-a` is an
//! instrumented fn and spawns its flushes with `peeps::spawn_named`;
//! `writer-b` is a plain async fn and spawns them with `tokio::spawn`.
//! A `reader` (plain `tokio::spawn`) locks the journal every 50 ms to
//! read its length. Multi-thread runtime.
//!
//! A writer's guard is moved into the flush task; the writer then waits
//! for the lock the flush holds. Expected, in every dump: no deadlock,
//! nothing stuck forever, no potential deadlock; waits on `journal` may
//! be long.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, OwnedMutexGuard};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Journal {
    lines: Vec<String>,
    flushed: u64,
}

async fn flush(mut journal: OwnedMutexGuard<Journal>, n: u64, flushes: Arc<AtomicU64>) {
    tokio::time::sleep(Duration::from_millis(150 + (n * 53) % 200)).await;
    let lines = std::mem::take(&mut journal.lines);
    journal.flushed += lines.len() as u64;
    flushes.fetch_add(1, Ordering::Relaxed);
}

#[peeps::instrument]
async fn writer_a(journal: Arc<Mutex<Journal>>, flushes: Arc<AtomicU64>) {
    for n in 0u64.. {
        let mut guard = journal.clone().lock_owned().await;
        guard.lines.push(format!("a-{n}"));
        peeps::spawn_named("flush-a", flush(guard, n, flushes.clone()));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn writer_b(journal: Arc<Mutex<Journal>>, flushes: Arc<AtomicU64>) {
    for n in 0u64.. {
        let mut guard = journal.clone().lock_owned().await;
        guard.lines.push(format!("b-{n}"));
        tokio::spawn(flush(guard, n, flushes.clone()));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_owned_guard_flush_handoff");
    let journal = Arc::new(Mutex::new(Journal::default()).named("journal"));
    let flushes = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("writer-a", writer_a(journal.clone(), flushes.clone()));
    peeps::spawn_named("writer-b", writer_b(journal.clone(), flushes.clone()));
    let reader_journal = journal.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let j = reader_journal.lock().await;
            std::hint::black_box((j.lines.len(), j.flushed));
        }
    });
    ready_when(move |g| {
        flushes.load(Ordering::Relaxed) >= 6 && waited_on(g, NodeKind::Mutex, "journal")
    });
    examples::park().await
}
