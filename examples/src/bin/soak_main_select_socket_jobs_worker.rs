//! Healthy, mostly idle: a small TCP job server whose connection loop is
//! `main` itself, written with peeps' own spawns.
//!
//! `main` accepts one connection and loops on a `select!` of the
//! socket's next line against `results` (a peeps mpsc of capacity 4): a
//! `JOB n` line is sent into `jobs` (a peeps mpsc of capacity 4), a
//! result is written back to the socket. The `worker`
//! (`peeps::spawn_named`) receives a job, works 20 ms and sends its
//! result into `results`. The `client` (`peeps::spawn_named`) sends a job
//! every second and reads the answers.
//!
//! Between jobs `main` waits on its socket (which peeps cannot see) and
//! on `results`, whose sender the `worker` keeps, while the `worker`
//! waits on `jobs`, whose sender `main` keeps: idle, not stuck; the next
//! line from the client moves both. Expected, in every dump: no
//! deadlock, nothing stuck forever, no potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

async fn work(mut jobs: mpsc::Receiver<u64>, results: mpsc::Sender<String>) {
    while let Some(n) = jobs.recv().await {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if results.send(format!("DONE {n} {}", n * n)).await.is_err() {
            return;
        }
    }
}

async fn client(addr: SocketAddr, answers: Arc<AtomicU64>) {
    let socket = TcpStream::connect(addr).await.expect("connect");
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    for n in 0u64.. {
        if write
            .write_all(format!("JOB {n}\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
        match lines.next_line().await {
            Ok(Some(_)) => answers.fetch_add(1, Ordering::Relaxed),
            _ => return,
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_main_select_socket_jobs_worker");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("an address");
    let answers = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("client", client(addr, answers.clone()));
    let (jobs, jobs_rx) = mpsc::channel_named("jobs", 4);
    let (results, mut results_rx) = mpsc::channel_named("results", 4);
    peeps::spawn_named("worker", work(jobs_rx, results));
    ready_when(move |g| {
        answers.load(Ordering::Relaxed) >= 3 && waited_on_for(g, NodeKind::Channel, "jobs", "recv")
    });
    let (socket, _) = listener.accept().await.expect("accept");
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    loop {
        tokio::select! {
            line = lines.next_line() => {
                let Ok(Some(line)) = line else { return };
                let Some(n) = line.strip_prefix("JOB ").and_then(|n| n.parse().ok()) else {
                    continue;
                };
                if jobs.send(n).await.is_err() {
                    return;
                }
            }
            Some(result) = results_rx.recv() => {
                if write.write_all(format!("{result}\n").as_bytes()).await.is_err() {
                    return;
                }
            }
        }
    }
}
