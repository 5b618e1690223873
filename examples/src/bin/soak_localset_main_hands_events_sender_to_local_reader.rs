//! Healthy, under steady load: a single-threaded client on a `LocalSet`
//! (its state is `!Send`, `Rc<RefCell<..>>`), whose socket reader is a
//! `spawn_local` task feeding `main` through a channel.
//!
//! A quote server (`peeps::spawn_named("quote-server")`, on the same
//! current-thread runtime) writes a `QUOTE` line every 600 ms to its
//! connection. `main`, inside `LocalSet::run_until`, connects, makes
//! `events` (a peeps mpsc of capacity 16), sends `Connected` on it, then
//! moves the sender into a `spawn_local` reader task (plain, no peeps
//! annotation) that reads the socket's lines and sends each as a `Quote`
//! event. `main` then receives events for the life of the process and
//! keeps the latest price per symbol in an `Rc<RefCell<HashMap>>`.
//!
//! `main` waits on `events` most of the time; their sender is with the
//! reader, which waits on its socket (peeps cannot see it). Expected, in
//! every dump: no deadlock, nothing stuck forever, no potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

enum Event {
    Connected,
    Quote { symbol: String, price: u64 },
}

async fn quote_server(listener: TcpListener) {
    let (mut socket, _) = listener.accept().await.expect("accept");
    for n in 0u64.. {
        let line = format!("QUOTE S{} {}\n", n % 5, 100 + n % 37);
        if socket.write_all(line.as_bytes()).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_localset_main_hands_events_sender_to_local_reader");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("an address");
    peeps::spawn_named("quote-server", quote_server(listener));
    let quotes = Arc::new(AtomicU64::new(0));
    let seen = quotes.clone();
    ready_when(move |g| {
        seen.load(Ordering::Relaxed) >= 3 && waited_on_for(g, NodeKind::Channel, "events", "recv")
    });
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async move {
            let socket = TcpStream::connect(addr).await.expect("connect");
            let (events, mut events_rx) = mpsc::channel_named("events", 16);
            events.send(Event::Connected).await.expect("open");
            tokio::task::spawn_local(async move {
                let mut lines = BufReader::new(socket).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    let mut words = line.split(' ').skip(1);
                    let (Some(symbol), Some(price)) = (words.next(), words.next()) else {
                        continue;
                    };
                    let quote = Event::Quote {
                        symbol: symbol.to_string(),
                        price: price.parse().unwrap_or(0),
                    };
                    if events.send(quote).await.is_err() {
                        return;
                    }
                }
            });
            let latest: Rc<RefCell<HashMap<String, u64>>> = Rc::default();
            while let Some(event) = events_rx.recv().await {
                match event {
                    Event::Connected => {}
                    Event::Quote { symbol, price } => {
                        latest.borrow_mut().insert(symbol, price);
                        quotes.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        })
        .await;
}
