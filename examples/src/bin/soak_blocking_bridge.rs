//! Healthy, under steady load: a bridge from sync code. A `std::thread`
//! reader produces lines with `blocking_send` into a bounded `mpsc` of
//! capacity 2 (`lines`); an async consumer (plain `tokio::spawn`) takes
//! each line and parses it in `spawn_blocking`, which locks a
//! `peeps::sync::blocking::Mutex` (`parser-state`) and works 1.1 s under
//! it; a second `spawn_blocking` job every 250 ms (a health probe, from a
//! plain ticker task) locks `parser-state` briefly. The consumer then
//! counts under an async `stats` mutex. Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock (`parser-state` and `stats` are never held
//! together). The reader thread blocked in `blocking_send` on the full
//! `lines` is an honest long wait.

use examples::ready_when;
use peeps::sync::blocking::Mutex as BlockingMutex;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_blocking_bridge");
    let (lines_tx, mut lines) = mpsc::channel_named::<String>("lines", 2);
    let parser = Arc::new(BlockingMutex::new(0u64).named("parser-state"));
    let stats = Arc::new(Mutex::new(0u64).named("stats"));
    let parsed = Arc::new(AtomicU64::new(0));
    std::thread::Builder::new()
        .name("reader".into())
        .spawn(move || {
            for n in 0u64.. {
                if lines_tx.blocking_send(format!("line {n}")).is_err() {
                    return;
                }
            }
        })
        .expect("spawn the reader");
    let consume_parser = parser.clone();
    let consume_parsed = parsed.clone();
    tokio::spawn(async move {
        while let Some(line) = lines.recv().await {
            let parser = consume_parser.clone();
            let len = tokio::task::spawn_blocking(move || {
                let mut state = parser.lock();
                std::thread::sleep(Duration::from_millis(1100));
                *state += 1;
                line.len()
            })
            .await
            .expect("the parser does not panic");
            *stats.lock().await += len as u64;
            consume_parsed.fetch_add(1, Ordering::Relaxed);
        }
    });
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(250));
        loop {
            every.tick().await;
            let parser = parser.clone();
            let _ = tokio::task::spawn_blocking(move || *parser.lock()).await;
        }
    });
    let seen = parsed.clone();
    ready_when(move |_| seen.load(Ordering::Relaxed) >= 2);
    examples::park().await
}
