//! What every channel flavor shares: one `channel` node per channel, its
//! counters, and the endpoints' `held_by` edges.
//!
//! Each endpoint (sender or receiver handle) is an [`Endpoint`]: it holds
//! the shared node and an endpoint hold attributed to the task that made or
//! cloned it, `confirmed: false` until a task uses it; every send or
//! receive re-attributes it to the task using it (one thread-local read and
//! a compare when nothing changed). Counters are relaxed atomics, the
//! sending side's and the receiving side's on separate cache lines.

use peeps_graph::{NodeKind, attr};
use peeps_runtime::__private::clock;
use peeps_runtime::__private::history::{self, EventKind};
use peeps_runtime::__private::hold::{EndpointHold, HoldAs, HolderSet};
use peeps_runtime::__private::node::Describe;
use peeps_runtime::__private::ownership::{self, Key, Mark};
use peeps_runtime::__private::resource::Resource;
use peeps_runtime::__private::resource::{PairFacts, ResourceFacts, SharedResource};
use peeps_runtime::__private::wait::Site;
use std::borrow::Cow;
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};

/// The channel flavors of the schema (attr `flavor`).
pub(crate) use peeps_graph::attr::flavor;

/// One side's counters. The two sides of a channel sit at least a cache
/// line apart (see [`ChannelFacts`]), without over-aligning the
/// allocation (an aligned allocation is a slower malloc path, paid by
/// every channel made).
#[derive(Debug, Default)]
pub(crate) struct SideCounters {
    /// Messages sent (or received) so far.
    ops: AtomicU64,
    /// Coarse ms of the last one (0: none yet).
    last: AtomicU64,
    /// Live handles of this side.
    handles: AtomicUsize,
}

impl SideCounters {
    /// The one message of a oneshot went through this side (idempotent:
    /// either side may be the one to tell).
    #[inline]
    pub(crate) fn record_once(&self) {
        self.ops.store(1, Relaxed);
        self.last.store(clock::now_ms(), Relaxed);
    }

    /// `n` messages went through this side now.
    #[inline]
    pub(crate) fn record(&self, n: u64) {
        self.ops.fetch_add(n, Relaxed);
        let now = clock::now_ms();
        if self.last.load(Relaxed) != now {
            self.last.store(now, Relaxed);
        }
    }
}

/// A channel's counters, read at snapshot time.
#[derive(Debug)]
#[repr(C)]
pub(crate) struct ChannelFacts {
    flavor: &'static str,
    capacity: Option<usize>,
    /// Whether `len` means anything (not for broadcast or watch).
    report_len: bool,
    /// Closed once the receivers are all gone (not broadcast: a broadcast
    /// channel with no receiver still accepts `subscribe`).
    closes_without_receivers: bool,
    tx: SideCounters,
    /// Keeps `tx` and `rx` on different cache lines (no false sharing
    /// between a sending and a receiving thread).
    _pad: [u64; 8],
    rx: SideCounters,
    /// Closed explicitly (a receiver's `close`).
    closed: AtomicBool,
    /// Slots reserved by live permits of a bounded channel.
    reserved: AtomicU64,
    /// Sends of a watch channel in progress, each of which may hold or
    /// wait for the value's write lock (see [`Endpoint::value_write`]).
    value_writes: AtomicU64,
    /// Who holds a read lock of a watch channel's value (its live `Ref`s,
    /// `as: read_guard`): a holder set apart from the endpoints', whose
    /// lock-free slots the sender and the receiver take. Set once the node
    /// has its id, for watch channels only.
    value: OnceLock<Box<HolderSet>>,
}

/// A watch send in progress (see [`Endpoint::value_write`]).
#[must_use = "the send counts as in progress while the guard lives"]
pub(crate) struct ValueWrite<'a>(Option<&'a ChannelFacts>);

impl Drop for ValueWrite<'_> {
    #[inline]
    fn drop(&mut self) {
        if let Some(f) = self.0 {
            f.value_writes.fetch_sub(1, Relaxed);
        }
    }
}

impl ChannelFacts {
    fn new(flavor: &'static str, capacity: Option<usize>) -> Self {
        let multi = flavor == flavor::BROADCAST || flavor == flavor::WATCH;
        ChannelFacts {
            flavor,
            capacity,
            report_len: !multi,
            closes_without_receivers: flavor != flavor::BROADCAST,
            tx: SideCounters::default(),
            _pad: [0; 8],
            rx: SideCounters::default(),
            closed: AtomicBool::new(false),
            reserved: AtomicU64::new(0),
            value_writes: AtomicU64::new(0),
            value: OnceLock::new(),
        }
    }

