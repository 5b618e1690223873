//! Healthy: a TCP line server whose connection tasks hold their connection
//! state across the wait for the next line or command. Each accepted
//! connection gets a plain `tokio::spawn` handler that locks its
//! `conn-state` (a peeps `Mutex`) for each turn and, holding it, waits in a
//! `tokio::select!` for either a line from its socket or a command on its
//! `conn-commands` (a peeps channel, capacity 1). A plain `stats` task,
//! every 250 ms, locks each connection's `conn-state` to read its counters
//! and then sends it a `Ping` command: it waits for the lock a handler
//! holds while that handler waits for its command, until the client's next
//! line (one every 300 ms, over 127.0.0.1) ends the handler's turn.
//!
//! The handler's waker has a clone beyond its peeps wait (its socket's
//! read readiness): it may wake. Expected, in every dump: no deadlock,
//! nothing stuck forever, no potential deadlock.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct ConnState {
    lines: u64,
    pings: u64,
}

struct Conn {
    state: Arc<Mutex<ConnState>>,
    commands: mpsc::Sender<&'static str>,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_tcp_conn_state_lock_select_commands_plain");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let conns: Arc<std::sync::Mutex<Vec<Conn>>> = Arc::default();

    let accepted = conns.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let state = Arc::new(Mutex::new(ConnState::default()).named("conn-state"));
            let (commands, mut command_rx) = mpsc::channel_named("conn-commands", 1);
            accepted.lock().unwrap().push(Conn {
                state: state.clone(),
                commands,
            });
            tokio::spawn(async move {
                let mut reader = BufReader::new(socket);
                let mut line = String::new();
                loop {
                    let mut st = state.lock().await;
                    line.clear();
                    tokio::select! {
                        read = reader.read_line(&mut line) => match read {
                            Ok(0) | Err(_) => return,
                            Ok(_) => st.lines += 1,
                        },
                        Some(_ping) = command_rx.recv() => st.pings += 1,
                    }
                }
            });
        }
    });

    let stats_conns = conns.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let snapshot: Vec<_> = stats_conns
                .lock()
                .unwrap()
                .iter()
                .map(|c| (c.state.clone(), c.commands.clone()))
                .collect();
            for (state, commands) in snapshot {
                let (lines, pings) = {
                    let st = state.lock().await;
                    (st.lines, st.pings)
                };
                std::hint::black_box((lines, pings));
                let _ = commands.send("ping").await;
            }
        }
    });

    for client in 0..3u64 {
        tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            tokio::time::sleep(Duration::from_millis(40 * client)).await;
            loop {
                if stream.write_all(b"hello\n").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        });
    }

    ready_when(|snap| {
        waited_on_for(snap, NodeKind::Mutex, "conn-state", "lock")
            && waited_on_for(snap, NodeKind::Channel, "conn-commands", "recv")
    });
    park().await
}
