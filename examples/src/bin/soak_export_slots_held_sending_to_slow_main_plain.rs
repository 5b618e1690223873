//! Healthy: bounded export workers feeding a slow collector that also
//! waits for a summary. Eight plain `tokio::spawn` exports each loop: take one of two
//! `export-slots` permits (a peeps `Semaphore`) and, holding it, send two
//! rows into `export-rows` (capacity 1). `main` keeps the `export-rows`
//! sender it made and collects 16 rows per round, 300 ms each, then
//! awaits a `round-summary` oneshot from the `auditor`
//! (`peeps::spawn_named`), which answers after 1 s. Exports wait for a
//! permit or for room in `export-rows` for seconds at a time.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::ready_when;
use peeps::graph::NodeKind;
use peeps::sync::{Semaphore, mpsc, oneshot};
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_export_slots_held_sending_to_slow_main_plain");
    let slots = Arc::new(Semaphore::new(2).named("export-slots"));
    let (rows, mut row_rx) = mpsc::channel_named::<(u32, u32)>("export-rows", 1);
    let (audits, mut audit_rx) = mpsc::channel_named::<oneshot::Sender<u32>>("audit-requests", 4);
    peeps::spawn_named("auditor", async move {
        let mut rounds = 0;
        while let Some(reply) = audit_rx.recv().await {
            tokio::time::sleep(Duration::from_secs(1)).await;
            rounds += 1;
            let _ = reply.send(rounds);
        }
    });
    ready_when(|snap| {
        examples::waited_on_for(snap, NodeKind::Channel, "export-rows", "send")
            && examples::waited_on(snap, NodeKind::Semaphore, "export-slots")
    });
    for export in 0..8u32 {
        let slots = slots.clone();
        let rows = rows.clone();
        tokio::spawn(async move {
            let mut batch = 0;
            loop {
                let Ok(_slot) = slots.acquire().await else {
                    return;
                };
                batch += 1;
                for row in 0..2 {
                    if rows.send((export, batch * 2 + row)).await.is_err() {
                        return;
                    }
                }
            }
        });
    }
    loop {
        for _ in 0..16 {
            let Some(row) = row_rx.recv().await else {
                return;
            };
            tokio::time::sleep(Duration::from_millis(300)).await;
            std::hint::black_box(row);
        }
        let (reply, summary) = oneshot::channel_named("round-summary");
        if audits.send(reply).await.is_err() {
            return;
        }
        std::hint::black_box(summary.await.ok());
    }
}
