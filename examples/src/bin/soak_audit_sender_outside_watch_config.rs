//! The fixed twin of `audit_sender_kept_in_watch_config`: the `config`
//! `watch` carries only plain settings; handlers get their own clone of
//! the `audit` sender. `main` runs generations: a plain `tokio::spawn`
//! audit writer, two handlers logging every 40 ms for 300 ms, then
//! `main` drops its sender and `config`'s and awaits the writer, which
//! ends once the handlers are done.
//!
//! Expected: in every dump, nothing false (no deadlock, nothing stuck
//! forever, no potential deadlock).

use examples::ready;
use peeps::sync::{mpsc, watch};
use std::time::Duration;

#[derive(Clone)]
struct Config {
    max_body: usize,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_audit_sender_outside_watch_config");
    for generation in 0u64.. {
        let (audit, mut events) = mpsc::channel_named::<String>("audit", 16);
        let writer = tokio::spawn(async move {
            let mut written = 0u64;
            while let Some(event) = events.recv().await {
                written += event.len() as u64;
            }
            written
        });
        let (config_tx, config) = watch::channel_named("config", Config { max_body: 1024 });
        for h in 0..2 {
            let config = config.clone();
            let audit = audit.clone();
            tokio::spawn(async move {
                for i in 0..8 {
                    let max_body = config.borrow().max_body;
                    let _ = audit
                        .send(format!("h{h} GET /items/{i} ({max_body} max)"))
                        .await;
                    tokio::time::sleep(Duration::from_millis(40)).await;
                }
            });
        }
        drop(config);
        audit
            .send("shutdown".to_owned())
            .await
            .expect("the writer is alive");
        drop(audit);
        drop(config_tx);
        let written = writer.await.expect("the writer ends");
        println!("generation {generation}: {written} bytes audited");
        if generation == 1 {
            ready();
        }
    }
}
