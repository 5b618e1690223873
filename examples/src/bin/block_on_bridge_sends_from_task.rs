//! The fixed twin of `block_on_bridge_handoff_in_blocking_pool`
//! (delta-io/delta-kernel-rs#3202: "This PR sends the completed result
//! directly from the async task instead"): the bridge's task sends the
//! result on the unbounded channel itself. With `max_blocking_threads(1)`,
//! `main` plans a scan every 30 ms, one `spawn_blocking` deletion-vector
//! read at a time.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::mpsc;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

static SCANS: AtomicU64 = AtomicU64::new(0);

fn block_on<T: Send + 'static>(
    handle: &tokio::runtime::Handle,
    fut: impl Future<Output = T> + Send + 'static,
) -> T {
    let (tx, mut rx) = mpsc::unbounded_channel_named("block-on-result");
    handle.spawn(async move {
        let out = fut.await;
        // An unbounded send never blocks: no blocking-pool slot needed.
        let _ = tx.send(out);
    });
    rx.blocking_recv().expect("the executor sends the result")
}

async fn read_object(path: String) -> Vec<u8> {
    tokio::time::sleep(Duration::from_millis(20)).await;
    path.into_bytes()
}

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
        peeps::install_sigusr1("block_on_bridge_sends_from_task");
        ready_when(|_| SCANS.load(Ordering::Relaxed) >= 5);
        for part in 0.. {
            let handle = tokio::runtime::Handle::current();
            let path = format!("part-{}", part % 4);
            let load = tokio::task::spawn_blocking(move || read_deletion_vector(&handle, &path));
            let rows = load.await.expect("the loader");
            if rows == 0 {
                break;
            }
            SCANS.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        park().await
    })
}
