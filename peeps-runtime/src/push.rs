//! The push client: this process sends its snapshots to a `peeps` server.
//!
//! Off by default. `PEEPS_DASHBOARD=host:port` (read by `init` and
//! `init_named`) or [`push`] starts it. It runs on a dedicated OS thread
//! named `peeps-push`, not on the program's runtime, with blocking std
//! sockets, so it keeps sending while every worker thread is wedged.
//!
//! On each connection it sends a hello (process name, pid, key, and the
//! server's token from `PEEPS_TOKEN` when set: a server bound beyond
//! loopback requires it), then a snapshot every interval (1 s, `PEEPS_PUSH_MS` to change), framed as
//! [`peeps_graph::wire`] defines. It never queues: the thread takes the
//! snapshot itself when it is ready to send the next one, so at most one
//! snapshot exists at a time, whatever the server does.
//!
//! A refused or lost connection is retried with exponential backoff, from
//! 100 ms up to 5 s. Every write has a timeout, so a server that accepts but
//! never reads costs the thread one timeout and a reconnect, never the
//! program anything. Failures are said once on stderr per change of state
//! (connected, lost, cannot connect), not once per retry. A connection
//! counts as up once two snapshots went out without the server closing it;
//! one closed right after the hello (a server that requires a token this
//! process lacks, or does not match) is said as such, with a hint at
//! `PEEPS_TOKEN`.
//!
//! Without feature `diagnostics` it still runs; the snapshots have no nodes.
//!
//! # Global state
//!
//! One thread per process, started at most once, and its target and
//! interval (set once by the first call).

use peeps_graph::wire::{self, Frame, Hello};
use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The environment variable that starts the push client: the server's
/// ingest address, `host:port` (e.g. `127.0.0.1:9119`).
pub const DASHBOARD_ENV: &str = "PEEPS_DASHBOARD";

/// The environment variable that sets the push interval, in milliseconds.
pub const PUSH_MS_ENV: &str = "PEEPS_PUSH_MS";

/// The push interval when [`PUSH_MS_ENV`] is not set.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);

/// The shortest interval accepted: a snapshot walks every live node.
pub const MIN_INTERVAL: Duration = Duration::from_millis(10);

/// How long one connect attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long one write may block before the connection is given up.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// The first retry delay; it doubles on each failure up to [`MAX_BACKOFF`].
const MIN_BACKOFF: Duration = Duration::from_millis(100);
/// The longest retry delay.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// Snapshots written before a connection counts as up (said once, and the
/// backoff reset). A server that refuses the hello (a token it does not
/// accept) closes the connection after reading it, and the first snapshot
/// may already be on its way; before the second, the client sees the
/// connection closed. Counting the connection up at the first would say
/// "connected" and retry at the shortest backoff forever.
const CONFIRMED_AFTER: u32 = 2;

static STARTED: OnceLock<()> = OnceLock::new();

/// Starts pushing snapshots of this process to the `peeps` server at
/// `dashboard` (`host:port`) every `interval`. Only the first call starts
/// the thread; later calls do nothing.
///
/// The hello carries the token of `PEEPS_TOKEN`
/// ([`peeps_graph::wire::TOKEN_ENV`], surrounding whitespace trimmed) when
/// it is set and not blank; a server that requires a token drops the
/// connection otherwise.
///
/// # Examples
///
/// ```no_run
/// peeps_runtime::push::push("127.0.0.1:9119", std::time::Duration::from_secs(1));
/// ```
pub fn push(dashboard: &str, interval: Duration) {
    let target = dashboard.to_owned();
    let interval = interval.max(MIN_INTERVAL);
    STARTED.get_or_init(|| {
        let spawned = std::thread::Builder::new()
            .name("peeps-push".into())
            .spawn(move || {
                let _seen = crate::census::seen_thread();
                run(&target, interval, token_from_env())
            });
        if let Err(e) = spawned {
            eprintln!("peeps: could not start the push thread: {e}");
        }
    });
}

/// Starts the push client if `PEEPS_DASHBOARD` asks for it, at the interval
/// `PEEPS_PUSH_MS` gives (1 s by default). A malformed interval is reported
/// on stderr and the default used.
pub fn start_from_env() {
    let Some(target) = std::env::var_os(DASHBOARD_ENV) else {
        return;
    };
    let target = target.to_string_lossy();
    let target = target.trim();
    if target.is_empty() {
        return;
    }
    let interval = match std::env::var_os(PUSH_MS_ENV) {
        None => DEFAULT_INTERVAL,
        Some(ms) => match parse_interval(&ms.to_string_lossy()) {
            Some(interval) => interval,
            None => {
                eprintln!(
                    "peeps: ignoring {PUSH_MS_ENV}={ms:?}: expected a number of milliseconds"
                );
                DEFAULT_INTERVAL
            }
        },
    };
    push(target, interval);
}

