//! Healthy: a runtime built by hand with one worker and an
//! `on_thread_start` hook that reports each runtime thread on a peeps
//! channel (`thread-events`, read by a `registry` task). A sensor
//! `std::thread` reads a device every 300 ms (an OS sleep) and notifies a
//! peeps `Notify` ("sample-ready"); the `sampler` task waits on it and sends
//! the sample to the `aggregator` task over `samples`. `main`'s `block_on`
//! awaits the aggregator's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Notify, mpsc};
use std::sync::Arc;
use std::time::Duration;

fn main() {
    peeps::install_sigusr1("soak_thread_start_hook_reports_sensor_notifies");
    let (thread_events, mut events_rx) = mpsc::channel_named::<String>("thread-events", 64);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .on_thread_start(move || {
            let name = std::thread::current().name().unwrap_or("?").to_string();
            let _ = thread_events.try_send(name);
        })
        .build()
        .unwrap();
    let ready = Arc::new(Notify::new().named("sample-ready"));
    let sensor = ready.clone();
    std::thread::Builder::new()
        .name("sensor".into())
        .spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(300)); // reading the device
                sensor.notify_one();
            }
        })
        .unwrap();
    rt.block_on(async move {
        peeps::spawn_named("registry", async move {
            let mut seen = Vec::new();
            while let Some(t) = events_rx.recv().await {
                seen.push(t);
            }
        });
        let (tx, mut rx) = mpsc::channel_named::<u64>("samples", 16);
        peeps::spawn_named("sampler", async move {
            for i in 0u64.. {
                ready.notified().await;
                if tx.send(i).await.is_err() {
                    break;
                }
            }
        });
        let aggregator = peeps::spawn_named("aggregator", async move {
            let mut sum = 0;
            while let Some(v) = rx.recv().await {
                sum += v;
            }
            sum
        });
        ready_when(|g| {
            examples::attr(g, NodeKind::Channel, "samples", "received").is_some_and(|n| n >= 2)
                && waited_on_for(g, NodeKind::Channel, "samples", "recv")
        });
        println!("{}", aggregator.await.unwrap());
    });
}
