//! The fix of datafuselabs/databend#8210 (#8226, "fix: dead lock caused
//! by incorrect semaphore permit control"): `segment_pruning` lets its
//! segment's permit go once the segment's info is read, before it prunes
//! the blocks through the same semaphore. The twin of
//! `segment_pruning_holds_permit_for_blocks_tokio_spawn`, the pruner run
//! again and again, every block pruning briefly waiting for a permit.
//!
//! Expected: no deadlock, nothing stuck, no potential deadlock.

use examples::ready;
use peeps::sync::{OwnedSemaphorePermit, Semaphore};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

struct PruningContext {
    pruning_semaphore: Arc<Semaphore>,
    blocks_per_segment: usize,
}

/// databend's `Runtime::try_spawn_batch_with_owned_semaphore`: a permit
/// for each future, acquired before it is spawned and moved into it.
async fn try_spawn_batch_with_owned_semaphore<F, Fut>(
    semaphore: Arc<Semaphore>,
    futures: impl IntoIterator<Item = F>,
) -> Vec<JoinHandle<Fut::Output>>
where
    F: FnOnce(OwnedSemaphorePermit) -> Fut,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    let mut handles = Vec::new();
    for f in futures {
        let permit = semaphore.clone().acquire_owned().await.expect("open");
        handles.push(tokio::spawn(f(permit)));
    }
    handles
}

/// Reads the segment's info from storage.
async fn read_segment_info(segment_idx: usize) -> Vec<u64> {
    tokio::time::sleep(Duration::from_millis(5)).await;
    (0..8).map(|b| (segment_idx * 100 + b) as u64).collect()
}

#[peeps::instrument]
async fn segment_pruning(
    ctx: Arc<PruningContext>,
    permit: OwnedSemaphorePermit,
    segment_idx: usize,
) -> Vec<u64> {
    let blocks = read_segment_info(segment_idx).await;
    drop(permit);
    let tasks = blocks
        .into_iter()
        .take(ctx.blocks_per_segment)
        .map(|block| {
            move |permit: OwnedSemaphorePermit| async move {
                let _permit = permit;
                (block % 3 != 0).then_some(block)
            }
        });
    let handles = try_spawn_batch_with_owned_semaphore(ctx.pruning_semaphore.clone(), tasks).await;
    let mut kept = Vec::new();
    for h in handles {
        kept.extend(h.await.expect("block pruning"));
    }
    kept
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("segment_pruning_drops_permit_before_blocks_tokio_spawn");
    let ctx = Arc::new(PruningContext {
        pruning_semaphore: Arc::new(Semaphore::new(2).named("pruning-semaphore")),
        blocks_per_segment: 4,
    });
    for round in 0u64.. {
        let segments = (0..2).map(|segment_idx| {
            let ctx = ctx.clone();
            move |permit: OwnedSemaphorePermit| segment_pruning(ctx, permit, segment_idx)
        });
        let handles =
            try_spawn_batch_with_owned_semaphore(ctx.pruning_semaphore.clone(), segments).await;
        let mut kept = 0;
        for h in handles {
            kept += h.await.expect("segment pruning").len();
        }
        if round == 0 {
            println!("kept {kept} blocks");
            ready();
        }
    }
}
