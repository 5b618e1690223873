//! Deadlock: a TCP session, once its client hangs up, waits for its
//! writer task to flush what is queued with `outbound.closed().await`,
//! holding that very sender; the writer loops on `recv()` until every
//! sender is gone, so it never ends, and `closed()` (which completes when
//! the receiver is dropped, that is, when the writer ends) never fires.
//!
//! A line echo server on 127.0.0.1: the `acceptor` (`peeps::spawn_named`)
//! starts a `session` per connection (`peeps::spawn_named`), which splits
//! the socket, starts `conn-writer` (`peeps::spawn_named`) with the write
//! half and the receiver of `outbound` (capacity 32), and wraps the
//! sender in a `Connection` whose `send` queues a line and whose
//! `flush_and_close` is `self.outbound.closed().await`. `main`, the
//! client, sends three lines, shuts its write half down and reads the
//! replies until the server closes.
//!
//! Expected: one `certain` deadlock of `session` (waiting for `outbound`
//! to be closed, whose receiver is with `conn-writer`) and `conn-writer`
//! (waiting to receive on `outbound`, whose sender is with `session`).

use examples::ready_when;
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};

/// One client's session, as the handlers see it.
struct Connection {
    outbound: mpsc::Sender<String>,
}

impl Connection {
    fn start(stream: TcpStream) -> (Connection, tokio::net::tcp::OwnedReadHalf) {
        let (read, write) = stream.into_split();
        let (outbound, frames) = mpsc::channel_named("outbound", 32);
        peeps::spawn_named("conn-writer", writer(write, frames));
        (Connection { outbound }, read)
    }

    async fn send(&self, line: String) -> bool {
        self.outbound.send(line).await.is_ok()
    }

    /// Waits until the writer has written everything queued and let the
    /// socket go.
    async fn flush_and_close(&self) {
        self.outbound.closed().await;
    }
}

async fn writer(mut socket: OwnedWriteHalf, mut frames: mpsc::Receiver<String>) {
    while let Some(frame) = frames.recv().await {
        if socket.write_all(frame.as_bytes()).await.is_err() {
            return;
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
    println!("session closed");
}

async fn acceptor(listener: TcpListener) {
    while let Ok((stream, _)) = listener.accept().await {
        peeps::spawn_named("session", session(stream));
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("session_close_awaits_outbound_closed_own_sender");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    peeps::spawn_named("acceptor", acceptor(listener));
    let mut client = TcpStream::connect(addr).await.expect("connect");
    for line in ["hello", "how are you", "bye"] {
        client
            .write_all(format!("{line}\n").as_bytes())
            .await
            .expect("write");
    }
    client.shutdown().await.expect("shut the write half down");
    ready_when(|g| {
        examples::waited_on_for(g, NodeKind::Channel, "outbound", "closed")
            && examples::waited_on_for(g, NodeKind::Channel, "outbound", "recv")
    });
    let mut replies = String::new();
    let _ = client.read_to_string(&mut replies).await;
    print!("{replies}");
}
