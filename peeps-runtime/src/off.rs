//! The no-op twins of every hook, used without feature `diagnostics`.
//!
//! Same names and signatures as the recording versions, so callers compile
//! identically; every body does nothing and every type is zero-sized or a
//! transparent wrapper.

/// Pass-through futures.
pub mod future {
    use std::borrow::Cow;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    pin_project_lite::pin_project! {
        /// A transparent wrapper: polls the inner future, records nothing.
        #[derive(Debug)]
        pub struct Instrumented<F> {
            #[pin]
            inner: F,
        }
    }

    /// Returns `fut` wrapped, unrecorded.
    #[inline(always)]
    pub fn instrument<F: Future>(
        _name: impl Into<Cow<'static, str>>,
        _location: &'static str,
        fut: F,
    ) -> Instrumented<F> {
        Instrumented { inner: fut }
    }

    impl<F: Future> Future for Instrumented<F> {
        type Output = F::Output;
        #[inline(always)]
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
            self.project().inner.poll(cx)
        }
    }

    impl<F> Instrumented<F> {
        /// Always `None`: nothing is recorded.
        pub fn node_id(&self) -> Option<u64> {
            None
        }
    }
}

/// Plain tokio tasks.
pub mod task {
    use std::borrow::Cow;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// tokio's JoinHandle, unrecorded.
    #[derive(Debug)]
    pub struct JoinHandle<T> {
        inner: tokio::task::JoinHandle<T>,
    }

    impl<T> JoinHandle<T> {
        /// Wraps a plain tokio handle.
        pub fn from_tokio(inner: tokio::task::JoinHandle<T>) -> Self {
            JoinHandle { inner }
        }
        /// As tokio's.
        pub fn abort(&self) {
            self.inner.abort();
        }
        /// As tokio's.
        pub fn is_finished(&self) -> bool {
            self.inner.is_finished()
        }
        /// As tokio's.
        pub fn abort_handle(&self) -> tokio::task::AbortHandle {
            self.inner.abort_handle()
        }
        /// As tokio's.
        pub fn id(&self) -> tokio::task::Id {
            self.inner.id()
        }
    }

    impl<T> Future for JoinHandle<T> {
        type Output = Result<T, tokio::task::JoinError>;
        #[inline(always)]
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            Pin::new(&mut self.get_mut().inner).poll(cx)
        }
    }

    /// `tokio::spawn`.
    #[track_caller]
    pub fn spawn<F>(fut: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        JoinHandle {
            inner: tokio::spawn(fut),
        }
    }

    /// `tokio::spawn`; the name is not kept.
    #[track_caller]
    pub fn spawn_named<F>(_name: impl Into<Cow<'static, str>>, fut: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        JoinHandle {
            inner: tokio::spawn(fut),
        }
    }
}

/// The flight recorder, off: nothing is recorded.
pub mod history {
    use super::hold::HolderSet;
    use super::wait::Site;
    use peeps_graph::NodeId;

    pub use peeps_graph::EventKind;

    /// Read by nothing without diagnostics.
    pub const HISTORY_ENV: &str = "PEEPS_HISTORY";

    /// Nothing to size: returns `false`.
    pub fn configure(_events: usize) -> bool {
        false
    }

    /// Always 0: off.
    pub fn per_thread() -> usize {
        0
    }

    /// Does nothing.
    #[inline(always)]
    pub fn note(_kind: EventKind, _node: NodeId, _at: Site) {}

    /// Does nothing.
    #[inline(always)]
    pub fn note_count(_kind: EventKind, _node: NodeId, _at: Site, _n: u64) {}

    /// Does nothing.
    #[inline(always)]
    pub fn observe(_holders: &HolderSet) {}
}

/// No-op holder sets.
pub mod hold {
    pub use super::wait::Site;
    pub use crate::op::HoldAs;

    /// Nothing.
    #[derive(Debug, Default, Clone)]
    pub struct HolderSet;

    /// Nothing.
    #[derive(Debug, Default)]
    pub struct Notifiers;

    impl Notifiers {
        /// Does nothing.
        #[inline(always)]
        pub fn note(&self) {}
        /// Writes nothing.
        pub fn describe(&self, _out: &mut crate::node::Describe<'_>) {}
    }

    /// Nothing.
    #[derive(Debug)]
    pub struct HoldToken;

