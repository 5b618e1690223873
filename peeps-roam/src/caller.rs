//! The client side: a `roam::Caller` that makes every outgoing call a
//! `request` node and sends its call id in the call's metadata.

use crate::wrap::Wrap;
use crate::{CALL_ID_KEY, Connection};
use roam::{
    MetadataEntry, MetadataFlags, MetadataValue, RequestCall, RequestResponse, RoamError, SelfRef,
};
use roam_types::{ChannelBinder, MaybeSend};
use std::future::Future;
use std::pin::Pin;

/// A `roam::Caller` that records each call: wrap the caller a generated
/// client holds (a `roam::DriverCaller`, from `establish`) and build the
/// client from the wrapper with `FooClient::new(..)`.
///
/// Each call becomes a `request` node named `<Service>.<method> to <peer>`
/// (method names come from the service descriptor given to
/// [`Caller::service`]), with a fresh call id that travels to the callee in
/// the call's metadata under [`CALL_ID_KEY`], flagged `NO_PROPAGATE` so a
/// proxy does not forward it. The calling future `waits_on` the request
/// until the response arrives.
///
/// # Examples
///
/// ```no_run
/// # #[roam::service] trait Stock { async fn count(&self) -> u32; }
/// # async fn f(stream: tokio::net::TcpStream) -> Result<(), roam::SessionError> {
/// let conn = peeps_roam::Connection::new("stock");
/// let (caller, _session) = roam::initiator(peeps_roam::tcp::TcpLink::new(stream))
///     .establish::<roam::DriverCaller>(())
///     .await?;
/// let client = StockClient::new(conn.caller(caller).service(stock_service_descriptor()));
/// let n = client.count().await;
/// # let _ = n; Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Caller<C> {
    inner: C,
    wrap: Wrap,
}

impl<C> std::fmt::Debug for Caller<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.wrap.debug("Caller", f)
    }
}

impl<C> Caller<C> {
    /// Wraps `inner`; calls are counted on `conn` and carry its attributes.
    pub fn new(inner: C, conn: Connection) -> Self {
        Caller {
            inner,
            wrap: Wrap::new(conn),
        }
    }

    /// Names methods after `service` (the generated
    /// `<service>_service_descriptor()`); without it a request is named by
    /// its method id.
    pub fn service(mut self, service: &'static roam::ServiceDescriptor) -> Self {
        self.wrap.set_service(service);
        self
    }

    /// The connection calls are counted on.
    pub fn connection(&self) -> &Connection {
        self.wrap.connection()
    }

    /// The wrapped caller.
    pub fn inner(&self) -> &C {
        &self.inner
    }
}

impl<C: roam::Caller> roam::Caller for Caller<C> {
    fn call<'a>(
        &'a self,
        call: RequestCall<'a>,
    ) -> impl Future<Output = Result<SelfRef<RequestResponse<'static>>, RoamError>> + MaybeSend + 'a
    {
        let method = self.wrap.method_name(call.method_id);
        let request = peeps::rpc::OutgoingCall::new(method, self.connection().label().to_owned())
            .with_facts(self.connection().clone());
        async move {
            let _in_flight = self.connection().outgoing();
            // Shorten the call's lifetime to this future, so its metadata
            // can borrow the id from `request`, which lives here too.
            let mut call: RequestCall<'_> = call;
            if !request.id().is_empty() {
                call.metadata.push(MetadataEntry {
                    key: CALL_ID_KEY,
                    value: MetadataValue::String(request.id()),
                    flags: MetadataFlags::NO_PROPAGATE,
                });
            }
            let response = request.wait(self.inner.call(call)).await;
            self.connection().set_open(self.inner.is_connected());
            response
        }
    }

    fn closed(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.inner.closed()
    }

    fn is_connected(&self) -> bool {
        self.inner.is_connected()
    }

    fn channel_binder(&self) -> Option<&dyn ChannelBinder> {
        self.inner.channel_binder()
    }
}
