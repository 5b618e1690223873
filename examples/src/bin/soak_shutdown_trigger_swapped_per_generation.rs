//! Healthy, idle after two graceful restarts: a TCP server whose
//! shutdown trigger, a `oneshot` sender, is kept in a
//! `Mutex<Option<oneshot::Sender<()>>>` (`shutdown-trigger`) and replaced
//! for each generation. Every task is `peeps::spawn_named` except the
//! connection handlers and the clients (plain `tokio::spawn`).
//!
//! `main` makes each generation's `server-stop` oneshot, puts the sender
//! in the slot, spawns `server` on the receiver and awaits its
//! `JoinHandle`. `server` spawns an `acceptor` on the shared listener and
//! awaits its stop; once stopped it aborts the acceptor and returns, and
//! `main` starts the next generation. An `admin` task reads
//! `admin-commands`: each `restart` takes the sender out of the slot and
//! fires it. A `ctrl-c` task would take it too, after setting the quit
//! flag. An operator client asks for two restarts during the clients'
//! burst; the clients then call every 10 minutes.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::ready_when;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

type Trigger = Arc<Mutex<Option<oneshot::Sender<()>>>>;

async fn handle(socket: TcpStream) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if write
            .write_all(format!("ok {line}\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

async fn server(listener: Arc<TcpListener>, stop: oneshot::Receiver<()>) {
    let acceptor = peeps::spawn_named("acceptor", async move {
        loop {
            if let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(handle(socket));
            }
        }
    });
    let _ = stop.await;
    acceptor.abort();
}

async fn admin(mut commands: mpsc::Receiver<&'static str>, trigger: Trigger) {
    while let Some(command) = commands.recv().await {
        if command == "restart"
            && let Some(stop) = trigger.lock().await.take()
        {
            let _ = stop.send(());
        }
    }
}

async fn operator(commands: mpsc::Sender<&'static str>) {
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let _ = commands.send("restart").await;
    }
    tokio::time::sleep(Duration::from_secs(3600)).await;
}

async fn client(addr: SocketAddr, served: Arc<AtomicU64>) {
    loop {
        for n in 0..12 {
            if let Ok(socket) = TcpStream::connect(addr).await {
                let (read, mut write) = socket.into_split();
                let _ = write.write_all(format!("hello {n}\n").as_bytes()).await;
                drop(write);
                let mut lines = BufReader::new(read).lines();
                if let Ok(Some(_)) = lines.next_line().await {
                    served.fetch_add(1, Ordering::Relaxed);
                }
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_shutdown_trigger_swapped_per_generation");
    let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await.expect("bind"));
    let addr = listener.local_addr().expect("bound");
    let trigger: Trigger = Arc::new(Mutex::new(None).named("shutdown-trigger"));
    let quitting = Arc::new(AtomicBool::new(false));
    let generations = Arc::new(AtomicU64::new(0));
    let served = Arc::new(AtomicU64::new(0));

    let (commands, command_rx) = mpsc::channel_named("admin-commands", 4);
    peeps::spawn_named("admin", admin(command_rx, trigger.clone()));
    peeps::spawn_named("ctrl-c", {
        let trigger = trigger.clone();
        let quitting = quitting.clone();
        async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                quitting.store(true, Ordering::Relaxed);
                if let Some(stop) = trigger.lock().await.take() {
                    let _ = stop.send(());
                }
            }
        }
    });
    tokio::spawn(operator(commands));
    for _ in 0..3 {
        tokio::spawn(client(addr, served.clone()));
    }
    {
        let generations = generations.clone();
        ready_when(move |_| {
            generations.load(Ordering::Relaxed) >= 3 && served.load(Ordering::Relaxed) >= 36
        });
    }

    while !quitting.load(Ordering::Relaxed) {
        let (stop_tx, stop_rx) = oneshot::channel_named("server-stop");
        *trigger.lock().await = Some(stop_tx);
        let srv = peeps::spawn_named("server", server(listener.clone(), stop_rx));
        generations.fetch_add(1, Ordering::Relaxed);
        let _ = srv.await;
    }
}
