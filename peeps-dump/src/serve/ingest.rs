//! Ingest: the TCP port programs push their snapshots to.
//!
//! One task per connection reads frames (`peeps_graph::wire`): first a
//! hello naming the process, then snapshots of that process. Whatever a
//! peer sends, the worst it gets is its own connection closed with one line
//! on stderr naming its address and what was wrong:
//!
//! - a length prefix over `--max-frame-bytes` is refused before any of the
//!   body is buffered, and a frame's buffer grows only with the bytes that
//!   actually arrive; with a token, the first frame (the hello, before the
//!   token is checked) may be at most `wire::MAX_HELLO_BYTES` (64 KiB) and
//!   must arrive within [`HELLO_TIMEOUT`] of connecting (or
//!   `--frame-timeout`, if shorter), so strangers cannot hold every
//!   connection slot by sending nothing;
//! - a frame must arrive whole within `--frame-timeout` of its first byte
//!   (a peer sending one byte a second is cut off), and a connection silent
//!   for `--idle-timeout` between frames is closed;
//! - a stream ending inside a frame, a body that is not JSON, a snapshot of
//!   the wrong schema or shape, a snapshot before the hello, a second
//!   hello, a snapshot whose process key is not the hello's: each ends the
//!   connection;
//! - at most `--max-connections` connections are served at once; more are
//!   closed at once, and said on stderr at most once a second with a count
//!   (keep the cap under the process's file descriptor limit, `ulimit -n`:
//!   past that, accepting fails, which is said the same way).
//!
//! Nothing a bad connection sent reaches the store: a snapshot is stored
//! only once it decoded whole and matched its hello. When a connection
//! that had sent snapshots ends (for any reason), its process turns stale
//! (unless another connection still feeds it).

use super::Limits;
use super::auth::{HelloRefused, Token};
use super::store::Store;
use bytes::Bytes;
use peeps_graph::Process;
use peeps_graph::wire::{self, Frame, FrameDecoder, FrameError};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;

/// Frames larger than this are parsed on the blocking pool, not on an
/// async worker.
const PARSE_INLINE_MAX: usize = 256 * 1024;

/// At most this many large frames are parsed at once: parsing is CPU
/// work, and each parse in flight holds a snapshot being built (several
/// times its JSON), so with hundreds of connections an unbounded number of
/// them would hold hundreds of MB for nothing. A connection waiting for a
/// slot reads no more: TCP slows its pusher down.
static PARSE_SLOTS: Semaphore = Semaphore::const_new(4);

/// Accepts connections until shutdown.
pub(crate) async fn serve(
    listener: TcpListener,
    store: Arc<Store>,
    limits: Limits,
    token: Option<Token>,
    mut shutdown: watch::Receiver<bool>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let mut refusals = Throttled::default();
    let mut accept_errors = Throttled::default();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait_for(|&stop| stop) => return,
        };
        let (socket, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Out of file descriptors and the like: say so (at most
                // once a second), give the system a moment, keep accepting.
                accept_errors.say(|more| {
                    eprintln!("peeps: ingest: cannot accept a connection: {e}{more}");
                });
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            refusals.say(|more| {
                eprintln!(
                    "peeps: ingest: refused connection from {peer}: {} connections already open{more}",
                    limits.max_connections
                );
            });
            drop(socket);
            continue;
        };
        let store = store.clone();
        let shutdown = shutdown.clone();
        let token = token.clone();
        tokio::spawn(async move {
            let mut conn = Connection::new(peer, limits, token);
            let outcome = tokio::select! {
                outcome = conn.run(socket, &store) => Some(outcome),
                _ = wait_stop(shutdown) => None,
            };
            match outcome {
                Some(Ok(())) if conn.process.is_some() => {
                    eprintln!("peeps: ingest: {} disconnected", conn.who());
                }
                Some(Ok(())) | None => {}
                Some(Err(Dropped::Refused(r))) => {
                    // A refused process's client reconnects within a
                    // second or so: one line a second for them all.
                    let mut said = MEMORY_REFUSALS
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    said.say(|more| {
                        eprintln!(
                            "peeps: ingest: dropped connection from {}: new process refused: {r}{more}",
                            conn.who()
                        );
                    });
                }
                Some(Err(e)) => {
                    eprintln!("peeps: ingest: dropped connection from {}: {e}", conn.who());
                }
            }
            // The slot is free before the process is marked stale: whoever
            // sees it stale can connect in its place.
            drop(permit);
            if conn.stored_any
                && let Some(process) = &conn.process
            {
                store.disconnect(&process.key);
            }
        });
    }
}

