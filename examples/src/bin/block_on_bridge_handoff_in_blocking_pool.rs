//! Deadlock from delta-io/delta-kernel-rs#3202 ("avoid tokio blocking
//! pool handoff deadlock"): the kernel's sync storage API runs each
//! request on the executor's runtime and parks the sync caller on a
//! channel; the task that ran it hands the result back through
//! `tokio::task::spawn_blocking`. When the callers already fill tokio's
//! blocking pool (delta-rs starts one blocking task per deletion-vector
//! file), the handoff never gets a thread: "every blocking thread remains
//! parked forever".
//!
//! The runtime has `max_blocking_threads(1)`. `main` plans a scan: one
//! `spawn_blocking` task reads the deletion vector of `part-0` through
//! the sync API, whose `block_on` bridge spawns the read (plain
//! `tokio::spawn`) and waits with `blocking_recv` on `block-on-result`
//! (unbounded); the read finishes and queues the `spawn_blocking` that
//! would send the result. The only blocking thread is the caller's.
//!
//! The truth is a deadlock of the `spawn_blocking` caller (`tokio task
//! N`, parked in `blocking_recv` on `block-on-result`) with the queued
//! closure that holds the sender and needs the caller's thread. peeps
//! cannot see a queued `spawn_blocking` closure, so it cannot prove it.
//!
//! Expected: no deadlock, but at a short threshold a long wait of the
//! caller on `block-on-result`, whose sender was last seen with the
//! caller itself, blocked with nothing else to wake it (docs/ownership.md:
//! such a receive is a long wait).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::future::Future;
use std::time::Duration;

/// The executor bridge: runs `fut` on the runtime, parks the sync caller.
fn block_on<T: Send + 'static>(
    handle: &tokio::runtime::Handle,
    fut: impl Future<Output = T> + Send + 'static,
) -> T {
    let (tx, mut rx) = mpsc::unbounded_channel_named("block-on-result");
    handle.spawn(async move {
        let out = fut.await;
        // Send the result from the blocking pool.
        tokio::task::spawn_blocking(move || {
            let _ = tx.send(out);
        });
    });
    rx.blocking_recv().expect("the executor sends the result")
}

async fn read_object(path: String) -> Vec<u8> {
    tokio::time::sleep(Duration::from_millis(20)).await;
    path.into_bytes()
}

/// The sync storage API the deletion-vector loader calls.
fn read_deletion_vector(handle: &tokio::runtime::Handle, path: &str) -> usize {
    block_on(handle, read_object(format!("{path}/deletion_vector.bin"))).len()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        peeps::install_sigusr1("block_on_bridge_handoff_in_blocking_pool");
        let handle = tokio::runtime::Handle::current();
        let load = tokio::task::spawn_blocking(move || read_deletion_vector(&handle, "part-0"));
        ready_when(|g| {
            waited_on_for(g, NodeKind::Channel, "block-on-result", "recv")
                && examples::attr(g, NodeKind::Channel, "block-on-result", "sent") == Some(0)
        });
        let rows = load.await.expect("the loader");
        println!("{rows} deleted rows");
        park().await
    })
}