    /// Nothing: zero-sized.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Taker;

    impl HolderSet {
        /// Nothing.
        #[inline(always)]
        pub fn new(_owner: u64) -> Self {
            HolderSet
        }
        /// Writes nothing; always 0.
        pub fn describe(&self, _out: &mut crate::node::Describe<'_>) -> usize {
            0
        }
        /// Does nothing.
        #[inline(always)]
        pub fn acquire(&self, _how: HoldAs, _confirmed: bool, _at: Site) -> HoldToken {
            HoldToken
        }
        /// Does nothing.
        #[inline(always)]
        pub fn release(&self, _token: HoldToken) {}
        /// Always 0.
        pub fn count(&self, _how: HoldAs) -> usize {
            0
        }
        /// Nothing.
        #[inline(always)]
        pub fn acquire_weighted(
            &self,
            _how: HoldAs,
            _confirmed: bool,
            _weight: usize,
            _at: Site,
        ) -> HoldToken {
            HoldToken
        }
        /// Always 0.
        pub fn weight(&self, _how: HoldAs) -> usize {
            0
        }
        /// Does nothing.
        #[inline(always)]
        pub fn hold_exclusive(&self, _how: HoldAs, _confirmed: bool, _at: Site) -> Taker {
            Taker
        }
        /// Does nothing.
        #[inline(always)]
        pub fn release_exclusive(&self) {}
        /// Nothing.
        #[inline(always)]
        pub fn acquire_endpoint(&self, _how: HoldAs) -> EndpointHold {
            EndpointHold
        }
        /// Does nothing.
        #[inline(always)]
        pub fn touch_endpoint(&self, _hold: &EndpointHold, _how: HoldAs, _endpoint: *const ()) {}
        /// Does nothing.
        #[inline(always)]
        pub fn release_endpoint(&self, _hold: &EndpointHold) {}
        /// Always 0.
        #[inline(always)]
        pub fn owner(&self) -> u64 {
            0
        }
        /// Nothing.
        #[inline(always)]
        pub fn acquire_movable(&self, _how: HoldAs, _weight: usize, _at: Site) -> HoldToken {
            HoldToken
        }
        /// Always 0.
        #[inline(always)]
        pub fn hold_exclusive_movable(&self, _how: HoldAs, _at: Site) -> (u64, Taker) {
            (0, Taker)
        }
    }

    impl HoldToken {
        /// Always 0.
        #[inline(always)]
        pub fn ticket(&self) -> u64 {
            0
        }
        /// Nothing.
        #[inline(always)]
        pub fn taker(&self) -> Taker {
            Taker
        }
    }

    /// Nothing.
    #[derive(Debug, Default)]
    pub struct EndpointHold;

    impl EndpointHold {
        /// Always 0.
        #[inline(always)]
        pub fn ticket(&self) -> u64 {
            0
        }
    }

    /// Nothing: zero-sized.
    #[derive(Debug)]
    pub struct HoldGuard<'r>(std::marker::PhantomData<&'r HolderSet>);

    impl<'r> HoldGuard<'r> {
        /// Nothing.
        #[inline(always)]
        pub fn new(
            _set: &'r HolderSet,
            _how: HoldAs,
            _confirmed: bool,
            _at: Site,
        ) -> (Self, Taker) {
            (HoldGuard(std::marker::PhantomData), Taker)
        }
        /// Nothing.
        #[inline(always)]
        pub fn exclusive(
            _set: &'r HolderSet,
            _how: HoldAs,
            _confirmed: bool,
            _at: Site,
        ) -> (Self, Taker) {
            (HoldGuard(std::marker::PhantomData), Taker)
        }
        /// Nothing.
        #[inline(always)]
        pub fn adopt_exclusive(_set: &'r HolderSet) -> Self {
            HoldGuard(std::marker::PhantomData)
        }
        /// Does nothing.
        #[inline(always)]
        pub fn release(&mut self) {}

