//! peeps-roam in one process, over real loopback TCP: the wrappers make the
//! nodes the merge and the analysis expect, and a cycle through roam calls
//! is found. (The cross-process tests live with `peeps demo`, in
//! peeps-dump/tests/rpc.rs.)

use peeps::graph::{EdgeKind, Node, NodeKind, Options, Snapshot, attr};
use peeps_roam::{Connection, tcp::TcpLink};
use std::sync::Arc;
use std::time::Duration;

// The generated descriptor fn has no docs of its own.
#[allow(missing_docs)]
mod service {
    #[roam::service]
    pub trait Probe {
        /// Returns the caller's call id the handler saw, after `gate` opens.
        async fn echo_id(&self) -> String;
        /// Takes the lock, then calls `locked` on the same service over roam.
        async fn reenter(&self) -> u32;
        /// Needs the lock.
        async fn locked(&self) -> u32;
    }
}
use service::*;

#[derive(Clone)]
struct MyProbe {
    gate: Arc<tokio::sync::Semaphore>,
    lock: Arc<peeps::sync::Mutex<u32>>,
    back: Arc<tokio::sync::OnceCell<ProbeClient>>,
}

impl Probe for MyProbe {
    async fn echo_id(&self) -> String {
        let _permit = self.gate.acquire().await;
        let snap = peeps::snapshot();
        // The handler node of this very call, found by its method.
        snap.nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Handler && n.attrs[attr::METHOD] == "Probe.echo_id")
            .filter_map(|n| {
                n.attrs
                    .get(attr::CALLER_CALL_ID)?
                    .as_str()
                    .map(str::to_owned)
            })
            .next()
            .unwrap_or_default()
    }

    async fn reenter(&self) -> u32 {
        let guard = self.lock.lock().await;
        let back = self.back.get().expect("client set before the call");
        let n = back.locked().await.unwrap_or(0);
        drop(guard);
        n
    }

    async fn locked(&self) -> u32 {
        *self.lock.lock().await
    }
}

/// A server on a loopback port and a client connected to it, both wrapped.
async fn pair(probe: MyProbe) -> ProbeClient {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, peer)) = listener.accept().await {
            let conn = Connection::new(format!("client {peer}"));
            let handler = conn
                .handler(ProbeDispatcher::new(probe.clone()))
                .service(probe_service_descriptor());
            tokio::spawn(async move {
                let (caller, _session) = roam::acceptor(TcpLink::new(stream))
                    .establish::<roam::DriverCaller>(handler)
                    .await
                    .unwrap();
                roam::Caller::closed(&caller).await;
            });
        }
    });
    let conn = Connection::new(format!("probe ({addr})"));
    let (caller, session) = roam::initiator(TcpLink::connect(addr).await.unwrap())
        .establish::<roam::DriverCaller>(())
        .await
        .unwrap();
    std::mem::forget(session); // the session lives as long as the test
    ProbeClient::new(conn.caller(caller).service(probe_service_descriptor()))
}

fn probe() -> MyProbe {
    MyProbe {
        gate: Arc::new(tokio::sync::Semaphore::new(0)),
        lock: Arc::new(peeps::sync::Mutex::new(7).named("probe-lock")),
        back: Arc::new(tokio::sync::OnceCell::new()),
    }
}

fn find(snap: &Snapshot, pred: impl Fn(&Node) -> bool) -> Option<&Node> {
    snap.nodes.iter().find(|n| pred(n))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_is_a_request_here_and_a_handler_there_with_one_call_id() {
    let p = probe();
    let gate = p.gate.clone();
    let client = pair(p).await;
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.echo_id().await.unwrap() }
    });
    // Bounded: until the request is waited on and its handler runs.
    let mut seen = None;
    for _ in 0..3000 {
        let snap = peeps::snapshot();
        let req = find(&snap, |n| {
            n.kind == NodeKind::Request && n.attrs[attr::METHOD] == "Probe.echo_id"
        });
        if let Some(req) = req {
            let id = req.attrs[attr::CALL_ID].as_str().unwrap().to_owned();
            let handler = find(&snap, |n| {
                n.kind == NodeKind::Handler
                    && n.attrs
                        .get(attr::CALLER_CALL_ID)
                        .is_some_and(|v| v == id.as_str())
            });
            let waited = snap
                .edges
                .iter()
                .any(|e| e.to == req.id && e.kind == EdgeKind::WaitsOn);
            if let (Some(handler), true) = (handler, waited) {
                assert!(
                    req.name.starts_with("Probe.echo_id to probe (127.0.0.1:"),
                    "{}",
                    req.name
                );
                assert_eq!(req.attrs[attr::PEER], req.attrs[attr::CONNECTION]);
                assert_eq!(req.attrs[attr::CONNECTION_OPEN], true);
                assert!(req.attrs[attr::CONNECTION_IN_FLIGHT].as_u64().unwrap() >= 1);
                assert!(req.attrs[attr::CONNECTION_AGE_MS].is_u64());
                assert!(
                    handler.attrs[attr::CONNECTION]
                        .as_str()
                        .unwrap()
                        .starts_with("client 127.0.0.1:")
                );
                let held = snap
                    .edges
                    .iter()
                    .find(|e| e.from == handler.id && e.kind == EdgeKind::HeldBy)
                    .unwrap();
                let task = find(&snap, |n| n.id == held.to).unwrap();
                assert_eq!(task.name, "handle Probe.echo_id");
                assert_eq!(task.attrs[attr::TRACKED], true);
                seen = Some(id);
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let id = seen.expect("request and handler seen");
    assert!(
        id.starts_with(&format!("{}/", peeps::snapshot().process.key)),
        "{id}"
    );
    gate.add_permits(1);
    // The handler saw the same id in the call's metadata.
    assert_eq!(call.await.unwrap(), id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cycle_through_roam_calls_is_a_certain_deadlock() {
    let p = probe();
    let back = p.back.clone();
    let client = pair(p).await;
    let _ = back.set(client.clone());
    let _stuck = tokio::spawn(async move { client.reenter().await });
    let options = Options::default().settle_ms(100);
    let mut text = None;
    for _ in 0..3000 {
        let snap = peeps::snapshot();
        let report = peeps::graph::analyze(std::slice::from_ref(&snap), &options);
        if let Some(d) = report
            .deadlocks
            .iter()
            .find(|d| d.text.contains("Probe.locked"))
        {
            assert_eq!(d.certainty.as_str(), "certain", "{}", d.text);
            text = Some(d.text.clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let text = text.expect("the deadlock is found");
    assert!(text.contains("task \"handle Probe.reenter\""), "{text}");
    assert!(
        text.contains("waits for the response to request \"Probe.locked to probe"),
        "{text}"
    );
    assert!(
        text.contains("handled by task \"handle Probe.locked\""),
        "{text}"
    );
    assert!(text.contains("to lock mutex \"probe-lock\""), "{text}");
}
