//! `peeps serve` (and `peeps` alone): the dashboard server.
//!
//! Programs started with `PEEPS_DASHBOARD=host:port` push their snapshots
//! to the *ingest* port; dumps written to the dump directory are read too.
//! The server keeps the latest snapshot of each process, merges them all,
//! stitches cross-process `calls` edges, analyses the result after
//! changes (coalesced), and serves it over HTTP as JSON (docs/api.md) and
//! to the browser UI. Dumps are kept and analysed apart, each on its own:
//! pictures of the past, never part of the live view. Everything held
//! stays within `--max-memory` ([`memory`]); processes stale for
//! `--stale-after` are forgotten.
//!
//! ```text
//!  pushing programs ──TCP frames──▶ ingest ─┐
//!  dump directory ──poll 500 ms───▶ dumps ──┼─▶ store (latest per process, seq)
//!                                           │        │ change
//!                                           │        ▼
//!                                           │   view: merge + analyse (changes coalesced),
//!                                           │        cached as one immutable `View`
//!                                           └──────▶ http: /api/*, /api/events, / (ui)
//! ```
//!
//! - [`ingest`]: the TCP listener; one task per connection, frames
//!   decoded by `peeps_graph::wire`, every kind of bad input dropped with
//!   one log line naming the peer.
//! - [`dumps`]: dump files, at start and as they appear.
//! - [`store`]: the latest snapshot per process key, live/stale, and the
//!   change sequence number.
//! - [`record`]: every snapshot taken, within a byte budget (and written
//!   to `--record DIR`), so the views of earlier instants can be served;
//!   `--replay DIR` serves such a directory instead of live input.
//! - [`view`]: what HTTP serves, computed once per change off the async
//!   workers: process list, merged graph with its blocked scope, report.
//! - [`metrics`]: `/metrics`, the per-process numbers for Prometheus.
//! - [`http`]: the warp routes; [`ui`]: the page at `/`; [`api`]: the
//!   envelope types of their JSON answers (in docs/schema.json).
//! - [`auth`]: the token (`PEEPS_TOKEN` or `--token-file`). Without one,
//!   only loopback addresses are listened on; with one, the ingest checks
//!   it in every hello and every HTTP route needs it (bearer header, or
//!   the session cookie the one-time login URL sets). [`hosts`]: without
//!   one, HTTP answers only requests naming a loopback host (DNS
//!   rebinding).
//!
//! On start it prints, on stdout, one line each, in this order and form
//! (scripts, tests and `peeps demo` read them):
//!
//! ```text
//! peeps: ingest listening on 127.0.0.1:9119
//! peeps: http listening on 127.0.0.1:9120
//! peeps: dumps from /tmp/peeps-dumps
//! peeps: open http://127.0.0.1:9120/
//! ```
//!
//! With `--replay DIR` there is no ingest and no dump directory: the first
//! line is `peeps: replaying DIR (N snapshots)` instead of the ingest and
//! dumps lines. With a token the last line is the one-time login URL,
//! `peeps: open http://127.0.0.1:9120/login?code=<one-time code>` (the code
//! is not the token; it logs one browser in, once).
//!
//! Log lines (bad input, connections, dumps) go to stderr, prefixed
//! `peeps: `. Ctrl-C or SIGTERM stops it: listeners close, event streams
//! end, in-flight requests finish (for at most a few seconds).

mod api;
mod auth;
mod dumps;
mod hosts;
mod http;
mod ingest;
mod memory;
mod metrics;
mod record;
#[cfg(test)]
mod schema;
mod store;
mod ui;
mod view;

