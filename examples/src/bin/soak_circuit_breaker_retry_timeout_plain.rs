//! Healthy, under steady load: a client library with a connection pool,
//! per-attempt timeouts, retries with exponential backoff and a circuit
//! breaker, calling a flaky backend on 127.0.0.1. Plain `tokio::spawn`,
//! no peeps annotation; only the resources are `peeps::sync`.
//!
//! The backend answers each line in 2 ms, but one request in 9 takes
//! 250 ms and one in 13 drops the connection. The `Client` holds
//! `backend-slots` (a `Semaphore` of 3), `idle-conns` (a `Mutex<Vec>` of
//! idle connections), `breaker` (an `RwLock` of closed / open-since /
//! failures) and `half-open-probe` (a `Mutex<()>`). A call reads the
//! breaker (fails fast while open; once the cooldown of 200 ms is over,
//! the caller that gets `half-open-probe` with `try_lock` keeps it across
//! its attempt, the others fail fast), takes an owned slot permit, an
//! idle connection or a new one, and runs the round trip under a 60 ms
//! `timeout`; then puts the connection back and write-locks `breaker` to
//! record the outcome (opening it after 3 failures in a row). Up to 3
//! attempts, 10/20 ms apart. Six callers each call every 20 ms.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock (`half-open-probe` -> `backend-slots` ->
//! `idle-conns`, then `breaker` alone).

use examples::ready_when;
use peeps::sync::{Mutex, RwLock, Semaphore};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

const COOLDOWN: Duration = Duration::from_millis(200);
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(60);

async fn flaky_backend(listener: TcpListener) {
    let served = Arc::new(AtomicU64::new(0));
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        let served = served.clone();
        tokio::spawn(async move {
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let n = served.fetch_add(1, Ordering::Relaxed);
                if n % 13 == 12 {
                    return;
                }
                let pause = if n % 9 == 8 { 250 } else { 2 };
                tokio::time::sleep(Duration::from_millis(pause)).await;
                if write
                    .write_all(format!("ok {}\n", line.len()).as_bytes())
                    .await
                    .is_err()
                {
                    return;
                }
            }
        });
    }
}

struct Conn {
    lines: tokio::io::Lines<BufReader<OwnedReadHalf>>,
    write: OwnedWriteHalf,
}

impl Conn {
    async fn connect(addr: SocketAddr) -> std::io::Result<Conn> {
        let (read, write) = tokio::net::TcpStream::connect(addr).await?.into_split();
        Ok(Conn {
            lines: BufReader::new(read).lines(),
            write,
        })
    }

    async fn round_trip(&mut self, request: &str) -> std::io::Result<String> {
        self.write
            .write_all(format!("{request}\n").as_bytes())
            .await?;
        self.lines
            .next_line()
            .await?
            .ok_or_else(|| std::io::ErrorKind::UnexpectedEof.into())
    }
}

enum Breaker {
    Closed { failures: u32 },
    Open { since: Instant },
}

#[derive(Debug)]
enum CallError {
    Open,
    Failed,
}

struct Client {
    addr: SocketAddr,
    slots: Arc<Semaphore>,
    idle: Mutex<Vec<Conn>>,
    breaker: RwLock<Breaker>,
    probe: Mutex<()>,
}

impl Client {
    async fn attempt(&self, request: &str) -> Result<String, CallError> {
        let _slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| CallError::Failed)?;
        let pooled = self.idle.lock().await.pop();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => Conn::connect(self.addr)
                .await
                .map_err(|_| CallError::Failed)?,
        };
        match tokio::time::timeout(ATTEMPT_TIMEOUT, conn.round_trip(request)).await {
            Ok(Ok(answer)) => {
                self.idle.lock().await.push(conn);
                Ok(answer)
            }
            // A timed-out or broken connection is not reused.
            Ok(Err(_)) | Err(_) => Err(CallError::Failed),
        }
    }

    async fn record(&self, ok: bool) {
        let mut breaker = self.breaker.write().await;
        *breaker = match (&*breaker, ok) {
            (_, true) => Breaker::Closed { failures: 0 },
            (Breaker::Closed { failures }, false) if failures + 1 < 3 => Breaker::Closed {
                failures: failures + 1,
            },
            (Breaker::Open { since }, false) if since.elapsed() < COOLDOWN => {
                Breaker::Open { since: *since }
            }
            (_, false) => Breaker::Open {
                since: Instant::now(),
            },
        };
    }

    async fn call(&self, request: &str) -> Result<String, CallError> {
        let open_since = match &*self.breaker.read().await {
            Breaker::Open { since } => Some(*since),
            Breaker::Closed { .. } => None,
        };
        let _probe = match open_since {
            None => None,
            Some(since) if since.elapsed() < COOLDOWN => return Err(CallError::Open),
            Some(_) => match self.probe.try_lock() {
                Ok(probe) => Some(probe),
                Err(_) => return Err(CallError::Open),
            },
        };
        let mut backoff = Duration::from_millis(10);
        for attempt in 0..3 {
            let result = self.attempt(request).await;
            self.record(result.is_ok()).await;
            match result {
                Ok(answer) => return Ok(answer),
                Err(e) if attempt == 2 => return Err(e),
                Err(_) => {
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
            }
        }
        Err(CallError::Failed)
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_circuit_breaker_retry_timeout_plain");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("bound");
    tokio::spawn(flaky_backend(listener));
    let client = Arc::new(Client {
        addr,
        slots: Arc::new(Semaphore::new(3).named("backend-slots")),
        idle: Mutex::new(Vec::new()).named("idle-conns"),
        breaker: RwLock::new(Breaker::Closed { failures: 0 }).named("breaker"),
        probe: Mutex::new(()).named("half-open-probe"),
    });
    let (ok, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    for caller in 0..6 {
        let client = client.clone();
        let (ok, failed) = (ok.clone(), failed.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(20));
            for n in 0u64.. {
                tick.tick().await;
                match client.call(&format!("caller {caller} call {n}")).await {
                    Ok(_) => ok.fetch_add(1, Ordering::Relaxed),
                    Err(CallError::Open | CallError::Failed) => {
                        failed.fetch_add(1, Ordering::Relaxed)
                    }
                };
            }
        });
    }
    ready_when(move |_| ok.load(Ordering::Relaxed) >= 300 && failed.load(Ordering::Relaxed) >= 5);
    examples::park().await;
}
