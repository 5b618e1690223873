//! Healthy, under steady load: market data fan-out. A plain feed task
//! updates a `RwLock` order book (write lock) and publishes each tick on
//! a `broadcast` (capacity 16) every 2 ms. Four plain subscribers handle
//! ticks at different speeds (0-12 ms each); the slow ones get
//! `RecvError::Lagged(n)`, count it and re-sync from a read of the book.
//! Every fourth tick each subscriber forwards a summary downstream the
//! backpressure-friendly way: `out.reserve().await` first, then builds
//! the summary (a read of the book) and `permit.send(..)`. The plain sink
//! drains `out` (capacity 4) with `recv_many` every 15 ms, so
//! subscribers often wait for a slot. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::broadcast::error::RecvError;
use peeps::sync::{RwLock, broadcast, mpsc};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Book {
    levels: BTreeMap<u32, u64>,
    seq: u64,
}

#[derive(Clone, Debug)]
struct Tick {
    seq: u64,
    price: u32,
    qty: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_broadcast_lagged_resync_reserve_forward_plain");
    let book = Arc::new(RwLock::new(Book::default()));
    let (ticks_tx, _) = broadcast::channel::<Tick>(16);
    let (out_tx, mut out) = mpsc::channel::<(usize, u64, usize)>(4);
    let lagged = Arc::new(AtomicU64::new(0));
    let forwarded = Arc::new(AtomicU64::new(0));

    for sub in 0..4usize {
        let mut rx = ticks_tx.subscribe();
        let (book, out_tx, lagged) = (book.clone(), out_tx.clone(), lagged.clone());
        tokio::spawn(async move {
            loop {
                let last_seq = match rx.recv().await {
                    Ok(tick) => {
                        let _ = (tick.price, tick.qty);
                        if sub > 0 {
                            tokio::time::sleep(Duration::from_millis(4 * sub as u64)).await;
                        }
                        tick.seq
                    }
                    Err(RecvError::Lagged(n)) => {
                        lagged.fetch_add(n, Ordering::Relaxed);
                        // Re-sync from the book.
                        book.read().await.seq
                    }
                    Err(RecvError::Closed) => return,
                };
                if last_seq.is_multiple_of(4) {
                    let Ok(permit) = out_tx.reserve().await else {
                        return;
                    };
                    let depth = book.read().await.levels.len();
                    permit.send((sub, last_seq, depth));
                }
            }
        });
    }
    drop(out_tx);

    let f = forwarded.clone();
    tokio::spawn(async move {
        let mut buf = Vec::new();
        loop {
            tokio::time::sleep(Duration::from_millis(15)).await;
            buf.clear();
            if out.recv_many(&mut buf, 8).await == 0 {
                return;
            }
            f.fetch_add(buf.len() as u64, Ordering::Relaxed);
        }
    });

    let b = book.clone();
    tokio::spawn(async move {
        for seq in 1u64.. {
            tokio::time::sleep(Duration::from_millis(2)).await;
            let price = 100 + (seq * 13 % 40) as u32;
            {
                let mut book = b.write().await;
                *book.levels.entry(price).or_default() += seq % 7;
                book.seq = seq;
            }
            let _ = ticks_tx.send(Tick {
                seq,
                price,
                qty: seq % 7,
            });
        }
    });

    ready_when(move |_| {
        lagged.load(Ordering::Relaxed) >= 20 && forwarded.load(Ordering::Relaxed) >= 20
    });
    park().await
}
