//! Deadlock in truth, with an unrelated plain task alive: two actors
//! (`peeps::spawn_named`, no other peeps annotation), `crawler` and
//! `indexer`, each with a bounded inbox of 1. For every page the crawler
//! receives it sends two links to the indexer, and for every link the
//! indexer receives it sends two pages back to the crawler, awaiting each
//! `send`: soon each is blocked sending into the other's full inbox while
//! its own is full too (the "bounded channels between actors" report).
//! `main` also runs a plain `tokio::spawn` that waits for `ctrl_c`.
//! Multi-thread runtime.
//!
//! What docs/ownership.md promises: each send waits for a receiver moved
//! in at spawn and used by the other actor (found in its state), which
//! the census (the `ctrl_c` task is one peeps cannot see into) makes no
//! proof: no deadlock; at a short threshold, a long wait of each actor on
//! the other's inbox.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

async fn crawler(mut pages: mpsc::Receiver<u64>, links: mpsc::Sender<u64>) {
    while let Some(page) = pages.recv().await {
        for link in [2 * page, 2 * page + 1] {
            if links.send(link).await.is_err() {
                return;
            }
        }
    }
}

async fn indexer(mut links: mpsc::Receiver<u64>, pages: mpsc::Sender<u64>) {
    while let Some(link) = links.recv().await {
        for page in [3 * link, 3 * link + 1] {
            if pages.send(page).await.is_err() {
                return;
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("actors_full_inboxes_ctrl_c");
    tokio::spawn(async {
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
    let (page_tx, page_rx) = mpsc::channel_named("crawler-inbox", 1);
    let (link_tx, link_rx) = mpsc::channel_named("indexer-inbox", 1);
    page_tx
        .send(1)
        .await
        .expect("the crawler is not started yet");
    peeps::spawn_named("crawler", crawler(page_rx, link_tx));
    peeps::spawn_named("indexer", indexer(link_rx, page_tx));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "crawler-inbox", "send")
            && waited_on_for(g, NodeKind::Channel, "indexer-inbox", "send")
    });
    park().await
}
