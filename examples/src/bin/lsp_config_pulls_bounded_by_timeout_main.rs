//! Healthy: the fix of bitwisecook/tcl-lsp#1334 (#1342), the twin of
//! `lsp_config_pulls_wedge_reader_behind_full_queue_main`. The server is
//! the same `Server::serve` (reader, `buffer_unordered(4)` handlers and
//! writer joined on `main`'s thread, a 100-slot `server_tasks` queue),
//! and `did_change_watched_files` still pulls `workspace/configuration`
//! from the editor; but the pull is bounded: `request_configuration`
//! wraps it in `tokio::time::timeout(CLIENT_REQUEST_TIMEOUT)` (10 s), so
//! a handler can no longer hold its slot forever.
//!
//! The editor (another program: this binary run with `--editor`) saves
//! often: every 400 ms a batch of twelve watched-file
//! events in one write, and it answers each configuration request after
//! 20 ms (it is busy rendering). Handlers wait on their replies, the
//! queue holds the rest of the batch meanwhile.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waiters};
use futures::stream::{self, StreamExt};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// tower-lsp's bound on requests read ahead of the handlers.
const MESSAGE_QUEUE_SIZE: usize = 100;
/// tower-lsp's `buffer_unordered` bound.
const DEFAULT_MAX_CONCURRENCY: usize = 4;
/// The watched-file events of one save of the editor.
const BATCH: usize = 12;
/// How long a server-to-client request may take (#1342).
const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A message read from stdin.
enum Message {
    Notification { method: String, params: String },
    Response { id: u64, result: String },
}

impl Message {
    fn parse(line: &str) -> Option<Message> {
        let mut parts = line.splitn(3, ' ');
        match (parts.next()?, parts.next()?, parts.next()) {
            ("NOTIFY", method, params) => Some(Message::Notification {
                method: method.to_string(),
                params: params.unwrap_or_default().to_string(),
            }),
            ("RESPONSE", id, result) => Some(Message::Response {
                id: id.parse().ok()?,
                result: result.unwrap_or_default().to_string(),
            }),
            _ => None,
        }
    }
}

type Pending = Arc<StdMutex<HashMap<u64, oneshot::Sender<String>>>>;

/// tower-lsp's `Client`: server-to-client requests go out through
/// `print_output`, their replies come back through `read_input`.
struct Client {
    requests: mpsc::Sender<String>,
    pending: Pending,
    next_id: AtomicU64,
}

impl Client {
    async fn configuration(&self, section: &str) -> Option<String> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (reply, response) = oneshot::channel_named("workspace/configuration");
        self.pending.lock().expect("pending map").insert(id, reply);
        self.requests
            .send(format!("REQUEST {id} workspace/configuration {section}"))
            .await
            .ok()?;
        response.await.ok()
    }
}

/// The language server.
struct Backend {
    client: Client,
}

impl Backend {
    /// A server-to-client request must not strand the reader (#1334).
    async fn request_configuration(&self, section: &str) -> Option<String> {
        tokio::time::timeout(CLIENT_REQUEST_TIMEOUT, self.client.configuration(section))
            .await
            .ok()
            .flatten()
    }

    async fn did_change_watched_files(&self, params: String) {
        // The dialect and include paths may have changed with the files.
        let settings = self.request_configuration("tcl").await;
        std::hint::black_box((params, settings));
    }

    async fn handle(&self, message: Message) -> Option<String> {
        match message {
            Message::Notification { method, params }
                if method == "workspace/didChangeWatchedFiles" =>
            {
                self.did_change_watched_files(params).await;
                None
            }
            Message::Notification { .. } | Message::Response { .. } => None,
        }
    }
}

/// `ClientSocket`: the other end of the `Client`, for the server loop.
struct ClientSocket {
    requests: mpsc::Receiver<String>,
    pending: Pending,
}

/// `LspService::new`: the backend and the socket of its client.
fn lsp_service() -> (Arc<Backend>, ClientSocket) {
    let (requests, socket_requests) = mpsc::channel_named::<String>("client_requests", 1);
    let pending: Pending = Arc::default();
    let backend = Arc::new(Backend {
        client: Client {
            requests,
            pending: pending.clone(),
            next_id: AtomicU64::new(1),
        },
    });
    let socket = ClientSocket {
        requests: socket_requests,
        pending,
    };
    (backend, socket)
}