        /// Always 0.
        #[inline(always)]
        pub fn owner(&self) -> peeps_graph::NodeId {
            0
        }
        /// Does nothing.
        #[inline(always)]
        pub fn reacquire(&mut self, _how: HoldAs, _confirmed: bool, _at: Site) {}
        /// Always 0.
        #[inline(always)]
        pub fn reacquire_movable(&mut self, _how: HoldAs, _at: Site) -> u64 {
            0
        }
        /// Nothing.
        #[inline(always)]
        pub fn weighted(
            _set: &'r HolderSet,
            _how: HoldAs,
            _confirmed: bool,
            _weight: usize,
            _at: Site,
        ) -> (Self, Taker) {
            (HoldGuard(std::marker::PhantomData), Taker)
        }
        /// Does nothing.
        #[inline(always)]
        pub fn set_weight(&mut self, _weight: usize) {}
        /// Nothing.
        #[inline(always)]
        pub fn movable(
            _set: &'r HolderSet,
            _how: HoldAs,
            _weight: usize,
            _at: Site,
        ) -> (Self, u64, Taker) {
            (HoldGuard(std::marker::PhantomData), 0, Taker)
        }
        /// Nothing.
        #[inline(always)]
        pub fn exclusive_movable(
            _set: &'r HolderSet,
            _how: HoldAs,
            _at: Site,
        ) -> (Self, u64, Taker) {
            (HoldGuard(std::marker::PhantomData), 0, Taker)
        }
    }
}

/// No ownership tracking: marks are zero-sized and nothing is searched.
pub mod ownership {
    pub use crate::op::Key;
    use peeps_graph::{Evidence, NodeId};

    /// Nothing: zero-sized.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Mark;

    impl Mark {
        /// Nothing.
        #[inline(always)]
        pub fn new(_key: Key) -> Mark {
            Mark
        }
    }

    /// Does nothing.
    #[inline(always)]
    pub fn scan_value<T: ?Sized>(_value: &T, _found: impl FnMut(Key)) {}

    /// Does nothing.
    #[inline(always)]
    pub fn carried<T: ?Sized>(_value: &T, _carrier: NodeId) {}

    /// Does nothing.
    #[inline(always)]
    pub fn published<T: ?Sized>(_value: &T, _place: NodeId) {}

    /// Returns `value`.
    #[inline(always)]
    pub fn handed_off<T>(value: T) -> T {
        value
    }

    /// The holder of a handle handed off unseen (unused without
    /// diagnostics).
    pub const UNSEEN: NodeId = u64::MAX >> 1;

    /// Does nothing.
    #[inline(always)]
    pub fn taken<T: ?Sized>(_value: &T, _via: Evidence) {}

    /// Does nothing.
    #[inline(always)]
    pub fn received<T: ?Sized>(_value: &T, _from: NodeId) {}

    /// Does nothing.
    #[inline(always)]
    pub fn moved(_key: Key, _to: NodeId, _via: Evidence, _from: NodeId) {}

    /// Does nothing: no static memory is read.
    #[inline(always)]
    pub fn scan_statics(_found: impl FnMut(Key)) {}

    /// Nothing is found.
    #[derive(Debug, Default)]
    pub struct Found {
        _nothing: (),
    }

    impl Found {
        /// Does nothing.
        pub fn add(&mut self, _key: Key, _task: NodeId) {}
        /// Does nothing.
        pub fn add_static(&mut self, _key: Key) {}
        /// Always false.
        pub fn in_static(&self, _key: Key) -> bool {
            false
        }
        /// Always false.
        pub fn found_in(&self, _key: Key, _task: NodeId) -> bool {
            false
        }
        /// Always `None`.
        pub fn only_task_of(&self, _key: Key) -> Option<NodeId> {
            None
        }
    }

    /// Nothing is read.
    pub const SCAN_BUDGET: usize = 0;
}

/// No-op waits.
pub mod wait {
    use std::sync::Arc;

    /// Where a wait was made (unused without diagnostics).
    pub type Site = Option<&'static std::panic::Location<'static>>;

    /// Nothing.
    #[derive(Debug, Default)]
    pub struct WaitList;

    impl WaitList {}

    pub use peeps_graph::Op;

    /// How an edge would refer to its list (nothing is kept).
    pub trait ListRef<'r>: std::ops::Deref<Target = WaitList> + Sized {}

    impl ListRef<'_> for Arc<WaitList> {}

    impl<'r> ListRef<'r> for &'r WaitList {}

    /// Nothing: zero-sized.
    #[derive(Debug)]
    pub struct WaitEdge<L: std::ops::Deref<Target = WaitList> = Arc<WaitList>>(
        std::marker::PhantomData<L>,
    );