/// `"250"` → 250 ms; anything else is `None`.
fn parse_interval(value: &str) -> Option<Duration> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|&ms| ms > 0)
        .map(Duration::from_millis)
}

/// The token `PEEPS_TOKEN` gives, trimmed; `None` when unset or blank.
fn token_from_env() -> Option<String> {
    let token = std::env::var_os(wire::TOKEN_ENV)?;
    let token = token.to_string_lossy().trim().to_owned();
    (!token.is_empty()).then_some(token)
}

/// The thread: connect, push until the connection fails, back off, repeat.
/// Never returns unless something inside panicked (then it says so once
/// and stops rather than touch the program).
fn run(target: &str, interval: Duration, token: Option<String>) {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut client = Client::new(target, interval, token);
        loop {
            client.round();
        }
    }));
    if result.is_err() {
        eprintln!("peeps: the push thread stopped after an internal error");
    }
}

/// What the last attempt came to, so each change is said once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Starting,
    Connected,
    Failing,
}

#[derive(Debug)]
struct Client<'a> {
    target: &'a str,
    interval: Duration,
    /// Sent in every hello; `Debug` shows only whether there is one.
    token: Option<Token>,
    backoff: Duration,
    status: Status,
}

impl<'a> Client<'a> {
    fn new(target: &'a str, interval: Duration, token: Option<String>) -> Self {
        Client {
            target,
            interval,
            token: token.map(Token),
            backoff: MIN_BACKOFF,
            status: Status::Starting,
        }
    }

    /// One connection's life, then the backoff before the next.
    fn round(&mut self) {
        match self.connect() {
            Ok(stream) => {
                let (error, confirmed) = self.serve(stream);
                if confirmed {
                    eprintln!(
                        "peeps: push to {}: connection lost ({error}); reconnecting",
                        self.target
                    );
                } else {
                    self.failed(&error);
                }
            }
            Err(error) => self.failed(&error),
        }
        std::thread::sleep(self.backoff);
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
    }

    fn failed(&mut self, error: &io::Error) {
        if self.status != Status::Failing {
            eprintln!(
                "peeps: push to {}: {error}; retrying with backoff (up to {} s)",
                self.target,
                MAX_BACKOFF.as_secs()
            );
        }
        self.status = Status::Failing;
    }

    fn connect(&self) -> io::Result<TcpStream> {
        let addrs: Vec<SocketAddr> = self.target.to_socket_addrs()?.collect();
        let mut last = io::Error::new(
            io::ErrorKind::NotFound,
            format!("{:?} resolves to no address", self.target),
        );
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
                Ok(stream) => {
                    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
                    // Nothing is ever read; a server's bytes are ignored.
                    stream.set_nodelay(true)?;
                    return Ok(stream);
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Sends the hello, then a snapshot every interval, until a write
    /// fails. Returns that failure, and whether the connection had been
    /// confirmed (see [`CONFIRMED_AFTER`]).
    fn serve(&mut self, mut stream: TcpStream) -> (io::Error, bool) {
        let mut hello = Hello::new(crate::process::current());
        if let Some(Token(token)) = &self.token {
            hello = hello.with_token(token.clone());
        }
        let hello = Frame::Hello(hello).to_json();
        if let Err(e) = wire::write_frame(&mut stream, &hello) {
            return (e, false);
        }
        let mut body = Vec::new();
        let mut sent = 0;
        loop {
            let started = Instant::now();
            body.clear();
            // Serializing a snapshot into a Vec cannot fail (string keys
            // only, no failing Serialize impl); were it to, skip the round.
            if serde_json::to_writer(&mut body, &crate::snapshot()).is_ok() {
                if let Err(e) = server_closed(&stream)
                    .and_then(|()| wire::write_frame(&mut stream, &body))
                    .and_then(|()| stream.flush())
                {
                    return match sent >= CONFIRMED_AFTER {
                        true => (e, true),
                        false => (self.closed_after_hello(e), false),
                    };
                }
                sent += 1;
                if sent >= CONFIRMED_AFTER {
                    if self.status != Status::Connected {
                        eprintln!("peeps: push to {}: connected", self.target);
                        self.status = Status::Connected;
                    }
                    self.backoff = MIN_BACKOFF;
                }
            }
            // Do not keep a large buffer between rounds.
            if body.capacity() > 1 << 20 {
                body = Vec::new();
            }
            std::thread::sleep(self.interval.saturating_sub(started.elapsed()));
        }
    }

    /// The error of a connection the server closed before it was
    /// confirmed: most likely it refused the hello's token (or its lack).
    fn closed_after_hello(&self, error: io::Error) -> io::Error {
        use io::ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset};
        if !matches!(
            error.kind(),
            BrokenPipe | ConnectionReset | ConnectionAborted
        ) {
            return error;
        }
        let hint = match self.token {
            None => format!(
                "if it requires a token, set {} to it in this program's environment",
                wire::TOKEN_ENV
            ),
            Some(_) => format!(
                "if it requires a token, it is not this program's {}",
                wire::TOKEN_ENV
            ),
        };
        let detail = match error.to_string() {
            said if said == SERVER_CLOSED => String::new(),
            said => format!(" ({said})"),
        };
        io::Error::new(
            error.kind(),
            format!(
                "{SERVER_CLOSED} after the hello{detail}; {hint} (or it refused this \
                 process for another reason: see its log)"
            ),
        )
    }
}

/// What [`server_closed`] says.
const SERVER_CLOSED: &str = "the server closed the connection";

/// `Err` when the server has closed the connection (it never sends
/// anything, so readable means closed). A write to a closed connection may
/// still succeed once, so this says it a round earlier, and surely.
fn server_closed(stream: &TcpStream) -> io::Result<()> {
    stream.set_nonblocking(true)?;
    let peeked = stream.peek(&mut [0u8; 1]);
    stream.set_nonblocking(false)?;
    match peeked {
        Ok(0) => Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            SERVER_CLOSED,
        )),
        // Bytes from the server (it sends none today) are ignored.
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
        Err(e) => Err(e),
    }
}

