//! Deadlock from a bug report: gitbutlerapp/gitbutler#12992 ("Fix
//! deadlock between file watcher, broadcaster mutex, and Tokio worker
//! pool"). but-server keeps the WebSocket `broadcaster` behind a
//! `tokio::sync::Mutex`, and each project's worktree behind a
//! `parking_lot::RwLock` (`worktree-app`, `worktree-docs` here). Three
//! parties close a cycle through the runtime's worker threads:
//!
//! 1. the file watcher of project `app` runs on a `spawn_blocking`
//!    thread: it takes the exclusive worktree access (a write) while it
//!    computes the worktree changes, then emits them with
//!    `broadcaster.blocking_lock().send(..)`, still holding the write;
//! 2. the IRC `BroadcasterEmitter::emit` spawns a plain task per event
//!    that awaits `broadcaster.lock()`: queued ahead of the watcher, it
//!    is handed the lock when the previous holder (the watcher of
//!    project `docs`, slow to fan a huge change list out) lets it go, and
//!    then needs a worker thread to run;
//! 3. every worker thread runs an HTTP handler (`stacks`, requested by
//!    the frontend after an IRC event) that calls
//!    `shared_worktree_access()` synchronously: its poll is parked in a
//!    blocking read of `worktree-app`, behind the watcher's write.
//!
//! The watcher waits for `broadcaster`, handed to the IRC task; the IRC
//! task waits for a worker; both workers wait for `worktree-app`, held
//! by the watcher. The server stops answering.
//!
//! Written as but-server is: `#[tokio::main]` (two workers, a two-core
//! laptop), a TCP accept loop spawning a plain task per connection, the
//! IRC connection a plain task, the watchers `spawn_blocking` loops fed
//! by a notify-style thread, the frontend a separate program (a
//! `std::thread` speaking TCP on 127.0.0.1).
//!
//! Expected: one `certain` deadlock on mutex `broadcaster` and rwlock
//! `worktree-app`: the `app` watcher's blocking thread waits to lock
//! `broadcaster`, handed to the plain IRC emit task; that task is
//! runnable but every runtime worker thread is parked in a blocking poll
//! of an HTTP handler task reading `worktree-app`, which the watcher's
//! thread holds for write. Two blocking polls (the handlers).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use peeps::sync::blocking::RwLock;
use peeps::sync::mpsc;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// An event for the frontend's windows.
#[derive(Clone, Debug)]
struct FrontendEvent {
    name: String,
    payload: String,
}

/// The WebSocket sessions of the open windows.
#[derive(Default)]
struct Broadcaster {
    senders: HashMap<u64, mpsc::UnboundedSender<FrontendEvent>>,
}

impl Broadcaster {
    fn register_sender(&mut self, id: u64, sender: mpsc::UnboundedSender<FrontendEvent>) {
        self.senders.insert(id, sender);
    }

    fn send(&mut self, event: FrontendEvent) {
        for sender in self.senders.values() {
            // Each window gets its own copy: a worktree change list of a
            // large checkout takes a while to copy (the `docs` watcher's
            // event below: `payload` says how long).
            if let Some(ms) = event.payload.strip_prefix("paths:") {
                std::thread::sleep(Duration::from_millis(ms.parse().unwrap_or(0)));
            }
            let _ = sender.send(event.clone());
        }
    }
}

/// What the server shares between its tasks.
struct Extra {
    broadcaster: Arc<Mutex<Broadcaster>>,
    projects: HashMap<&'static str, Arc<Project>>,
}

struct Worktree {
    files: Vec<String>,
}

struct Project {
    id: &'static str,
    worktree: RwLock<Worktree>,
}

impl Project {
    fn exclusive_worktree_access(&self) -> peeps::sync::blocking::RwLockWriteGuard<'_, Worktree> {
        self.worktree.write()
    }

    fn shared_worktree_access(&self) -> peeps::sync::blocking::RwLockReadGuard<'_, Worktree> {
        self.worktree.read()
    }
}

/// `gitbutler_watcher::Change`, reduced.
enum Change {
    WorktreeChanges {
        project_id: &'static str,
        changes: String,
    },
}

/// `gitbutler_watcher::watch_in_background`: the debounced events of a
/// project, handled on a blocking thread.
fn watch_in_background(
    handler: impl Fn(Change) + Send + 'static,
    project: Arc<Project>,
    events: std_mpsc::Receiver<(u64, u64)>,
) {
    tokio::task::spawn_blocking(move || {
        while let Ok((compute_ms, fan_out_ms)) = events.recv() {
            let mut worktree = project.exclusive_worktree_access();
            // Recompute the worktree changes and the virtual branches.
            std::thread::sleep(Duration::from_millis(compute_ms));
            let n = worktree.files.len();
            worktree.files.push(format!("change-{n}"));
            handler(Change::WorktreeChanges {
                project_id: project.id,
                changes: format!("paths:{fan_out_ms}"),
            });
            drop(worktree);
        }
    });
}

/// `set_project_active`: the file watcher emits each change to the
/// frontend, with `blocking_lock()` (it runs on a blocking thread).
fn set_active(extra: &Extra, project: Arc<Project>, events: std_mpsc::Receiver<(u64, u64)>) {
    let broadcaster = extra.broadcaster.clone();
    let handler = move |change: Change| {
        let frontend_event = match change {
            Change::WorktreeChanges {
                project_id,
                changes,
            } => FrontendEvent {
                name: format!("project://{project_id}/worktree_changes"),
                payload: changes,
            },
        };
        broadcaster.blocking_lock().send(frontend_event);
    };
    watch_in_background(handler, project, events);
}