    impl<L: std::ops::Deref<Target = WaitList>> Default for WaitEdge<L> {
        fn default() -> Self {
            WaitEdge::new()
        }
    }

    impl<L: std::ops::Deref<Target = WaitList>> WaitEdge<L> {
        /// Nothing.
        pub const fn new() -> Self {
            WaitEdge(std::marker::PhantomData)
        }
        /// Does nothing.
        #[inline(always)]
        pub fn begin<'r>(&mut self, _list: &'r Arc<WaitList>, _op: Op, _at: Site)
        where
            L: ListRef<'r>,
        {
        }
        /// Polls with `cx` untouched; records nothing.
        #[inline(always)]
        pub fn poll_wait<'r, T>(
            &mut self,
            _list: impl FnOnce() -> Option<&'r Arc<WaitList>>,
            _op: Op,
            _at: Site,
            cx: &mut std::task::Context<'_>,
            poll: impl FnOnce(&mut std::task::Context<'_>) -> std::task::Poll<T>,
        ) -> std::task::Poll<T>
        where
            L: ListRef<'r>,
        {
            poll(cx)
        }
        /// Always false.
        pub fn is_waiting(&self) -> bool {
            false
        }
        /// Always false.
        pub fn waited_by_current(&self) -> bool {
            false
        }
        /// Does nothing.
        #[inline(always)]
        pub fn end(&mut self) {}
    }
}

/// No-op resources.
pub mod resource {
    use super::hold::HolderSet;
    use super::wait::WaitList;
    use crate::node::Describe;
    use peeps_graph::NodeKind;
    use std::borrow::Cow;
    use std::marker::PhantomData;
    use std::panic::Location;
    use std::sync::{Arc, LazyLock};

    /// Extra facts a resource reports (never asked without diagnostics).
    pub trait ResourceFacts: Send + Sync + std::panic::RefUnwindSafe + 'static {
        /// Sets state and attributes.
        fn describe(&self, _out: &mut Describe<'_>) {}
        /// As `describe`, told who holds the resource.
        fn describe_held(&self, _holders: &HolderSet, out: &mut Describe<'_>) {
            self.describe(out);
        }
    }

    static NO_WAITS: LazyLock<Arc<WaitList>> = LazyLock::new(|| Arc::new(WaitList));
    static NO_RESOURCE: Resource = Resource { holders: HolderSet };

    /// Reports nothing.
    #[derive(Debug, Default, Clone, Copy)]
    pub struct NoFacts;

    impl ResourceFacts for NoFacts {
        fn describe(&self, _out: &mut Describe<'_>) {}
    }

    impl From<u64> for NoFacts {
        fn from(_seed: u64) -> Self {
            NoFacts
        }
    }

    impl<F: ResourceFacts> ResourceFacts for Arc<F> {
        fn describe(&self, out: &mut Describe<'_>) {
            (**self).describe(out);
        }
    }

    /// Nothing: zero-sized ([`BackRef::get`] is `None`; the lock is found
    /// from the address of what it wraps).
    #[derive(Debug)]
    pub struct BackRef<'a, M: ?Sized>(PhantomData<&'a M>);

