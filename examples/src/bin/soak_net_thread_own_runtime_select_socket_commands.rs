//! Healthy, mostly idle: an application whose network connection lives
//! on a dedicated thread with its own current-thread runtime (the shape
//! of a GUI or a sync library that keeps async I/O to one thread).
//!
//! A push server (`peeps::spawn_named("push-server")`, on the main
//! runtime) answers every `PING` line with `PONG` and sends a `TICK` line
//! every 700 ms. The `net` `std::thread` builds a current-thread runtime
//! and `block_on`s a loop that `select!`s the socket's next line against
//! `commands` (a peeps mpsc of capacity 8): a line becomes an event sent
//! into `events` (a peeps mpsc of capacity 8), a command is written to
//! the socket. The `app` task (`peeps::spawn_named`) receives events and,
//! for every `TICK`, sends a `PING` command.
//!
//! Between ticks the `net` thread waits on its socket (which peeps cannot
//! see) and on `commands`, whose sender the `app` keeps, while the `app`
//! waits on `events`, whose sender the `net` thread keeps: idle, not
//! stuck. Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

async fn push_server(listener: TcpListener) {
    let (socket, _) = listener.accept().await.expect("accept");
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut tick = tokio::time::interval(Duration::from_millis(700));
    let mut n = 0u64;
    loop {
        let out = tokio::select! {
            line = lines.next_line() => match line {
                Ok(Some(line)) if line.starts_with("PING") => format!("PONG {}\n", &line[4..]),
                Ok(Some(_)) => continue,
                _ => return,
            },
            _ = tick.tick() => {
                n += 1;
                format!("TICK {n}\n")
            }
        };
        if write.write_all(out.as_bytes()).await.is_err() {
            return;
        }
    }
}

async fn connection(
    addr: SocketAddr,
    mut commands: mpsc::Receiver<String>,
    events: mpsc::Sender<String>,
) {
    let socket = TcpStream::connect(addr).await.expect("connect");
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    loop {
        tokio::select! {
            line = lines.next_line() => {
                let Ok(Some(line)) = line else { return };
                if events.send(line).await.is_err() {
                    return;
                }
            }
            command = commands.recv() => {
                let Some(command) = command else { return };
                if write.write_all(format!("{command}\n").as_bytes()).await.is_err() {
                    return;
                }
            }
        }
    }
}

async fn app(
    mut events: mpsc::Receiver<String>,
    commands: mpsc::Sender<String>,
    pongs: Arc<AtomicU64>,
) {
    while let Some(event) = events.recv().await {
        if let Some(n) = event.strip_prefix("TICK ") {
            if commands.send(format!("PING {n}")).await.is_err() {
                return;
            }
        } else if event.starts_with("PONG") {
            pongs.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_net_thread_own_runtime_select_socket_commands");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("an address");
    peeps::spawn_named("push-server", push_server(listener));
    let (commands, commands_rx) = mpsc::channel_named("commands", 8);
    let (events, events_rx) = mpsc::channel_named("events", 8);
    std::thread::Builder::new()
        .name("net".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(connection(addr, commands_rx, events));
        })
        .expect("spawn the net thread");
    let pongs = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("app", app(events_rx, commands, pongs.clone()));
    ready_when(move |g| {
        pongs.load(Ordering::Relaxed) >= 2 && waited_on_for(g, NodeKind::Channel, "events", "recv")
    });
    park().await
}
