//! Healthy, under steady load: a legacy synchronous plugin driven from
//! `spawn_blocking`. The plain supervisor loops: it sends the plugin its
//! start-up command on the `commands` channel (capacity 4, whose only
//! sender the supervisor keeps), moves the `Receiver` into
//! `tokio::task::spawn_blocking` and awaits its `JoinHandle`. The plugin
//! polls for commands with `handle.block_on(async { select! { rx.recv(),
//! a 700 ms sleep } })`; on a command it calls async services from sync
//! code with `handle.block_on(..)`: it asks a plain store actor (`mpsc`
//! with a `oneshot` reply, under a 200 ms `timeout`) and then
//! `blocking_lock`s the shared `Mutex` of plugin state. After 2 idle polls
//! (1.4 s) the plugin returns, handing the `Receiver` back through its
//! `JoinHandle`, and the supervisor starts it again. So for a second at a
//! time the supervisor waits for the plugin, and the plugin for a command
//! only the supervisor could send: a cycle that the plugin's poll timer
//! breaks, every time. A plain reporter locks the state and a plain
//! poller asks the store once a second. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::runtime::Handle;

type StoreReq = (u64, oneshot::Sender<Option<u64>>);

#[derive(Default)]
struct PluginState {
    commands: u64,
    hits: u64,
}

fn run_plugin(
    handle: Handle,
    mut commands: mpsc::Receiver<u64>,
    state: Arc<Mutex<PluginState>>,
    store: mpsc::Sender<StoreReq>,
) -> mpsc::Receiver<u64> {
    let mut idle = 0;
    while idle < 2 {
        let next = handle.block_on(async {
            tokio::select! {
                cmd = commands.recv() => cmd,
                _ = tokio::time::sleep(Duration::from_millis(700)) => None,
            }
        });
        let Some(cmd) = next else {
            idle += 1;
            continue;
        };
        idle = 0;
        // Sync code calling async services.
        let hit = handle.block_on(async {
            let (reply, answer) = oneshot::channel();
            store.send((cmd, reply)).await.ok()?;
            tokio::time::timeout(Duration::from_millis(200), answer)
                .await
                .ok()?
                .ok()?
        });
        let mut st = state.blocking_lock();
        st.commands += 1;
        st.hits += u64::from(hit.is_some());
    }
    commands
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_legacy_blocking_worker_block_on_restarted_plain");
    let state = Arc::new(Mutex::new(PluginState::default()));
    let restarts = Arc::new(AtomicU64::new(0));

    let (store_tx, mut store_rx) = mpsc::channel::<StoreReq>(8);
    tokio::spawn(async move {
        let mut data: HashMap<u64, u64> = HashMap::new();
        while let Some((key, reply)) = store_rx.recv().await {
            tokio::time::sleep(Duration::from_millis(2)).await;
            let _ = reply.send(data.get(&(key % 16)).copied());
            data.insert(key % 16, key);
        }
    });

    let (st, store, r) = (state.clone(), store_tx.clone(), restarts.clone());
    tokio::spawn(async move {
        let (cmd_tx, mut commands) = mpsc::channel::<u64>(4);
        for generation in 0u64.. {
            if cmd_tx.send(generation).await.is_err() {
                return;
            }
            let (handle, st2, store2) = (Handle::current(), st.clone(), store.clone());
            commands =
                tokio::task::spawn_blocking(move || run_plugin(handle, commands, st2, store2))
                    .await
                    .expect("the plugin returns");
            r.fetch_add(1, Ordering::Relaxed);
        }
    });

    let st = state.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(1000)).await;
            let s = st.lock().await;
            let _ = (s.commands, s.hits);
        }
    });

    tokio::spawn(async move {
        for n in 0u64.. {
            tokio::time::sleep(Duration::from_millis(1000)).await;
            let (reply, answer) = oneshot::channel();
            if store_tx.send((n, reply)).await.is_err() {
                return;
            }
            let _ = answer.await;
        }
    });

    ready_when(move |_| restarts.load(Ordering::Relaxed) >= 1);
    park().await
}
