//! Healthy: a query server that audits each query with a deadline. The
//! server is a plain `tokio::spawn` task reading `queries` (its sender kept
//! by `main`); for each query it sends an audit record into `audit`
//! (capacity 1) in a `tokio::select!` against a 1.5 s `sleep` (a record
//! that misses the deadline is dropped), then answers on the query's
//! `query-reply` oneshot. `main` asks three queries in a row, awaiting
//! each reply, and only then drains `audit` (a `recv` under a 5 ms timeout until it
//! comes back empty): the server waits 1.5 s on the
//! full `audit` while `main` awaits its reply.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::ready_when;
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::time::Duration;

struct Query {
    key: u32,
    reply: oneshot::Sender<u64>,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_audit_send_deadline_select_server_plain");
    let (queries, mut query_rx) = mpsc::channel_named::<Query>("queries", 8);
    let (audit, mut audit_rx) = mpsc::channel_named::<String>("audit", 1);
    tokio::spawn(async move {
        let mut dropped = 0u64;
        while let Some(query) = query_rx.recv().await {
            let record = format!("query {}", query.key);
            tokio::select! {
                sent = audit.send(record) => { let _ = sent; }
                _ = tokio::time::sleep(Duration::from_millis(1500)) => dropped += 1,
            }
            let _ = query.reply.send(u64::from(query.key) * 7 + dropped);
        }
    });
    ready_when(|snap| {
        examples::waited_on_for(snap, NodeKind::Channel, "audit", "send")
            && examples::waited_on(snap, NodeKind::Channel, "query-reply")
            && examples::attr(snap, NodeKind::Channel, "audit", "received").is_some_and(|n| n >= 1)
    });
    let mut key = 0;
    loop {
        for _ in 0..3 {
            key += 1;
            let (reply, answer) = oneshot::channel_named("query-reply");
            if queries.send(Query { key, reply }).await.is_err() {
                return;
            }
            std::hint::black_box(answer.await.ok());
        }
        while let Ok(Some(record)) =
            tokio::time::timeout(Duration::from_millis(5), audit_rx.recv()).await
        {
            std::hint::black_box(record);
        }
    }
}
