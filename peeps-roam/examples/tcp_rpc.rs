//! `peeps::rpc` on a home-made transport, no roam: two processes speak a
//! length-prefixed protocol over TCP on 127.0.0.1, and each call is a
//! `request` node in the client and a `handler` node in the server, tied by
//! the call id that travels in the request frame.
//!
//! ```text
//! cargo run -p peeps-roam --example tcp_rpc
//! ```
//!
//! The client starts the server as a child process (`tcp_rpc server`),
//! makes a few calls, and during a slow one shows what each side's
//! snapshot says about it. Frames are a `u32` big-endian length, then
//! `call id \n method \n argument` (requests) or the answer (responses).

use peeps::graph::{Node, NodeKind, attr};
use peeps::rpc;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn write_frame(stream: &mut TcpStream, text: &str) -> std::io::Result<()> {
    let len = u32::try_from(text.len()).map_err(std::io::Error::other)?;
    stream.write_all(&len.to_be_bytes()).await?;
    stream.write_all(text.as_bytes()).await
}

async fn read_frame(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut len = [0; 4];
    stream.read_exact(&mut len).await?;
    let mut buf = vec![0; u32::from_be_bytes(len) as usize];
    stream.read_exact(&mut buf).await?;
    String::from_utf8(buf).map_err(std::io::Error::other)
}

// ---- client ---------------------------------------------------------------

/// One call: a request node, its id sent in the frame, the answer awaited
/// through it (the calling task `waits_on` the request meanwhile).
async fn call(stream: &mut TcpStream, method: &'static str, arg: u64) -> std::io::Result<String> {
    let request = rpc::OutgoingCall::new(method, "math-server");
    write_frame(stream, &format!("{}\n{method}\n{arg}", request.id())).await?;
    request.wait(read_frame(stream)).await
}

fn describe(node: &Node) -> String {
    let id = node
        .attrs
        .get(attr::CALL_ID)
        .or(node.attrs.get(attr::CALLER_CALL_ID));
    format!(
        "{} {:?} ({})",
        node.kind,
        node.name,
        id.and_then(|v| v.as_str()).unwrap_or("?")
    )
}

async fn client() -> std::io::Result<()> {
    let exe = std::env::current_exe()?;
    let mut server = Command::new(exe)
        .arg("server")
        .stdout(Stdio::piped())
        .spawn()?;
    let mut lines = BufReader::new(server.stdout.take().expect("piped")).lines();
    let addr = lines
        .next()
        .transpose()?
        .and_then(|l| l.strip_prefix("LISTEN ").map(str::to_owned));
    let addr = addr.ok_or_else(|| std::io::Error::other("the server did not start"))?;
    std::thread::spawn(move || lines.for_each(|l| println!("  server: {}", l.unwrap_or_default())));

    let mut stream = TcpStream::connect(&addr).await?;
    println!(
        "client: Math.double(21) = {}",
        call(&mut stream, "Math.double", 21).await?
    );
    // While a slow call is in flight, see it from this side.
    let look = peeps::spawn_named("look", async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let snap = peeps::snapshot();
        for node in snap.nodes.iter().filter(|n| n.kind == NodeKind::Request) {
            println!(
                "  client: {}, waited on by the calling task",
                describe(node)
            );
        }
    });
    let slow = peeps::spawn_named(
        "caller",
        async move { call(&mut stream, "Math.slow", 7).await },
    );
    println!(
        "client: Math.slow(7) = {}",
        slow.await.map_err(std::io::Error::other)??
    );
    let _ = look.await;
    server.kill()?;
    server.wait()?;
    Ok(())
}

// ---- server ---------------------------------------------------------------

/// Serves one call. `Math.slow` shows the handler node this side records.
async fn serve(method: &str, arg: u64) -> String {
    match method {
        "Math.double" => (arg * 2).to_string(),
        "Math.slow" => {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let snap = peeps::snapshot();
            for node in snap.nodes.iter().filter(|n| n.kind == NodeKind::Handler) {
                println!("{}, held by the connection task", describe(node));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            (arg + 1).to_string()
        }
        _ => "unknown method".to_owned(),
    }
}

/// Serves a connection's calls one after the other, each inside
/// `rpc::handle` with the call id the request carried.
async fn connection(mut stream: TcpStream) -> std::io::Result<()> {
    loop {
        let frame = read_frame(&mut stream).await?;
        let mut parts = frame.splitn(3, '\n');
        let (id, method, arg) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        let arg = arg.parse().unwrap_or(0);
        let answer = rpc::handle(method.to_owned(), id, serve(method, arg)).await;
        write_frame(&mut stream, &answer).await?;
    }
}

async fn server() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("LISTEN {}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        peeps::spawn_named("connection", connection(stream));
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let is_server = std::env::args().nth(1).as_deref() == Some("server");
    peeps::init_named(if is_server {
        "math-server"
    } else {
        "math-client"
    });
    peeps::install_sigusr1(if is_server {
        "math-server"
    } else {
        "math-client"
    });
    if is_server {
        server().await
    } else {
        client().await
    }
}
