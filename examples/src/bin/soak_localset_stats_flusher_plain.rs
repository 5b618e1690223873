//! Healthy, idle between flushes: a single-threaded line server on a
//! `LocalSet`, as services with `!Send` state (`Rc<RefCell<..>>`) are
//! written. No peeps annotation, no names.
//!
//! `main` runs the server inside `LocalSet::run_until`: it makes an
//! `events` channel, logs a `Started` event on it, and hands the sender
//! to a `spawn_local` metrics flusher that sends the counters every 60 s
//! (the first after 60 s). An acceptor (`spawn_local`) serves each
//! connection in a `spawn_local` handler that counts lines in the shared
//! `Rc<RefCell<Stats>>` and under a `peeps::sync::Mutex` of recent
//! lines. Four in-process clients (`spawn_local`) send a line every
//! 40 ms. `main` then reads `events` for the life of the process.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock. (`main`'s receive waits on the flusher's timer.)

use examples::ready_when;
use peeps::sync::{Mutex, mpsc};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct Stats {
    lines: u64,
    connections: u64,
}

enum Event {
    Started,
    Flushed { lines: u64, connections: u64 },
}

async fn handle(socket: TcpStream, stats: Rc<RefCell<Stats>>, recent: Rc<Mutex<VecDeque<String>>>) {
    stats.borrow_mut().connections += 1;
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        stats.borrow_mut().lines += 1;
        {
            let mut recent = recent.lock().await;
            recent.push_back(line.clone());
            if recent.len() > 100 {
                recent.pop_front();
            }
        }
        if write.write_all(b"ok\n").await.is_err() {
            return;
        }
    }
}

async fn flusher(stats: Rc<RefCell<Stats>>, events: mpsc::Sender<Event>) {
    loop {
        tokio::time::sleep(Duration::from_secs(60)).await;
        let (lines, connections) = {
            let s = stats.borrow();
            (s.lines, s.connections)
        };
        if events
            .send(Event::Flushed { lines, connections })
            .await
            .is_err()
        {
            return;
        }
    }
}

async fn client(addr: SocketAddr, acked: Arc<AtomicU64>) {
    let socket = TcpStream::connect(addr).await.expect("connect");
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    for n in 0u64.. {
        write
            .write_all(format!("line {n}\n").as_bytes())
            .await
            .expect("write");
        lines.next_line().await.expect("read").expect("an ack");
        acked.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

async fn serve(acked: Arc<AtomicU64>, logged: Arc<AtomicU64>) {
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("an address");
    let listener = TcpListener::bind(addr).await.expect("bind");
    let addr = listener.local_addr().expect("bound");
    let stats = Rc::new(RefCell::new(Stats::default()));
    let recent = Rc::new(Mutex::new(VecDeque::new()));
    let (events, mut log) = mpsc::channel(64);
    events.send(Event::Started).await.expect("the log is open");
    tokio::task::spawn_local(flusher(stats.clone(), events));
    tokio::task::spawn_local(async move {
        loop {
            let (socket, _) = listener.accept().await.expect("accept");
            tokio::task::spawn_local(handle(socket, stats.clone(), recent.clone()));
        }
    });
    for _ in 0..4 {
        tokio::task::spawn_local(client(addr, acked.clone()));
    }
    while let Some(event) = log.recv().await {
        logged.fetch_add(1, Ordering::Relaxed);
        let line = match event {
            Event::Started => "started".to_owned(),
            Event::Flushed { lines, connections } => {
                format!("{lines} lines, {connections} connections")
            }
        };
        std::hint::black_box(line);
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_localset_stats_flusher_plain");
    let acked = Arc::new(AtomicU64::new(0));
    let logged = Arc::new(AtomicU64::new(0));
    let (a, l) = (acked.clone(), logged.clone());
    ready_when(move |_| a.load(Ordering::Relaxed) >= 40 && l.load(Ordering::Relaxed) >= 1);
    let local = tokio::task::LocalSet::new();
    local.run_until(serve(acked, logged)).await;
}
