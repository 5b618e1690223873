//! Healthy: the fix of holochain/holochain#567, the twin of
//! `conductor_reads_exhausted_by_zome_calls_tokio_spawn`: "not holding
//! read locks for network events or zome calls". `cell_by_id` clones the
//! cell's `Arc` under a short read of `conductor` (tokio 0.2's 32
//! readers at most), and the zome call and the event dispatch run
//! without it. Everything else is as in the deadlock: a plain task per
//! zome call, the wasm on a blocking thread reaching `get_links` through
//! `tokio_safe_block_forever_on`, the request routed to ourselves as an
//! authority, `p2p_event_task` spawning a plain task per event.
//!
//! The app keeps calling: 40 `get_links` zome calls at once every
//! 300 ms, and the admin interface installs an app (a write of
//! `conductor`) every 700 ms.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waiters};
use futures::stream::{self, StreamExt};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, mpsc, oneshot};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// tokio 0.2's `RwLock` let this many readers in (`MAX_READS`).
const MAX_READS: u32 = 32;
/// The zome calls the app fires at once, more than `MAX_READS`.
const CONCURRENT_CALLS: usize = 40;
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
            std::thread::sleep(Duration::from_millis(30));
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
    cells: HashMap<CellId, Arc<Cell>>,
    installed_apps: Vec<String>,
}

impl Conductor {
    fn cell_by_id(&self, cell_id: &CellId) -> Arc<Cell> {
        self.cells.get(cell_id).expect("an installed cell").clone()
    }
}

struct ConductorHandleImpl {
    conductor: RwLock<Conductor>,
}

impl ConductorHandleImpl {
    async fn cell_by_id(&self, cell_id: &CellId) -> Arc<Cell> {
        self.conductor.read().await.cell_by_id(cell_id)
    }

    async fn dispatch_holochain_p2p_event(&self, cell_id: &CellId, event: HolochainP2pEvent) {
        let cell = self.cell_by_id(cell_id).await;
        cell.handle_holochain_p2p_event(event).await;
    }

    async fn call_zome(&self, invocation: ZomeCallInvocation) -> Vec<String> {
        let cell = self.cell_by_id(&invocation.cell_id).await;
        cell.call_zome(invocation).await
    }

    async fn install_app(&self, app: String) {
        let mut conductor = self.conductor.write().await;
        // Genesis of the app's cells.
        tokio::time::sleep(Duration::from_millis(20)).await;
        conductor.installed_apps.push(app);
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
    peeps::install_sigusr1("conductor_cell_cloned_before_zome_call_tokio_spawn");
    let (evt_sender, p2p_evt) = mpsc::channel_named("p2p_evt", 64);
    let cell = Cell {
        network: HolochainP2pCell {
            cell_id: 1,
            evt_sender,
        },
        links: HashMap::from([("anchor".to_string(), vec!["post-1".to_string()])]),
    };
    let conductor = Conductor {
        cells: HashMap::from([(1, Arc::new(cell))]),
        installed_apps: Vec::new(),
    };
    let handle = Arc::new(ConductorHandleImpl {
        conductor: RwLock::with_max_readers(conductor, MAX_READS).named("conductor"),
    });
    tokio::task::spawn(p2p_event_task(p2p_evt, handle.clone()));
    ready_when(|g| {
        waiters(g, NodeKind::Channel, "get_links respond") >= 4
            && waiters(g, NodeKind::Rwlock, "conductor") >= 1
    });
    // The admin interface installs apps now and then.
    let admin = handle.clone();
    tokio::spawn(async move {
        for n in 0u64.. {
            admin.install_app(format!("app-{n}")).await;
            tokio::time::sleep(Duration::from_millis(700)).await;
        }
    });
    // The app interface: a task per zome call request, `get_links` on
    // bases nobody has published yet.
    for round in 0u64.. {
        for n in 0..CONCURRENT_CALLS {
            let handle = handle.clone();
            tokio::spawn(async move {
                let invocation = ZomeCallInvocation {
                    cell_id: 1,
                    base: format!("missing-base-{round}-{n}"),
                };
                std::hint::black_box(handle.call_zome(invocation).await);
            });
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
