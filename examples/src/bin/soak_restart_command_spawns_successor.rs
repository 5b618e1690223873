//! Healthy twin of `restart_command_awaits_own_handle`: on
//! `Restart` a worker spawns its successor (handing it the inbox), files
//! the successor's handle under its id, answers `restart-done` and
//! returns; a `manager` sends work every 20 ms and a restart every 700 ms,
//! and awaits the previous incarnation's `JoinHandle` (taken from the map
//! under the std mutex, then awaited) after each restart. Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

enum Cmd {
    Work(u64),
    Restart(oneshot::Sender<peeps::JoinHandle<()>>),
}

type Registry = Arc<Mutex<HashMap<u32, peeps::JoinHandle<()>>>>;

fn start(reg: Registry, mut rx: mpsc::Receiver<Cmd>) -> peeps::JoinHandle<()> {
    peeps::spawn_named("worker", async move {
        while let Some(cmd) = rx.recv().await {
            match cmd {
                Cmd::Work(n) => tokio::time::sleep(Duration::from_millis(n % 5)).await,
                Cmd::Restart(done) => {
                    let r = reg.clone();
                    let next = peeps::spawn_named("worker-successor", async move {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        r.lock().unwrap().insert(7, start(r.clone(), rx));
                    });
                    let _ = done.send(next);
                    return;
                }
            }
        }
    })
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_restart_command_spawns_successor");
    let workers: Registry = Arc::new(Mutex::new(HashMap::new()));
    let (tx, rx) = mpsc::channel_named::<Cmd>("worker-inbox", 8);
    workers
        .lock()
        .unwrap()
        .insert(7, start(workers.clone(), rx));
    let reg = workers.clone();
    let manager = peeps::spawn_named("manager", async move {
        let mut n = 0u64;
        loop {
            for _ in 0..35 {
                tx.send(Cmd::Work(n)).await.unwrap();
                n += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let old = reg.lock().unwrap().remove(&7);
            let (done_tx, done_rx) = oneshot::channel_named("restart-done");
            tx.send(Cmd::Restart(done_tx)).await.unwrap();
            let successor = done_rx.await.unwrap();
            if let Some(old) = old {
                old.await.unwrap();
            }
            successor.await.unwrap();
        }
    });
    ready_when(|g| waited_on_for(g, NodeKind::Task, "worker-successor", "join"));
    manager.await.unwrap();
}
