//! Healthy, idle after the sessions joined: a live-notification service.
//! Each `session-N` task (`peeps::spawn_named`) makes its
//! `session-events` channel, primes it with a `Snapshot` event sent on its
//! own sender (so the snapshot is handled like any later event), files the
//! sender in `sessions` (a `Mutex<HashMap<id, Sender>>`) and then loops on
//! its receiver. A `notifier` (`peeps::spawn_named`) forwards each notice
//! from `notices` to every session in `sessions`; an `admin` task posts a
//! notice every 10 minutes, the first one right after the sessions
//! joined, so the later sessions get a notice and the first ones get
//! it too. Every task is a peeps task: no plain task, no thread.
//! Between notices each session waits on its own `session-events`, whose
//! sender is in `sessions`, where the notifier reaches it.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug)]
enum Event {
    Snapshot { online: usize },
    Notice(String),
}

type Sessions = Arc<Mutex<HashMap<u64, mpsc::Sender<Event>>>>;

async fn session(id: u64, sessions: Sessions, handled: Arc<AtomicU64>) {
    let (tx, mut events) = mpsc::channel_named("session-events", 16);
    let online = sessions.lock().await.len();
    // Prime the stream: the snapshot goes through the same path as the rest.
    tx.send(Event::Snapshot { online })
        .await
        .expect("we hold the receiver");
    sessions.lock().await.insert(id, tx);
    while let Some(event) = events.recv().await {
        match event {
            Event::Snapshot { online } => std::hint::black_box(online),
            Event::Notice(text) => std::hint::black_box(text.len()),
        };
        handled.fetch_add(1, Ordering::Relaxed);
    }
}

async fn notifier(mut notices: mpsc::Receiver<String>, sessions: Sessions) {
    while let Some(text) = notices.recv().await {
        let targets: Vec<_> = sessions.lock().await.values().cloned().collect();
        for tx in targets {
            let _ = tx.send(Event::Notice(text.clone())).await;
        }
    }
}

async fn admin(notices: mpsc::Sender<String>) {
    for n in 0u64.. {
        if notices
            .send(format!("maintenance window #{n}"))
            .await
            .is_err()
        {
            return;
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_session_primes_own_outbox_then_registers");
    let sessions: Sessions = Arc::new(Mutex::new(HashMap::new()).named("sessions"));
    let handled = Arc::new(AtomicU64::new(0));
    let (notices, notices_rx) = mpsc::channel_named("notices", 4);
    peeps::spawn_named("notifier", notifier(notices_rx, sessions.clone()));
    for id in 0..4 {
        peeps::spawn_named(
            format!("session-{id}"),
            session(id, sessions.clone(), handled.clone()),
        );
    }
    // The first notice once those four joined; two more join after it.
    while sessions.lock().await.len() < 4 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    peeps::spawn_named("admin", admin(notices));
    tokio::time::sleep(Duration::from_millis(50)).await;
    for id in 4..6 {
        peeps::spawn_named(
            format!("session-{id}"),
            session(id, sessions.clone(), handled.clone()),
        );
    }
    let ready_sessions = sessions.clone();
    ready_when(move |_| {
        handled.load(Ordering::Relaxed) >= 10
            && ready_sessions.try_lock().is_ok_and(|s| s.len() == 6)
    });
    park().await
}
