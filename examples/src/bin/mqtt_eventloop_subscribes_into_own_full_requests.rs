//! Deadlock from a bug report: bytebeamio/rumqtt#263 ("Subscribe
//! potentially locks event loop"). rumqttc's `AsyncClient` hands every
//! publish and subscribe to the `EventLoop` through the bounded
//! `requests` channel (`request_channel_capacity`, 3 in the report), and
//! only `EventLoop::poll` receives from it, and only once connected. The
//! application polls the event loop in `main` and subscribes on each
//! `ConnAck` with `client.subscribe(..).await`; a publisher task keeps
//! publishing. When the broker goes away, the publishes fill `requests`
//! while the event loop reconnects; at the `ConnAck` of the
//! reconnection, `main` waits for room in a
//! channel that only its own next `poll` would drain, and the publisher
//! waits behind it. The maintainers' answer (rumqttc's FAQ, "Program is
//! stuck forever on publish / subscribe"): send requests from a separate
//! task, or use `try_subscribe`.
//!
//! Written as the report is: `#[tokio::main]`, the publisher spawned with
//! plain `tokio::spawn`, the event loop polled and the subscribe awaited
//! in `main`; the broker goes away 100 ms after the first connection and
//! refuses the first reconnection attempts.
//!
//! Expected: one `certain` deadlock of `thread main` with itself on
//! channel `requests` (it waits to send, and it holds the receiver); the
//! plain publisher task behind it, waiting to send on `requests` too.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Debug)]
enum Request {
    Publish { topic: String, payload: Vec<u8> },
    Subscribe { topic: String },
}

impl Request {
    fn describe(&self) -> String {
        match self {
            Request::Publish { topic, payload } => {
                format!("publish on {topic} ({} bytes)", payload.len())
            }
            Request::Subscribe { topic } => format!("subscribe to {topic}"),
        }
    }
}

#[derive(Debug)]
enum Packet {
    ConnAck,
    PingResp,
}

#[derive(Debug)]
enum Event {
    Incoming(Packet),
    Outgoing(Request),
}

#[derive(Debug)]
enum ConnectionError {
    ConnectionRefused,
    ConnectionAborted,
}

#[derive(Debug)]
struct ClientError;

#[derive(Clone)]
struct AsyncClient {
    request_tx: mpsc::Sender<Request>,
}

struct EventLoop {
    requests_rx: mpsc::Receiver<Request>,
    connected: Option<Instant>,
    attempts: u32,
    keep_alive: Duration,
}

impl AsyncClient {
    fn new(cap: usize) -> (AsyncClient, EventLoop) {
        let (request_tx, requests_rx) = mpsc::channel_named("requests", cap);
        let eventloop = EventLoop {
            requests_rx,
            connected: None,
            attempts: 4,
            keep_alive: Duration::from_millis(150),
        };
        (AsyncClient { request_tx }, eventloop)
    }

    async fn publish(&self, topic: &str, payload: &str) -> Result<(), ClientError> {
        let request = Request::Publish {
            topic: topic.into(),
            payload: payload.as_bytes().to_vec(),
        };
        self.request_tx.send(request).await.map_err(|_| ClientError)
    }

    async fn subscribe(&self, topic: &str) -> Result<(), ClientError> {
        let request = Request::Subscribe {
            topic: topic.into(),
        };
        self.request_tx.send(request).await.map_err(|_| ClientError)
    }
}

impl EventLoop {
    /// Connects first, then hands out the client's requests and the
    /// broker's packets. The broker goes away 100 ms into the first
    /// connection and refuses the first reconnection attempts.
    async fn poll(&mut self) -> Result<Event, ConnectionError> {
        if self
            .connected
            .is_some_and(|at| at.elapsed() > Duration::from_millis(100))
        {
            self.connected = None;
            self.attempts = 0;
            return Err(ConnectionError::ConnectionAborted);
        }
        if self.connected.is_none() {
            tokio::time::sleep(Duration::from_millis(20)).await;
            self.attempts += 1;
            if self.attempts < 5 {
                return Err(ConnectionError::ConnectionRefused);
            }
            self.connected = Some(Instant::now());
            return Ok(Event::Incoming(Packet::ConnAck));
        }
        tokio::select! {
            Some(request) = self.requests_rx.recv() => Ok(Event::Outgoing(request)),
            _ = tokio::time::sleep(self.keep_alive) => Ok(Event::Incoming(Packet::PingResp)),
        }
    }
}

async fn publisher(mqcli: AsyncClient) {
    loop {
        if let Err(e) = mqcli.publish("some/random/topic", "payload").await {
            println!("Could not publish message: {e:?}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("mqtt_eventloop_subscribes_into_own_full_requests");
    let (mqcli, mut mqev) = AsyncClient::new(3);
    ready_when(|g| waiters(g, NodeKind::Channel, "requests") == 2);
    tokio::spawn(publisher(mqcli.clone()));
    loop {
        match mqev.poll().await {
            Ok(Event::Incoming(Packet::ConnAck)) => {
                println!("connected, subscribing");
                mqcli
                    .subscribe("some/random/topic")
                    .await
                    .expect("subscribe");
            }
            Ok(Event::Incoming(packet)) => println!("incoming {packet:?}"),
            Ok(Event::Outgoing(request)) => println!("outgoing {}", request.describe()),
            Err(e) => {
                println!("connection error: {e:?}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}
