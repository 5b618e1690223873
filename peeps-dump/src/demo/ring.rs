//! One process of the demo's ring (`peeps demo service`, hidden): a roam
//! service on 127.0.0.1 that calls the next process of the ring.
//!
//! Every process serves `Ring` and holds a client to the next process:
//!
//! - `start` (called on the first process) takes this process's `ledger`
//!   lock, then calls the next process's `relay`;
//! - `relay` passes the call on round the ring, to the next `relay`, or to
//!   `settle` when the next process is the first one again;
//! - `settle` needs the `ledger` lock.
//!
//! So `start` holding the lock across its call waits, through every process
//! of the ring, for `settle`, which waits for the lock: a deadlock across
//! processes. With `--healthy`, `start` lets the lock go before it calls on,
//! and the same calls, under load, never deadlock.
//!
//! The process prints `LISTEN <addr>` once it listens, reads the next
//! process's address from stdin when `--next` is not given (and then exits
//! when stdin closes: whoever started it holds the pipe), prints
//! `READY <pid>` once connected to the next process, and with `--kick`
//! calls the next process's `start`: once, or as a load (`--healthy`),
//! printing `LOAD <calls answered>` every second and `LOAD DONE <n>` when
//! `--load-rounds` are done.

use crate::cli::Exit;
use anyhow::{Context, bail};
use peeps_roam::{Connection, tcp::TcpLink};
use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

// The generated items are `pub` and the descriptor function has no docs.
#[allow(missing_docs, unreachable_pub)]
mod service {
    /// The demo's service: each process of the ring serves it.
    #[roam::service]
    pub trait Ring {
        /// Takes the ledger lock, then calls the next process's `relay`
        /// (holding the lock across the call, unless healthy).
        async fn start(&self, amount: u32) -> u32;
        /// Passes the call on: to the next `relay` while `hops` remain,
        /// then to the next process's `settle`.
        async fn relay(&self, amount: u32, hops: u32) -> u32;
        /// Adds `amount` to the ledger: needs the ledger lock.
        async fn settle(&self, amount: u32) -> u32;
    }
}
use service::{Ring, RingClient, RingDispatcher, ring_service_descriptor};

/// How long a process keeps trying to reach the next one.
const DIAL_FOR: Duration = Duration::from_secs(20);

/// Arguments of `peeps demo service`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ServiceArgs {
    /// This process's name in snapshots.
    #[arg(long)]
    name: String,
    /// How many processes the ring has (2 or more).
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..))]
    ring: u32,
    /// The next process's name.
    #[arg(long)]
    next_name: String,
    /// The next process's address; read from stdin when absent.
    #[arg(long, value_name = "ADDR")]
    next: Option<SocketAddr>,
    /// Where to serve `Ring`.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// `start` lets the lock go before calling on: no deadlock.
    #[arg(long)]
    healthy: bool,
    /// Call the next process's `start` once ready.
    #[arg(long)]
    kick: bool,
    /// With --healthy: how many callers call `start` at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    load_callers: u32,
    /// With --healthy: calls per caller (forever when absent).
    #[arg(long, value_name = "N")]
    load_rounds: Option<u64>,
}

/// What every handler of this process shares.
struct State {
    ring: u32,
    healthy: bool,
    ledger: peeps::sync::Mutex<u64>,
    next: tokio::sync::OnceCell<RingClient>,
    next_name: String,
    next_addr: SocketAddr,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("ring", &self.ring)
            .field("healthy", &self.healthy)
            .field("next", &self.next_name)
            .finish_non_exhaustive()
    }
}

/// This process's `Ring` service (what every dispatcher wraps).
#[derive(Debug, Clone)]
struct Node {
    state: Arc<State>,
}

impl Node {
    /// The client to the next process, connected on first use.
    async fn next(&self) -> &RingClient {
        self.state.next.get_or_init(|| dial(self.clone())).await
    }
}

impl Ring for Node {
    async fn start(&self, amount: u32) -> u32 {
        let mut ledger = self.state.ledger.lock().await;
        *ledger += u64::from(amount);
        let hops = self.state.ring - 2;
        let held = if self.state.healthy {
            drop(ledger);
            None
        } else {
            Some(ledger)
        };
        let answer = self.next().await.relay(amount, hops).await;
        drop(held);
        answer.unwrap_or_else(|e| {
            eprintln!("ring: relay failed: {e:?}");
            0
        })
    }

    async fn relay(&self, amount: u32, hops: u32) -> u32 {
        let next = self.next().await;
        let answer = match hops {
            0 => next.settle(amount).await,
            _ => next.relay(amount, hops - 1).await,
        };
        answer.unwrap_or_else(|e| {
            eprintln!("ring: call on failed: {e:?}");
            0
        })
    }

    async fn settle(&self, amount: u32) -> u32 {
        let mut ledger = self.state.ledger.lock().await;
        *ledger += u64::from(amount);
        u32::try_from(*ledger).unwrap_or(u32::MAX)
    }
}