use crate::cli::{Exit, Run, Thresholds};
use anyhow::Context;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Arguments of `peeps serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// Where programs push snapshots (they are started with
    /// PEEPS_DASHBOARD=<this address>). Port 0 picks a free port.
    #[arg(long, value_name = "ADDR", env = "PEEPS_LISTEN", hide_env_values = true, default_value = "127.0.0.1:9119",
          value_parser = parse_addr)]
    listen: SocketAddr,
    /// Where the HTTP API and the UI are served. Port 0 picks a free port.
    #[arg(long, value_name = "ADDR", env = "PEEPS_HTTP", hide_env_values = true, default_value = "127.0.0.1:9120",
          value_parser = parse_addr)]
    http: SocketAddr,
    /// The dump directory: every *.json dump in it is loaded at start, and
    /// new ones while the server runs [default: /tmp/peeps-dumps]
    #[arg(
        long,
        value_name = "DIR",
        env = "PEEPS_DUMP_DIR",
        hide_env_values = true
    )]
    dumps: Option<PathBuf>,
    /// Leave out dumps captured longer ago than this (`90m`, `2h`, `7d`):
    /// they are not loaded, and a loaded one that grows older is dropped
    /// [default: none]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    dumps_max_age: Option<Duration>,
    /// Forget a process this long after its last push connection ended
    /// (`30s`, `10m`, `1h`).
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration)]
    stale_after: Duration,
    /// The memory budget, in bytes, for the snapshots held (live and stale
    /// processes, dumps) and the recording [default: 4294967296 = 4 GiB].
    /// Past it the recording's history goes first, then the processes
    /// stale the longest; then new processes and dumps are refused.
    #[arg(long, value_name = "BYTES", default_value_t = memory::DEFAULT_MAX_MEMORY,
          hide_default_value = true)]
    max_memory: usize,
    /// The largest frame (one snapshot) or dump file accepted, in bytes.
    #[arg(long, value_name = "BYTES", env = "PEEPS_MAX_FRAME_BYTES", hide_env_values = true,
          default_value_t = peeps_graph::wire::DEFAULT_MAX_FRAME_BYTES)]
    max_frame_bytes: usize,
    /// At most this many pushing connections at once; more are refused.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    max_connections: usize,
    /// A frame must arrive whole within this many seconds of its first byte.
    #[arg(long, value_name = "SECS", default_value_t = 30.0, value_parser = parse_secs)]
    frame_timeout: f64,
    /// A connection that sends nothing for this many seconds is closed.
    #[arg(long, value_name = "SECS", default_value_t = 120.0, value_parser = parse_secs)]
    idle_timeout: f64,
    /// Read the token from this file (its content, trimmed) instead of
    /// PEEPS_TOKEN. With a token (from either), pushing programs must send
    /// it (their PEEPS_TOKEN) and HTTP requires it: as a bearer header, or
    /// through the one-time login URL printed at start. Without one, only
    /// loopback addresses can be listened on.
    #[arg(long, value_name = "PATH")]
    token_file: Option<PathBuf>,
    /// Also write every snapshot received to DIR (DIR/<process key>/<ms>.json),
    /// for `peeps serve --replay DIR` later. Without it the recording is
    /// kept in memory only.
    #[arg(long, value_name = "DIR", conflicts_with = "replay")]
    record: Option<PathBuf>,
    /// How many bytes of snapshots the recording keeps (in memory, and in
    /// --record DIR): past it, the oldest go.
    #[arg(long, value_name = "BYTES", default_value_t = record::DEFAULT_RECORD_BYTES)]
    record_bytes: usize,
    /// Serve the recording in DIR (written by --record) instead of live
    /// input: no ingest, no dump directory; the UI steps through it.
    #[arg(long, value_name = "DIR")]
    replay: Option<PathBuf>,
    #[command(flatten)]
    thresholds: Thresholds,
}

fn parse_addr(text: &str) -> Result<SocketAddr, String> {
    let mut addrs = text
        .to_socket_addrs()
        .map_err(|e| format!("expected HOST:PORT, e.g. 127.0.0.1:9119 ({e})"))?;
    addrs
        .next()
        .ok_or_else(|| format!("{text} resolves to no address"))
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text)
        .map_err(|e| format!("expected a duration such as 30s, 90m, 2h or 7d ({e})"))
}

fn parse_secs(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s < 1e9 => Ok(s),
        _ => Err("expected a positive number of seconds".to_owned()),
    }
}

impl ServeArgs {
    /// The arguments of a bare `peeps`: every default, with the `PEEPS_*`
    /// environment applied.
    pub(crate) fn from_env() -> anyhow::Result<ServeArgs> {
        use clap::{Args, FromArgMatches};
        let command = ServeArgs::augment_args(clap::Command::new("serve"));
        let matches = command.try_get_matches_from(["serve"])?;
        Ok(ServeArgs::from_arg_matches(&matches)?)
    }
}

/// Limits that guard the server against bad or hostile input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Largest frame body or dump file, in bytes.
    pub(crate) max_frame_bytes: usize,
    /// Concurrent ingest connections.
    pub(crate) max_connections: usize,
    /// A frame's bytes must all arrive within this.
    pub(crate) frame_timeout: Duration,
    /// Silence between frames longer than this closes the connection.
    pub(crate) idle_timeout: Duration,
}

impl Run for ServeArgs {
    fn run(self) -> anyhow::Result<Exit> {
        let mut binds = vec![("--http", self.http)];
        if self.replay.is_none() {
            binds.insert(0, ("--listen", self.listen));
        }
        let token = auth::Token::configured(self.token_file.as_deref())?;
        auth::check_binds(&binds, token.as_ref())?;
        memory::limit_malloc_arenas();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("peeps-serve")
            .build()
            .context("cannot start the async runtime")?;
        runtime.block_on(self.serve(token))?;
        // Connection tasks still open (a peer mid-frame) are dropped here.
        runtime.shutdown_timeout(Duration::from_secs(1));
        Ok(Exit::Ok)
    }
}

impl ServeArgs {
    async fn serve(self, token: Option<auth::Token>) -> anyhow::Result<()> {
        let limits = Limits {
            max_frame_bytes: self.max_frame_bytes,
            max_connections: self.max_connections.max(1),
            frame_timeout: Duration::from_secs_f64(self.frame_timeout),
            idle_timeout: Duration::from_secs_f64(self.idle_timeout),
        };
        let dump_dir = self
            .dumps
            .clone()
            .unwrap_or_else(|| PathBuf::from("/tmp/peeps-dumps"));
        let (recorder, replayed) = match (&self.replay, &self.record) {
            (Some(dir), _) => {
                let (r, n) = record::Recorder::load(dir, self.record_bytes.max(1))?;
                (r, Some(n))
            }
            (None, Some(dir)) => (
                record::Recorder::to_dir(dir.clone(), self.record_bytes.max(1))
                    .with_context(|| format!("{}: cannot record there", dir.display()))?,
                None,
            ),
            (None, None) => (record::Recorder::in_memory(self.record_bytes.max(1)), None),
        };
        let recorder = Arc::new(recorder);
        let ingest = match replayed {
            Some(_) => None,
            None => Some(
                tokio::net::TcpListener::bind(self.listen)
                    .await
                    .with_context(|| format!("cannot listen for pushes on {}", self.listen))?,
            ),
        };
        let http = tokio::net::TcpListener::bind(self.http)
            .await
            .with_context(|| format!("cannot serve HTTP on {}", self.http))?;
        let http_addr = http.local_addr()?;
        let http_auth = match &token {
            Some(token) => Some(Arc::new(auth::Http::new(token.clone(), http_addr.port())?)),
            None => None,
        };

        let store = Arc::new(store::Store::recording(
            recorder.clone(),
            memory::Budget::new(self.max_memory),
        ));
        let (shutdown_tx, shutdown) = tokio::sync::watch::channel(false);

        let mut banner = String::new();
        let mut dumps_thread = None;
        match ingest {
            None => {
                // Replay: the recording's last instant is the view.
                for r in recorder.latest() {
                    if let Ok(snap) = peeps_graph::Snapshot::from_slice(&r.raw) {
                        store.replayed(snap, r.raw, r.source);
                    }
                }
                banner.push_str(&format!(
                    "peeps: replaying {} ({} snapshots)\n",
                    self.replay
                        .as_deref()
                        .unwrap_or(std::path::Path::new(""))
                        .display(),
                    replayed.unwrap_or(0)
                ));
            }
            Some(ingest) => {
                let ingest_addr = ingest.local_addr()?;
                // Dumps already there are listed from the first view on.
                let mut watcher = dumps::Watcher::new(
                    dump_dir.clone(),
                    limits.max_frame_bytes,
                    self.dumps_max_age,
                );
                watcher.poll(&store);
                tokio::spawn(store::forget_stale_every(store.clone(), self.stale_after));
                tokio::spawn(ingest::serve(
                    ingest,
                    store.clone(),
                    limits,
                    token.clone(),
                    shutdown.clone(),
                ));
                dumps_thread = Some(watcher.spawn(store.clone(), shutdown.clone())?);
                banner.push_str(&format!("peeps: ingest listening on {ingest_addr}\n"));
            }
        }
        let views = view::Views::start(store.clone(), self.thresholds.options()).await;
        let routes = http::routes(views, shutdown.clone());
        let routes = match &http_auth {
            Some(_) => auth::guard(http_auth.clone(), routes),
            None => hosts::loopback_only(routes),
        };
        let mut http_shutdown = shutdown.clone();
        let server = warp::serve(routes)
            .incoming(http)
            .graceful(async move {
                let _ = http_shutdown.wait_for(|&stop| stop).await;
            })
            .run();

        // Watched before the banner: a SIGTERM sent as soon as the server
        // says it is ready must stop it cleanly, not kill it.
        let stop = StopSignals::watch()?;
        // One write, so a reader sees the lines together.
        banner.push_str(&format!("peeps: http listening on {http_addr}\n"));
        if dumps_thread.is_some() {
            banner.push_str(&format!("peeps: dumps from {}\n", dump_dir.display()));
        }
        match &http_auth {
            Some(auth) => {
                banner.push_str(&format!("peeps: open {}\n", auth.one_time_url(http_addr)))
            }
            None => banner.push_str(&format!("peeps: open http://{http_addr}/\n")),
        }
        crate::output::stdout(&banner)?;

        let server = tokio::spawn(server);
        stop.wait().await;
        eprintln!("peeps: shutting down");
        let _ = shutdown_tx.send(true);
        if tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .is_err()
        {
            eprintln!("peeps: HTTP requests still open after 5 s; closing them");
        }
        if let Some(t) = dumps_thread {
            let _ = t.join();
        }
        Ok(())
    }
}

/// The signals that stop the server: Ctrl-C (SIGINT) and SIGTERM.
struct StopSignals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    /// Starts watching both (from now on they no longer kill the process).
    fn watch() -> anyhow::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(StopSignals {
            interrupt: signal(SignalKind::interrupt()).context("cannot watch Ctrl-C")?,
            terminate: signal(SignalKind::terminate()).context("cannot watch SIGTERM")?,
        })
    }

    /// Resolves when either arrives.
    async fn wait(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}
