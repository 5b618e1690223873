//! Healthy, idle between rare events: an `AppState` in an `Arc` carrying
//! an `audit` mpsc sender, the audit log written by `main` itself. The
//! handlers are `#[peeps::instrument]` fns started with plain
//! `tokio::spawn`, as a user who annotated their handlers writes them.
//!
//! `main` makes the `audit` channel, records a `Boot` entry on it, puts
//! the sender in `AppState` next to a `sessions` mutex, starts the
//! acceptor of a line server on 127.0.0.1 and then writes audit entries
//! for the life of the process. A handler audits only a failed login
//! (none, here); four in-process clients log in once and send a line
//! every 50 ms over their own connection (instrumented too, as clients
//! in another process would be no task of this one).
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

enum Audit {
    Boot,
    LoginFailed(String),
}

struct AppState {
    audit: mpsc::Sender<Audit>,
    sessions: Mutex<HashMap<String, u64>>,
    served: AtomicU64,
}

#[peeps::instrument]
async fn handle(socket: TcpStream, state: Arc<AppState>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let Ok(Some(login)) = lines.next_line().await else {
        return;
    };
    let Some(user) = login.strip_prefix("LOGIN ").map(str::to_owned) else {
        let _ = state.audit.send(Audit::LoginFailed(login)).await;
        return;
    };
    state.sessions.lock().await.insert(user.clone(), 0);
    while let Ok(Some(_line)) = lines.next_line().await {
        if let Some(n) = state.sessions.lock().await.get_mut(&user) {
            *n += 1;
        }
        state.served.fetch_add(1, Ordering::Relaxed);
        if write.write_all(b"ok\n").await.is_err() {
            break;
        }
    }
    state.sessions.lock().await.remove(&user);
}

#[peeps::instrument]
async fn accept_loop(listener: TcpListener, state: Arc<AppState>) {
    loop {
        let (socket, _) = listener.accept().await.expect("accept");
        tokio::spawn(handle(socket, state.clone()));
    }
}

// Instrumented so that the in-process clients are no tasks peeps cannot
// see into: as with clients in another process.
#[peeps::instrument]
async fn client(addr: SocketAddr, user: String) {
    let socket = TcpStream::connect(addr).await.expect("connect");
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    write
        .write_all(format!("LOGIN {user}\n").as_bytes())
        .await
        .expect("login");
    for n in 0u64.. {
        write
            .write_all(format!("cmd {n}\n").as_bytes())
            .await
            .expect("write");
        lines.next_line().await.expect("read").expect("an ack");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_appstate_audit_log_in_main");
    let (audit, mut entries) = mpsc::channel_named("audit", 128);
    audit.send(Audit::Boot).await.expect("the log is open");
    let state = Arc::new(AppState {
        audit,
        sessions: Mutex::new(HashMap::new()),
        served: AtomicU64::new(0),
    });
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("an address");
    let listener = TcpListener::bind(addr).await.expect("bind");
    let addr = listener.local_addr().expect("bound");
    tokio::spawn(accept_loop(listener, state.clone()));
    for i in 0..4 {
        tokio::spawn(client(addr, format!("user-{i}")));
    }
    let ready = state.clone();
    ready_when(move |g| {
        ready.served.load(Ordering::Relaxed) >= 40 && waited_on(g, NodeKind::Channel, "audit")
    });
    while let Some(entry) = entries.recv().await {
        let line = match entry {
            Audit::Boot => "boot".to_owned(),
            Audit::LoginFailed(login) => format!("login failed: {login}"),
        };
        std::hint::black_box(line);
    }
}
