//! Deadlock: a client sends its request, then subscribes to the
//! `broadcast` the answer is published on; the answer went out before the
//! subscription and is lost (tokio's `broadcast` only delivers values sent
//! after `subscribe()`), and the client waits for it forever. Its own
//! handle keeps a `broadcast::Sender` (to `subscribe()` from), and the
//! quote service waits for the next request only the client would send.
//!
//! `quote-service` reads `QuoteRequest`s on `quote-requests` and publishes
//! each `Quote` on broadcast `quotes`. `QuoteClient` holds a sender of
//! each; `quote()` sends the request, records it in its audit trail (a
//! short sleep), then subscribes and waits for a quote with its id. The
//! `pricer` task asks for one quote.
//!
//! Expected: one `certain` deadlock of `pricer` (waiting to receive on
//! `quotes`, whose senders are with `quote-service` and `pricer` itself)
//! and `quote-service` (waiting to receive on `quote-requests`, whose
//! sender is with `pricer`).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{broadcast, mpsc};
use std::time::Duration;

#[derive(Clone, Debug)]
struct Quote {
    id: u64,
    price: u64,
}

struct QuoteRequest {
    id: u64,
    symbol: &'static str,
}

struct QuoteClient {
    requests: mpsc::Sender<QuoteRequest>,
    quotes: broadcast::Sender<Quote>,
    next_id: u64,
}

impl QuoteClient {
    async fn quote(&mut self, symbol: &'static str) -> Option<Quote> {
        self.next_id += 1;
        let id = self.next_id;
        self.requests.send(QuoteRequest { id, symbol }).await.ok()?;
        // Audit trail.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut quotes = self.quotes.subscribe();
        loop {
            let quote = quotes.recv().await.ok()?;
            if quote.id == id {
                return Some(quote);
            }
        }
    }
}

#[peeps::instrument]
async fn serve_quotes(
    mut requests: mpsc::Receiver<QuoteRequest>,
    quotes: broadcast::Sender<Quote>,
) {
    while let Some(req) = requests.recv().await {
        let price = req.symbol.len() as u64 * 100;
        let _ = quotes.send(Quote { id: req.id, price });
    }
}

#[peeps::instrument]
async fn price_order(mut client: QuoteClient) {
    let quote = client.quote("ACME").await;
    if let Some(q) = quote {
        println!("priced quote {}: {}", q.id, q.price);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("broadcast_subscribe_after_request");
    let (requests_tx, requests_rx) = mpsc::channel_named("quote-requests", 16);
    let (quotes_tx, _) = broadcast::channel_named("quotes", 16);
    peeps::spawn_named(
        "quote-service",
        serve_quotes(requests_rx, quotes_tx.clone()),
    );
    let client = QuoteClient {
        requests: requests_tx,
        quotes: quotes_tx,
        next_id: 0,
    };
    peeps::spawn_named("pricer", price_order(client));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "quotes", "recv")
            && waited_on_for(g, NodeKind::Channel, "quote-requests", "recv")
    });
    park().await
}
