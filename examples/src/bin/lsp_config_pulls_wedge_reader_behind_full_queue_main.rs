//! Deadlock from a bug report: bitwisecook/tcl-lsp#1334 ("LSP stdio
//! session can deadlock"), the second route its fix #1342 closes.
//! `tower_lsp_server::Server::serve` joins three futures on one task,
//! chained by bounded channels:
//!
//! ```text
//! read_input ──server_tasks(100)──▶ buffer_unordered(4) ──responses──▶ print_output ──▶ stdout
//! ```
//!
//! `read_input` is the only future that reads stdin, and it awaits
//! `server_tasks.send(..)`. The server's `did_change_watched_files`
//! awaits `client.configuration(..)`, a server-to-client request whose
//! reply arrives on stdin, which only `read_input` reads. An editor that
//! sends a burst of watched-file events (a `git checkout`) fills the four
//! handler slots with configuration pulls, then the 100-slot queue, and
//! `read_input` parks on the send: the replies sit unread behind the rest
//! of the burst. "with stuck handlers, the reader drained 105/400".
//!
//! Written as tcl-lsp runs: `#[tokio::main]` awaits `serve` (so all of it
//! is `main`'s thread), over a TCP socket on 127.0.0.1 in place of stdio;
//! the editor is another program (this binary run with `--editor`),
//! which answers every `workspace/configuration` at once, after the burst
//! it was writing.
//!
//! Expected: one `probable` deadlock of `thread main` with itself:
//! `read_input` waits to send on channel `server_tasks`, whose receiver
//! is `main`'s own (`process_server_tasks`, its four slots taken); the
//! four handlers wait on the oneshots `workspace/configuration`, whose
//! senders `main` filed in the shared `pending` map for `read_input` to
//! answer (a map peeps cannot prove nobody else reads: probable).

use examples::{park, ready_when, waited_on_for, waiters};
use futures::stream::{self, StreamExt};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// tower-lsp's bound on requests read ahead of the handlers.
const MESSAGE_QUEUE_SIZE: usize = 100;
/// tower-lsp's `buffer_unordered` bound.
const DEFAULT_MAX_CONCURRENCY: usize = 4;
/// The watched-file events of the editor's burst.
const BURST: usize = 150;

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
    async fn did_change_watched_files(&self, params: String) {
        // The dialect and include paths may have changed with the files.
        let settings = self.client.configuration("tcl").await;
        println!("rescanning {params} with {settings:?}");
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

/// The editor (another program): a burst of watched-file events in one
/// write, and every `workspace/configuration` answered as it is read.
fn editor(server: std::net::SocketAddr) {
    let stream = std::net::TcpStream::connect(server).expect("the server is up");
    let writer = Arc::new(StdMutex::new(stream.try_clone().expect("clone")));
    let replies = writer.clone();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            let mut parts = line.split(' ');
            if let (Some("REQUEST"), Some(id)) = (parts.next(), parts.next()) {
                let reply = format!("RESPONSE {id} {{\"dialect\":\"8.6\"}}\n");
                let _ = replies
                    .lock()
                    .expect("editor socket")
                    .write_all(reply.as_bytes());
            }
        }
    });
    let burst: String = (0..BURST)
        .map(|n| format!("NOTIFY workspace/didChangeWatchedFiles lib/pkg{n}.tcl\n"))
        .collect();
    let _ = writer
        .lock()
        .expect("editor socket")
        .write_all(burst.as_bytes());
    // Until the server goes away.
    let _ = reader.join();
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
    peeps::install_sigusr1("lsp_config_pulls_wedge_reader_behind_full_queue_main");
    let (backend, socket) = lsp_service();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let server = listener.local_addr().expect("address");
    let _editor = start_editor(server);
    let (stream, _) = listener.accept().await.expect("the editor connects");
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "server_tasks", "send")
            && waiters(g, NodeKind::Channel, "workspace/configuration") == DEFAULT_MAX_CONCURRENCY
    });
    serve(stream, backend, socket).await;
    park().await
}
