//! Healthy, under steady load: two code paths take `orders` and
//! `inventory` in opposite orders, and both guard their second lock with
//! `tokio::time::timeout(300 ms, ..)` as a safety net, backing off (and
//! retrying later) when it fires. Four plain order handlers take `orders`
//! then `inventory` (under the timeout) for a moment every 5 ms; a plain
//! restocker, every 400 ms, takes `inventory` and at once `orders` under
//! the timeout. The two paths rarely meet crosswise (a handler holds
//! `orders` for microseconds); when they do, a timeout breaks the tie
//! within 300 ms. In most runs no timeout ever fires.
//!
//! Neither second lock can be waited for more than 300 ms, so the program
//! cannot hang.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const SAFETY_NET: Duration = Duration::from_millis(300);

struct Shop {
    orders: Mutex<Vec<(u64, u64)>>,
    inventory: Mutex<HashMap<u64, i64>>,
}

async fn place_order(shop: &Shop, item: u64, n: u64) -> bool {
    let mut orders = shop.orders.lock().await;
    let Ok(mut inventory) = tokio::time::timeout(SAFETY_NET, shop.inventory.lock()).await else {
        return false;
    };
    *inventory.entry(item).or_insert(100) -= 1;
    orders.push((item, n));
    if orders.len() > 512 {
        orders.clear();
    }
    true
}

async fn restock(shop: &Shop) -> bool {
    let mut inventory = shop.inventory.lock().await;
    let Ok(orders) = tokio::time::timeout(SAFETY_NET, shop.orders.lock()).await else {
        return false;
    };
    for (item, _) in orders.iter() {
        *inventory.entry(*item).or_insert(100) += 1;
    }
    true
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_timeout_safety_net_both_orders_rarely_contended_plain");
    let shop = Arc::new(Shop {
        orders: Mutex::new(Vec::new()).named("orders"),
        inventory: Mutex::new(HashMap::new()).named("inventory"),
    });
    let placed = Arc::new(AtomicU64::new(0));
    let restocked = Arc::new(AtomicU64::new(0));
    for h in 0..4u64 {
        let shop = shop.clone();
        let placed = placed.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                if place_order(&shop, (n + h) % 8, n).await {
                    placed.fetch_add(1, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    {
        let shop = shop.clone();
        let restocked = restocked.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(400)).await;
                if restock(&shop).await {
                    restocked.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    ready_when(move |_| {
        placed.load(Ordering::Relaxed) >= 50 && restocked.load(Ordering::Relaxed) >= 1
    });
    park().await
}
