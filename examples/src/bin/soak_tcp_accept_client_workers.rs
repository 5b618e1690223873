//! Healthy: a TCP server on 127.0.0.1: an accept loop task, a handler task
//! per connection reading a line and handing it to a worker over a peeps
//! channel; a client task connects every 300 ms and sends a line. `main`
//! awaits the worker's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_tcp_accept_client_workers");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (work_tx, mut work_rx) = mpsc::channel_named::<String>("work", 16);
    peeps::spawn_named("acceptor", async move {
        loop {
            let (sock, _) = listener.accept().await.unwrap();
            let work_tx = work_tx.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(sock).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    let _ = work_tx.send(line).await;
                }
            });
        }
    });
    tokio::spawn(async move {
        for i in 0u64.. {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let mut s = TcpStream::connect(addr).await.unwrap();
            s.write_all(format!("hello {i}\n").as_bytes())
                .await
                .unwrap();
        }
    });
    let worker = peeps::spawn_named("worker", async move {
        let mut n = 0;
        while let Some(line) = work_rx.recv().await {
            n += line.len();
        }
        n
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "work", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "work", "recv")
    });
    println!("{}", worker.await.unwrap());
}