    /// The facts of a oneshot, made when its node is registered (on the
    /// first wait): both ends counted live until they are gone
    /// ([`PairFacts::end_gone`]).
    pub(crate) fn oneshot() -> Self {
        let f = ChannelFacts::new(flavor::ONESHOT, Some(1));
        f.tx.handles.store(1, Relaxed);
        f.rx.handles.store(1, Relaxed);
        f
    }

    /// The sending side's counters.
    #[inline]
    pub(crate) fn tx(&self) -> &SideCounters {
        &self.tx
    }

    /// The receiving side's counters.
    #[inline]
    pub(crate) fn rx(&self) -> &SideCounters {
        &self.rx
    }

    /// The channel was closed explicitly (a receiver's `close`).
    #[inline]
    pub(crate) fn close(&self) {
        self.closed.store(true, Relaxed);
    }
}

/// A oneshot's node (the only channel made of a pair).
impl PairFacts for ChannelFacts {
    const KIND: NodeKind = NodeKind::Channel;
    const HOWS: [HoldAs; 2] = [HoldAs::Sender, HoldAs::Receiver];

    fn make() -> Self {
        ChannelFacts::oneshot()
    }

    fn end_gone(&self, how: HoldAs) {
        let side = if how == HoldAs::Sender {
            &self.tx
        } else {
            &self.rx
        };
        side.handles.fetch_sub(1, Relaxed);
    }
}

impl ResourceFacts for ChannelFacts {
    fn describe(&self, out: &mut Describe<'_>) {
        let sent = self.tx.ops.load(Relaxed);
        let received = self.rx.ops.load(Relaxed);
        let senders = self.tx.handles.load(Relaxed);
        let receivers = self.rx.handles.load(Relaxed);
        let closed = self.closed.load(Relaxed)
            || senders == 0
            || (self.closes_without_receivers && receivers == 0);
        let since = out.node.since_ms;
        out.node.state = Some(if closed { "closed" } else { "open" }.to_owned());
        out.node.since_ms = since;
        out.attr(attr::FLAVOR, self.flavor);
        if let Some(c) = self.capacity {
            out.attr(attr::CAPACITY, c);
            let reserved = self.reserved.load(Relaxed);
            if reserved > 0 {
                out.attr(attr::RESERVED, reserved);
            }
        }
        if self.report_len {
            out.attr(attr::LEN, sent.saturating_sub(received));
        }
        if let Some(value) = self.value.get() {
            value.describe(out);
        }
        out.attr(attr::SENDERS, senders);
        out.attr(attr::RECEIVERS, receivers);
        out.attr(attr::SENT, sent);
        out.attr(attr::RECEIVED, received);
        out.attr(attr::CLOSED, closed);
        let now = out.now_ms;
        for (key, side) in [
            (attr::LAST_SEND_MS, &self.tx),
            (attr::LAST_RECV_MS, &self.rx),
        ] {
            let last = side.last.load(Relaxed);
            if last != 0 {
                out.attr(key, clock::age(now, last));
            }
        }
    }
}

/// A channel's shared node and counters.
pub(crate) type Chan = SharedResource<ChannelFacts>;

/// Registers the node of a new channel made at `location`.
pub(crate) fn new_chan(
    location: &'static Location<'static>,
    flavor: &'static str,
    capacity: Option<usize>,
) -> Chan {
    let chan = Chan::build(NodeKind::Channel, location, || {
        ChannelFacts::new(flavor, capacity)
    });
    if flavor == flavor::WATCH
        && let Some(f) = chan.facts()
    {
        let _ = f.value.set(Box::new(HolderSet::new(chan.resource().id())));
    }
    chan
}

/// Which side an endpoint is on.
pub(crate) trait Side: Send + Sync + 'static {
    /// The `as` of its `held_by` edge.
    const HOW: HoldAs;
    /// What the flight recorder calls a message through it.
    const EVENT: EventKind;
    /// Its counters.
    fn side(f: &ChannelFacts) -> &SideCounters;
}

/// The sending side.
#[derive(Debug)]
pub(crate) struct Tx;
/// The receiving side.
#[derive(Debug)]
pub(crate) struct Rx;

impl Side for Tx {
    const HOW: HoldAs = HoldAs::Sender;
    const EVENT: EventKind = EventKind::Send;
    #[inline]
    fn side(f: &ChannelFacts) -> &SideCounters {
        &f.tx
    }
}

impl Side for Rx {
    const HOW: HoldAs = HoldAs::Receiver;
    const EVENT: EventKind = EventKind::Recv;
    #[inline]
    fn side(f: &ChannelFacts) -> &SideCounters {
        &f.rx
    }
}

