//! HANG: a `uploader` std::thread drives `Handle::block_on`: it waits on
//! a peeps `Notify` ("resume") before each upload; the code that would
//! notify it was removed. The `queue` peeps task waits on `uploads` from
//! the uploader; `main` awaits the queue's `JoinHandle`.
//!
//! Expected: nothing can run again: the uploader thread stuck forever
//! (`nothing_runs`), the queue and `main` behind it.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Notify, mpsc};
use std::sync::Arc;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("thread_block_on_waits_unnotified_resume");
    let resume = Arc::new(Notify::new().named("resume"));
    let (tx, mut rx) = mpsc::channel_named::<u32>("uploads", 4);
    let handle = tokio::runtime::Handle::current();
    let r = resume.clone();
    std::thread::Builder::new()
        .name("uploader".into())
        .spawn(move || {
            handle.block_on(async move {
                for i in 0u32.. {
                    r.notified().await;
                    if tx.send(i).await.is_err() {
                        break;
                    }
                }
            })
        })
        .unwrap();
    let queue = peeps::spawn_named("queue", async move {
        let mut n = 0u64;
        while let Some(v) = rx.recv().await {
            n += u64::from(v);
        }
        n
    });
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "uploads", "recv")
            && examples::waited_on(g, NodeKind::Notify, "resume")
    });
    println!("{}", queue.await.unwrap());
    drop(resume);
}
