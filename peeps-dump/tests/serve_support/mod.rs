//! Support for the `peeps serve` tests: a real server process on ephemeral
//! loopback ports, a minimal HTTP/1.1 client, an SSE reader, raw push
//! connections, child processes, and bounded polling. No fixed ports, no
//! sleeps whose length decides a verdict: every wait is a loop with a
//! deadline that fails with what it saw.

#![allow(dead_code, unreachable_pub)] // each test file uses a part

pub mod synthetic;

use peeps_graph::wire;
use peeps_test_support::{ChildProcess, rerun};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long any bounded wait lasts before the test fails: generous, for a
/// loaded 2-core CI machine; a passing test returns as soon as it can.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Polls `f` every 20 ms until it returns `Some`, or panics after
/// [`PATIENCE`] with `what` and the last thing `f` reported.
#[track_caller]
pub fn eventually<T>(what: &str, mut f: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match f() {
            Ok(v) => return v,
            Err(last) if Instant::now() >= deadline => {
                panic!("timed out after {PATIENCE:?} waiting for {what}; last seen: {last}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// A fresh directory for one test, removed when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty directory named after the test.
    pub fn new(test: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("peeps-serve-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `peeps serve`, killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: ChildProcess,
    /// Where programs push.
    pub ingest: SocketAddr,
    /// Where HTTP is served.
    pub http: SocketAddr,
    /// The start-up lines, as printed.
    pub banner: Vec<String>,
    _dumps: Option<TempDir>,
}

impl Server {
    /// Starts `peeps serve` on ephemeral ports with an empty dump directory
    /// of its own, plus `args`.
    pub fn start(test: &str, args: &[&str]) -> Server {
        let dumps = TempDir::new(&format!("{test}-dumps"));
        let mut server = Server::start_with_dumps(dumps.path(), args);
        server._dumps = Some(dumps);
        server
    }

    /// The dump of process `key`, as `/api/dumps` lists it.
    pub fn dump(&self, key: &str) -> Option<Value> {
        let dumps = self.json("/api/dumps");
        dumps.as_array()?.iter().find(|d| d["key"] == key).cloned()
    }

    /// Starts `peeps serve` reading dumps from `dumps`.
    pub fn start_with_dumps(dumps: &Path, args: &[&str]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_peeps"));
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0"])
            .arg("--dumps")
            .arg(dumps)
            .args(args)
            // A token comes from `args` (--token-file) or from nowhere.
            .env_remove("PEEPS_TOKEN");
        // The harness keeps draining stdout after the banner, so the server
        // never blocks on a full pipe; the banner is awaited with a deadline.
        let child = ChildProcess::start("peeps serve", cmd);
        let (done, banner) = child.stdout_until(Duration::from_secs(60), |line| {
            line.starts_with("peeps: open ")
        });
        assert!(done, "peeps serve not ready{}", child.output());
        let address = |prefix: &str| {
            banner
                .iter()
                .find_map(|l| l.strip_prefix(prefix))
                .unwrap_or_else(|| panic!("no {prefix:?} line in {banner:?}"))
                .parse()
                .expect("an address")
        };
        Server {
            ingest: address("peeps: ingest listening on "),
            http: address("peeps: http listening on "),
            banner: banner.clone(),
            child,
            _dumps: None,
        }
    }

    /// The server's pid.
    pub fn pid(&self) -> u32 {
        self.child.pid()
    }

    /// The server's resident memory, in KiB (Linux `/proc`).
    pub fn rss_kib(&self) -> u64 {
        rss_kib_of(&format!("/proc/{}/statm", self.pid()))
    }

    /// Everything the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.child.stderr()
    }

    /// Everything the server wrote to stdout and stderr so far.
    pub fn output(&self) -> String {
        self.child.output()
    }

    /// How many stderr lines contain `text`.
    pub fn stderr_count(&self, text: &str) -> usize {
        self.stderr().lines().filter(|l| l.contains(text)).count()
    }

    /// Waits until a stderr line contains every one of `parts`; returns it.
    #[track_caller]
    pub fn wait_stderr(&self, parts: &[&str]) -> String {
        eventually(&format!("a log line with {parts:?}"), || {
            let all = self.stderr();
            all.lines()
                .find(|l| parts.iter().all(|p| l.contains(p)))
                .map(str::to_owned)
                .ok_or(all)
        })
    }

    /// `GET path`: status and body.
    pub fn get(&self, path: &str) -> (u16, String) {
        http_get(self.http, path)
    }

    /// `GET path`, expecting 200 and JSON.
    #[track_caller]
    pub fn json(&self, path: &str) -> Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }

    /// The process with this key in `/api/processes`, if listed.
    pub fn process(&self, key: &str) -> Option<Value> {
        let list = self.json("/api/processes");
        list.as_array()?.iter().find(|p| p["key"] == key).cloned()
    }

    /// Sends SIGTERM and waits (bounded) for a clean exit; its code.
    pub fn terminate(mut self) -> Option<i32> {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.pid()).expect("pid"));
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("send SIGTERM");
        let status = self.child.wait_exit(PATIENCE);
        assert!(status.is_some(), "peeps serve ignored SIGTERM");
        status.and_then(|s| s.code())
    }
}

/// A minimal HTTP/1.1 GET (Connection: close): status and body. Handles
/// `Content-Length`, chunked and read-to-end bodies.
pub fn http_get(addr: SocketAddr, path: &str) -> (u16, String) {
    let answer = http_get_with(addr, path, &[]);
    (answer.status, answer.body)
}

/// An HTTP answer: status, head lines, body.
#[derive(Debug)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The header lines, as sent.
    pub head: Vec<String>,
    /// The body (de-chunked).
    pub body: String,
}