/// One live sender or receiver handle: counted in `senders`/`receivers`
/// and a `held_by` edge while it lives.
#[derive(Debug)]
pub(crate) struct Endpoint<S: Side> {
    chan: Chan,
    hold: EndpointHold,
    /// Names the hold, so peeps finds the handle where it moves (see
    /// `peeps_runtime::__private::ownership`). Read as bytes by peeps' searches only.
    #[allow(dead_code)]
    mark: Mark,
    _side: PhantomData<S>,
}

impl<S: Side> Endpoint<S> {
    /// A new handle of `chan`, attributed to the current task, unconfirmed.
    #[inline]
    pub(crate) fn new(chan: Chan) -> Self {
        if let Some(f) = chan.facts() {
            S::side(f).handles.fetch_add(1, Relaxed);
        }
        let hold = chan.resource().holders().acquire_endpoint(S::HOW);
        let mark = Mark::new(Key::hold(chan.resource().id(), hold.ticket()));
        Endpoint {
            chan,
            hold,
            mark,
            _side: PhantomData,
        }
    }

    /// The handles inside `message` travel in it on this channel, unread
    /// (called as a send hands it over).
    #[inline]
    pub(crate) fn carry<T: ?Sized>(&self, message: &T) {
        ownership::carried(message, self.chan.resource().id());
    }

    /// The handles inside `value` are published on this channel (a watch's
    /// value, a broadcast message): every receiver may take them.
    #[inline]
    pub(crate) fn publish<T: ?Sized>(&self, value: &T) {
        ownership::published(value, self.chan.resource().id());
    }

    /// The channel's node.
    #[inline]
    pub(crate) fn resource(&self) -> &Resource {
        self.chan.resource()
    }

    /// The channel's node and counters.
    #[inline]
    pub(crate) fn chan(&self) -> &Chan {
        &self.chan
    }

    /// A watch send that takes the value's write lock begins: counted in
    /// progress until the returned guard drops, also by a panic (see
    /// [`Endpoint::borrow_value`]).
    #[inline]
    pub(crate) fn value_write(&self) -> ValueWrite<'_> {
        let facts = self.chan.facts();
        if let Some(f) = facts {
            f.value_writes.fetch_add(1, Relaxed);
        }
        ValueWrite(facts)
    }

    /// Borrows a watch channel's value by `borrow`. Made while a send is
    /// in progress, the borrow may park behind its write lock (the lock
    /// lets no new reader past a queued writer), so its wait is recorded
    /// (`op: read`, at the caller's site) for its duration.
    #[inline]
    #[track_caller]
    pub(crate) fn borrow_value<R>(&self, borrow: impl FnOnce() -> R) -> R {
        let written = self
            .chan
            .facts()
            .is_some_and(|f| f.value_writes.load(Relaxed) != 0);
        if written {
            crate::core::block_on_wait!(thread: self.resource(), peeps_graph::Op::Read, borrow())
        } else {
            borrow()
        }
    }

    /// Who holds a read lock of the channel's value (a watch channel's;
    /// without diagnostics, the node's no-op set).
    #[inline]
    pub(crate) fn value_holders(&self) -> &HolderSet {
        match self.chan.facts().and_then(|f| f.value.get()) {
            Some(value) => value,
            None => self.chan.resource().holders(),
        }
    }

    /// Renames the channel's node.
    pub(crate) fn rename(&self, name: impl Into<Cow<'static, str>>) {
        self.chan.resource().rename(name);
    }

    /// The current task uses this handle: re-attribute and confirm it.
    #[inline]
    pub(crate) fn used(&self) {
        self.chan.resource().holders().touch_endpoint(
            &self.hold,
            S::HOW,
            std::ptr::from_ref(self).cast(),
        );
    }

    /// Waits for `closed` (the inner handle's `closed()`), made by the
    /// user's call at `at`: a `waits_on` edge with `op: closed` while
    /// pending. The `closed()` of every sender and receiver.
    pub(crate) async fn wait_closed(
        &self,
        at: crate::core::At,
        closed: impl std::future::Future<Output = ()>,
    ) {
        self.used();
        crate::core::Waiting::new(self.resource(), peeps_graph::Op::Closed, at.site(), closed)
            .await;
    }

    /// `n` messages went through this handle, by the user's call at `at`.
    /// Always inline: every send and receive makes it, and a call costs
    /// more than its body.
    #[inline(always)]
    pub(crate) fn counted(&self, n: u64, at: Site) {
        self.used();
        if let Some(f) = self.chan.facts() {
            S::side(f).record(n);
            history::note_count(S::EVENT, self.chan.resource().id(), at, n);
        }
    }

    /// `n` slots of the channel were reserved (permits made): counted
    /// against its capacity until each is used or given back
    /// ([`Endpoint::unreserved`]).
    #[inline]
    pub(crate) fn reserved(&self, n: usize) {
        if let Some(f) = self.chan.facts() {
            f.reserved.fetch_add(n as u64, Relaxed);
        }
    }

    /// `n` reserved slots were used or given back. Called before the slot
    /// is filled, so a snapshot in between sees room (a miss, never a
    /// false "full").
    #[inline]
    pub(crate) fn unreserved(&self, n: usize) {
        if let Some(f) = self.chan.facts() {
            f.reserved.fetch_sub(n as u64, Relaxed);
        }
    }

    /// A send by the user's call at `at` finished with `r`: counted when it
    /// went through; a value handed back in its error, and the handles
    /// inside it, are the sender's again.
    #[inline]
    pub(crate) fn sent<T, E>(&self, r: &Result<T, E>, at: Site) {
        self.counted(u64::from(r.is_ok()), at);
        if let Err(e) = r {
            ownership::taken(e, peeps_graph::Evidence::Returned);
        }
    }

    /// The channel was closed from this side.
    #[inline]
    pub(crate) fn closed(&self) {
        if let Some(f) = self.chan.facts() {
            f.close();
            history::note(EventKind::Close, self.chan.resource().id(), None);
        }
    }
}

