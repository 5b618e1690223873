//! Healthy: at startup `main` warms its cache through a sync helper that
//! builds a throwaway multi-thread runtime on a helper thread (two
//! workers), runs a `warm` peeps task there and drops the runtime (its
//! workers exit). Then a `sensor` `std::thread` (a blocking driver API,
//! here a 300 ms sleep) pokes a peeps `Notify` with `notify_one()` for
//! every sample; the `sampler` task waits on `notified()`; `main` awaits
//! the sampler's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Notify;
use std::sync::Arc;
use std::time::Duration;

fn warm_cache_blocking() -> u64 {
    std::thread::spawn(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async { peeps::spawn_named("warm", async { 3u64 }).await.unwrap() })
    })
    .join()
    .unwrap()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_warmup_runtime_dropped_sensor_thread_notifies");
    let warmed = warm_cache_blocking();
    println!("warmed {warmed} entries");
    let sample = Arc::new(Notify::new().named("sample"));
    {
        let sample = sample.clone();
        std::thread::Builder::new()
            .name("sensor".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_millis(300)); // blocking driver read
                    sample.notify_one();
                }
            })
            .unwrap();
    }
    let sampler = peeps::spawn_named("sampler", async move {
        let mut n = 0u64;
        loop {
            sample.notified().await;
            n += 1;
            if n == u64::MAX {
                break n;
            }
        }
    });
    ready_when(|g| waiters(g, NodeKind::Notify, "sample") == 1);
    println!("{}", sampler.await.unwrap());
}
