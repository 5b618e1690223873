//! Healthy, idle after a burst: a job server whose `Pool` struct — the
//! job sender and the workers' `JoinHandle`s — is kept by `main` until
//! shutdown. Workers are `peeps::spawn_named`; the rest plain.
//!
//! Four workers share the jobs receiver as `Arc<Mutex<mpsc::Receiver>>`
//! (idle ones wait for the lock, its holder waits to receive), run each
//! job under a `db` semaphore (2) and answer on the job's `oneshot`. An
//! acceptor (`peeps::spawn_named`, holding a clone of the sender) serves
//! a line protocol on 127.0.0.1: a connection handler submits a job per
//! line and writes the answer. `main` awaits the acceptor's `JoinHandle`
//! (it ends on shutdown), then drops the sender and joins the workers.
//! Four in-process clients send 10 requests each and then hold their
//! connection open, idle.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore, mpsc, oneshot};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

struct Job {
    input: u64,
    reply: oneshot::Sender<u64>,
}

struct Pool {
    jobs: mpsc::Sender<Job>,
    workers: Vec<peeps::JoinHandle<()>>,
}

impl Pool {
    fn start(n: usize, db: Arc<Semaphore>) -> Pool {
        let (jobs, rx) = mpsc::channel_named("jobs", 32);
        let rx = Arc::new(Mutex::new(rx).named("jobs-rx"));
        let workers = (0..n)
            .map(|i| peeps::spawn_named(format!("worker-{i}"), worker(rx.clone(), db.clone())))
            .collect();
        Pool { jobs, workers }
    }

    async fn shutdown(self) {
        drop(self.jobs);
        for w in self.workers {
            let _ = w.await;
        }
    }
}

async fn worker(jobs: Arc<Mutex<mpsc::Receiver<Job>>>, db: Arc<Semaphore>) {
    loop {
        let job = jobs.lock().await.recv().await;
        let Some(Job { input, reply }) = job else {
            return;
        };
        let _conn = db.acquire().await.expect("db open");
        tokio::time::sleep(Duration::from_millis(5 + input % 20)).await;
        let _ = reply.send(input * 2);
    }
}

async fn handle(socket: TcpStream, jobs: mpsc::Sender<Job>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let input = line.trim().parse().unwrap_or(0);
        let (reply, answer) = oneshot::channel();
        if jobs.send(Job { input, reply }).await.is_err() {
            return;
        }
        let Ok(out) = answer.await else { return };
        if write
            .write_all(format!("{out}\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

async fn client(addr: SocketAddr, done: Arc<AtomicU64>) {
    let socket = TcpStream::connect(addr).await.expect("connect");
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    for n in 0..10u64 {
        write
            .write_all(format!("{n}\n").as_bytes())
            .await
            .expect("write");
        lines.next_line().await.expect("read").expect("an answer");
    }
    done.fetch_add(1, Ordering::Relaxed);
    // Keep the connection open, idle, as a pooled client does.
    let _ = lines.next_line().await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_pool_struct_kept_until_shutdown");
    let db = Arc::new(Semaphore::new(2).named("db"));
    let pool = Pool::start(4, db);
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("an address");
    let listener = TcpListener::bind(addr).await.expect("bind");
    let addr = listener.local_addr().expect("bound");
    let submit = pool.jobs.clone();
    let acceptor = peeps::spawn_named("acceptor", async move {
        loop {
            let (socket, _) = listener.accept().await.expect("accept");
            tokio::spawn(handle(socket, submit.clone()));
        }
    });
    let done = Arc::new(AtomicU64::new(0));
    for _ in 0..4 {
        tokio::spawn(client(addr, done.clone()));
    }
    ready_when(move |g| {
        done.load(Ordering::Relaxed) == 4 && waited_on(g, NodeKind::Channel, "jobs")
    });
    let _ = acceptor.await;
    pool.shutdown().await;
}
