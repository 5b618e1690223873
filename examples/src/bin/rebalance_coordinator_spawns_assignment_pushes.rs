//! The twin of `rebalance_event_asks_coordinator_behind_full_assignments`,
//! with the usual fix: the coordinator no longer pushes shards inline.
//! On `Rebalance` it broadcasts `Rebalanced`, then hands each worker's
//! shards to a task of their own (`peeps::spawn_named("push-assignments")`,
//! a clone of the worker's `assignments-<n>` sender moved in) and goes
//! straight back to its requests, so a worker's inline
//! `coordinator.current_epoch().await` on the event is answered while the
//! pushes wait for room. `main` asks for a rebalance every 400 ms; a
//! worker takes 60 ms to load a shard, so each rebalance fills both
//! inboxes (capacity 2) for a while and leaves the pushers waiting to
//! send.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::ready_when;
use peeps::graph::NodeKind;
use peeps::sync::{broadcast, mpsc, oneshot};
use std::collections::BTreeSet;
use std::time::Duration;

const SHARDS: u32 = 8;

#[derive(Debug, Clone)]
enum ClusterEvent {
    Rebalanced { epoch: u64 },
    WorkerJoined { id: u32 },
}

#[derive(Debug)]
struct Assignment {
    shard: u32,
    epoch: u64,
}

enum Request {
    Register {
        id: u32,
        inbox: mpsc::Sender<Assignment>,
    },
    CurrentEpoch {
        reply: oneshot::Sender<u64>,
    },
    Rebalance,
}

struct Coordinator {
    requests: mpsc::Receiver<Request>,
    events: broadcast::Sender<ClusterEvent>,
    workers: Vec<(u32, mpsc::Sender<Assignment>)>,
    epoch: u64,
}

impl Coordinator {
    async fn run(mut self) {
        while let Some(request) = self.requests.recv().await {
            match request {
                Request::Register { id, inbox } => {
                    self.workers.push((id, inbox));
                    let _ = self.events.send(ClusterEvent::WorkerJoined { id });
                }
                Request::CurrentEpoch { reply } => {
                    let _ = reply.send(self.epoch);
                }
                Request::Rebalance => self.rebalance(),
            }
        }
    }

    fn rebalance(&mut self) {
        if self.workers.is_empty() {
            return;
        }
        self.epoch += 1;
        let epoch = self.epoch;
        let _ = self.events.send(ClusterEvent::Rebalanced { epoch });
        let owners = self.workers.len();
        for (n, (_, inbox)) in self.workers.iter().enumerate() {
            let shards: Vec<Assignment> = (0..SHARDS)
                .filter(|shard| *shard as usize % owners == n)
                .map(|shard| Assignment { shard, epoch })
                .collect();
            let inbox = inbox.clone();
            // Pushed from a task of its own: a full inbox must not stop
            // the coordinator from answering its requests.
            peeps::spawn_named("push-assignments", async move {
                for assignment in shards {
                    // A worker that went away loses its shards; the next
                    // rebalance hands them out again.
                    if inbox.send(assignment).await.is_err() {
                        break;
                    }
                }
            });
        }
    }
}

#[derive(Clone)]
struct CoordinatorHandle {
    tx: mpsc::Sender<Request>,
    events: broadcast::Sender<ClusterEvent>,
}

impl CoordinatorHandle {
    fn start() -> CoordinatorHandle {
        let (tx, requests) = mpsc::channel_named("coordinator-requests", 32);
        let (events, _) = broadcast::channel_named("cluster-events", 16);
        let coordinator = Coordinator {
            requests,
            events: events.clone(),
            workers: Vec::new(),
            epoch: 0,
        };
        peeps::spawn_named("coordinator", coordinator.run());
        CoordinatorHandle { tx, events }
    }

    fn subscribe(&self) -> broadcast::Receiver<ClusterEvent> {
        self.events.subscribe()
    }

    async fn register(&self, id: u32) -> mpsc::Receiver<Assignment> {
        let (inbox, assignments) = mpsc::channel_named(format!("assignments-{id}"), 2);
        let _ = self.tx.send(Request::Register { id, inbox }).await;
        assignments
    }

    async fn current_epoch(&self) -> u64 {
        let (reply, epoch) = oneshot::channel_named("epoch-reply");
        let _ = self.tx.send(Request::CurrentEpoch { reply }).await;
        epoch.await.unwrap_or(0)
    }

    async fn rebalance(&self) {
        let _ = self.tx.send(Request::Rebalance).await;
    }
}

struct Worker {
    id: u32,
    coordinator: CoordinatorHandle,
    events: broadcast::Receiver<ClusterEvent>,
    assignments: mpsc::Receiver<Assignment>,
    shards: BTreeSet<u32>,
    fence: u64,
}

impl Worker {
    async fn run(mut self) {
        loop {
            tokio::select! {
                biased;
                event = self.events.recv() => match event {
                    Ok(ClusterEvent::Rebalanced { epoch }) => {
                        // Drop what we own and fence writes below the
                        // coordinator's current epoch.
                        self.shards.clear();
                        self.fence = self.coordinator.current_epoch().await;
                        if self.fence % 25 == 1 {
                            println!("worker-{} rebalanced ({epoch}), fenced at epoch {}", self.id, self.fence);
                        }
                    }
                    Ok(ClusterEvent::WorkerJoined { id }) => println!("worker-{} sees worker-{id}", self.id),
                    Err(broadcast::error::RecvError::Lagged(n)) => println!("worker-{} lagged {n}", self.id),
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                assignment = self.assignments.recv() => match assignment {
                    Some(a) if a.epoch >= self.fence => {
                        // Loading a shard's state takes a while.
                        tokio::time::sleep(Duration::from_millis(60)).await;
                        self.shards.insert(a.shard);
                    }
                    Some(_) => {}
                    None => return,
                },
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("rebalance_coordinator_spawns_assignment_pushes");
    let coordinator = CoordinatorHandle::start();
    for id in 1..=2 {
        let events = coordinator.subscribe();
        let assignments = coordinator.register(id).await;
        let worker = Worker {
            id,
            coordinator: coordinator.clone(),
            events,
            assignments,
            shards: BTreeSet::new(),
            fence: 0,
        };
        peeps::spawn_named(format!("worker-{id}"), worker.run());
    }
    ready_when(|g| {
        examples::waited_on_for(g, NodeKind::Channel, "assignments-1", "send")
            && examples::waited_on_for(g, NodeKind::Channel, "assignments-2", "send")
    });
    loop {
        coordinator.rebalance().await;
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
}