async fn wait_stop(mut shutdown: watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|&stop| stop).await;
}

/// Says a recurring event at most once a second, with how many went
/// unsaid in between, so a flood of refused connections cannot flood
/// stderr.
#[derive(Debug, Default)]
struct Throttled {
    last: Option<Instant>,
    unsaid: u64,
}

/// New processes refused for lack of memory (`--max-memory`), said at most
/// once a second across all connections.
static MEMORY_REFUSALS: std::sync::Mutex<Throttled> = std::sync::Mutex::new(Throttled::new());

impl Throttled {
    const fn new() -> Throttled {
        Throttled {
            last: None,
            unsaid: 0,
        }
    }

    /// Calls `say` with a suffix counting the unsaid events, unless it was
    /// called less than a second ago.
    fn say(&mut self, say: impl FnOnce(&str)) {
        let now = Instant::now();
        if self
            .last
            .is_some_and(|t| now.duration_since(t) < Duration::from_secs(1))
        {
            self.unsaid += 1;
            return;
        }
        let more = match self.unsaid {
            0 => String::new(),
            n => format!(" ({n} more since the last such line)"),
        };
        say(&more);
        self.last = Some(now);
        self.unsaid = 0;
    }
}

/// Why a connection was dropped.
#[derive(Debug)]
enum Dropped {
    Io(std::io::Error),
    Frame(FrameError),
    IdleTimeout(Duration),
    FrameTimeout(Duration),
    HelloTimeout(Duration),
    NoHello,
    SecondHello,
    Unauthenticated(HelloRefused),
    WrongKey { hello: String, snapshot: String },
    Refused(super::store::Refused),
}

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dropped::Io(e) => write!(f, "read error: {e}"),
            Dropped::Frame(e) => e.fmt(f),
            Dropped::IdleTimeout(t) => write!(f, "nothing received for {} s", t.as_secs_f64()),
            Dropped::FrameTimeout(t) => write!(
                f,
                "a frame did not arrive whole within {} s of its first byte",
                t.as_secs_f64()
            ),
            Dropped::HelloTimeout(t) => {
                write!(f, "no hello within {} s of connecting", t.as_secs_f64())
            }
            Dropped::NoHello => f.write_str("a snapshot before the hello"),
            Dropped::SecondHello => f.write_str("a second hello on the same connection"),
            Dropped::Unauthenticated(why) => why.fmt(f),
            Dropped::WrongKey { hello, snapshot } => write!(
                f,
                "a snapshot of process {snapshot:?} on a connection whose hello named {hello:?}"
            ),
            Dropped::Refused(r) => write!(f, "new process refused: {r}"),
        }
    }
}

/// One push connection.
/// With a token, how long a new connection may take to send its hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug)]
struct Connection {
    peer: SocketAddr,
    limits: Limits,
    /// The server's token: the hello must carry it.
    token: Option<Token>,
    /// The process the hello named.
    process: Option<Process>,
    /// A snapshot of it was stored: its end makes the process stale.
    stored_any: bool,
}

impl Connection {
    fn new(peer: SocketAddr, limits: Limits, token: Option<Token>) -> Self {
        Connection {
            peer,
            limits,
            token,
            process: None,
            stored_any: false,
        }
    }

    /// The peer, and its process once the hello named it.
    fn who(&self) -> String {
        match &self.process {
            Some(p) => format!("{} (process {:?}, pid {})", self.peer, p.name, p.pid),
            None => self.peer.to_string(),
        }
    }

