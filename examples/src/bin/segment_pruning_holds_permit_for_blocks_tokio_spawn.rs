//! Deadlock from a bug report: datafuselabs/databend#8210, fixed by
//! #8226 ("fix: dead lock caused by incorrect semaphore permit control").
//! The fuse table's pruner runs every segment's pruning through
//! `Runtime::try_spawn_batch_with_owned_semaphore`: for each future it
//! acquires an owned permit of `pruning_semaphore` (the query's
//! `max_storage_io_requests`), then spawns the future with the permit
//! moved in. `segment_pruning` keeps its segment's permit for its whole
//! run, and prunes the segment's blocks through the same helper on the
//! same semaphore, awaiting every block's `JoinHandle`. With as many
//! segments as permits, every permit is held by a segment that waits for
//! one more.
//!
//! Written as databend does it: the helper acquires in the caller and
//! spawns with plain `tokio::spawn`; each segment's future is the
//! `segment_pruning` fn itself (`#[peeps::instrument]` in place of
//! databend's `#[async_backtrace::framed]`), the permit one of its
//! arguments; the pruner runs on `main`'s thread and awaits the segments'
//! handles.
//!
//! Expected: one `probable` deadlock of the two plain segment tasks on
//! `pruning-semaphore` (each waiting to acquire, the permits held by both,
//! found in their `segment_pruning` futures); `main` behind, joining the
//! first segment.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
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
    let _permit = permit;
    let blocks = read_segment_info(segment_idx).await;
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
    peeps::install_sigusr1("segment_pruning_holds_permit_for_blocks_tokio_spawn");
    let ctx = Arc::new(PruningContext {
        pruning_semaphore: Arc::new(Semaphore::new(2).named("pruning-semaphore")),
        blocks_per_segment: 4,
    });
    ready_when(|g| waiters(g, NodeKind::Semaphore, "pruning-semaphore") == 2);
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
    println!("kept {kept} blocks");
}
