//! The fix of autonomys/subspace#1316 (#1324: "running the actual
//! processor in another task"): the domain worker's `select!` loop only
//! `feed`s each imported block's info into the bounded `block-info`
//! channel; a task of its own, spawned by the same named essential-task
//! spawner, receives and processes the blocks. The twin of
//! `domain_worker_select_feeds_own_full_channel`: the consensus chain
//! imports blocks in bursts, faster than they are processed, so the
//! worker waits on the full channel now and then, for the processor.
//!
//! Expected: no deadlock, nothing stuck, no potential deadlock; long
//! waits on `block-info` at most.

use examples::ready;
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
    if info.is_new_best && info.number.is_multiple_of(50) {
        println!("processed primary block #{}", info.number);
    }
}

#[peeps::instrument]
async fn run_block_processor(mut block_info_receiver: mpsc::Receiver<Option<BlockInfo>>) {
    while let Some(maybe_block_info) = block_info_receiver.recv().await {
        if let Some(block_info) = maybe_block_info {
            process_primary_block(block_info).await;
        }
    }
}

#[peeps::instrument]
async fn run_domain_worker(mut imported_blocks: mpsc::UnboundedReceiver<u64>) {
    let (block_info_sender, block_info_receiver) = mpsc::channel_named::<Option<BlockInfo>>(
        "block-info",
        PRIMARY_BLOCK_IMPORT_THROTTLING_BUFFER_SIZE,
    );
    let _processor = peeps::spawn_named(
        "domain-block-processor",
        run_block_processor(block_info_receiver),
    );
    let mut slots = tokio::time::interval(Duration::from_millis(100));
    let mut slot = 0u64;
    loop {
        tokio::select! {
            biased;
            maybe_block = imported_blocks.recv() => {
                let Some(number) = maybe_block else { break };
                let block_info = BlockInfo { number, is_new_best: true };
                if block_info_sender.send(Some(block_info)).await.is_err() {
                    break;
                }
            }
            _ = slots.tick() => {
                // A new slot: the bundle producer's turn.
                slot += 1;
            }
        }
    }
    println!("domain worker stopped at slot {slot}");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("domain_worker_processor_in_own_task");
    let (import_tx, import_rx) = mpsc::unbounded_channel_named("block-imports");
    let worker = peeps::spawn_named("domain-worker", run_domain_worker(import_rx));
    let mut number = 0;
    for burst in 1..=u64::MAX {
        for _ in 0..6 {
            number += 1;
            import_tx.send(number).expect("worker alive");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
        if burst == 3 {
            ready();
        }
    }
    worker.await.expect("essential task");
}
