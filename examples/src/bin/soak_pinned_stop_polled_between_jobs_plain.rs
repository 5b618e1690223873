//! Healthy: a plain `tokio::spawn` `crawler` pins its stop receiver (a
//! peeps oneshot, `crawl-stop`) outside its loop and checks it between
//! jobs with `now_or_never`; each job asks a `fetcher` actor
//! (`peeps::spawn_named`, inbox `fetch-requests`) for a page and awaits the
//! `page` oneshot reply, which comes after 600 ms. A `scheduler` sends the
//! stop at a random point, awaits the crawler's `JoinHandle` (which ends
//! after the job in flight) and starts the next one. Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use futures::FutureExt;
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::pin::pin;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_pinned_stop_polled_between_jobs_plain");
    let (fetch_tx, mut fetch_rx) =
        mpsc::channel_named::<(u64, oneshot::Sender<String>)>("fetch-requests", 4);
    peeps::spawn_named("fetcher", async move {
        while let Some((url, reply)) = fetch_rx.recv().await {
            tokio::time::sleep(Duration::from_millis(600)).await;
            let _ = reply.send(format!("page {url}"));
        }
    });
    let scheduler = tokio::spawn(async move {
        let mut round = 0u64;
        loop {
            let (stop_tx, stop_rx) = oneshot::channel_named::<()>("crawl-stop");
            let fetch = fetch_tx.clone();
            let crawler = tokio::spawn(async move {
                let mut stop = pin!(stop_rx);
                let mut pages = 0u64;
                loop {
                    if (&mut stop).now_or_never().is_some() {
                        break;
                    }
                    let (tx, rx) = oneshot::channel_named("page");
                    if fetch.send((pages, tx)).await.is_err() {
                        break;
                    }
                    let _page = rx.await;
                    pages += 1;
                }
                pages
            });
            tokio::time::sleep(Duration::from_millis(700 + 150 * (round % 5))).await;
            let _ = stop_tx.send(());
            let _ = crawler.await;
            round += 1;
        }
    });
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "page", "recv"));
    scheduler.await.unwrap();
}