/// Connects to the next process (retrying while it starts) and wraps the
/// caller its client holds.
async fn dial(node: Node) -> RingClient {
    let s = &node.state;
    let deadline = tokio::time::Instant::now() + DIAL_FOR;
    let link = loop {
        match TcpLink::connect(s.next_addr).await {
            Ok(link) => break link,
            Err(e) if tokio::time::Instant::now() >= deadline => {
                eprintln!("ring: cannot reach {} at {}: {e}", s.next_name, s.next_addr);
                std::process::exit(1);
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    // The other side may call back on this connection too: serve it.
    let conn = Connection::new(s.next_name.clone());
    let handler = conn
        .handler(RingDispatcher::new(node.clone()))
        .service(ring_service_descriptor());
    match roam::initiator(link)
        .establish::<roam::DriverCaller>(handler)
        .await
    {
        Ok((caller, session)) => {
            // The session lives as long as the process.
            std::mem::forget(session);
            RingClient::new(conn.caller(caller).service(ring_service_descriptor()))
        }
        Err(e) => {
            eprintln!("ring: handshake with {} failed: {e}", s.next_name);
            std::process::exit(1);
        }
    }
}

/// Serves `Ring` on every accepted connection.
async fn accept(listener: tokio::net::TcpListener, node: Node) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        let conn = Connection::new(format!("caller at {peer}"));
        let handler = conn
            .handler(RingDispatcher::new(node.clone()))
            .service(ring_service_descriptor());
        tokio::spawn(async move {
            let link = TcpLink::new(stream);
            match roam::acceptor(link)
                .establish::<roam::DriverCaller>(handler)
                .await
            {
                Ok((caller, _session)) => {
                    roam::Caller::closed(&caller).await;
                    conn.set_open(false);
                }
                Err(e) => eprintln!("ring: handshake with {peer} failed: {e}"),
            }
        });
    }
}

/// Calls the next process's `start` once: the call never returns when the
/// ring deadlocks.
async fn kick_once(node: Node) {
    let answer = node.next().await.start(1).await;
    say(format!("ANSWERED {answer:?}"));
}

/// Keeps `callers` callers calling `start`, `rounds` times each (forever
/// when `None`), and says how many calls were answered every second.
async fn load(node: Node, callers: u32, rounds: Option<u64>) {
    let answered = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for i in 0..callers {
        let node = node.clone();
        let answered = answered.clone();
        tasks.push(peeps::spawn_named(format!("load {i}"), async move {
            let mut round = 0u64;
            while rounds.is_none_or(|r| round < r) {
                if node.next().await.start(1).await.is_ok() {
                    answered.fetch_add(1, Ordering::Relaxed);
                }
                round += 1;
            }
        }));
    }
    let report = {
        let answered = answered.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                println!("LOAD {}", answered.load(Ordering::Relaxed));
            }
        })
    };
    for t in tasks {
        let _ = t.await;
    }
    report.abort();
    println!("LOAD DONE {}", answered.load(Ordering::Relaxed));
}

impl ServiceArgs {
    /// Runs this process of the ring until killed (or stdin closes).
    pub(crate) fn run(self) -> anyhow::Result<Exit> {
        peeps::init_named(&self.name);
        peeps::install_sigusr1(&self.name);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        runtime.block_on(self.serve())
    }

    async fn serve(self) -> anyhow::Result<Exit> {
        let listener = tokio::net::TcpListener::bind(self.listen)
            .await
            .with_context(|| format!("cannot listen on {}", self.listen))?;
        say(format!("LISTEN {}", listener.local_addr()?));
        let next_addr = match self.next {
            Some(addr) => addr,
            None => read_next_from_stdin()?,
        };
        let node = Node {
            state: Arc::new(State {
                ring: self.ring,
                healthy: self.healthy,
                ledger: peeps::sync::Mutex::new(0).named("ledger"),
                next: tokio::sync::OnceCell::new(),
                next_name: self.next_name.clone(),
                next_addr,
            }),
        };
        tokio::spawn(accept(listener, node.clone()));
        node.next().await;
        say(format!("READY {}", std::process::id()));
        // Detached: the main thread only keeps the runtime up.
        if self.kick && self.healthy {
            let callers = self.load_callers.max(1);
            peeps::spawn_named("load", load(node.clone(), callers, self.load_rounds));
        } else if self.kick {
            peeps::spawn_named("kick", kick_once(node.clone()));
        }
        std::future::pending::<()>().await;
        Ok(Exit::Ok)
    }
}

/// Prints a protocol line and flushes it (stdout is a pipe).
fn say(line: String) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Reads the next process's address, then watches stdin on a thread: when
/// it closes (whoever started this process is gone), the process exits.
fn read_next_from_stdin() -> anyhow::Result<SocketAddr> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the next address from stdin")?;
    let Ok(addr) = line.trim().parse::<SocketAddr>() else {
        bail!("expected the next process's address on stdin, got {line:?}");
    };
    std::thread::Builder::new()
        .name("stdin-watch".into())
        .spawn(|| {
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut sink);
            std::process::exit(0);
        })
        .context("cannot start the stdin watcher")?;
    Ok(addr)
}