/// `Server::serve`: the reader, the handlers and the writer, joined.
async fn serve(stream: tokio::net::TcpStream, backend: Arc<Backend>, socket: ClientSocket) {
    let (stdin, mut stdout) = stream.into_split();
    let ClientSocket {
        requests: mut client_requests,
        pending,
    } = socket;
    let (server_tasks_tx, server_tasks_rx) =
        mpsc::channel_named::<Message>("server_tasks", MESSAGE_QUEUE_SIZE);
    let (responses_tx, mut responses_rx) = mpsc::channel_named::<String>("responses", 1);

    let read_input = async move {
        let mut lines = tokio::io::BufReader::new(stdin).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            match Message::parse(&line) {
                Some(Message::Response { id, result }) => {
                    let reply = pending.lock().expect("pending map").remove(&id);
                    if let Some(reply) = reply {
                        let _ = reply.send(result);
                    }
                }
                Some(message) => server_tasks_tx.send(message).await.ok()?,
                None => {}
            }
        }
        Some(())
    };
    let process_server_tasks = async move {
        let handled = stream::unfold(server_tasks_rx, |mut rx| async move {
            rx.recv().await.map(|message| (message, rx))
        })
        .map(|message| {
            let backend = backend.clone();
            async move { backend.handle(message).await }
        })
        .buffer_unordered(DEFAULT_MAX_CONCURRENCY);
        let mut handled = std::pin::pin!(handled);
        while let Some(response) = handled.next().await {
            if let Some(response) = response
                && responses_tx.send(response).await.is_err()
            {
                return;
            }
        }
    };
    let print_output = async move {
        loop {
            let line = tokio::select! {
                Some(response) = responses_rx.recv() => response,
                Some(request) = client_requests.recv() => request,
                else => return,
            };
            if stdout
                .write_all(format!("{line}\n").as_bytes())
                .await
                .is_err()
            {
                return;
            }
        }
    };
    tokio::join!(print_output, read_input, process_server_tasks);
}

/// The editor (another program): a batch of watched-file events per save,
/// each `workspace/configuration` answered a little later.
fn editor(server: std::net::SocketAddr) {
    let stream = std::net::TcpStream::connect(server).expect("the server is up");
    let writer = Arc::new(StdMutex::new(stream.try_clone().expect("clone")));
    let replies = writer.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            let mut parts = line.split(' ');
            if let (Some("REQUEST"), Some(id)) = (parts.next(), parts.next()) {
                std::thread::sleep(Duration::from_millis(20));
                let reply = format!("RESPONSE {id} {{\"dialect\":\"8.6\"}}\n");
                let _ = replies
                    .lock()
                    .expect("editor socket")
                    .write_all(reply.as_bytes());
            }
        }
    });
    for save in 0u64.. {
        let batch: String = (0..BATCH)
            .map(|n| format!("NOTIFY workspace/didChangeWatchedFiles lib/pkg{n}.tcl#{save}\n"))
            .collect();
        if writer
            .lock()
            .expect("editor socket")
            .write_all(batch.as_bytes())
            .is_err()
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(400));
    }
}

/// The editor runs this same binary with `--editor`.
fn start_editor(server: std::net::SocketAddr) -> tokio::process::Child {
    tokio::process::Command::new(std::env::current_exe().expect("own path"))
        .args(["--editor", &server.to_string()])
        .kill_on_drop(true)
        .spawn()
        .expect("start the editor")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, server] = args.as_slice()
        && flag == "--editor"
    {
        editor(server.parse().expect("the server's address"));
        return;
    }
    server();
}

#[tokio::main]
async fn server() {
    peeps::install_sigusr1("lsp_config_pulls_bounded_by_timeout_main");
    let (backend, socket) = lsp_service();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let server = listener.local_addr().expect("address");
    let _editor = start_editor(server);
    let (stream, _) = listener.accept().await.expect("the editor connects");
    ready_when(|g| {
        waiters(g, NodeKind::Channel, "workspace/configuration") == DEFAULT_MAX_CONCURRENCY
    });
    serve(stream, backend, socket).await;
    park().await
}