impl Answer {
    /// The value of the first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.iter().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// [`http_get`] with extra request headers (name, value).
pub fn http_get_with(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut s = TcpStream::connect(addr).expect("connect to http");
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    let extra: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read http response");
    let text = String::from_utf8(raw).expect("utf-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("http head");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status code");
    let chunked = head
        .lines()
        .any(|l| l.eq_ignore_ascii_case("transfer-encoding: chunked"));
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Answer {
        status,
        head: head.lines().skip(1).map(str::to_owned).collect(),
        body,
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).expect("chunk size");
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}

/// An open `/api/events` stream.
#[derive(Debug)]
pub struct Events {
    lines: BufReader<TcpStream>,
}

impl Events {
    /// Opens the stream.
    pub fn open(server: &Server) -> Events {
        let mut s = TcpStream::connect(server.http).expect("connect to http");
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        write!(
            s,
            "GET /api/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            server.http
        )
        .unwrap();
        Events {
            lines: BufReader::new(s),
        }
    }

    /// The next `change` event's seq (skipping keep-alives and framing).
    /// Panics if none comes within [`PATIENCE`].
    pub fn next_change(&mut self) -> u64 {
        let mut line = String::new();
        let mut saw_event = false;
        loop {
            line.clear();
            let n = self
                .lines
                .read_line(&mut line)
                .expect("an event within the patience");
            assert!(n > 0, "the event stream ended");
            let l = line.trim();
            if l == "event:change" || l == "event: change" {
                saw_event = true;
            } else if let Some(data) = l.strip_prefix("data:")
                && saw_event
            {
                let v: Value = serde_json::from_str(data.trim()).expect("event data is JSON");
                return v["seq"].as_u64().expect("seq is a number");
            }
        }
    }

    /// Reads until the stream ends; panics if it does not within patience.
    pub fn wait_end(&mut self) {
        let mut buf = [0u8; 1024];
        loop {
            match self.lines.read(&mut buf) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return,
                Err(e) => panic!("the event stream did not end: {e}"),
            }
        }
    }
}

/// A push connection speaking the wire format by hand.
#[derive(Debug)]
pub struct Pusher {
    /// The socket.
    pub stream: TcpStream,
}

impl Pusher {
    /// Connects to the server's ingest port.
    pub fn connect(server: &Server) -> Pusher {
        let stream = TcpStream::connect(server.ingest).expect("connect to ingest");
        stream.set_write_timeout(Some(PATIENCE)).unwrap();
        Pusher { stream }
    }

    /// Sends one frame with this body.
    pub fn frame(&mut self, body: &[u8]) -> std::io::Result<()> {
        wire::write_frame(&mut self.stream, body)
    }

    /// Sends a hello for `process`.
    pub fn hello(&mut self, process: &peeps_graph::Process) -> std::io::Result<()> {
        let hello = wire::Frame::Hello(wire::Hello::new(process.clone())).to_json();
        self.frame(&hello)
    }

