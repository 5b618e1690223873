//! Healthy control: a connection pool kept in a bounded channel: check a
//! connection out with `recv`, give it back with `send`.
//!
//! `pool` holds two connections. Three `query` tasks share the pool (its
//! sender and, behind a mutex, its receiver, in an `Arc`'d struct); each
//! checks a connection out, uses it for an hour (a slow query) and puts
//! it back. Two queries have a connection; the third waits on the pool's
//! receiver (holding the receiver's lock), released when a slow query
//! gives its connection back.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{attr, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;

struct Conn {
    id: usize,
}

struct Pool {
    give_back: mpsc::Sender<Conn>,
    take: Mutex<mpsc::Receiver<Conn>>,
}

impl Pool {
    async fn checkout(&self) -> Option<Conn> {
        self.take.lock().await.recv().await
    }

    async fn checkin(&self, conn: Conn) {
        let _ = self.give_back.send(conn).await;
    }
}

#[peeps::instrument]
async fn query(n: usize, pool: Arc<Pool>) {
    let Some(conn) = pool.checkout().await else {
        return;
    };
    tokio::time::sleep(Duration::from_secs(3600)).await;
    println!("query {n} ran on connection {}", conn.id);
    pool.checkin(conn).await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("pool_over_channel");
    let (give_back, take) = mpsc::channel_named("pool", 2);
    for id in 0..2 {
        give_back.send(Conn { id }).await.expect("the pool is open");
    }
    let pool = Arc::new(Pool {
        give_back,
        take: Mutex::new(take).named("pool-receiver"),
    });
    for n in 1..=3 {
        peeps::spawn_named(format!("query-{n}"), query(n, pool.clone()));
    }
    ready_when(|g| {
        attr(g, NodeKind::Channel, "pool", "received") == Some(2)
            && waited_on_for(g, NodeKind::Channel, "pool", "recv")
    });
    park().await
}
