//! Deadlock from a bug report: holochain/holochain#567 ("Fix conductor is
//! stuck at 31 read handles and deadlocks"). The conductor handle keeps
//! the `Conductor` in a tokio `RwLock` (`conductor`), and tokio 0.2's
//! `RwLock` let 32 readers in at most. `call_zome` read-locks it for the
//! whole zome call ("FIXME: D-01058: We are holding this read lock for
//! the entire call to call_zome"), and so does
//! `dispatch_holochain_p2p_event` for the whole handling of a network
//! event. A zome call that calls `get_links` on a base nobody published
//! is routed by the network to ourselves (we are an authority for it):
//! the call waits for a network event that a dispatch task handles, and
//! that task needs a read of `conductor` too. 32 such calls at once hold
//! every read; their 32 events wait for a 33rd.
//!
//! Written as holochain ran then: a plain task per app-interface request
//! (`tokio::spawn`); the wasm in `spawn_blocking`, its host function
//! `get_links` reaching async code through
//! `tokio_safe_block_forever_on` (`block_in_place` + a
//! `futures::executor::block_on` of a spawned task); the network's events
//! read by `p2p_event_task` (a plain task), which spawns a plain task per
//! event and hands its `JoinHandle` to a collector
//! (`buffer_unordered(NUM_PARALLEL_EVTS)`).
//!
//! Expected: one `probable` deadlock (plain tasks) on rwlock `conductor`
//! and the 32 oneshots `get_links respond`: each zome call holds a read
//! of `conductor` and waits (through its blocking thread and the spawned
//! `get_links`) for its `respond`, whose sender is with the dispatch task
//! of its event; every dispatch task waits to read `conductor`, whose 32
//! reads the zome calls hold. The join collector (awaiting tokio
//! `JoinHandle`s) and `p2p_event_task` are outside it.

use examples::{park, ready_when, waiters};
use futures::stream::{self, StreamExt};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, mpsc, oneshot};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// tokio 0.2's `RwLock` let this many readers in (`MAX_READS`).
const MAX_READS: u32 = 32;
/// The zome calls the app fires at once (holochain's `multiple_calls`
/// test wasm).
const CONCURRENT_CALLS: usize = 32;
/// The number of events we allow to run in parallel before starting to
/// await on the join handles.
const NUM_PARALLEL_EVTS: usize = 100;

type CellId = u32;

/// A network event for one of our cells.
enum HolochainP2pEvent {
    GetLinks {
        cell_id: CellId,
        base: String,
        respond: oneshot::Sender<Vec<String>>,
    },
}

impl HolochainP2pEvent {
    fn cell_id(&self) -> CellId {
        match self {
            HolochainP2pEvent::GetLinks { cell_id, .. } => *cell_id,
        }
    }
}

/// A cell's handle on the network.
#[derive(Clone)]
struct HolochainP2pCell {
    cell_id: CellId,
    evt_sender: mpsc::Sender<HolochainP2pEvent>,
}

impl HolochainP2pCell {
    /// We are an authority for every base: kitsune routes the request
    /// back to our own events.
    async fn get_links(self, base: String) -> Vec<String> {
        let (respond, response) = oneshot::channel_named("get_links respond");
        let event = HolochainP2pEvent::GetLinks {
            cell_id: self.cell_id,
            base,
            respond,
        };
        if self.evt_sender.send(event).await.is_err() {
            return Vec::new();
        }
        response.await.unwrap_or_default()
    }
}

/// `tokio_safe_block_on::tokio_safe_block_forever_on`: how a host
/// function (sync, called by the wasm) runs async code.
fn tokio_safe_block_forever_on<F>(f: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handle = tokio::runtime::Handle::current();
    tokio::task::block_in_place(move || {
        futures::executor::block_on(async move { handle.spawn(f).await.expect("no panic") })
    })
}

struct ZomeCallInvocation {
    cell_id: CellId,
    base: String,
}

struct Cell {
    network: HolochainP2pCell,
    links: HashMap<String, Vec<String>>,
}

