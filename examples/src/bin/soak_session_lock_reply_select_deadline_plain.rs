//! Healthy: request handlers that keep the session table locked while they
//! wait, under a deadline, for a profile lookup. Three plain `tokio::spawn`
//! handlers each tick (`tokio::time::interval`), lock `sessions` (a peeps
//! `Mutex`), ask the plain resolver task for a profile over
//! `profile-lookups` and wait for its `profile-reply` oneshot in a
//! `tokio::select!` beside a 400 ms `tokio::time::sleep`, still holding the
//! lock. The resolver prunes `sessions` every third lookup before it
//! answers: it waits for the lock while a handler, holding it, waits for
//! the resolver's reply, until the handler's sleep fires and it lets both
//! go (the resolver's answer to it is then dropped).
//!
//! The handler's waker has a clone beyond its peeps wait (the sleep's
//! timer): it may wake. Expected, in every dump: no deadlock, nothing
//! stuck forever, no potential deadlock.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

struct Lookup {
    user: u32,
    reply: oneshot::Sender<String>,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_session_lock_reply_select_deadline_plain");
    let sessions = Arc::new(Mutex::new(HashMap::<u32, String>::new()).named("sessions"));
    let (lookups, mut lookup_rx) = mpsc::channel_named::<Lookup>("profile-lookups", 8);

    let resolver_sessions = sessions.clone();
    tokio::spawn(async move {
        let mut served = 0u64;
        while let Some(Lookup { user, reply }) = lookup_rx.recv().await {
            served += 1;
            if served.is_multiple_of(3) {
                // Prune sessions whose profile came back empty.
                let mut table = resolver_sessions.lock().await;
                table.retain(|_, name| !name.is_empty());
            }
            let _ = reply.send(format!("user-{user}"));
        }
    });

    for handler in 0..3u32 {
        let sessions = sessions.clone();
        let lookups = lookups.clone();
        tokio::spawn(async move {
            let mut ticker =
                tokio::time::interval(Duration::from_millis(150 + 50 * u64::from(handler)));
            let mut request = 0u32;
            loop {
                ticker.tick().await;
                request += 1;
                let user = handler * 1000 + request % 50;
                let mut table = sessions.lock().await;
                let (reply, answer) = oneshot::channel_named("profile-reply");
                if lookups.send(Lookup { user, reply }).await.is_err() {
                    return;
                }
                tokio::select! {
                    name = answer => {
                        if let Ok(name) = name {
                            table.insert(user, name);
                        }
                    }
                    _ = tokio::time::sleep(Duration::from_millis(400)) => {
                        table.remove(&user);
                    }
                }
            }
        });
    }
    drop(lookups);

    ready_when(|snap| {
        waited_on_for(snap, NodeKind::Mutex, "sessions", "lock")
            && waited_on_for(snap, NodeKind::Channel, "profile-reply", "recv")
    });
    park().await
}
