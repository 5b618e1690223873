//! Healthy, mostly idle: a network thread with a runtime of its own. A
//! `std::thread` builds a current-thread runtime
//! (`tokio::runtime::Builder::new_current_thread()`) and `block_on`s a loop
//! that `select!`s the next line of its TCP connection (127.0.0.1) against
//! `commands.recv()` (an `mpsc` of capacity 8 from the main runtime): each
//! line becomes an `Event` sent on `events` (capacity 8), each command is
//! written to the socket. A plain app task on the main runtime receives
//! `events` and answers each with a command; the push server (a plain task
//! on the main runtime) pushes a line every 15 s, the first one at once,
//! and echoes nothing back.
//!
//! Between pushes the network thread waits on its socket (which peeps
//! cannot see) and on `commands`, whose sender the app keeps, while the app
//! waits on `events`, whose sender the network thread keeps: idle, not
//! stuck; the next push moves both. Expected, in every dump: no deadlock,
//! nothing stuck forever, no potential deadlock.

use examples::ready_when;
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
    peeps::install_sigusr1("soak_thread_runtime_select_quiet_socket_commands_plain");
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
        let mut push = tokio::time::interval(Duration::from_secs(15));
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
    let seen = handled.clone();
    ready_when(move |_| seen.load(Ordering::Relaxed) >= 1);
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
