//! This process's own `/metrics`, for Prometheus, without any dashboard.
//!
//! Off by default. `PEEPS_METRICS=ADDR` (e.g. `127.0.0.1:9464`; read by
//! `init` and `init_named`) or [`serve`] starts it. A dedicated OS thread
//! named `peeps-metrics`, not a task on the program's runtime, answers, so
//! a scrape is answered while every worker thread is wedged. Each scrape
//! ([`scrape`]; at most one a second, a scrape within a second of the last
//! gets its text) takes a snapshot as the watchdog does, analyses it with
//! `peeps_graph` (default thresholds) and encodes the families the
//! dashboard's `/metrics` serves (`peeps_graph::metrics::prometheus`), for
//! this one process: `stale` is 0 and the snapshot age is the scrape's own.
//!
//! The HTTP side (`http.rs`) is a minimal HTTP/1.1 responder on a std
//! socket: `GET /metrics` and nothing else, one connection at a time, a
//! bounded request, read and write timeouts. Any address given is served:
//! Prometheus scrapes from another host, and the numbers carry no task
//! names or other contents of the program.
//!
//! On start it prints one stderr line, `peeps: metrics on
//! http://ADDR/metrics` (the bound address: port 0 is resolved); an
//! address that does not parse or cannot be bound is said on stderr
//! instead, and the program runs on without it.
//!
//! Without feature `diagnostics` every item here is a no-op twin
//! (`off::metrics`): nothing is started.
//!
//! # Global state
//!
//! One thread per process, started at most once (a later [`serve`] is
//! refused).

mod http;

use peeps_graph::analysis::Options;
use peeps_graph::metrics::{analyze_with_metrics, prometheus};
use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::OnceLock;

/// The environment variable that starts the endpoint: the address to
/// listen on, `host:port`.
pub const METRICS_ENV: &str = "PEEPS_METRICS";

/// The address served, once started.
static SERVING: OnceLock<SocketAddr> = OnceLock::new();

/// Serves this process's metrics at `http://ADDR/metrics` from a dedicated
/// thread; returns the bound address (port 0 picks a free port). Only one
/// endpoint per process: a second call is refused.
///
/// # Errors
///
/// When `addr` is not `host:port`, cannot be bound, the endpoint already
/// runs, or the thread cannot start.
///
/// # Examples
///
/// ```no_run
/// let addr = peeps_runtime::metrics::serve("127.0.0.1:9464")?;
/// println!("scrape http://{addr}/metrics");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn serve(addr: &str) -> io::Result<SocketAddr> {
    if let Some(serving) = SERVING.get() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("metrics are already served on {serving}"),
        ));
    }
    let resolved: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("expected HOST:PORT ({e})")))?
        .collect();
    let listener = TcpListener::bind(&resolved[..])?;
    let bound = listener.local_addr()?;
    if SERVING.set(bound).is_err() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "metrics are already served",
        ));
    }
    std::thread::Builder::new()
        .name("peeps-metrics".into())
        .spawn(move || {
            let _seen = crate::census::seen_thread();
            http::run(listener)
        })?;
    Ok(bound)
}

/// Starts the endpoint if `PEEPS_METRICS` asks for it, and says where on
/// stderr; a bad address or a bind failure is said on stderr, and the
/// program runs on without it.
pub fn start_from_env() {
    let Some(value) = std::env::var_os(METRICS_ENV) else {
        return;
    };
    let value = value.to_string_lossy();
    let addr = value.trim();
    if addr.is_empty() || SERVING.get().is_some() {
        return;
    }
    match serve(addr) {
        Ok(bound) => eprintln!("peeps: metrics on http://{bound}/metrics"),
        Err(e) => eprintln!("peeps: cannot serve metrics on {METRICS_ENV}={addr:?}: {e}"),
    }
}

/// One scrape's text: a snapshot of this process, analysed, encoded
/// (OpenMetrics text, [`CONTENT_TYPE`]).
pub fn scrape() -> String {
    let snap = crate::snapshot();
    let merged = peeps_graph::merge(std::slice::from_ref(&snap));
    let (_, metrics) = analyze_with_metrics(&merged, &Options::default());
    prometheus::encode(&metrics, crate::clock::wall_ms())
}

/// How long a scrape's text is served again instead of taking a new
/// snapshot: a client asking in a loop costs the program at most one
/// snapshot a second.
const REUSE_FOR: std::time::Duration = std::time::Duration::from_secs(1);

/// [`scrape`], or the text of one taken less than [`REUSE_FOR`] ago (only
/// the responder's thread calls it).
pub(crate) fn scrape_recent() -> String {
    static LAST: std::sync::Mutex<Option<(std::time::Instant, String)>> =
        std::sync::Mutex::new(None);
    let mut last = LAST.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((at, text)) = &*last
        && at.elapsed() < REUSE_FOR
    {
        return text.clone();
    }
    let text = scrape();
    *last = Some((std::time::Instant::now(), text.clone()));
    text
}

/// The `Content-Type` of [`scrape`]'s text.
pub const CONTENT_TYPE: &str = prometheus::CONTENT_TYPE;
