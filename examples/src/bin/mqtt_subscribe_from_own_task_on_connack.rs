//! The fix of bytebeamio/rumqtt#263, as rumqttc's FAQ gives it ("send
//! requests in separate task"): on each `ConnAck` the application
//! subscribes from a task of its own, so `main` goes straight back to
//! polling the event loop, which drains `requests`. The twin of
//! `mqtt_eventloop_subscribes_into_own_full_requests`, with a broker
//! that drops the connection every 400 ms and refuses the first
//! reconnection attempts: each outage fills `requests` for a moment, and
//! each `ConnAck` brings a fresh subscribe.
//!
//! Expected: no deadlock, nothing stuck, no potential deadlock.

use examples::ready;
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
            attempts: 0,
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
    /// Connects first (the broker is down for the first attempts), then
    /// hands out the client's requests and the broker's packets; the
    /// broker drops the connection every 400 ms.
    async fn poll(&mut self) -> Result<Event, ConnectionError> {
        if self
            .connected
            .is_some_and(|at| at.elapsed() > Duration::from_millis(400))
        {
            self.connected = None;
            self.attempts = 0;
            return Err(ConnectionError::ConnectionAborted);
        }
        if self.connected.is_none() {
            tokio::time::sleep(Duration::from_millis(20)).await;
            self.attempts += 1;
            if self.attempts < 3 {
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
    peeps::install_sigusr1("mqtt_subscribe_from_own_task_on_connack");
    let (mqcli, mut mqev) = AsyncClient::new(3);
    tokio::spawn(publisher(mqcli.clone()));
    let mut connacks = 0u64;
    loop {
        match mqev.poll().await {
            Ok(Event::Incoming(Packet::ConnAck)) => {
                connacks += 1;
                let client = mqcli.clone();
                tokio::spawn(async move {
                    client
                        .subscribe("some/random/topic")
                        .await
                        .expect("subscribe");
                });
                if connacks == 2 {
                    ready();
                }
            }
            Ok(Event::Outgoing(request)) if connacks % 50 == 1 => {
                println!("outgoing {}", request.describe());
            }
            Ok(_) => {}
            Err(e) => {
                if connacks % 50 == 1 {
                    println!("connection error: {e:?}");
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}
