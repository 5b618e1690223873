//! Deadlock: a `broadcast` subscriber that, on an event, asks the
//! publisher a question, while the publisher is still pushing work into
//! the subscriber's own bounded inbox.
//!
//! A shard coordinator (`peeps::spawn_named("coordinator")`, an actor
//! reached through a cloneable `CoordinatorHandle { tx, events }`) owns
//! the cluster's `cluster-events` broadcast and, for each registered
//! worker, the sender of that worker's `assignments-<n>` inbox (capacity
//! 2). On `Rebalance` it bumps the epoch, broadcasts `Rebalanced`, then
//! pushes every shard (8) to its new owner with `send(..).await`. Each
//! worker (`peeps::spawn_named("worker-<n>")`) `select!`s, control events
//! first, over the broadcast and its inbox; on `Rebalanced` it fences its
//! shards with the coordinator's current epoch, asked inline with
//! `coordinator.current_epoch().await` (a `CurrentEpoch` request carrying
//! an `epoch-reply` oneshot, on `coordinator-requests`), and reads no
//! assignment meanwhile. `worker-1`'s inbox fills after two shards; the
//! coordinator waits for room and never reads the requests.
//!
//! Expected: one `certain` deadlock of `worker-1` (receiving on
//! `epoch-reply`, whose sender is in an unread message on
//! `coordinator-requests`, read by `coordinator`) and `coordinator`
//! (sending on full `assignments-1`, whose receiver is with `worker-1`);
//! `worker-2`, whose own `CurrentEpoch` waits behind in the same inbox,
//! stuck behind it.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{broadcast, mpsc, oneshot};
use std::collections::BTreeSet;

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
                Request::Rebalance => self.rebalance().await,
            }
        }
    }

    async fn rebalance(&mut self) {
        if self.workers.is_empty() {
            return;
        }
        self.epoch += 1;
        let epoch = self.epoch;
        let _ = self.events.send(ClusterEvent::Rebalanced { epoch });
        for shard in 0..SHARDS {
            let (_, inbox) = &self.workers[shard as usize % self.workers.len()];
            // A worker that went away loses its shards; the next
            // rebalance hands them out again.
            let _ = inbox.send(Assignment { shard, epoch }).await;
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
                        println!("worker-{} rebalanced ({epoch}), fenced at epoch {}", self.id, self.fence);
                    }
                    Ok(ClusterEvent::WorkerJoined { id }) => println!("worker-{} sees worker-{id}", self.id),
                    Err(broadcast::error::RecvError::Lagged(n)) => println!("worker-{} lagged {n}", self.id),
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                assignment = self.assignments.recv() => match assignment {
                    Some(a) if a.epoch >= self.fence => {
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
    peeps::install_sigusr1("rebalance_event_asks_coordinator_behind_full_assignments");
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
    coordinator.rebalance().await;
    ready_when(|g| {
        waiters(g, NodeKind::Channel, "epoch-reply") == 2
            && examples::waited_on_for(g, NodeKind::Channel, "assignments-1", "send")
    });
    park().await
}
