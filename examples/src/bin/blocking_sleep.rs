//! A blocking poll: `std::thread::sleep` inside an async fn.
//!
//! `compressor` calls `compress_chunk`, which "works" by sleeping the
//! thread for an hour with `std::thread::sleep` instead of awaiting. The
//! poll never returns: it blocks a runtime worker thread. That is not a
//! deadlock (the thread is busy, not waiting on anything peeps sees), it is
//! a blocking poll.
//!
//! Expected: no deadlock; a blocking poll of task `compressor` whose
//! innermost future is `compress_chunk`.

use examples::{park, polling, ready_when};
use std::time::Duration;

#[peeps::instrument]
async fn compress_chunk(chunk: Vec<u8>) -> Vec<u8> {
    // Wrong: blocks the worker thread. Should be spawn_blocking, or an
    // await.
    std::thread::sleep(Duration::from_secs(3600));
    chunk.into_iter().rev().collect()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("blocking_sleep");
    peeps::spawn_named("compressor", async {
        loop {
            compress_chunk(vec![1, 2, 3]).await;
        }
    });

    ready_when(|g| polling(g, "compress_chunk"));
    park().await
}