impl Cell {
    /// The ribosome runs the wasm on a blocking thread.
    async fn call_zome(&self, invocation: ZomeCallInvocation) -> Vec<String> {
        let network = self.network.clone();
        tokio::task::spawn_blocking(move || {
            // Instantiating the wasm module.
            std::thread::sleep(Duration::from_millis(100));
            // The zome's `get_links` host call.
            tokio_safe_block_forever_on(network.get_links(invocation.base))
        })
        .await
        .expect("the ribosome does not panic")
    }

    async fn handle_holochain_p2p_event(&self, event: HolochainP2pEvent) {
        match event {
            HolochainP2pEvent::GetLinks { base, respond, .. } => {
                // As an authority: read our own integrated links.
                let links = self.links.get(&base).cloned().unwrap_or_default();
                let _ = respond.send(links);
            }
        }
    }
}

struct Conductor {
    cells: HashMap<CellId, Cell>,
}

impl Conductor {
    fn cell_by_id(&self, cell_id: &CellId) -> &Cell {
        self.cells.get(cell_id).expect("an installed cell")
    }
}

struct ConductorHandleImpl {
    conductor: RwLock<Conductor>,
}

impl ConductorHandleImpl {
    async fn dispatch_holochain_p2p_event(&self, cell_id: &CellId, event: HolochainP2pEvent) {
        let lock = self.conductor.read().await;
        let cell: &Cell = lock.cell_by_id(cell_id);
        cell.handle_holochain_p2p_event(event).await;
    }

    async fn call_zome(&self, invocation: ZomeCallInvocation) -> Vec<String> {
        // FIXME: D-01058: We are holding this read lock for
        // the entire call to call_zome and blocking
        // any writes to the conductor
        let lock = self.conductor.read().await;
        let cell: &Cell = lock.cell_by_id(&invocation.cell_id);
        cell.call_zome(invocation).await
    }
}

/// The conductor's handling of the network's events: a task per event,
/// its `JoinHandle` awaited by a collector.
async fn p2p_event_task(
    mut p2p_evt: mpsc::Receiver<HolochainP2pEvent>,
    handle: Arc<ConductorHandleImpl>,
) {
    let (tx, rx) = mpsc::channel_named("p2p event tasks", NUM_PARALLEL_EVTS);
    tokio::task::spawn(async move {
        let buffer = stream::unfold(rx, |mut rx| async move {
            rx.recv()
                .await
                .map(|join: tokio::task::JoinHandle<()>| (join, rx))
        })
        .buffer_unordered(NUM_PARALLEL_EVTS);
        let mut buffer = std::pin::pin!(buffer);
        while let Some(r) = buffer.next().await {
            if let Err(e) = r {
                eprintln!("Failed to join event task {e:?}");
            }
        }
    });
    // Spawn event tasks
    while let Some(evt) = p2p_evt.recv().await {
        let handle = handle.clone();
        let cell_id = evt.cell_id();
        let join = tokio::task::spawn(async move {
            handle.dispatch_holochain_p2p_event(&cell_id, evt).await;
        });
        if tx.send(join).await.is_err() {
            return;
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("conductor_reads_exhausted_by_zome_calls_tokio_spawn");
    let (evt_sender, p2p_evt) = mpsc::channel_named("p2p_evt", 64);
    let cell = Cell {
        network: HolochainP2pCell {
            cell_id: 1,
            evt_sender,
        },
        links: HashMap::from([("anchor".to_string(), vec!["post-1".to_string()])]),
    };
    let conductor = Conductor {
        cells: HashMap::from([(1, cell)]),
    };
    let handle = Arc::new(ConductorHandleImpl {
        conductor: RwLock::with_max_readers(conductor, MAX_READS).named("conductor"),
    });
    tokio::task::spawn(p2p_event_task(p2p_evt, handle.clone()));
    ready_when(|g| waiters(g, NodeKind::Rwlock, "conductor") == CONCURRENT_CALLS);
    // The app interface: a task per zome call request, `get_links` on
    // bases nobody has published yet.
    for n in 0..CONCURRENT_CALLS {
        let handle = handle.clone();
        tokio::spawn(async move {
            let invocation = ZomeCallInvocation {
                cell_id: 1,
                base: format!("missing-base-{n}"),
            };
            let links = handle.call_zome(invocation).await;
            println!("call {n}: {} links", links.len());
        });
    }
    park().await
}
