//! The server side: a `roam::Handler` that serves every incoming call under
//! a `handler` node named by the caller's call id.

use crate::wrap::Wrap;
use crate::{CALL_ID_KEY, Connection};
use roam::{MetadataValue, ReplySink, RequestCall, SelfRef};
use roam_types::MaybeSend;
use std::future::Future;

/// A `roam::Handler` that records each incoming call: wrap the dispatcher
/// (`FooDispatcher::new(..)`) given to `establish`.
///
/// roam runs each incoming call's handler in a plain tokio task of its own;
/// this wrapper runs the handler there as a peeps task named
/// `handle <Service>.<method>`, holding a `handler` node whose
/// `caller_call_id` is the id the caller's [`crate::Caller`] put in the
/// call's metadata ([`CALL_ID_KEY`]). A call from a client without peeps
/// still gets a handler node, with no caller id.
///
/// # Examples
///
/// ```no_run
/// # #[roam::service] trait Stock { async fn count(&self) -> u32; }
/// # #[derive(Clone)] struct MyStock;
/// # impl Stock for MyStock { async fn count(&self) -> u32 { 3 } }
/// # async fn f(stream: tokio::net::TcpStream) -> Result<(), roam::SessionError> {
/// let conn = peeps_roam::Connection::new(stream.peer_addr().unwrap().to_string());
/// let handler = conn.handler(StockDispatcher::new(MyStock)).service(stock_service_descriptor());
/// let (caller, session) = roam::acceptor(peeps_roam::tcp::TcpLink::new(stream))
///     .establish::<roam::DriverCaller>(handler)
///     .await?;
/// # let _ = (caller, session); Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Handler<H> {
    inner: H,
    wrap: Wrap,
}

impl<H> std::fmt::Debug for Handler<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.wrap.debug("Handler", f)
    }
}

impl<H> Handler<H> {
    /// Wraps `inner`; calls are counted on `conn` and carry its attributes.
    pub fn new(inner: H, conn: Connection) -> Self {
        Handler {
            inner,
            wrap: Wrap::new(conn),
        }
    }

    /// Names methods after `service` (the generated
    /// `<service>_service_descriptor()`); without it a handler is named by
    /// its method id.
    pub fn service(mut self, service: &'static roam::ServiceDescriptor) -> Self {
        self.wrap.set_service(service);
        self
    }

    /// The connection calls are counted on.
    pub fn connection(&self) -> &Connection {
        self.wrap.connection()
    }
}

/// The call id the caller sent, or `""`.
pub(crate) fn caller_call_id<'c>(call: &'c RequestCall<'_>) -> &'c str {
    call.metadata
        .iter()
        .find(|e| e.key == CALL_ID_KEY)
        .and_then(|e| match e.value {
            MetadataValue::String(id) => Some(id),
            _ => None,
        })
        .unwrap_or("")
}

impl<H, R> roam::Handler<R> for Handler<H>
where
    H: roam::Handler<R>,
    R: ReplySink,
{
    fn handle(
        &self,
        call: SelfRef<RequestCall<'static>>,
        reply: R,
    ) -> impl Future<Output = ()> + MaybeSend + '_ {
        let method = self.wrap.method_name(call.method_id);
        let id = caller_call_id(&call).to_owned();
        let in_flight = self.connection().incoming();
        let serve = async move {
            let _in_flight = in_flight;
            self.inner.handle(call, reply).await;
        };
        peeps::rpc::handle_with_facts(method, &id, self.connection().clone(), serve)
    }
}
