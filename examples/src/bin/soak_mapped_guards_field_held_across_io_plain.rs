//! Healthy, under steady load: guards narrowed with `map` and kept
//! across `.await`s. A `Mutex<Server>` `server` holds connections and
//! stats; an `Arc<Mutex<Vec<u64>>>` `outbox` holds pending frames.
//!
//! - four plain handlers `MutexGuard::map` the `server` guard down to its
//!   `conns` field and keep that mapped guard across a 10 ms "write";
//! - a plain flusher takes `outbox` with `lock_owned()`, `map`s the owned
//!   guard to the first frames, and keeps it across a 60 ms "send" every
//!   100 ms;
//! - three plain producers push frames into `outbox` every 7 ms;
//! - a plain stats reporter maps `server` to its `stats` every 50 ms.
//!
//! Every lock is taken alone; waits on `server` and `outbox` are behind
//! mapped guards held on timers.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, MutexGuard, OwnedMutexGuard};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Server {
    conns: Vec<u64>,
    stats: (u64, u64),
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_mapped_guards_field_held_across_io_plain");
    let server = Arc::new(
        Mutex::new(Server {
            conns: vec![0; 8],
            stats: (0, 0),
        })
        .named("server"),
    );
    let outbox = Arc::new(Mutex::new(Vec::<u64>::new()).named("outbox"));
    let writes = Arc::new(AtomicU64::new(0));
    for h in 0..4u64 {
        let server = server.clone();
        let writes = writes.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let mut conns = MutexGuard::map(server.lock().await, |s| &mut s.conns);
                tokio::time::sleep(Duration::from_millis(10)).await;
                conns[((n + h) % 8) as usize] += 1;
                drop(conns);
                writes.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    {
        let outbox = outbox.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let frames = OwnedMutexGuard::map(outbox.clone().lock_owned().await, |v| {
                    let keep = v.len().min(16);
                    v.truncate(keep);
                    v
                });
                tokio::time::sleep(Duration::from_millis(60)).await;
                std::hint::black_box(frames.len());
                drop(frames);
                outbox.lock().await.clear();
            }
        });
    }
    for p in 0..3u64 {
        let outbox = outbox.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                outbox.lock().await.push(n * 3 + p);
                tokio::time::sleep(Duration::from_millis(7)).await;
            }
        });
    }
    {
        let server = server.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(50)).await;
                let mut stats = MutexGuard::map(server.lock().await, |s| &mut s.stats);
                stats.0 += 1;
            }
        });
    }
    ready_when(move |g| {
        writes.load(Ordering::Relaxed) >= 40
            && waited_on(g, NodeKind::Mutex, "server")
            && waited_on(g, NodeKind::Mutex, "outbox")
    });
    park().await
}
