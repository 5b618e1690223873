//! Deadlock from a bug report: BeechatNetworkSystemsLtd/Reticulum-rs#12
//! ("Deadlock when holding link and sending packet"). An application looks
//! a link up with `transport.find_in_link`, locks it, builds a data packet
//! from it and, the link still locked, calls `transport.send_packet`,
//! which locks the transport's `handler`. The transport's link check,
//! every `INTERVAL_LINKS_CHECK`, runs `handle_check_links` with `handler`
//! locked, and locks every input link in turn to see whether it went
//! stale. The two take `handler` and a link in opposite orders.
//!
//! Written as Reticulum-rs runs it: the transport's loops in plain
//! `tokio::spawn` tasks over an `Arc<Mutex<TransportHandler>>` holding its
//! `in_links` (`Arc<Mutex<Link>>`s); the application on `main`'s thread,
//! reading the next chunk of the file it sends while it holds the link.
//!
//! Expected: one `certain` deadlock of `thread main` (holding the link,
//! waiting for `transport-handler`) and the plain link-check task (holding
//! `transport-handler`, waiting for the link).

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const INTERVAL_LINKS_CHECK: Duration = Duration::from_millis(100);
const INTERVAL_INPUT_LINK_STALE: Duration = Duration::from_secs(10);

type AddressHash = [u8; 4];

#[derive(Clone, Copy, Debug, PartialEq)]
enum LinkStatus {
    Active,
    Stale,
}

struct Link {
    id: AddressHash,
    status: LinkStatus,
    last_seen: Instant,
}

#[derive(Debug)]
struct Packet {
    destination: AddressHash,
    data: Vec<u8>,
}

impl Link {
    fn data_packet(&self, data: &[u8]) -> Packet {
        Packet {
            destination: self.id,
            data: data.to_vec(),
        }
    }

    fn elapsed(&self) -> Duration {
        self.last_seen.elapsed()
    }

    fn stale(&mut self) {
        self.status = LinkStatus::Stale;
    }
}

struct TransportHandler {
    in_links: HashMap<AddressHash, Arc<Mutex<Link>>>,
    sent: usize,
}

impl TransportHandler {
    async fn send_packet(&mut self, packet: Packet) {
        // Out through the interface manager.
        debug_assert_ne!(packet.destination, [0; 4]);
        tokio::time::sleep(Duration::from_millis(2)).await;
        self.sent += packet.data.len();
    }
}

struct Transport {
    handler: Arc<Mutex<TransportHandler>>,
}

async fn handle_check_links(handler: peeps::sync::MutexGuard<'_, TransportHandler>) {
    for link in handler.in_links.values() {
        let mut link = link.lock().await;
        if link.status == LinkStatus::Active && link.elapsed() > INTERVAL_INPUT_LINK_STALE {
            link.stale();
        }
    }
}

impl Transport {
    fn new() -> Self {
        let handler = Arc::new(
            Mutex::new(TransportHandler {
                in_links: HashMap::new(),
                sent: 0,
            })
            .named("transport-handler"),
        );
        {
            let handler = handler.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(INTERVAL_LINKS_CHECK).await;
                    handle_check_links(handler.lock().await).await;
                }
            });
        }
        Self { handler }
    }

    /// A link request proven: the transport keeps the input link.
    async fn accept_link(&self, id: AddressHash) {
        let link = Link {
            id,
            status: LinkStatus::Active,
            last_seen: Instant::now(),
        };
        self.handler
            .lock()
            .await
            .in_links
            .insert(id, Arc::new(Mutex::new(link).named("in-link")));
    }

    async fn find_in_link(&self, link_id: &AddressHash) -> Option<Arc<Mutex<Link>>> {
        self.handler.lock().await.in_links.get(link_id).cloned()
    }

    async fn send_packet(&self, packet: Packet) {
        self.handler.lock().await.send_packet(packet).await;
    }
}

/// Reads the next chunk of the file being sent.
async fn read_chunk(offset: usize) -> Vec<u8> {
    tokio::time::sleep(Duration::from_millis(250)).await;
    vec![(offset % 251) as u8; 64]
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("link_locked_across_send_packet_tokio_spawn");
    ready_when(|g| {
        waited_on(g, NodeKind::Mutex, "transport-handler")
            && waited_on(g, NodeKind::Mutex, "in-link")
    });
    let transport = Transport::new();
    let link_id = [0x1f, 0x2e, 0x3d, 0x4c];
    transport.accept_link(link_id).await;
    let mut offset = 0;
    while offset < 4096 {
        if let Some(link) = transport.find_in_link(&link_id).await {
            let link = link.lock().await;
            let chunk = read_chunk(offset).await;
            let packet = link.data_packet(&chunk);
            transport.send_packet(packet).await;
            offset += chunk.len();
        }
    }
    println!("sent {offset} bytes");
}
