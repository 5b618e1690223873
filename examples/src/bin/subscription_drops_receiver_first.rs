//! Healthy twin of `subscription_drop_locks_before_receiver` (the fix
//! suggested in spacejam/sled#1152: run the receiver's destructor before
//! taking the lock). `Subscriber::drop` drops its receiver first, so a
//! writer blocked sending to it gets an error at once and lets its read
//! of `subscribers` go; then the watcher takes the write and removes
//! itself. Watchers come and go forever, each reading a few events and
//! leaving; the writer publishes every 5 ms.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::blocking::RwLock;
use peeps::sync::mpsc;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

type Subscribers = Arc<RwLock<HashMap<u64, mpsc::Sender<u64>>>>;

struct Subscriber {
    id: u64,
    rx: Option<mpsc::Receiver<u64>>,
    home: Subscribers,
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        drop(self.rx.take());
        let mut watched = self.home.write();
        watched.remove(&self.id);
    }
}

impl Subscriber {
    async fn next(&mut self) -> Option<u64> {
        self.rx.as_mut()?.recv().await
    }
}

fn watch_prefix(home: &Subscribers, id: u64) -> Subscriber {
    let (tx, rx) = mpsc::channel_named("events", 2);
    home.write().insert(id, tx);
    Subscriber {
        id,
        rx: Some(rx),
        home: home.clone(),
    }
}

fn writer(home: Subscribers) {
    for key in 0u64.. {
        let watched = home.read();
        for tx in watched.values() {
            let _ = tx.blocking_send(key);
        }
        drop(watched);
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("subscription_drops_receiver_first");
    let home: Subscribers = Arc::new(RwLock::new(HashMap::new()).named("subscribers"));
    let seen = Arc::new(AtomicU64::new(0));
    for w in 0..3u64 {
        let home = home.clone();
        let seen = seen.clone();
        peeps::spawn_named(format!("watcher-{w}"), async move {
            for generation in 0u64.. {
                let mut sub = watch_prefix(&home, generation * 10 + w);
                for _ in 0..3 + w {
                    if sub.next().await.is_some() {
                        seen.fetch_add(1, Ordering::Relaxed);
                    }
                }
                drop(sub);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
    }
    {
        let home = home.clone();
        std::thread::Builder::new()
            .name("writer".into())
            .spawn(move || writer(home))
            .expect("spawn the writer thread");
    }
    let ready = seen.clone();
    ready_when(move |_| ready.load(Ordering::Relaxed) >= 30);
    park().await
}
