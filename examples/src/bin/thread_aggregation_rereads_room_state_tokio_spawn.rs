//! Deadlock from a bug report: matrix-org/matrix-rust-sdk#6869 (first
//! raised in review of #6839), "Fix a possible deadlock in
//! `caches::aggregate_timeline_for_threads`". The sync task, handling a
//! joined-room update, takes a read of the room's event-cache state and
//! keeps it for the whole aggregation of the room's threads (to avoid
//! re-acquiring it for every lookup); for each thread it awaits the
//! thread's own cache, then looks the thread root up with the room's
//! `find_event`, which takes a read of the same state again. Meanwhile a
//! back-pagination task asks for the write. `tokio::sync::RwLock` is
//! write-preferring: the second read queues behind the writer, the writer
//! waits for the first read, held by the task that waits.
//!
//! Written as the SDK runs it: `tokio::spawn` of plain `async move`
//! blocks, the state a `peeps::sync::RwLock` named `room-state`.
//!
//! Expected: one `certain` deadlock of the two plain tasks on
//! `room-state`: the sync task's second read, behind the queued writer,
//! and the pagination task's write, waiting for the sync task's read.

use examples::{holders, park, ready_when, waited_on_for, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, RwLockReadGuard};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

#[derive(Default)]
struct RoomEventCacheState {
    events: HashMap<u64, String>,
    prev_batch: u64,
}

#[derive(Clone)]
struct RoomEventCache {
    state: Arc<RwLock<RoomEventCacheState>>,
}

impl RoomEventCache {
    async fn find_event(&self, id: u64) -> Option<String> {
        self.state.read().await.events.get(&id).cloned()
    }

    async fn paginate_backwards(&self) {
        let mut state = self.state.write().await;
        state.prev_batch += 1;
        let id = 1_000_000 + state.prev_batch;
        state.events.insert(id, format!("older event {id}"));
    }
}

/// The thread's own cache: a lookup that awaits its store.
async fn thread_latest_event(root: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(3)).await;
    root + 1
}

async fn aggregate_timeline_for_threads(
    room: &RoomEventCache,
    threads: &[u64],
    room_state: RwLockReadGuard<'_, RoomEventCacheState>,
) -> usize {
    let mut summaries = 0;
    for &root in threads {
        if room_state.events.contains_key(&root) {
            summaries += 1;
        }
        let latest = thread_latest_event(root).await;
        if room.find_event(latest).await.is_some() {
            summaries += 1;
        }
    }
    summaries
}

async fn handle_joined_room_update(room: &RoomEventCache, threads: &[u64]) -> usize {
    let state = room.state.read().await;
    aggregate_timeline_for_threads(room, threads, state).await
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("thread_aggregation_rereads_room_state_tokio_spawn");
    let mut initial = RoomEventCacheState::default();
    for id in 0..64 {
        initial.events.insert(id, format!("event {id}"));
    }
    let room = RoomEventCache {
        state: Arc::new(RwLock::new(initial).named("room-state")),
    };
    let sync_room = room.clone();
    tokio::spawn(async move {
        let threads: Vec<u64> = (0..16).map(|n| n * 4).collect();
        loop {
            let n = handle_joined_room_update(&sync_room, &threads).await;
            println!("aggregated {n} thread summaries");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    let pagination_room = room.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(17)).await;
            pagination_room.paginate_backwards().await;
        }
    });
    ready_when(|g| {
        waiters(g, NodeKind::Rwlock, "room-state") == 2
            && !holders(g, NodeKind::Rwlock, "room-state").is_empty()
            && waited_on_for(g, NodeKind::Rwlock, "room-state", "write")
            && waited_on_for(g, NodeKind::Rwlock, "room-state", "read")
    });
    park().await
}
