//! One roam connection as peeps reports it: who is on the other side, how
//! long it has been open, how many calls are in flight on it.

use crate::{Caller, Handler};
use peeps::graph::attr;
use peeps::rpc::{Describe, ResourceFacts};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

/// The state of one roam connection, shared by the [`Caller`] and the
/// [`Handler`] of that connection. Every request and handler node of a call
/// on it carries the connection's attributes: `connection` (the label),
/// `connection_age_ms`, `connection_in_flight` (calls in flight now, both
/// ways) and `connection_open`.
///
/// Cloning is cheap: clones share the state.
///
/// # Examples
///
/// ```
/// let conn = peeps_roam::Connection::new("inventory (127.0.0.1:7000)");
/// assert_eq!(conn.label(), "inventory (127.0.0.1:7000)");
/// assert_eq!(conn.in_flight(), 0);
/// ```
#[derive(Debug, Clone)]
pub struct Connection {
    state: Arc<State>,
}

#[derive(Debug)]
struct State {
    label: String,
    opened: Instant,
    outgoing: AtomicUsize,
    incoming: AtomicUsize,
    open: AtomicBool,
}

impl Connection {
    /// A connection to or from the peer `label` (a service name, an
    /// address, or both), opened now.
    pub fn new(label: impl Into<String>) -> Self {
        Connection {
            state: Arc::new(State {
                label: label.into(),
                opened: Instant::now(),
                outgoing: AtomicUsize::new(0),
                incoming: AtomicUsize::new(0),
                open: AtomicBool::new(true),
            }),
        }
    }

    /// The peer's label, as given to [`Connection::new`].
    pub fn label(&self) -> &str {
        &self.state.label
    }

    /// Calls in flight on this connection now: made through its [`Caller`]
    /// and being served by its [`Handler`].
    pub fn in_flight(&self) -> usize {
        self.state.outgoing.load(Ordering::Relaxed) + self.state.incoming.load(Ordering::Relaxed)
    }

    /// Records whether the connection is open (the [`Caller`] does after
    /// each call, from roam's `is_connected`).
    pub fn set_open(&self, open: bool) {
        self.state.open.store(open, Ordering::Relaxed);
    }

    /// Wraps the caller a generated client will hold (see [`Caller`]).
    pub fn caller<C>(&self, inner: C) -> Caller<C> {
        Caller::new(inner, self.clone())
    }

    /// Wraps the dispatcher the driver will run (see [`Handler`]).
    pub fn handler<H>(&self, inner: H) -> Handler<H> {
        Handler::new(inner, self.clone())
    }

    /// Counts one outgoing call until the returned guard drops.
    pub(crate) fn outgoing(&self) -> InFlight {
        self.in_flight_guard(false)
    }

    /// Counts one incoming call until the returned guard drops.
    pub(crate) fn incoming(&self) -> InFlight {
        self.in_flight_guard(true)
    }

    fn in_flight_guard(&self, incoming: bool) -> InFlight {
        self.state.counter(incoming).fetch_add(1, Ordering::Relaxed);
        InFlight {
            state: self.state.clone(),
            incoming,
        }
    }
}

impl State {
    /// The count of incoming or of outgoing calls.
    fn counter(&self, incoming: bool) -> &AtomicUsize {
        if incoming {
            &self.incoming
        } else {
            &self.outgoing
        }
    }
}

impl ResourceFacts for Connection {
    fn describe(&self, out: &mut Describe<'_>) {
        let s = &self.state;
        out.attr(attr::CONNECTION, s.label.as_str());
        out.attr(
            attr::CONNECTION_AGE_MS,
            s.opened.elapsed().as_millis() as u64,
        );
        out.attr(attr::CONNECTION_IN_FLIGHT, self.in_flight());
        out.attr(attr::CONNECTION_OPEN, s.open.load(Ordering::Relaxed));
    }
}

/// One call in flight on a connection, counted until dropped.
#[derive(Debug)]
pub(crate) struct InFlight {
    state: Arc<State>,
    incoming: bool,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.state
            .counter(self.incoming)
            .fetch_sub(1, Ordering::Relaxed);
    }
}
