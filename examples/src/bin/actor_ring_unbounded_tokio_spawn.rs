//! Deadlock: three request/response actors on unbounded inboxes, each
//! awaiting the reply of the next before reading its own inbox again, the
//! third calling back into the first (the ring that grows out of a
//! pairwise "actor A asks actor B" design, e.g. the actor deadlocks of
//! actix and ractor issues; unbounded inboxes do not help: the request is
//! delivered, never read).
//!
//! `orders` (to price an order) asks `inventory` for stock; `inventory`
//! (to reserve) asks `pricing` for a price; `pricing` (for the customer's
//! discount) asks `orders` for the customer's tier. Each actor is a
//! `#[peeps::instrument] async fn` started with plain `tokio::spawn`,
//! each request carries a oneshot reply sender. `main` places an order.
//!
//! Expected: one `probable` deadlock (plain tokio tasks) of the three
//! actors over oneshots `stock-reply` (its sender received by `inventory`),
//! `price-reply` (received by `pricing`) and `tier-reply` (in an unread
//! message on `orders-inbox`, read by `orders`); `main`, awaiting
//! `order-reply`, behind it.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};

enum OrdersMsg {
    Place {
        sku: u32,
        reply: oneshot::Sender<u64>,
    },
    Tier {
        customer: u32,
        reply: oneshot::Sender<u8>,
    },
}

struct Reserve {
    sku: u32,
    reply: oneshot::Sender<u32>,
}

struct Price {
    sku: u32,
    customer: u32,
    reply: oneshot::Sender<u64>,
}

async fn ask<M, T>(
    inbox: &mpsc::UnboundedSender<M>,
    reply: &'static str,
    msg: impl FnOnce(oneshot::Sender<T>) -> M,
) -> Option<T> {
    let (tx, rx) = oneshot::channel_named(reply);
    inbox.send(msg(tx)).ok()?;
    rx.await.ok()
}

#[peeps::instrument]
async fn run_orders(
    mut inbox: mpsc::UnboundedReceiver<OrdersMsg>,
    inventory: mpsc::UnboundedSender<Reserve>,
) {
    while let Some(msg) = inbox.recv().await {
        match msg {
            OrdersMsg::Place { sku, reply } => {
                let stock = ask(&inventory, "stock-reply", |reply| Reserve { sku, reply })
                    .await
                    .unwrap_or(0);
                let _ = reply.send(u64::from(stock));
            }
            OrdersMsg::Tier { customer, reply } => {
                let _ = reply.send(if customer % 2 == 0 { 2 } else { 1 });
            }
        }
    }
}

#[peeps::instrument]
async fn run_inventory(
    mut inbox: mpsc::UnboundedReceiver<Reserve>,
    pricing: mpsc::UnboundedSender<Price>,
) {
    while let Some(Reserve { sku, reply }) = inbox.recv().await {
        let price = ask(&pricing, "price-reply", |reply| Price {
            sku,
            customer: 7,
            reply,
        })
        .await
        .unwrap_or(0);
        let _ = reply.send(if price > 0 { 10 } else { 0 });
    }
}

#[peeps::instrument]
async fn run_pricing(
    mut inbox: mpsc::UnboundedReceiver<Price>,
    orders: mpsc::UnboundedSender<OrdersMsg>,
) {
    while let Some(Price {
        sku,
        customer,
        reply,
    }) = inbox.recv().await
    {
        let tier = ask(&orders, "tier-reply", |reply| OrdersMsg::Tier {
            customer,
            reply,
        })
        .await
        .unwrap_or(0);
        let _ = reply.send(u64::from(sku) * 100 / (u64::from(tier) + 1));
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("actor_ring_unbounded_tokio_spawn");
    let (orders_tx, orders_rx) = mpsc::unbounded_channel_named("orders-inbox");
    let (inventory_tx, inventory_rx) = mpsc::unbounded_channel_named("inventory-inbox");
    let (pricing_tx, pricing_rx) = mpsc::unbounded_channel_named("pricing-inbox");
    tokio::spawn(run_orders(orders_rx, inventory_tx));
    tokio::spawn(run_inventory(inventory_rx, pricing_tx));
    tokio::spawn(run_pricing(pricing_rx, orders_tx.clone()));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "order-reply", "recv")
            && waited_on_for(g, NodeKind::Channel, "stock-reply", "recv")
            && waited_on_for(g, NodeKind::Channel, "price-reply", "recv")
            && waited_on_for(g, NodeKind::Channel, "tier-reply", "recv")
    });
    let total = ask(&orders_tx, "order-reply", |reply| OrdersMsg::Place {
        sku: 42,
        reply,
    })
    .await;
    println!("order placed: {total:?}");
    park().await
}
