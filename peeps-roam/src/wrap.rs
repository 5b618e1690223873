//! What [`crate::Caller`] and [`crate::Handler`] share: the connection
//! calls are counted on and the service descriptor methods are named after.

use crate::Connection;
use std::borrow::Cow;

/// The connection and the optional service descriptor of one wrapper.
#[derive(Clone)]
pub(crate) struct Wrap {
    conn: Connection,
    service: Option<&'static roam::ServiceDescriptor>,
}

impl Wrap {
    /// Calls counted on `conn`, named by method id until a service is set.
    pub(crate) fn new(conn: Connection) -> Self {
        Wrap {
            conn,
            service: None,
        }
    }

    /// Names methods after `service` from now on.
    pub(crate) fn set_service(&mut self, service: &'static roam::ServiceDescriptor) {
        self.service = Some(service);
    }

    /// The connection calls are counted on.
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }

    /// `Service.method` from the descriptor, or the method id when unknown.
    pub(crate) fn method_name(&self, id: roam::MethodId) -> Cow<'static, str> {
        match self.service.and_then(|s| s.by_id(id)) {
            Some(m) => Cow::Owned(format!("{}.{}", m.service_name, m.method_name)),
            None => Cow::Owned(format!("method {id:?}")),
        }
    }

    /// The wrapper's `Debug` output, as the struct `name`.
    pub(crate) fn debug(&self, name: &str, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(name)
            .field("conn", &self.conn)
            .field("service", &self.service.map(|s| s.service_name))
            .finish_non_exhaustive()
    }
}
