//! Healthy, idle between clients: a small TCP server on a current-thread
//! runtime (`#[tokio::main(flavor = "current_thread")]`). `main` keeps the
//! original sender of `stats` (an `mpsc` of capacity 16) to clone into each
//! connection's handler and loops on `tokio::select!` of `listener.accept()`
//! (127.0.0.1) against `stats.recv()`: an accepted connection gets a plain
//! `tokio::spawn` handler with a clone of the sender, which reads lines,
//! sends one stat per line and ends with the connection; each stat is
//! added up. `main` sends the first stat itself (its start). A client (a
//! `std::thread` with blocking sockets, as another program is) connects
//! every 8 s (the first after 8 s), sends three lines and leaves.
//!
//! Between clients `main` waits on `accept` (a socket peeps cannot see) and
//! on `stats`, whose only sender left is its own: idle, not stuck; the next
//! client moves it. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::ready_when;
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::io::Write;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_current_thread_server_keeps_stats_sender_accepts");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    // The clients are outside the runtime (another program's, here a thread
    // with blocking sockets).
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(8));
            let Ok(mut sock) = std::net::TcpStream::connect(addr) else {
                return;
            };
            for n in 0..3 {
                let _ = sock.write_all(format!("GET /{n}\n").as_bytes());
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    });
    let (stats_tx, mut stats) = mpsc::channel::<usize>(16);
    // The server's own start counts as a stat.
    stats_tx.send(0).await.expect("open");
    ready_when(|g| {
        g.edges.iter().any(|e| {
            e.attrs.get("op").and_then(|v| v.as_str()) == Some("recv")
                && g.nodes
                    .iter()
                    .any(|n| n.id == e.from && n.kind == NodeKind::Thread)
        })
    });
    let (mut connections, mut bytes) = (0u64, 0usize);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((sock, _)) = accepted else { continue };
                connections += 1;
                let stats = stats_tx.clone();
                tokio::spawn(async move {
                    let mut lines = BufReader::new(sock).lines();
                    while let Ok(Some(line)) = lines.next_line().await {
                        if stats.send(line.len()).await.is_err() {
                            return;
                        }
                    }
                });
            }
            Some(len) = stats.recv() => {
                bytes += len;
                println!("{connections} connections, {bytes} bytes");
            }
        }
    }
}
