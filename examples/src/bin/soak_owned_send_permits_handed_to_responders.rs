//! Healthy: per generation, a `dispatcher` peeps task makes a `results`
//! channel and a `collector` task reading it, reserves three slots with
//! `tx.clone().reserve_owned()` and hands each `OwnedPermit` (which owns a
//! sender) to a `responder-N` peeps task that answers after 300-500 ms
//! (`permit.send(..)`); it drops its own sender and awaits the collector,
//! which ends once the last responder has sent. Forever.
//!
//! While the dispatcher waits for the collector and the collector waits on
//! `results`, the only senders are inside the responders' owned permits.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_owned_send_permits_handed_to_responders");
    let dispatcher = peeps::spawn_named("dispatcher", async move {
        let mut total = 0u64;
        loop {
            let (tx, mut rx) = mpsc::channel_named::<u64>("results", 4);
            let collector = peeps::spawn_named("collector", async move {
                let mut sum = 0;
                while let Some(v) = rx.recv().await {
                    sum += v;
                }
                sum
            });
            for r in 0..3u64 {
                let permit = tx.clone().reserve_owned().await.unwrap();
                peeps::spawn_named(format!("responder-{r}"), async move {
                    tokio::time::sleep(Duration::from_millis(300 + 100 * r)).await;
                    permit.send(r);
                });
            }
            drop(tx);
            total += collector.await.unwrap();
            if total == u64::MAX {
                return total;
            }
        }
    });
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "results", "recv"));
    println!("{}", dispatcher.await.unwrap());
}
