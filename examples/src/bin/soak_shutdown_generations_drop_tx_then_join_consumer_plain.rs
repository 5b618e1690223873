//! Healthy, under steady load: graceful shutdown done right, generation
//! after generation, the fixed twin of "awaits the consumer while still
//! holding a sender". Each 800 ms generation `main` makes an `mpsc`
//! (capacity 4), spawns a plain consumer that writes each event under a
//! `Mutex` of the store (3 ms each), and three plain producers, each with a
//! clone of the sender, that `select!` a `broadcast` shutdown against
//! sending an event every 2 ms. `main` sleeps 600 ms, sends shutdown,
//! awaits the producers' `JoinHandle`s, `drop`s its own sender, then
//! awaits the consumer's, which ends once the channel is drained and
//! closed; a `Notify` tells a plain flusher the generation is over, which
//! locks the store to count it. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::ready_when;
use peeps::sync::{Mutex, Notify, broadcast, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_shutdown_generations_drop_tx_then_join_consumer_plain");
    let store = Arc::new(Mutex::new(Vec::<u64>::new()));
    let over = Arc::new(Notify::new());
    let generations = Arc::new(AtomicU64::new(0));

    {
        let (store, over) = (store.clone(), over.clone());
        tokio::spawn(async move {
            loop {
                over.notified().await;
                let mut s = store.lock().await;
                let _ = s.len();
                s.clear();
            }
        });
    }

    let g = generations.clone();
    ready_when(move |_| g.load(Ordering::Relaxed) >= 2);

    loop {
        let (tx, mut rx) = mpsc::channel::<u64>(4);
        let (stop_tx, _) = broadcast::channel::<()>(1);
        let st = store.clone();
        let consumer = tokio::spawn(async move {
            let mut n = 0u64;
            while let Some(ev) = rx.recv().await {
                let mut s = st.lock().await;
                tokio::time::sleep(Duration::from_millis(3)).await;
                s.push(ev);
                n += 1;
            }
            n
        });
        let mut producers = Vec::new();
        for p in 0..3u64 {
            let tx = tx.clone();
            let mut stop = stop_tx.subscribe();
            producers.push(tokio::spawn(async move {
                for n in 0u64.. {
                    tokio::select! {
                        _ = stop.recv() => return,
                        _ = tokio::time::sleep(Duration::from_millis(2)) => {}
                    }
                    tokio::select! {
                        _ = stop.recv() => return,
                        sent = tx.send(p * 1_000_000 + n) => {
                            if sent.is_err() {
                                return;
                            }
                        }
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(600)).await;
        let _ = stop_tx.send(());
        for p in producers {
            p.await.expect("a producer panicked");
        }
        drop(tx);
        let n = consumer.await.expect("the consumer panicked");
        let _ = n;
        over.notify_one();
        generations.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
