//! Deadlock: a guard kept alive by a `match` scrutinee, and the same mutex
//! locked again in an arm.
//!
//! `session_for` looks a user's token up with
//! `match sessions.lock().await.get(&user)`, and on a miss inserts one
//! with `sessions.lock().await.insert(..)` in the `None` arm. The guard of
//! the scrutinee is a temporary that lives to the end of the whole
//! `match` (in every edition), so the second lock waits for the first,
//! held by the same task. A common slip: the code reads as if the first
//! lock were over.
//!
//! Expected: one `certain` deadlock of the single task `login` on mutex
//! `sessions`, held by itself.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;

type Sessions = Arc<Mutex<HashMap<u64, String>>>;

#[peeps::instrument]
async fn session_for(sessions: &Sessions, user: u64) -> String {
    match sessions.lock().await.get(&user) {
        Some(token) => token.clone(),
        None => {
            let token = format!("token-{user}");
            sessions.lock().await.insert(user, token.clone());
            token
        }
    }
}

#[peeps::instrument]
async fn login(sessions: Sessions, user: u64) {
    let token = session_for(&sessions, user).await;
    println!("user {user} logged in with {token}");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("match_scrutinee_guard");
    let sessions: Sessions = Arc::new(Mutex::new(HashMap::new()).named("sessions"));
    peeps::spawn_named("login", login(sessions, 42));

    ready_when(|g| waited_on(g, NodeKind::Mutex, "sessions"));
    park().await
}
