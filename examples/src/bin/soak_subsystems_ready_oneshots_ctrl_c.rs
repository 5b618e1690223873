//! Healthy, idle after start-up and a burst: a service made of
//! subsystems that each report readiness on a `oneshot`, then run until
//! a `watch` shutdown; `main` waits for ctrl-c or for a subsystem to exit
//! early. `http` is `peeps::spawn_named`; `metrics`, `session-gc` and the
//! connection handlers are plain `tokio::spawn`.
//!
//! Each subsystem gets a `Ctx`: a `ready` oneshot sender and a `shutdown`
//! `watch::Receiver<bool>`. `main` awaits `try_join_all` of the `ready`
//! receivers, then `select!`s on `tokio::signal::ctrl_c()` and a
//! `FuturesUnordered` of the subsystems' join handles. `http` serves a
//! line protocol on 127.0.0.1: `LOGIN n` writes `sessions` (an `RwLock`)
//! and sends an event into `metrics-events` (an `mpsc` of 64), `PING`
//! reads `sessions`. `metrics` `select!`s its events, a 250 ms flush
//! into `summary` (a `Mutex`) and shutdown; `session-gc` write-locks
//! `sessions` every 200 ms to expire old sessions. Three clients log in,
//! ping 10 times, then keep their connection open, idle.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on};
use futures::future::{BoxFuture, FutureExt, try_join_all};
use futures::stream::{FuturesUnordered, StreamExt};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, RwLock, mpsc, oneshot, watch};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

type Sessions = Arc<RwLock<HashMap<u64, Instant>>>;

struct Ctx {
    ready: oneshot::Sender<()>,
    shutdown: watch::Receiver<bool>,
}

enum Event {
    Login,
    Ping,
}

#[derive(Default)]
struct Summary {
    logins: u64,
    pings: u64,
    flushes: u64,
}

async fn handle(socket: TcpStream, sessions: Sessions, events: mpsc::Sender<Event>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let mut words = line.split_whitespace();
        let out = match (
            words.next(),
            words.next().and_then(|n| n.parse::<u64>().ok()),
        ) {
            (Some("LOGIN"), Some(user)) => {
                sessions.write().await.insert(user, Instant::now());
                let _ = events.send(Event::Login).await;
                "WELCOME"
            }
            (Some("PING"), Some(user)) => {
                let known = sessions.read().await.contains_key(&user);
                let _ = events.send(Event::Ping).await;
                if known { "PONG" } else { "WHO" }
            }
            _ => "ERR",
        };
        if write
            .write_all(format!("{out}\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

async fn http(
    ctx: Ctx,
    addr: oneshot::Sender<SocketAddr>,
    sessions: Sessions,
    events: mpsc::Sender<Event>,
) -> std::io::Result<()> {
    let Ctx {
        ready,
        mut shutdown,
    } = ctx;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let _ = addr.send(listener.local_addr()?);
    let _ = ready.send(());
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (socket, _) = accepted?;
                tokio::spawn(handle(socket, sessions.clone(), events.clone()));
            }
            _ = shutdown.changed() => return Ok(()),
        }
    }
}

async fn metrics(ctx: Ctx, mut events: mpsc::Receiver<Event>, summary: Arc<Mutex<Summary>>) {
    let Ctx {
        ready,
        mut shutdown,
    } = ctx;
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let (mut logins, mut pings) = (0, 0);
    let _ = ready.send(());
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(Event::Login) => logins += 1,
                Some(Event::Ping) => pings += 1,
                None => return,
            },
            _ = tick.tick() => {
                let mut s = summary.lock().await;
                s.logins += std::mem::take(&mut logins);
                s.pings += std::mem::take(&mut pings);
                s.flushes += 1;
            }
            _ = shutdown.changed() => return,
        }
    }
}

async fn session_gc(ctx: Ctx, sessions: Sessions) {
    let Ctx {
        ready,
        mut shutdown,
    } = ctx;
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    let _ = ready.send(());
    loop {
        tokio::select! {
            _ = tick.tick() => {
                sessions
                    .write()
                    .await
                    .retain(|_, since| since.elapsed() < Duration::from_secs(600));
            }
            _ = shutdown.changed() => return,
        }
    }
}

async fn client(addr: SocketAddr, user: u64, done: Arc<AtomicU64>) {
    let socket = TcpStream::connect(addr).await.expect("connect");
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let requests =
        std::iter::once(format!("LOGIN {user}\n")).chain((0..10).map(|_| format!("PING {user}\n")));
    for request in requests {
        write.write_all(request.as_bytes()).await.expect("write");
        lines.next_line().await.expect("read").expect("an answer");
    }
    done.fetch_add(1, Ordering::Relaxed);
    let _ = lines.next_line().await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_subsystems_ready_oneshots_ctrl_c");
    let (shutdown, shutdown_rx) = watch::channel_named("shutdown", false);
    let sessions: Sessions = Arc::new(RwLock::new(HashMap::new()).named("sessions"));
    let summary = Arc::new(Mutex::new(Summary::default()).named("summary"));
    let (events, events_rx) = mpsc::channel_named("metrics-events", 64);
    let mut readies = Vec::new();
    let mut ctx = || {
        let (ready, is_ready) = oneshot::channel_named("ready");
        readies.push(is_ready);
        Ctx {
            ready,
            shutdown: shutdown_rx.clone(),
        }
    };
    let mut subsystems: FuturesUnordered<BoxFuture<'static, (&'static str, bool)>> =
        FuturesUnordered::new();
    let (addr_tx, addr_rx) = oneshot::channel_named("http-addr");
    let http = peeps::spawn_named("http", http(ctx(), addr_tx, sessions.clone(), events));
    subsystems.push(http.map(|r| ("http", matches!(r, Ok(Ok(()))))).boxed());
    let m = tokio::spawn(metrics(ctx(), events_rx, summary.clone()));
    subsystems.push(m.map(|r| ("metrics", r.is_ok())).boxed());
    let gc = tokio::spawn(session_gc(ctx(), sessions.clone()));
    subsystems.push(gc.map(|r| ("session-gc", r.is_ok())).boxed());
    drop(shutdown_rx);

    try_join_all(readies).await.expect("every subsystem starts");
    let addr = addr_rx.await.expect("http listens");
    let done = Arc::new(AtomicU64::new(0));
    for user in 0..3 {
        tokio::spawn(client(addr, user, done.clone()));
    }
    ready_when(move |g| {
        done.load(Ordering::Relaxed) == 3 && waited_on(g, NodeKind::Channel, "metrics-events")
    });

    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        Some((name, clean)) = subsystems.next() => {
            eprintln!("subsystem {name} exited early (clean: {clean})");
        }
    }
    let _ = shutdown.send(true);
    while subsystems.next().await.is_some() {}
    let _ = summary.lock().await.flushes;
}