impl<S: Side> Clone for Endpoint<S> {
    /// Another handle, attributed to the task cloning. Cloning is a use of
    /// this one: a task other than its holder that can clone it can reach
    /// it (a sender in a shared table), so it is no longer proof that its
    /// maker keeps it.
    #[inline]
    fn clone(&self) -> Self {
        self.used();
        Endpoint::new(self.chan.clone())
    }
}

impl<S: Side> Drop for Endpoint<S> {
    #[inline]
    fn drop(&mut self) {
        self.chan.resource().holders().release_endpoint(&self.hold);
        if let Some(f) = self.chan.facts()
            && S::side(f).handles.fetch_sub(1, Relaxed) == 1
            && (S::HOW == HoldAs::Sender || f.closes_without_receivers)
        {
            // The last handle of a side that closes the channel.
            history::note(EventKind::Close, self.chan.resource().id(), None);
        }
    }
}

/// The handles inside `value` are the current task's: it received them in
/// a message from the channel `from` (its node id).
#[inline]
pub(crate) fn received<T: ?Sized>(value: &T, from: peeps_graph::NodeId) {
    ownership::received(value, from);
}

/// Implements, for a channel's sender `$S` (fields `inner`, `ep`) and its
/// weak sender `$W` (fields `inner`, `chan`): `Clone` (a clone is a new
/// endpoint, attributed to the task cloning), `Debug` (tokio's value under
/// `$label`), and the weak sender's `upgrade`, `strong_count` and
/// `weak_count`. mpsc (both flavors) and broadcast share these exactly.
macro_rules! sender_impls {
    ($S:ident, $W:ident, $label:literal) => {
        impl<T> Clone for $S<T> {
            /// Another sender, attributed to the task cloning it.
            fn clone(&self) -> Self {
                $S {
                    inner: self.inner.clone(),
                    ep: self.ep.clone(),
                }
            }
        }

        impl<T> ::std::fmt::Debug for $S<T> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($S))
                    .field($label, &self.inner)
                    .finish()
            }
        }

        impl<T> $W<T> {
            /// A strong sender if the channel is still open, as tokio's
            /// `upgrade`; attributed to the task upgrading.
            pub fn upgrade(&self) -> Option<$S<T>> {
                let inner = self.inner.upgrade()?;
                Some($S {
                    inner,
                    ep: $crate::channel::Endpoint::new(self.chan.clone()),
                })
            }

            /// How many strong senders are alive, as tokio's.
            pub fn strong_count(&self) -> usize {
                self.inner.strong_count()
            }

            /// How many weak senders are alive, as tokio's.
            pub fn weak_count(&self) -> usize {
                self.inner.weak_count()
            }
        }

        impl<T> Clone for $W<T> {
            fn clone(&self) -> Self {
                $W {
                    inner: self.inner.clone(),
                    chan: self.chan.clone(),
                }
            }
        }

        impl<T> ::std::fmt::Debug for $W<T> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($W))
                    .field($label, &self.inner)
                    .finish()
            }
        }
    };
}
pub(crate) use sender_impls;
