//! Healthy control: an event loop in `select!` over several receivers and
//! a shutdown signal, every producer asleep.
//!
//! `dispatcher` (a peeps task) loops on `select!` over `orders`,
//! `cancels` (bounded mpsc), `prices` (a `broadcast`) and `shutdown` (a
//! `watch`). The producers of each send once an hour; `main` holds the
//! shutdown sender and parks.
//!
//! Expected: no deadlock (the producers' timers).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{broadcast, mpsc, watch};
use std::time::Duration;

#[peeps::instrument]
async fn dispatch(
    mut orders: mpsc::Receiver<u64>,
    mut cancels: mpsc::Receiver<u64>,
    mut prices: broadcast::Receiver<f64>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            Some(order) = orders.recv() => println!("order {order}"),
            Some(cancel) = cancels.recv() => println!("cancel {cancel}"),
            Ok(price) = prices.recv() => println!("price {price}"),
            _ = shutdown.changed() => {
                if *shutdown.borrow() {
                    return;
                }
            }
        }
    }
}

#[peeps::instrument]
async fn produce(orders: mpsc::Sender<u64>) {
    for n in 0.. {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let _ = orders.send(n).await;
    }
}

#[peeps::instrument]
async fn quote(prices: broadcast::Sender<f64>) {
    loop {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let _ = prices.send(1.5);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("select_loop_receivers");
    let (orders_tx, orders) = mpsc::channel_named("orders", 8);
    let (cancels_tx, cancels) = mpsc::channel_named("cancels", 8);
    let (prices_tx, prices) = broadcast::channel_named("prices", 8);
    let (shutdown_tx, shutdown) = watch::channel_named("shutdown", false);
    peeps::spawn_named("dispatcher", dispatch(orders, cancels, prices, shutdown));
    peeps::spawn_named("orders-in", produce(orders_tx));
    peeps::spawn_named("cancels-in", produce(cancels_tx));
    peeps::spawn_named("quotes", quote(prices_tx));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "orders", "recv")
            && waited_on_for(g, NodeKind::Channel, "cancels", "recv")
            && waited_on_for(g, NodeKind::Channel, "prices", "recv")
            && waited_on_for(g, NodeKind::Channel, "shutdown", "changed")
    });
    let _shutdown = shutdown_tx;
    park().await
}
