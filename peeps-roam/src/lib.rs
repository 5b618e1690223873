//! peeps for [roam](https://docs.rs/roam) 7.x: every roam call becomes a
//! `request` node in the caller's process and a `handler` node in the
//! callee's, joined by call id when the snapshots are merged, so a deadlock
//! that runs through roam calls between processes is found and said in
//! words like any other.
//!
//! roam 7.3 has no middleware API; its public traits are enough:
//!
//! - [`Caller`] wraps the `roam::Caller` a generated client holds (the
//!   `roam::DriverCaller` that `establish` returns). Each call makes a
//!   request node, and sends the node's call id in the call's metadata
//!   (key [`CALL_ID_KEY`], flag `NO_PROPAGATE`).
//! - [`Handler`] wraps the `roam::Handler` (the generated dispatcher) a
//!   connection's driver runs. roam runs each incoming call in a task of its
//!   own; the wrapper reads the call id from the metadata and serves the call
//!   as a peeps task holding a handler node.
//! - [`Connection`] is what both share for one connection: the peer's label,
//!   its age and the calls in flight on it appear as attributes of every
//!   request and handler node of that connection.
//! - [`tcp::TcpLink`] carries roam over TCP (roam 7.3's runtime ships only
//!   an in-memory link).
//!
//! # Wiring a service
//!
//! ```no_run
//! #[roam::service]
//! trait Stock {
//!     async fn count(&self) -> u32;
//! }
//!
//! #[derive(Clone)]
//! struct MyStock;
//! impl Stock for MyStock {
//!     async fn count(&self) -> u32 { 3 }
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use peeps_roam::{Connection, tcp::TcpLink};
//!
//! // Server: each accepted connection's dispatcher is wrapped.
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! tokio::spawn(async move {
//!     while let Ok((stream, peer)) = listener.accept().await {
//!         let conn = Connection::new(peer.to_string());
//!         let handler = conn.handler(StockDispatcher::new(MyStock)).service(stock_service_descriptor());
//!         tokio::spawn(async move {
//!             let Ok((caller, _session)) =
//!                 roam::acceptor(TcpLink::new(stream)).establish::<roam::DriverCaller>(handler).await
//!             else { return };
//!             roam::Caller::closed(&caller).await; // keep the connection until the peer goes
//!         });
//!     }
//! });
//!
//! // Client: the generated client holds the wrapped caller.
//! let conn = Connection::new(format!("stock ({addr})"));
//! let (caller, _session) = roam::initiator(TcpLink::connect(addr).await?)
//!     .establish::<roam::DriverCaller>(())
//!     .await?;
//! let stock = StockClient::new(conn.caller(caller).service(stock_service_descriptor()));
//! assert_eq!(stock.count().await.ok(), Some(3));
//! # Ok(())
//! # }
//! ```
//!
//! Both sides depend on `peeps` as usual: with its `diagnostics` feature
//! off, the wrappers add nothing to the metadata and record nothing.

mod caller;
mod connection;
mod handler;
pub mod tcp;
mod wrap;

pub use caller::Caller;
pub use connection::Connection;
pub use handler::Handler;

/// The metadata key the call id travels under: the value is a string,
/// `<process key>/<n>` (see `peeps::rpc`).
pub const CALL_ID_KEY: &str = "peeps-call-id";