/// `BroadcasterEmitter` of but-server's IRC lifecycle.
#[derive(Clone)]
struct BroadcasterEmitter {
    broadcaster: Arc<Mutex<Broadcaster>>,
}

impl BroadcasterEmitter {
    fn emit(&self, name: &str, payload: String) {
        let event = FrontendEvent {
            name: name.to_string(),
            payload,
        };
        // Fire-and-forget: events may arrive out of order under high concurrency.
        let broadcaster = self.broadcaster.clone();
        tokio::spawn(async move {
            broadcaster.lock().await.send(event);
        });
    }
}

/// The IRC connection: every message is emitted to the frontend.
async fn irc_connection(addr: std::net::SocketAddr, emitter: BroadcasterEmitter) {
    let stream = TcpStream::connect(addr)
        .await
        .expect("the IRC server is up");
    let mut lines = tokio::io::BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        emitter.emit("irc://message", line);
    }
}

/// One HTTP or WebSocket connection of the frontend.
async fn serve_connection(extra: Arc<Extra>, stream: TcpStream, id: u64) {
    let (read, mut write) = stream.into_split();
    let mut lines = tokio::io::BufReader::new(read).lines();
    let Ok(Some(request)) = lines.next_line().await else {
        return;
    };
    if request == "WS" {
        let (sender, mut events) = mpsc::unbounded_channel::<FrontendEvent>();
        extra.broadcaster.lock().await.register_sender(id, sender);
        while let Some(event) = events.recv().await {
            let line = format!("{} {}\n", event.name, event.payload);
            if write.write_all(line.as_bytes()).await.is_err() {
                return;
            }
        }
        return;
    }
    // `but_post`: the command runs synchronously in the handler.
    let project_id = request.trim_start_matches("POST stacks ");
    let reply = match extra.projects.get(project_id) {
        Some(project) => {
            let worktree = project.shared_worktree_access();
            format!(
                "{} stacks over {} files\n",
                project.id,
                worktree.files.len()
            )
        }
        None => "404\n".to_string(),
    };
    let _ = write.write_all(reply.as_bytes()).await;
}

/// The frontend (another program): on every IRC message it refreshes the
/// stacks of the open project, four requests at once.
fn frontend(server: std::net::SocketAddr) {
    let mut ws = std::net::TcpStream::connect(server).expect("the server is up");
    ws.write_all(b"WS\n").expect("ws handshake");
    for line in BufReader::new(ws).lines() {
        let Ok(line) = line else { return };
        if !line.starts_with("irc://message") {
            continue;
        }
        std::thread::spawn(move || {
            // Rendering the message first.
            std::thread::sleep(Duration::from_millis(200));
            for _ in 0..4 {
                std::thread::spawn(move || {
                    let Ok(mut http) = std::net::TcpStream::connect(server) else {
                        return;
                    };
                    let _ = http.write_all(b"POST stacks app\n");
                    let mut reply = String::new();
                    let _ = BufReader::new(http).read_line(&mut reply);
                });
            }
        });
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("watcher_blocking_lock_broadcaster_starves_workers_tokio_spawn");
    let broadcaster = Arc::new(Mutex::new(Broadcaster::default()).named("broadcaster"));
    let project = |id: &'static str, lock: &'static str| {
        Arc::new(Project {
            id,
            worktree: RwLock::new(Worktree { files: Vec::new() }).named(lock),
        })
    };
    let app = project("app", "worktree-app");
    let docs = project("docs", "worktree-docs");
    let extra = Arc::new(Extra {
        broadcaster: broadcaster.clone(),
        projects: HashMap::from([("app", app.clone()), ("docs", docs.clone())]),
    });
    let (app_events, app_rx) = std_mpsc::channel();
    let (docs_events, docs_rx) = std_mpsc::channel();
    set_active(&extra, app, app_rx);
    set_active(&extra, docs, docs_rx);

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let server = listener.local_addr().expect("server address");
    let accept_extra = extra.clone();
    tokio::spawn(async move {
        let mut next_id = 0;
        while let Ok((stream, _)) = listener.accept().await {
            next_id += 1;
            tokio::spawn(serve_connection(accept_extra.clone(), stream, next_id));
        }
    });
    let irc_server = std::net::TcpListener::bind("127.0.0.1:0").expect("bind irc");
    let irc_addr = irc_server.local_addr().expect("irc address");
    tokio::spawn(irc_connection(
        irc_addr,
        BroadcasterEmitter {
            broadcaster: broadcaster.clone(),
        },
    ));
    let (mut irc, _) = irc_server.accept().expect("the IRC connection");
    std::thread::spawn(move || frontend(server));
    // Let the frontend's window register.
    while broadcaster.try_lock().map(|b| b.senders.len()).unwrap_or(0) == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    ready_when(|g| {
        waiters(g, NodeKind::Rwlock, "worktree-app") >= 2
            && waiters(g, NodeKind::Mutex, "broadcaster") >= 1
            && examples::holders(g, NodeKind::Rwlock, "worktree-docs").is_empty()
    });
    // What happens, as the notify debouncer and the IRC network deliver it.
    std::thread::spawn(move || {
        // `app`: a save; recomputing its branches takes a while.
        app_events.send((700, 0)).expect("app watcher");
        std::thread::sleep(Duration::from_millis(20));
        let _ = irc.write_all(b"PRIVMSG #butler :rebased\n");
        std::thread::sleep(Duration::from_millis(30));
        // `docs`: a checkout of a large tree, a long list to fan out.
        docs_events.send((30, 900)).expect("docs watcher");
        std::thread::sleep(Duration::from_millis(80));
        let _ = irc.write_all(b"PRIVMSG #butler :pushed\n");
        std::thread::park();
    });
    park().await
}
