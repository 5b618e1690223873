//! Deadlock from a bug report: autonomys/subspace#1316 ("Executor may hang
//! forever due to incorrect usage of `tokio::select`"), fixed by #1324.
//! The domain worker throttles the consensus chain's block imports with a
//! bounded channel of `primary_block_import_throttling_buffer_size`: one
//! `select!` branch takes each imported block and `feed`s its info into
//! `block_info_sender`; another branch receives from `block_info_receiver`
//! and processes the block. But `select!` runs a branch's handler with the
//! other branches dropped: once the buffer is full, the import handler
//! waits to send for a receive that only its own loop would do.
//!
//! Written as the worker runs it: one long-lived task spawned by the node's
//! named essential-task spawner (`peeps::spawn_named("domain-worker")`), the
//! import notifications an unbounded stream fed by the consensus side on
//! `main`, which then waits for the essential task. One block imported and
//! processed, then a burst of imports, and `biased;` (the import branch
//! first) make the bad interleaving certain.
//!
//! Expected: one `certain` deadlock of `domain-worker` with itself on
//! channel `block-info` (waiting to send, the receiver made and used by
//! itself, in its state); `main` behind it, joining it.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

const PRIMARY_BLOCK_IMPORT_THROTTLING_BUFFER_SIZE: usize = 2;

#[derive(Debug)]
struct BlockInfo {
    number: u64,
    is_new_best: bool,
}

/// Executes the domain block derived from the primary block.
async fn process_primary_block(info: BlockInfo) {
    tokio::time::sleep(Duration::from_millis(20)).await;
    if info.is_new_best {
        println!("processed primary block #{}", info.number);
    }
}

#[peeps::instrument]
async fn run_domain_worker(mut imported_blocks: mpsc::UnboundedReceiver<u64>) {
    let (block_info_sender, mut block_info_receiver) = mpsc::channel_named::<Option<BlockInfo>>(
        "block-info",
        PRIMARY_BLOCK_IMPORT_THROTTLING_BUFFER_SIZE,
    );
    loop {
        tokio::select! {
            biased;
            maybe_block = imported_blocks.recv() => {
                let Some(number) = maybe_block else { break };
                let block_info = BlockInfo { number, is_new_best: true };
                let _ = block_info_sender.send(Some(block_info)).await;
            }
            Some(maybe_block_info) = block_info_receiver.recv() => {
                if let Some(block_info) = maybe_block_info {
                    process_primary_block(block_info).await;
                }
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("domain_worker_select_feeds_own_full_channel");
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "block-info", "send"));
    let (import_tx, import_rx) = mpsc::unbounded_channel_named("block-imports");
    let worker = peeps::spawn_named("domain-worker", run_domain_worker(import_rx));
    // One block, processed; then a burst, as when the node catches up.
    import_tx.send(1).expect("worker alive");
    tokio::time::sleep(Duration::from_millis(100)).await;
    for number in 2..=7 {
        import_tx.send(number).expect("worker alive");
    }
    worker.await.expect("essential task");
}