    impl<M: ?Sized> Clone for BackRef<'_, M> {
        fn clone(&self) -> Self {
            *self
        }
    }

    impl<M: ?Sized> Copy for BackRef<'_, M> {}

    impl<'a, M: ?Sized> BackRef<'a, M> {
        /// Nothing.
        #[inline(always)]
        pub fn new(_m: &'a M) -> Self {
            BackRef(PhantomData)
        }
        /// Always `None`.
        #[inline(always)]
        pub fn get(self) -> Option<&'a M> {
            None
        }
    }

    /// Nothing: zero-sized.
    pub struct LazyResource<F = NoFacts>(PhantomData<fn() -> F>);

    impl<F> std::fmt::Debug for LazyResource<F> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("LazyResource")
        }
    }

    impl<F: ResourceFacts + From<u64>> LazyResource<F> {
        /// Nothing.
        #[inline(always)]
        pub const fn new(
            _kind: NodeKind,
            _location: &'static Location<'static>,
            _blocking: bool,
            _seed: u64,
        ) -> Self {
            LazyResource(PhantomData)
        }
        /// The same.
        #[inline(always)]
        pub const fn guarding<T: ?Sized>(self) -> Self {
            self
        }
        /// A shared no-op resource.
        #[inline(always)]
        pub fn resource(&self) -> &Resource {
            &NO_RESOURCE
        }
        /// Always `None`: counter updates compile away.
        #[inline(always)]
        pub fn facts(&self) -> Option<&F> {
            None
        }
    }

    /// Nothing: zero-sized.
    pub struct SharedResource<F>(PhantomData<fn() -> F>);

    impl<F> std::fmt::Debug for SharedResource<F> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("SharedResource")
        }
    }

    impl<F> Clone for SharedResource<F> {
        #[inline(always)]
        fn clone(&self) -> Self {
            SharedResource(PhantomData)
        }
    }

    impl<F: ResourceFacts> SharedResource<F> {
        /// Nothing; `facts` is not called.
        #[inline(always)]
        pub fn build(
            _kind: NodeKind,
            _location: &'static Location<'static>,
            _facts: impl FnOnce() -> F,
        ) -> Self {
            SharedResource(PhantomData)
        }
        /// A shared no-op resource.
        #[inline(always)]
        pub fn resource(&self) -> &Resource {
            &NO_RESOURCE
        }
        /// Always `None`: counter updates compile away.
        #[inline(always)]
        pub fn facts(&self) -> Option<&F> {
            None
        }
    }

    /// Never asked: no node is ever registered.
    pub trait PairFacts: ResourceFacts + Sized {
        /// The node's kind.
        const KIND: NodeKind;
        /// How end 0 and end 1 hold it.
        const HOWS: [super::hold::HoldAs; 2];
        /// Never called.
        fn make() -> Self;
        /// Never called.
        fn end_gone(&self, how: super::hold::HoldAs);
    }

    /// Nothing: zero-sized.
    pub struct PairEnd<F: PairFacts>(PhantomData<fn() -> F>);

    impl<F: PairFacts> std::fmt::Debug for PairEnd<F> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("PairEnd")
        }
    }

    impl<F: PairFacts> PairEnd<F> {
        /// Two zero-sized ends.
        #[inline(always)]
        pub fn pair(_location: &'static Location<'static>) -> (Self, Self) {
            (PairEnd(PhantomData), PairEnd(PhantomData))
        }
        /// Always `None`.
        #[inline(always)]
        pub fn registered(&self) -> Option<(&Resource, &F)> {
            None
        }
        /// Always `None`: counter updates compile away.
        #[inline(always)]
        pub fn facts(&self) -> Option<&F> {
            None
        }
        /// Always `None`.
        #[inline(always)]
        pub fn node_id(&self) -> Option<u64> {
            None
        }
        /// A shared no-op resource.
        #[inline(always)]
        pub fn link(&mut self, _endpoint: *const ()) -> &Resource {
            &NO_RESOURCE
        }
        /// Does nothing.
        #[inline(always)]
        pub fn touch(&self, _endpoint: *const ()) {}
        /// Does nothing.
        #[inline(always)]
        pub fn link_registered(&mut self) {}
        /// Does nothing.
        #[inline(always)]
        pub fn partner_gone(&self) {}
        /// Does nothing.
        #[inline(always)]
        pub fn rename(&mut self, _name: impl Into<Cow<'static, str>>) {}
    }

    /// Nothing: a zero-sized stand-in for a resource node.
    #[derive(Debug, Clone, Default)]
    pub struct Resource {
        holders: HolderSet,
    }

    impl Resource {
        /// Nothing.
        #[inline(always)]
        pub fn new(_kind: NodeKind) -> Self {
            Resource::default()
        }
        /// Does nothing.
        pub fn rename(&self, _name: impl Into<Cow<'static, str>>) {}
        /// Always 0.
        pub fn id(&self) -> u64 {
            0
        }
        /// An empty list.
        pub fn waits(&self) -> &Arc<WaitList> {
            &NO_WAITS
        }
        /// An empty set.
        pub fn holders(&self) -> &HolderSet {
            &self.holders
        }
    }
}

/// RPC nodes, unrecorded: call ids are empty, wrappers are pass-throughs.
pub mod rpc {
    use std::borrow::Cow;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    pub use super::resource::ResourceFacts;
    pub use crate::node::Describe;

    /// Nothing: zero-sized. Its id is `""`.
    #[derive(Debug)]
    pub struct OutgoingCall;

    impl OutgoingCall {
        /// Nothing.
        #[inline(always)]
        pub fn new(
            _method: impl Into<Cow<'static, str>>,
            _peer: impl Into<Cow<'static, str>>,
        ) -> Self {
            OutgoingCall
        }
        /// Does nothing.
        #[inline(always)]
        pub fn with_facts(self, _facts: impl ResourceFacts) -> Self {
            self
        }
        /// Always `""`: nothing to send.
        #[inline(always)]
        pub fn id(&self) -> &str {
            ""
        }
        /// Always 0.
        pub fn node_id(&self) -> u64 {
            0
        }
        /// Returns `response` wrapped, unrecorded.
        #[inline(always)]
        pub fn wait<F: Future>(&self, response: F) -> Waiting<'_, F> {
            Waiting {
                _call: std::marker::PhantomData,
                fut: response,
            }
        }
    }

    pin_project_lite::pin_project! {
        /// A transparent wrapper.
        #[derive(Debug)]
        pub struct Waiting<'c, F> {
            _call: std::marker::PhantomData<&'c OutgoingCall>,
            #[pin]
            fut: F,
        }
    }

    impl<F: Future> Future for Waiting<'_, F> {
        type Output = F::Output;
        #[inline(always)]
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
            self.project().fut.poll(cx)
        }
    }

    pin_project_lite::pin_project! {
        /// A transparent wrapper.
        #[derive(Debug)]
        pub struct Call<F> {
            #[pin]
            fut: F,
        }
    }

    impl<F> Call<F> {
        /// Always `""`.
        pub fn id(&self) -> &str {
            ""
        }
    }

    impl<F: Future> Future for Call<F> {
        type Output = F::Output;
        #[inline(always)]
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
            self.project().fut.poll(cx)
        }
    }

    /// Returns `response` wrapped, unrecorded.
    #[inline(always)]
    pub fn call<F: Future>(
        _method: impl Into<Cow<'static, str>>,
        _peer: impl Into<Cow<'static, str>>,
        response: F,
    ) -> Call<F> {
        Call { fut: response }
    }

    /// Nothing: zero-sized.
    #[derive(Debug)]
    pub struct IncomingCall;

    impl IncomingCall {
        /// Nothing.
        #[inline(always)]
        pub fn enter(_method: impl Into<Cow<'static, str>>, _caller_call_id: &str) -> Self {
            IncomingCall
        }
        /// Does nothing.
        #[inline(always)]
        pub fn with_facts(self, _facts: impl ResourceFacts) -> Self {
            self
        }
        /// Always 0.
        pub fn node_id(&self) -> u64 {
            0
        }
    }

    pin_project_lite::pin_project! {
        /// A transparent wrapper.
        #[derive(Debug)]
        pub struct Handling<F> {
            #[pin]
            fut: F,
        }
    }

    impl<F: Future> Future for Handling<F> {
        type Output = F::Output;
        #[inline(always)]
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
            self.project().fut.poll(cx)
        }
    }

    /// Returns `handler` wrapped, unrecorded.
    #[inline(always)]
    pub fn handle<F: Future>(
        _method: impl Into<Cow<'static, str>>,
        _caller_call_id: &str,
        handler: F,
    ) -> Handling<F> {
        Handling { fut: handler }
    }

    /// Returns `handler` wrapped, unrecorded.
    #[inline(always)]
    pub fn handle_with_facts<F: Future>(
        _method: impl Into<Cow<'static, str>>,
        _caller_call_id: &str,
        _facts: impl ResourceFacts,
        handler: F,
    ) -> Handling<F> {
        Handling { fut: handler }
    }
}

/// No metrics endpoint: nothing is recorded, so nothing is served.
pub mod metrics {
    use std::io;
    use std::net::SocketAddr;

    /// The variable the recording build reads; ignored here.
    pub const METRICS_ENV: &str = "PEEPS_METRICS";

    /// The `Content-Type` of [`scrape`]'s text.
    pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /// Refused: built without feature `diagnostics`.
    pub fn serve(_addr: &str) -> io::Result<SocketAddr> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "peeps is built without feature `diagnostics`: no metrics",
        ))
    }

    /// Does nothing.
    #[inline(always)]
    pub fn start_from_env() {}

    /// An empty exposition.
    pub fn scrape() -> String {
        "# EOF\n".to_owned()
    }
}
