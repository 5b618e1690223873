//! Healthy, under steady load, on a current-thread runtime (as
//! `soak_actor_weak_self_sender_parks_gets_until_refresh_plain`): a cache actor (plain `tokio::spawn`) keeps
//! only a `WeakSender` to its own inbox `cache-inbox` (so that dropping
//! every handle stops it). A `Get` for a stale key is not answered at once:
//! its `reply` oneshot sender is parked in the actor's state until the next
//! refresh. The first parked `Get` makes the actor `upgrade()` its weak
//! sender and move the strong sender into a plain refresh timer task that
//! sleeps 250 ms and sends `Refresh`; the actor then answers every parked
//! `Get`. Three plain clients send `Get`s and await their replies (then 5 ms
//! apart), and now and then `Put` a key first (marking it stale).
//!
//! Often every client is parked and the actor waits on `cache-inbox`,
//! whose strong senders are the clients (waiting on replies the actor
//! holds) and the refresh task (on a timer), made by `upgrade()`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

enum Msg {
    Get {
        key: u64,
        reply: oneshot::Sender<u64>,
    },
    Put {
        key: u64,
        value: u64,
    },
    Refresh,
}

struct CacheActor {
    inbox: mpsc::Receiver<Msg>,
    me: mpsc::WeakSender<Msg>,
    values: HashMap<u64, (u64, bool)>,
    parked: Vec<(u64, oneshot::Sender<u64>)>,
    refresh_scheduled: bool,
}

impl CacheActor {
    async fn run(mut self) {
        while let Some(msg) = self.inbox.recv().await {
            match msg {
                Msg::Get { key, reply } => {
                    let fresh = self.values.get(&key).map(|(v, stale)| (*v, *stale));
                    match fresh {
                        Some((v, false)) => {
                            let _ = reply.send(v);
                        }
                        _ => {
                            self.parked.push((key, reply));
                            self.schedule_refresh();
                        }
                    }
                }
                Msg::Put { key, value } => {
                    self.values.insert(key, (value, true));
                }
                Msg::Refresh => {
                    self.refresh_scheduled = false;
                    for (_, (_, stale)) in self.values.iter_mut() {
                        *stale = false;
                    }
                    for (key, reply) in self.parked.drain(..) {
                        let v = self.values.entry(key).or_insert((0, false)).0;
                        let _ = reply.send(v);
                    }
                }
            }
        }
    }

    fn schedule_refresh(&mut self) {
        if self.refresh_scheduled {
            return;
        }
        if let Some(me) = self.me.upgrade() {
            self.refresh_scheduled = true;
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(250)).await;
                let _ = me.send(Msg::Refresh).await;
            });
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_actor_weak_self_sender_parks_gets_current_thread_plain");
    let (tx, rx) = mpsc::channel(16);
    let tx = tx.named("cache-inbox");
    let actor = CacheActor {
        inbox: rx,
        me: tx.downgrade(),
        values: HashMap::new(),
        parked: Vec::new(),
        refresh_scheduled: false,
    };
    tokio::spawn(actor.run());
    let answered = Arc::new(AtomicU64::new(0));
    for c in 0..3u64 {
        let tx = tx.clone();
        let answered = answered.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let (reply, rx) = oneshot::channel();
                let key = (n + c) % 5;
                if n % 8 == c && tx.send(Msg::Put { key, value: n }).await.is_err() {
                    return;
                }
                if tx.send(Msg::Get { key, reply }).await.is_err() {
                    return;
                }
                if rx.await.is_ok() {
                    answered.fetch_add(1, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    drop(tx);
    ready_when(move |_| answered.load(Ordering::Relaxed) >= 12);
    park().await
}
