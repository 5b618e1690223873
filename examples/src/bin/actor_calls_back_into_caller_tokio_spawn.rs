//! Deadlock: request/response actors (handles over bounded inboxes,
//! oneshot replies), where the actor called calls back into its caller.
//!
//! Two actors in the usual shape, each a `struct` run by a
//! `#[peeps::instrument] async fn run_*(actor)` started with plain
//! `tokio::spawn`, each reached through a cloneable handle whose methods
//! send a message carrying a oneshot reply sender and await the reply.
//! `sessions`, to log a user in, asks `auth` to check the user
//! (`auth.check(..)`) and awaits the answer before reading its inbox
//! again. `auth`, to enforce the session limit, asks `sessions` for the
//! number of active sessions (`sessions.active_count()`): that question
//! sits unread in the inbox of `sessions`, which is waiting for `auth`.
//! `main` logs `ann` in and awaits the reply.
//!
//! Expected: one `probable` deadlock (plain tokio tasks) of the two actors
//! over oneshots `check-reply` (its sender received by `auth`, in its
//! state) and `count-reply` (its sender in an unread message on
//! `sessions-inbox`, read by `sessions`); `main`'s thread, awaiting
//! `login-reply`, is behind it.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};

enum SessionMsg {
    Login {
        user: String,
        reply: oneshot::Sender<bool>,
    },
    ActiveCount {
        reply: oneshot::Sender<usize>,
    },
}

struct Check {
    user: String,
    reply: oneshot::Sender<bool>,
}

#[derive(Clone)]
struct SessionHandle {
    tx: mpsc::Sender<SessionMsg>,
}

impl SessionHandle {
    async fn login(&self, user: &str) -> bool {
        let (reply, rx) = oneshot::channel_named("login-reply");
        let user = user.to_owned();
        if self
            .tx
            .send(SessionMsg::Login { user, reply })
            .await
            .is_err()
        {
            return false;
        }
        rx.await.unwrap_or(false)
    }

    async fn active_count(&self) -> usize {
        let (reply, rx) = oneshot::channel_named("count-reply");
        if self
            .tx
            .send(SessionMsg::ActiveCount { reply })
            .await
            .is_err()
        {
            return 0;
        }
        rx.await.unwrap_or(0)
    }
}

#[derive(Clone)]
struct AuthHandle {
    tx: mpsc::Sender<Check>,
}

impl AuthHandle {
    async fn check(&self, user: &str) -> bool {
        let (reply, rx) = oneshot::channel_named("check-reply");
        let user = user.to_owned();
        if self.tx.send(Check { user, reply }).await.is_err() {
            return false;
        }
        rx.await.unwrap_or(false)
    }
}

struct Sessions {
    inbox: mpsc::Receiver<SessionMsg>,
    auth: AuthHandle,
    active: Vec<String>,
}

#[peeps::instrument]
async fn run_sessions(mut actor: Sessions) {
    while let Some(msg) = actor.inbox.recv().await {
        match msg {
            SessionMsg::Login { user, reply } => {
                let ok = actor.auth.check(&user).await;
                if ok {
                    actor.active.push(user);
                }
                let _ = reply.send(ok);
            }
            SessionMsg::ActiveCount { reply } => {
                let _ = reply.send(actor.active.len());
            }
        }
    }
}

struct Auth {
    inbox: mpsc::Receiver<Check>,
    sessions: SessionHandle,
    limit: usize,
}

#[peeps::instrument]
async fn run_auth(mut actor: Auth) {
    while let Some(Check { user, reply }) = actor.inbox.recv().await {
        let active = actor.sessions.active_count().await;
        let _ = reply.send(active < actor.limit && !user.is_empty());
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("actor_calls_back_into_caller_tokio_spawn");
    let (sessions_tx, sessions_rx) = mpsc::channel_named("sessions-inbox", 8);
    let (auth_tx, auth_rx) = mpsc::channel_named("auth-inbox", 8);
    let sessions = SessionHandle { tx: sessions_tx };
    let auth = AuthHandle { tx: auth_tx };
    tokio::spawn(run_sessions(Sessions {
        inbox: sessions_rx,
        auth,
        active: Vec::new(),
    }));
    tokio::spawn(run_auth(Auth {
        inbox: auth_rx,
        sessions: sessions.clone(),
        limit: 100,
    }));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "login-reply", "recv")
            && waited_on_for(g, NodeKind::Channel, "check-reply", "recv")
            && waited_on_for(g, NodeKind::Channel, "count-reply", "recv")
    });
    let ok = sessions.login("ann").await;
    println!("ann logged in: {ok}");
    park().await
}
