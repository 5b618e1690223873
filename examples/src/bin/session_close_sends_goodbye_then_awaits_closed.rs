//! The twin of `session_close_awaits_outbound_closed_own_sender`, with
//! the usual fix: `flush_and_close` first queues a `Goodbye` frame, on
//! which the writer writes its last line, shuts the socket down and
//! returns (dropping the receiver), and only then awaits
//! `outbound.closed()`, still holding the sender. The writer is paced (a
//! 25 ms sleep per frame, a slow link), so each session waits on
//! `closed()` for a while. Three clients (plain `tokio::spawn` tasks)
//! each connect, send five lines, hang up and read the replies to the end,
//! over and over; server tasks are `peeps::spawn_named`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::ready_when;
use peeps::sync::mpsc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};

/// Client rounds served (a connection's lines echoed and closed).
static ROUNDS: AtomicU64 = AtomicU64::new(0);

enum Frame {
    Line(String),
    Goodbye,
}

/// One client's session, as the handlers see it.
struct Connection {
    outbound: mpsc::Sender<Frame>,
}

impl Connection {
    fn start(stream: TcpStream) -> (Connection, tokio::net::tcp::OwnedReadHalf) {
        let (read, write) = stream.into_split();
        let (outbound, frames) = mpsc::channel_named("outbound", 32);
        peeps::spawn_named("conn-writer", writer(write, frames));
        (Connection { outbound }, read)
    }

    async fn send(&self, line: String) -> bool {
        self.outbound.send(Frame::Line(line)).await.is_ok()
    }

    /// Asks the writer to finish, then waits until it has written
    /// everything queued and let the socket go.
    async fn flush_and_close(&self) {
        if self.outbound.send(Frame::Goodbye).await.is_ok() {
            self.outbound.closed().await;
        }
    }
}

async fn writer(mut socket: OwnedWriteHalf, mut frames: mpsc::Receiver<Frame>) {
    while let Some(frame) = frames.recv().await {
        // A slow link.
        tokio::time::sleep(Duration::from_millis(25)).await;
        match frame {
            Frame::Line(line) => {
                if socket.write_all(line.as_bytes()).await.is_err() {
                    return;
                }
            }
            Frame::Goodbye => {
                let _ = socket.write_all(b"goodbye\n").await;
                break;
            }
        }
    }
    let _ = socket.shutdown().await;
}

async fn session(stream: TcpStream) {
    let (conn, read) = Connection::start(stream);
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if !conn.send(format!("echo {line}\n")).await {
            return;
        }
    }
    // The client hung up: let the writer finish before we go.
    conn.flush_and_close().await;
}

async fn acceptor(listener: TcpListener) {
    while let Ok((stream, _)) = listener.accept().await {
        peeps::spawn_named("session", session(stream));
    }
}

async fn client(addr: std::net::SocketAddr, id: usize) {
    for round in 0u64.. {
        let Ok(mut conn) = TcpStream::connect(addr).await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        for n in 0..5 {
            let _ = conn
                .write_all(format!("client {id} line {n}\n").as_bytes())
                .await;
        }
        let _ = conn.shutdown().await;
        let mut replies = String::new();
        let _ = conn.read_to_string(&mut replies).await;
        ROUNDS.fetch_add(1, Ordering::Relaxed);
        if round % 20 == 0 {
            println!("client {id}: {} reply lines", replies.lines().count());
        }
        tokio::time::sleep(Duration::from_millis(20 * id as u64)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("session_close_sends_goodbye_then_awaits_closed");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    peeps::spawn_named("acceptor", acceptor(listener));
    let clients: Vec<_> = (1..=3).map(|id| tokio::spawn(client(addr, id))).collect();
    // Ready once the clients have been served a while: a session's
    // `closed()` beside another writer's `recv` in one snapshot, what this
    // waited for before, can take minutes to show on a loaded machine.
    ready_when(|_| ROUNDS.load(Ordering::Relaxed) >= 30);
    for c in clients {
        let _ = c.await;
    }
}
