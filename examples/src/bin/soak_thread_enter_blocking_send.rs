//! Healthy: a device-reader `std::thread` enters the runtime
//! (`Handle::enter`, as threads that may spawn do) and, every 300 ms (a
//! blocking read), `blocking_send`s a frame on a peeps channel to the
//! `decoder` task. `main` awaits the decoder's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_thread_enter_blocking_send");
    let (tx, mut rx) = mpsc::channel_named::<Vec<u8>>("frames", 16);
    let handle = tokio::runtime::Handle::current();
    std::thread::Builder::new()
        .name("device-reader".into())
        .spawn(move || {
            let _rt = handle.enter();
            for i in 0u8.. {
                std::thread::sleep(Duration::from_millis(300)); // a blocking read
                if tx.blocking_send(vec![i; 8]).is_err() {
                    break;
                }
            }
        })
        .unwrap();
    let decoder = peeps::spawn_named("decoder", async move {
        let mut n = 0;
        while let Some(frame) = rx.recv().await {
            n += frame.len();
        }
        n
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "frames", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "frames", "recv")
    });
    println!("{}", decoder.await.unwrap());
}
