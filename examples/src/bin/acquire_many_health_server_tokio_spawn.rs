//! Healthy twin of `nested_permit_health_server_tokio_spawn`: each request
//! handler (plain `tokio::spawn`, no peeps annotation) takes the two
//! connections it needs from the `db-conns` pool (a `Semaphore` of 2) at
//! once with `acquire_many(2)`, works on a short timer, lets them go, and
//! serves its next request. The plain health server and prober run as
//! before.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock,
//! and no long wait (each handler waits for the pool at most one other
//! request's 10 ms).

use examples::{park, ready_when};
use peeps::sync::{Barrier, Semaphore, mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

async fn handle(pool: Arc<Semaphore>, both: Arc<Barrier>, id: u32, served: Arc<AtomicU64>) {
    both.wait().await;
    loop {
        let conns = pool
            .acquire_many(2)
            .await
            .expect("the pool is never closed");
        tokio::time::sleep(Duration::from_millis(10)).await;
        drop(conns);
        println!("order {id} served");
        served.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("acquire_many_health_server_tokio_spawn");
    let (health, mut pings) = mpsc::channel_named::<oneshot::Sender<&'static str>>("health", 4);
    tokio::spawn(async move {
        while let Some(reply) = pings.recv().await {
            let _ = reply.send("ok");
        }
    });
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let (tx, rx) = oneshot::channel();
            if health.send(tx).await.is_err() || rx.await.is_err() {
                return;
            }
        }
    });
    let pool = Arc::new(Semaphore::new(2).named("db-conns"));
    let both = Arc::new(Barrier::new(2).named("in-flight"));
    let served = Arc::new(AtomicU64::new(0));
    for id in [1, 2] {
        tokio::spawn(handle(pool.clone(), both.clone(), id, served.clone()));
    }
    ready_when(move |_| served.load(Ordering::SeqCst) >= 10);
    park().await
}
