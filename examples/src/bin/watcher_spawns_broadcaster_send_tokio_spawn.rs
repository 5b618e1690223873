//! Healthy: the fix of gitbutlerapp/gitbutler#12992, the twin of
//! `watcher_blocking_lock_broadcaster_starves_workers_tokio_spawn`. The
//! file watchers of projects `app` and `docs` (`spawn_blocking` loops)
//! still hold their worktree's write lock (`worktree-app`,
//! `worktree-docs`, parking_lot style) while they compute, and the HTTP
//! handlers (plain tasks, one per connection) still read it
//! synchronously, parking their worker threads meanwhile; but the
//! watcher no longer takes `broadcaster` with `blocking_lock()`: like the
//! IRC `BroadcasterEmitter` and the db watcher, it spawns a plain task
//! that awaits `broadcaster.lock()` and sends, and lets the worktree go
//! at once. The IRC task queued on `broadcaster` gets a worker as soon as
//! the watcher's write is gone.
//!
//! The day keeps going: saves in `app` and `docs`, IRC messages, the
//! frontend refreshing its stacks on each (four requests at once), on a
//! two-worker runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock (blocking polls of the handlers parked on
//! `worktree-app` are true and allowed).

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
/// frontend from a task of its own (it runs on a blocking thread).
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
        let broadcaster = broadcaster.clone();
        tokio::task::spawn(async move {
            broadcaster.lock().await.send(frontend_event);
        });
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
    peeps::install_sigusr1("watcher_spawns_broadcaster_send_tokio_spawn");
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
        waiters(g, NodeKind::Rwlock, "worktree-app") >= 1
            && waiters(g, NodeKind::Mutex, "broadcaster") >= 1
    });
    // What happens all day, as the notify debouncer and the IRC network
    // deliver it.
    std::thread::spawn(move || {
        for n in 0u64.. {
            // `app`: a save; recomputing its branches takes a while.
            if app_events.send((700, 0)).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
            let _ = irc.write_all(format!("PRIVMSG #butler :rebased {n}\n").as_bytes());
            std::thread::sleep(Duration::from_millis(30));
            // `docs`: a checkout of a large tree, a long list to fan out.
            let _ = docs_events.send((30, 900));
            std::thread::sleep(Duration::from_millis(80));
            let _ = irc.write_all(format!("PRIVMSG #butler :pushed {n}\n").as_bytes());
            std::thread::sleep(Duration::from_millis(1200));
        }
    });
    park().await
}