    /// Sends a hello for `process` carrying `token`.
    pub fn hello_with_token(
        &mut self,
        process: &peeps_graph::Process,
        token: &str,
    ) -> std::io::Result<()> {
        let hello = wire::Hello::new(process.clone()).with_token(token);
        self.frame(&wire::Frame::Hello(hello).to_json())
    }

    /// Sends raw bytes.
    pub fn raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// True once the server has closed the connection (bounded wait).
    pub fn closed_by_server(&mut self) -> bool {
        self.stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let mut buf = [0u8; 64];
        matches!(self.stream.read(&mut buf), Ok(0) | Err(_))
    }
}

/// The documented example dump (a two-task deadlock) as a process `key`.
pub fn example_snapshot(key: &str, name: &str) -> peeps_graph::Snapshot {
    let mut snap =
        peeps_graph::Snapshot::from_json(include_str!("../../../docs/example-dump.json"))
            .expect("example parses");
    snap.process.key = key.to_owned();
    snap.process.name = name.to_owned();
    snap
}

/// A child process: this test binary re-run on one `#[ignore]`d test.
/// Killed when dropped.
#[derive(Debug)]
pub struct ChildProc {
    /// The child.
    pub child: ChildProcess,
}

impl ChildProc {
    /// Runs the ignored test `name` of this binary as a child, with `env`.
    pub fn start(name: &str, env: &[(&str, &str)]) -> ChildProc {
        let mut cmd = rerun(name);
        cmd.env(CHILD_ENV, "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        ChildProc {
            child: ChildProcess::start(name, cmd),
        }
    }

    /// The child's pid.
    pub fn pid(&self) -> u32 {
        self.child.pid()
    }

    /// Kills the child (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        self.child.kill();
    }

    /// Waits (bounded) for the child to print a line containing `prefix` on
    /// stdout (libtest may print "test name ... " first); returns the rest
    /// of the line.
    #[track_caller]
    pub fn line(&mut self, prefix: &str) -> String {
        let (found, lines) = self.child.stdout_until(PATIENCE, |l| l.contains(prefix));
        match lines.last().and_then(|l| l.split_once(prefix)) {
            Some((_, rest)) if found => rest.trim().to_owned(),
            _ => panic!("the child did not print {prefix:?}{}", self.child.output()),
        }
    }
}

/// Set in a child's environment: the `#[ignore]`d child functions do
/// nothing without it (so `cargo test -- --ignored` does not hang).
pub const CHILD_ENV: &str = "PEEPS_SERVE_TEST_CHILD";

/// True inside a child started by [`ChildProc::start`].
pub fn is_child() -> bool {
    std::env::var_os(CHILD_ENV).is_some()
}

/// Resident memory in KiB from a `/proc/.../statm` file.
pub fn rss_kib_of(statm: &str) -> u64 {
    let text = std::fs::read_to_string(statm).expect("read statm");
    let pages: u64 = text
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("statm resident pages");
    let page = page_size();
    pages * page / 1024
}

fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(size).unwrap_or(4096)
}

/// Spawns, on the current runtime, two transfers that take mutexes
/// "acct-1" and "acct-2" in opposite orders and so deadlock; `waiting`
/// counts each transfer that holds its first lock and now asks for the
/// second (counted in the poll that then pends on it).
pub fn spawn_crossed_transfers(waiting: std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::Arc;
    let a = Arc::new(peeps::sync::Mutex::new(100).named("acct-1"));
    let b = Arc::new(peeps::sync::Mutex::new(200).named("acct-2"));
    let both_locked = Arc::new(tokio::sync::Barrier::new(2));
    let transfer = |name: &'static str,
                    first: Arc<peeps::sync::Mutex<i32>>,
                    second: Arc<peeps::sync::Mutex<i32>>| {
        let both_locked = both_locked.clone();
        let waiting = waiting.clone();
        peeps::spawn_named(name, async move {
            let mut from = first.lock().await;
            both_locked.wait().await;
            waiting.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut to = second.lock().await;
            *from -= 1;
            *to += 1;
        });
    };
    transfer("transfer-a", a.clone(), b.clone());
    transfer("transfer-b", b, a);
}
