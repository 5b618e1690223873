//! Healthy, under steady load, written with peeps' own spawns: a TCP
//! connection pool the way small pools are written. At most three
//! connections (`pool-slots`, a `Semaphore` of 3): each pooled connection
//! carries its owned permit. Six workers (`peeps::spawn_named("worker-N")`)
//! each, in a loop, check a connection out, send a request line over it
//! (the server answers after 100-1500 ms) and check it back in. Checkout
//! pops an idle connection from a shared idle list
//! (`Arc<std::sync::Mutex<Vec<PooledConn>>>`), or else waits in a
//! `tokio::select!` for a new permit of `pool-slots` (then dials) or for
//! `conn-returned` (a `Notify`) and looks again. Check-in pushes the
//! connection, permit and all, into the idle list and notifies. The
//! server (`conn-server`) answers each connection in a `conn-handler`
//! task. Every task is peeps': the census counts none unseen.
//! Multi-thread runtime.
//!
//! The permits are on the heap (the idle list) or with the worker using
//! them; the bytes of a connection checked in may stay in its worker's
//! state (it was borrowed for the request). Expected, in every dump: no
//! deadlock, nothing stuck forever, no potential deadlock; the workers'
//! waits on `pool-slots` are honest long waits.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

struct PooledConn {
    id: u64,
    read: tokio::io::Lines<BufReader<OwnedReadHalf>>,
    write: OwnedWriteHalf,
    permit: OwnedSemaphorePermit,
}

struct Pool {
    addr: SocketAddr,
    slots: Arc<Semaphore>,
    idle: std::sync::Mutex<Vec<PooledConn>>,
    returned: Notify,
    dialed: AtomicU64,
}

impl Pool {
    #[peeps::instrument]
    async fn get(&self) -> PooledConn {
        loop {
            if let Some(conn) = self.idle.lock().expect("not poisoned").pop() {
                return conn;
            }
            tokio::select! {
                permit = self.slots.clone().acquire_owned() => {
                    let permit = permit.expect("never closed");
                    let stream = TcpStream::connect(self.addr).await.expect("connect");
                    let (read, write) = stream.into_split();
                    return PooledConn {
                        id: self.dialed.fetch_add(1, Ordering::Relaxed),
                        read: BufReader::new(read).lines(),
                        write,
                        permit,
                    };
                }
                () = self.returned.notified() => {}
            }
        }
    }

    fn put(&self, conn: PooledConn) {
        self.idle.lock().expect("not poisoned").push(conn);
        self.returned.notify_one();
    }
}

#[peeps::instrument]
async fn handle_conn(stream: TcpStream) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let n: u64 = line.trim().parse().expect("a number");
        tokio::time::sleep(Duration::from_millis(100 + (n * 397) % 1400)).await;
        if write
            .write_all(format!("{}\n", n * 2).as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

#[peeps::instrument]
async fn serve(listener: TcpListener) {
    loop {
        let (stream, _) = listener.accept().await.expect("accept");
        peeps::spawn_named("conn-handler", handle_conn(stream));
    }
}

#[peeps::instrument]
async fn work(pool: Arc<Pool>, next: Arc<AtomicU64>, done: Arc<AtomicU64>) {
    loop {
        let mut conn = pool.get().await;
        let n = next.fetch_add(1, Ordering::Relaxed);
        conn.write
            .write_all(format!("{n}\n").as_bytes())
            .await
            .expect("write");
        let answer = conn.read.next_line().await.expect("read").expect("a line");
        assert_eq!(answer.parse::<u64>().expect("a number"), n * 2);
        std::hint::black_box((conn.id, conn.permit.num_permits()));
        pool.put(conn);
        done.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_pool_idle_conns_owned_permits");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("an address");
    peeps::spawn_named("conn-server", serve(listener));
    let pool = Arc::new(Pool {
        addr,
        slots: Arc::new(Semaphore::new(3).named("pool-slots")),
        idle: std::sync::Mutex::new(Vec::new()),
        returned: Notify::new().named("conn-returned"),
        dialed: AtomicU64::new(0),
    });
    let next = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    for name in [
        "worker-1", "worker-2", "worker-3", "worker-4", "worker-5", "worker-6",
    ] {
        peeps::spawn_named(name, work(pool.clone(), next.clone(), done.clone()));
    }
    let seen = done.clone();
    ready_when(move |g| {
        seen.load(Ordering::Relaxed) >= 6 && waited_on(g, NodeKind::Semaphore, "pool-slots")
    });
    examples::park().await
}