    /// Reads frames until the peer closes (`Ok`) or misbehaves (`Err`).
    async fn run(&mut self, mut socket: TcpStream, store: &Store) -> Result<(), Dropped> {
        // With a token, a peer gets the full frame size only once its hello
        // has shown the token.
        let mut decoder = FrameDecoder::new(match self.token {
            Some(_) => wire::MAX_HELLO_BYTES.min(self.limits.max_frame_bytes),
            None => self.limits.max_frame_bytes,
        });
        let mut buf = vec![0u8; 64 * 1024];
        // When the frame being read started, or when the connection last
        // went quiet between frames.
        let mut frame_started: Option<Instant> = None;
        let mut quiet_since = Instant::now();
        // With a token, a peer that has not shown it holds a connection
        // slot only briefly: otherwise idle strangers could take them all.
        let hello_wait = self.limits.frame_timeout.min(HELLO_TIMEOUT);
        let hello_by = self.token.as_ref().map(|_| quiet_since + hello_wait);
        loop {
            let mut deadline = match frame_started {
                Some(t) => t + self.limits.frame_timeout,
                None => quiet_since + self.limits.idle_timeout,
            };
            let hello_due = hello_by.filter(|_| self.process.is_none());
            if let Some(by) = hello_due {
                deadline = deadline.min(by);
            }
            let n = match tokio::time::timeout_at(deadline, socket.read(&mut buf)).await {
                Ok(Ok(n)) => n,
                Ok(Err(e)) => return Err(Dropped::Io(e)),
                Err(_) if hello_due.is_some_and(|by| by <= deadline) => {
                    return Err(Dropped::HelloTimeout(hello_wait));
                }
                Err(_) if frame_started.is_some() => {
                    return Err(Dropped::FrameTimeout(self.limits.frame_timeout));
                }
                Err(_) => return Err(Dropped::IdleTimeout(self.limits.idle_timeout)),
            };
            if n == 0 {
                return match decoder.truncated() {
                    Some(e) => Err(Dropped::Frame(e)),
                    None => Ok(()),
                };
            }
            let now = Instant::now();
            let mut input = &buf[..n];
            let mut completed = false;
            while !input.is_empty() {
                match decoder.decode(&mut input).map_err(Dropped::Frame)? {
                    Some(body) => {
                        completed = true;
                        self.frame(body, store).await?;
                        // The hello is accepted (or the connection over).
                        decoder.set_max(self.limits.max_frame_bytes);
                    }
                    None => break,
                }
            }
            if decoder.is_mid_frame() {
                if completed || frame_started.is_none() {
                    frame_started = Some(now);
                }
            } else {
                frame_started = None;
                quiet_since = Instant::now();
            }
        }
    }

    /// One whole frame.
    async fn frame(&mut self, body: Vec<u8>, store: &Store) -> Result<(), Dropped> {
        let body = Bytes::from(body);
        let frame = if body.len() <= PARSE_INLINE_MAX {
            Frame::from_json(&body)
        } else {
            let parse = body.clone();
            let _slot = PARSE_SLOTS
                .acquire()
                .await
                .map_err(|e| Dropped::Io(std::io::Error::other(e)))?;
            tokio::task::spawn_blocking(move || Frame::from_json(&parse))
                .await
                .map_err(|e| Dropped::Io(std::io::Error::other(e)))?
        };
        match frame.map_err(Dropped::Frame)? {
            Frame::Hello(hello) => {
                if self.process.is_some() {
                    return Err(Dropped::SecondHello);
                }
                // Named in the log line either way; stored only if let in.
                self.process = Some(hello.process.clone());
                if let Some(token) = &self.token {
                    token
                        .check_hello(&hello)
                        .map_err(Dropped::Unauthenticated)?;
                }
            }
            Frame::Snapshot(snapshot) => {
                let Some(process) = &self.process else {
                    return Err(Dropped::NoHello);
                };
                if snapshot.process.key != process.key {
                    return Err(Dropped::WrongKey {
                        hello: process.key.clone(),
                        snapshot: snapshot.process.key.clone(),
                    });
                }
                let first = !self.stored_any;
                store
                    .push(*snapshot, body, first)
                    .map_err(Dropped::Refused)?;
                if first {
                    eprintln!("peeps: ingest: {} connected", self.who());
                }
                self.stored_any = true;
            }
        }
        Ok(())
    }
}
