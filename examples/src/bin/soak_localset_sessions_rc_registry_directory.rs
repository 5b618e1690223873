//! Healthy, under steady load: a single-threaded session service on a
//! `LocalSet` (`!Send` state in `Rc<RefCell<..>>`), its sessions
//! `#[peeps::instrument]` fns under `spawn_local`, talking to a `Send`
//! `directory` actor spawned with `peeps::spawn_named` on the same
//! current-thread runtime.
//!
//! Each session makes its `session-outbox` (capacity 8), files the sender
//! in the shared `Rc<RefCell<HashMap<u64, Sender>>>` registry and reads
//! its outbox; every third message it looks the user up through
//! `directory-inbox` (a `oneshot` reply inside). A `spawn_local`
//! heartbeat clones the registry's senders (no borrow across the await)
//! and sends each a heartbeat every 200 ms. Sessions with an odd id end
//! after 6 messages and take themselves out of the registry; a
//! `spawn_local` admitter opens a new session every 400 ms while fewer
//! than four are open. `main` runs the `LocalSet` until the heartbeat
//! ends (never).
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

type Registry = Rc<RefCell<HashMap<u64, mpsc::Sender<String>>>>;

struct Lookup {
    user: u64,
    reply: oneshot::Sender<String>,
}

async fn directory(mut inbox: mpsc::Receiver<Lookup>) {
    let names: HashMap<u64, String> = (0..64).map(|u| (u, format!("user-{u}"))).collect();
    while let Some(Lookup { user, reply }) = inbox.recv().await {
        let name = names.get(&(user % 64)).cloned().unwrap_or_default();
        let _ = reply.send(name);
    }
}

#[peeps::instrument]
async fn session(
    id: u64,
    registry: Registry,
    directory: mpsc::Sender<Lookup>,
    lookups: Arc<AtomicU64>,
) {
    let (tx, mut outbox) = mpsc::channel_named("session-outbox", 8);
    registry.borrow_mut().insert(id, tx);
    let mut seen = 0u64;
    while let Some(msg) = outbox.recv().await {
        seen += 1;
        if seen.is_multiple_of(3) {
            let (reply, answer) = oneshot::channel_named("directory-reply");
            if directory.send(Lookup { user: id, reply }).await.is_err() {
                break;
            }
            if let Ok(name) = answer.await {
                debug_assert!(!name.is_empty() && !msg.is_empty());
                lookups.fetch_add(1, Ordering::Relaxed);
            }
        }
        if id % 2 == 1 && seen >= 6 {
            break;
        }
    }
    registry.borrow_mut().remove(&id);
}

fn main() {
    peeps::install_sigusr1("soak_localset_sessions_rc_registry_directory");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let local = tokio::task::LocalSet::new();
    let lookups = Arc::new(AtomicU64::new(0));
    let ready_lookups = lookups.clone();
    ready_when(move |g| {
        ready_lookups.load(Ordering::Relaxed) >= 12
            && waited_on(g, NodeKind::Channel, "session-outbox")
            && waited_on(g, NodeKind::Channel, "directory-inbox")
    });
    local.block_on(&rt, async move {
        let (dir_tx, dir_rx) = mpsc::channel_named("directory-inbox", 4);
        peeps::spawn_named("directory", directory(dir_rx));
        let registry: Registry = Rc::new(RefCell::new(HashMap::new()));

        let admit_registry = registry.clone();
        let admit_lookups = lookups.clone();
        tokio::task::spawn_local(async move {
            let mut next_id = 0u64;
            let mut tick = tokio::time::interval(Duration::from_millis(400));
            loop {
                while admit_registry.borrow().len() < 4 {
                    tokio::task::spawn_local(session(
                        next_id,
                        admit_registry.clone(),
                        dir_tx.clone(),
                        admit_lookups.clone(),
                    ));
                    next_id += 1;
                    tokio::task::yield_now().await;
                }
                tick.tick().await;
            }
        });

        let heartbeat = tokio::task::spawn_local(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(200));
            for beat in 0u64.. {
                tick.tick().await;
                let targets: Vec<mpsc::Sender<String>> =
                    registry.borrow().values().cloned().collect();
                for tx in targets {
                    let _ = tx.send(format!("heartbeat {beat}")).await;
                }
            }
        });
        let _ = heartbeat.await;
    });
}
