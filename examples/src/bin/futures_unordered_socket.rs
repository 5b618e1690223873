//! Healthy control: queries driven by a `FuturesUnordered` inside one task,
//! two of them holding a pooled connection (a permit) while they wait for
//! the database's answer on a real TCP socket, and a third waiting for a
//! connection.
//!
//! `loader` runs three `query`s concurrently in a `FuturesUnordered` over
//! `db-pool` (2 permits). Two get a connection, send a request to the
//! "database" (a listener on 127.0.0.1 that accepts and then stays silent)
//! and read its answer; the third waits for one of them to finish. The
//! reads wait on the socket, which peeps cannot see: a byte from the peer
//! wakes them, so the task may still wake.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{park, ready_when, waiters};
use futures::stream::{FuturesUnordered, StreamExt};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How many connections the pool allows; one more query than that runs.
const N: usize = 2;

#[peeps::instrument]
async fn query(id: usize, pool: Arc<Semaphore>, db: SocketAddr) -> usize {
    let _conn = pool.acquire().await.expect("the pool is never closed");
    let mut socket = TcpStream::connect(db).await.expect("the database listens");
    socket.write_all(b"SELECT 1\n").await.expect("sent");
    let mut answer = [0u8; 1];
    let _ = socket.read(&mut answer).await;
    id
}

#[peeps::instrument]
async fn load_all(pool: Arc<Semaphore>, db: SocketAddr) {
    let mut queries: FuturesUnordered<_> = (0..=N).map(|id| query(id, pool.clone(), db)).collect();
    while let Some(id) = queries.next().await {
        println!("query {id} done");
    }
}

/// A database that accepts connections and never answers.
async fn silent_database(listener: TcpListener) {
    let mut open = Vec::new();
    while let Ok((socket, _)) = listener.accept().await {
        open.push(socket);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("futures_unordered_socket");
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a local port");
    let db = listener.local_addr().expect("its address");
    tokio::spawn(silent_database(listener));
    let pool = Arc::new(Semaphore::new(N).named("db-pool"));
    peeps::spawn_named("loader", load_all(pool, db));

    ready_when(|g| waiters(g, NodeKind::Semaphore, "db-pool") == 1);
    park().await
}
