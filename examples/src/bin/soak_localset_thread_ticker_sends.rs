//! Healthy: a `ui` `std::thread` runs a current-thread runtime with a
//! `LocalSet` (for `!Send` state), where a plain `spawn_local` ticker
//! sleeps 300 ms and sends a frame count on a peeps channel to the
//! `renderer` task of the main runtime, forever; the thread's
//! `block_on` awaits the ticker's `JoinHandle`. `main` awaits the
//! renderer's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::rc::Rc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_localset_thread_ticker_sends");
    let (tx, mut rx) = mpsc::channel_named::<u64>("frames", 8);
    std::thread::Builder::new()
        .name("ui".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let local = tokio::task::LocalSet::new();
            local.block_on(&rt, async move {
                let frames = Rc::new(std::cell::Cell::new(0u64)); // !Send UI state
                let ticker = tokio::task::spawn_local(async move {
                    loop {
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        frames.set(frames.get() + 1);
                        if tx.send(frames.get()).await.is_err() {
                            break;
                        }
                    }
                });
                ticker.await.unwrap();
            });
        })
        .unwrap();
    let renderer = peeps::spawn_named("renderer", async move {
        let mut last = 0;
        while let Some(f) = rx.recv().await {
            last = f;
        }
        last
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "frames", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "frames", "recv")
    });
    println!("{}", renderer.await.unwrap());
}
