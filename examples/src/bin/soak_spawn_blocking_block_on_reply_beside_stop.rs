//! Healthy: an `exporter` (`peeps::spawn_named`) loops on a `biased`
//! `tokio::select!` over `&mut stop` (a peeps oneshot, `exporter-stop`) and
//! a 100 ms `interval`; on each tick it runs a sync encoder in
//! `spawn_blocking` and awaits its `JoinHandle`. The encoder asks the
//! `schema-registry` actor for a schema through `Handle::block_on` of a
//! peeps oneshot reply (`schema-reply`), which the actor sends after
//! 500 ms, then locks `encoder-stats` with `blocking_lock`. A `supervisor`
//! sends the stop in the middle of an export (so it sits unread for up to
//! 500 ms while the exporter awaits the blocking encoder), awaits the
//! exporter's `JoinHandle`, and starts the next. Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::sync::Arc;
use std::time::Duration;

type SchemaReq = (u64, oneshot::Sender<String>);

fn encode(
    rt: tokio::runtime::Handle,
    registry: mpsc::Sender<SchemaReq>,
    stats: Arc<Mutex<u64>>,
    batch: u64,
) -> usize {
    let (tx, rx) = oneshot::channel_named("schema-reply");
    registry.blocking_send((batch, tx)).unwrap();
    let schema = rt.block_on(rx).unwrap();
    *stats.blocking_lock() += 1;
    schema.len()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_spawn_blocking_block_on_reply_beside_stop");
    let (reg_tx, mut reg_rx) = mpsc::channel_named::<SchemaReq>("schema-requests", 4);
    peeps::spawn_named("schema-registry", async move {
        while let Some((b, reply)) = reg_rx.recv().await {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let _ = reply.send(format!("schema-{}", b % 3));
        }
    });
    let stats = Arc::new(Mutex::new(0u64).named("encoder-stats"));
    let supervisor = peeps::spawn_named("supervisor", async move {
        loop {
            let (stop_tx, mut stop) = oneshot::channel_named::<()>("exporter-stop");
            let reg = reg_tx.clone();
            let st = stats.clone();
            let exporter = peeps::spawn_named("exporter", async move {
                let mut tick = tokio::time::interval(Duration::from_millis(100));
                let mut batch = 0u64;
                loop {
                    tokio::select! {
                        biased;
                        _ = &mut stop => break,
                        _ = tick.tick() => {
                            let rt = tokio::runtime::Handle::current();
                            let (reg, st) = (reg.clone(), st.clone());
                            let n = tokio::task::spawn_blocking(move || encode(rt, reg, st, batch))
                                .await
                                .unwrap();
                            batch += n as u64;
                        }
                    }
                }
                batch
            });
            tokio::time::sleep(Duration::from_millis(1300)).await;
            let _ = stop_tx.send(());
            let _ = exporter.await;
        }
    });
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "schema-reply", "recv"));
    supervisor.await.unwrap();
}