/// The server's token, kept out of `Debug` output.
struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    #[test]
    fn intervals_are_milliseconds() {
        assert_eq!(parse_interval("250"), Some(Duration::from_millis(250)));
        assert_eq!(parse_interval(" 20 "), Some(Duration::from_millis(20)));
        for bad in ["", "0", "-1", "1.5", "soon"] {
            assert_eq!(parse_interval(bad), None, "{bad}");
        }
    }

    /// The first three frames a client with `token` sends.
    fn first_frames(token: Option<&str>) -> Vec<Frame> {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let target = listener.local_addr().unwrap().to_string();
        let token = token.map(str::to_owned);
        std::thread::spawn(move || {
            let mut client = Client::new(&target, Duration::from_millis(10), token);
            client.round();
        });
        let (mut conn, _) = listener.accept().unwrap();
        let mut decoder = wire::FrameDecoder::new(wire::DEFAULT_MAX_FRAME_BYTES);
        let mut frames = Vec::new();
        let mut buf = [0u8; 4096];
        while frames.len() < 3 {
            let n = conn.read(&mut buf).unwrap();
            assert!(n > 0, "the client closed early");
            let mut input = &buf[..n];
            while let Some(body) = decoder.decode(&mut input).unwrap() {
                frames.push(Frame::from_json(&body).unwrap());
            }
        }
        frames
    }

    #[test]
    fn a_connection_closed_after_the_hello_hints_at_the_token() {
        let reset = || io::Error::from(io::ErrorKind::ConnectionReset);
        let without = Client::new("x:1", DEFAULT_INTERVAL, None).closed_after_hello(reset());
        assert!(
            without.to_string().contains("set PEEPS_TOKEN to it"),
            "{without}"
        );
        let with = Client::new("x:1", DEFAULT_INTERVAL, Some("t0ken".into()));
        let said = with.closed_after_hello(reset()).to_string();
        assert!(
            said.contains("not this program's PEEPS_TOKEN") && !said.contains("t0ken"),
            "{said}"
        );
        // Other failures are said as they are.
        let other = with.closed_after_hello(io::Error::from(io::ErrorKind::TimedOut));
        assert_eq!(other.kind(), io::ErrorKind::TimedOut);
        assert!(!other.to_string().contains("PEEPS_TOKEN"));
    }

    #[test]
    fn a_connection_starts_with_a_hello_then_snapshots() {
        let frames = first_frames(None);
        let key = crate::process::key();
        assert!(matches!(&frames[0], Frame::Hello(h) if h.process.key == key && h.token.is_none()));
        for frame in &frames[1..] {
            assert!(matches!(frame, Frame::Snapshot(s) if s.process.key == key));
        }
    }

    #[test]
    fn the_hello_carries_the_token() {
        let frames = first_frames(Some("t0ken"));
        assert!(
            matches!(&frames[0], Frame::Hello(h) if h.token.as_deref() == Some("t0ken")),
            "{:?}",
            frames[0]
        );
    }
}
