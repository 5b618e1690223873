//! Deadlock: DashMap's best-known footgun, with a parking_lot-style
//! `RwLock<HashMap>` as the map: the read guard of a `match` scrutinee
//! (`sessions.read().get(..)`) is alive in every arm, and the miss arm
//! inserts with `sessions.write()` (xacrimon/dashmap#74, #233: "may
//! deadlock if called when holding any sort of reference into the map").
//!
//! The `login` task (an async handler) looks its session up and, on a
//! miss, creates it: the blocking `write()` parks its worker thread on the
//! read guard it holds itself.
//!
//! Expected: one `certain` deadlock of `login` with itself on rwlock
//! `sessions` (read-held by `login`), and a blocking poll of `login`.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::blocking::RwLock;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone, Debug)]
struct Session {
    user: u64,
    hits: u64,
}

type Sessions = Arc<RwLock<HashMap<u64, Session>>>;

#[peeps::instrument]
async fn login(sessions: Sessions, user: u64) -> Session {
    // Check the user exists (a database call).
    tokio::task::yield_now().await;
    match sessions.read().get(&user) {
        Some(session) => session.clone(),
        None => {
            let session = Session { user, hits: 0 };
            sessions.write().insert(user, session.clone());
            session
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("dashmap_style_get_then_insert_blocking");
    let sessions: Sessions = Arc::new(RwLock::new(HashMap::new()).named("sessions"));
    peeps::spawn_named("login", async move {
        let s = login(sessions, 7).await;
        println!("session of {}: {} hits", s.user, s.hits);
    });
    ready_when(|g| waited_on(g, NodeKind::Rwlock, "sessions"));
    park().await
}
