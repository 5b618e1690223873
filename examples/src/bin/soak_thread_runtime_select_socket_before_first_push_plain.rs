//! Healthy, idle at first: as
//! `soak_thread_runtime_select_quiet_socket_commands_plain`, a `std::thread`
//! with its own current-thread runtime `block_on`s a loop that `select!`s
//! its TCP connection's next line against `commands.recv()` (an `mpsc` of
//! capacity 8 whose sender a plain app task keeps); each line becomes an
//! `Event` on `events` (capacity 8), which the app answers with a command.
//! Here the server speaks first only after 15 s (a push every 15 s from
//! then), as a client of a quiet server is.
//!
//! Until then the network thread waits on its socket (which peeps cannot
//! see) and on `commands`, whose sender the app keeps, while the app waits
//! on `events`, whose sender the network thread keeps: idle, not stuck; the
//! first push moves both. Expected, in every dump: no deadlock, nothing
//! stuck forever, no potential deadlock.

use examples::ready_when;
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

enum Event {
    Pushed(String),
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_thread_runtime_select_socket_before_first_push_plain");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let (sock, _) = listener.accept().await.expect("accept");
        let (r, mut w) = sock.into_split();
        // Read and drop what the client writes.
        tokio::spawn(async move {
            let mut lines = BufReader::new(r).lines();
            while let Ok(Some(_)) = lines.next_line().await {}
        });
        // The server speaks first only after 15 s.
        let start = tokio::time::Instant::now() + Duration::from_secs(15);
        let mut push = tokio::time::interval_at(start, Duration::from_secs(15));
        for n in 0u64.. {
            push.tick().await;
            if w.write_all(format!("PUSH {n}\n").as_bytes()).await.is_err() {
                return;
            }
        }
    });

    let (commands, mut command_rx) = mpsc::channel::<String>(8);
    let (events_tx, mut events) = mpsc::channel::<Event>(8);
    std::thread::Builder::new()
        .name("net".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("net runtime");
            rt.block_on(async move {
                let sock = TcpStream::connect(addr).await.expect("connect");
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                loop {
                    tokio::select! {
                        line = lines.next_line() => {
                            let Ok(Some(line)) = line else { return };
                            if events_tx.send(Event::Pushed(line)).await.is_err() {
                                return;
                            }
                        }
                        cmd = command_rx.recv() => {
                            let Some(cmd) = cmd else { return };
                            if w.write_all(cmd.as_bytes()).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        })
        .expect("net thread");

    let handled = Arc::new(AtomicU64::new(0));
    ready_when(|g| {
        g.edges.iter().any(|e| {
            e.attrs.get("op").and_then(|v| v.as_str()) == Some("recv")
                && g.nodes
                    .iter()
                    .any(|n| n.id == e.from && n.kind == NodeKind::Thread && n.name == "thread net")
        })
    });
    let app = tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            let Event::Pushed(line) = event;
            println!("event {line}");
            if commands.send("ACK\n".to_owned()).await.is_err() {
                return;
            }
            handled.fetch_add(1, Ordering::Relaxed);
        }
    });
    app.await.expect("app");
}
