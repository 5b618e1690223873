//! Healthy, under steady load: an order service. A plain ticker sends an
//! order (1-4 lines) every 5 ms into an `mpsc` (capacity 16). A plain
//! worker keeps up to 8 lines in flight in a `futures::stream::
//! FuturesUnordered`, the usual `select!` of `rx.recv()` (while there is
//! room) against `in_flight.next()` (while it is not empty). Each line
//! locks the shared `Mutex` of stock to reserve, lets it go, "calls the
//! payment service" (a 5-35 ms sleep) and locks a `Mutex` of stats. A
//! second plain worker drives each whole order of another feed to the end
//! with its own `FuturesUnordered` (`while let Some(..) = futs.next()`).
//! A plain reporter locks stock then stats every 50 ms; nobody nests them
//! the other way. Multi-thread runtime, nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use futures::stream::{FuturesUnordered, StreamExt};
use peeps::sync::{Mutex, mpsc};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Stock {
    on_hand: HashMap<u32, i64>,
    reserved: u64,
    restocked: u64,
}

#[derive(Default)]
struct Stats {
    lines: u64,
    failed: u64,
}

#[derive(Clone)]
struct Shop {
    stock: Arc<Mutex<Stock>>,
    stats: Arc<Mutex<Stats>>,
}

impl Shop {
    async fn process_line(&self, sku: u32, qty: i64) -> bool {
        let ok = {
            let mut stock = self.stock.lock().await;
            let left = stock.on_hand.entry(sku).or_insert(50);
            if *left >= qty {
                *left -= qty;
                stock.reserved += 1;
                true
            } else {
                *left += 200;
                stock.restocked += 1;
                false
            }
        };
        // The payment service.
        tokio::time::sleep(Duration::from_millis(5 + u64::from(sku % 4) * 10)).await;
        let mut stats = self.stats.lock().await;
        stats.lines += 1;
        if !ok {
            stats.failed += 1;
        }
        ok
    }
}

fn order(n: u64) -> Vec<(u32, i64)> {
    (0..1 + n % 4)
        .map(|i| (((n * 7 + i) % 23) as u32, (1 + i % 3) as i64))
        .collect()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_futures_unordered_order_lines_lock_per_item_plain");
    let shop = Shop {
        stock: Arc::new(Mutex::new(Stock::default())),
        stats: Arc::new(Mutex::new(Stats::default())),
    };
    let done = Arc::new(AtomicU64::new(0));

    let (orders_tx, mut orders) = mpsc::channel::<Vec<(u32, i64)>>(16);
    tokio::spawn(async move {
        for n in 0u64.. {
            tokio::time::sleep(Duration::from_millis(5)).await;
            if orders_tx.send(order(n)).await.is_err() {
                return;
            }
        }
    });

    let (s, d) = (shop.clone(), done.clone());
    tokio::spawn(async move {
        let mut pending_lines: Vec<(u32, i64)> = Vec::new();
        let mut in_flight = FuturesUnordered::new();
        loop {
            tokio::select! {
                Some(lines) = orders.recv(), if in_flight.len() < 8 && pending_lines.is_empty() => {
                    pending_lines = lines;
                }
                Some(_ok) = in_flight.next(), if !in_flight.is_empty() => {
                    d.fetch_add(1, Ordering::Relaxed);
                }
                else => break,
            }
            while in_flight.len() < 8 {
                let Some((sku, qty)) = pending_lines.pop() else {
                    break;
                };
                let s = s.clone();
                in_flight.push(async move { s.process_line(sku, qty).await });
            }
        }
    });

    let (feed_tx, mut feed) = mpsc::channel::<Vec<(u32, i64)>>(4);
    tokio::spawn(async move {
        for n in 1000u64.. {
            tokio::time::sleep(Duration::from_millis(12)).await;
            if feed_tx.send(order(n)).await.is_err() {
                return;
            }
        }
    });
    let (s, d) = (shop.clone(), done.clone());
    tokio::spawn(async move {
        while let Some(lines) = feed.recv().await {
            let mut futs: FuturesUnordered<_> = lines
                .into_iter()
                .map(|(sku, qty)| s.process_line(sku, qty))
                .collect();
            while let Some(_ok) = futs.next().await {
                d.fetch_add(1, Ordering::Relaxed);
            }
        }
    });

    let s = shop.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let stock = s.stock.lock().await;
            let stats = s.stats.lock().await;
            let _ = (stock.reserved, stock.restocked, stats.lines, stats.failed);
        }
    });

    ready_when(move |_| done.load(Ordering::Relaxed) >= 100);
    park().await
}
