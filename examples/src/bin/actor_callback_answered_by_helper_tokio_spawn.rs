//! Healthy control: the twin of `actor_calls_back_into_caller_tokio_spawn`,
//! the calling actor waiting for the answer in a helper task so that it
//! keeps reading its inbox.
//!
//! The same two actors over bounded inboxes and oneshot replies, started
//! with plain `tokio::spawn`. To log a user in, `sessions` starts a helper
//! (`tokio::spawn` of an `async move` block) that asks `auth` to check
//! the user, answers the login and registers the session through the
//! actor's own handle; the actor goes straight back to its inbox. `auth`
//! asks `sessions` for the number of active sessions, is answered at
//! once, then hashes the password (an hour on a timer). At the snapshot
//! the helper waits on `check-reply` (its sender with `auth`, on the
//! timer), `main` on `login-reply` (its sender with the helper),
//! `sessions` on its inbox.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock.

use examples::{attr, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::time::Duration;

enum SessionMsg {
    Login {
        user: String,
        reply: oneshot::Sender<bool>,
    },
    Register {
        user: String,
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

    async fn register(&self, user: String) {
        let _ = self.tx.send(SessionMsg::Register { user }).await;
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
    me: SessionHandle,
    auth: AuthHandle,
    active: Vec<String>,
}

#[peeps::instrument]
async fn run_sessions(mut actor: Sessions) {
    while let Some(msg) = actor.inbox.recv().await {
        match msg {
            SessionMsg::Login { user, reply } => {
                let auth = actor.auth.clone();
                let me = actor.me.clone();
                tokio::spawn(async move {
                    let ok = auth.check(&user).await;
                    let _ = reply.send(ok);
                    if ok {
                        me.register(user).await;
                    }
                });
            }
            SessionMsg::Register { user } => actor.active.push(user),
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
        // Hashing the password: slow.
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let _ = reply.send(active < actor.limit && !user.is_empty());
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("actor_callback_answered_by_helper_tokio_spawn");
    let (sessions_tx, sessions_rx) = mpsc::channel_named("sessions-inbox", 8);
    let (auth_tx, auth_rx) = mpsc::channel_named("auth-inbox", 8);
    let sessions = SessionHandle { tx: sessions_tx };
    let auth = AuthHandle { tx: auth_tx };
    tokio::spawn(run_sessions(Sessions {
        inbox: sessions_rx,
        me: sessions.clone(),
        auth,
        active: Vec::new(),
    }));
    tokio::spawn(run_auth(Auth {
        inbox: auth_rx,
        sessions: sessions.clone(),
        limit: 100,
    }));

    ready_when(|g| {
        attr(g, NodeKind::Channel, "sessions-inbox", "received") == Some(2)
            && waited_on_for(g, NodeKind::Channel, "sessions-inbox", "recv")
            && waited_on_for(g, NodeKind::Channel, "login-reply", "recv")
            && waited_on_for(g, NodeKind::Channel, "check-reply", "recv")
    });
    let ok = sessions.login("ann").await;
    println!("ann logged in: {ok}");
    park().await
}
