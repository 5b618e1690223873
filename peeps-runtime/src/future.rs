//! Instrumented futures: what `#[peeps::instrument]` and `peeps!` make.
//!
//! An unpolled future costs nothing. Its first poll registers nothing
//! either: the polling thread publishes a record of it for as long as the
//! poll runs (see [`crate::first_poll`]), which is all a future that
//! completes within its first poll ever costs. A future that returns
//! `Pending` from its first poll registers its node then, and leaves the
//! registry when it completes or is dropped. Each poll reads the
//! thread-local frame to learn its parent (a `needs` edge from whoever
//! polls it), becomes the frame for its own children, and updates its
//! statistics with single-writer atomics: no lock, no allocation.

mod once;

use crate::ambient::{self, AmbientHandle};
use crate::clock;
use crate::context::Frame;
use crate::node::{Describe, Name, NodeCore, PollStats, SourceLocation};
use crate::registry::{Entry, Registered};
use crate::task::StatsScope;
use crate::subwaker::{self, SubWaker};
use peeps_graph::{Attrs, EdgeKind, NodeId, NodeKind, attr};
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use once::OnceOwned;
use std::sync::Arc;
use crate::ownership::Key;
use std::sync::atomic::{
    AtomicU64,
    Ordering::{Relaxed, Release},
    fence,
};
use std::task::{Context, Poll};

/// The registry entry of an instrumented future.
#[derive(Debug)]
pub struct FutureEntry {
    core: NodeCore,
    stats: PollStats,
    parent: AtomicU64,
    parent_since: AtomicU64,
    /// Its sub-waker, once it was polled inside a peeps task with a
    /// combinator's waker (see [`crate::subwaker`]).
    sub: OnceOwned<Arc<SubWaker>>,
    /// Where its pinned state is, once it was polled at the top of a plain
    /// tokio task: that state is the task's own, read by snapshots as a
    /// peeps task's is.
    plain: OnceOwned<Box<PlainState>>,
}

/// The pinned state of the top-level future of a plain tokio task.
#[derive(Debug)]
struct PlainState {
    /// The state's address and size.
    at: usize,
    len: usize,
    /// The plain task's node id.
    task: NodeId,
    /// Readers of the state, and whether it is going.
    gate: crate::task::StateGate,
}

impl FutureEntry {
    /// Records where the future's pinned state is (`at`, `len` bytes) when
    /// it is polled at the top of plain tokio task `plain` (once).
    #[inline]
    fn note_plain_state(&self, at: usize, len: usize, plain: Option<NodeId>) {
        if let Some(task) = plain
            && self.plain.get().is_none()
        {
            let _ = self.plain.set(Box::new(PlainState { at, len, task, gate: crate::task::StateGate::default() }));
            crate::census::note_runtime();
        }
    }
}

// SAFETY: `core` returns the entry's own `core` field, and nothing else.
unsafe impl Entry for FutureEntry {
    fn core(&self) -> &NodeCore {
        &self.core
    }
    fn scan_state(&self, budget: &mut usize, found: &mut dyn FnMut(Key)) -> bool {
        self.plain
            .get()
            .is_some_and(|p| p.gate.scan_state(&self.stats, (p.at, p.len), budget, found))
    }
    fn state_owner(&self) -> NodeId {
        self.plain.get().map_or(self.core.id, |p| p.task)
    }
    fn poll_state(&self) -> Option<crate::node::PollState> {
        Some(self.stats.state())
    }
    fn describe(&self, out: &mut Describe<'_>) {
        self.stats.describe(out, self.core.created_ms);
        if let Some(sub) = self.sub.get() {
            let (live, accounted) = sub.counts();
            out.attr(attr::SUB_WAKER, true);
            out.attr(attr::WAKER_CLONES, live);
            out.attr(attr::WAKER_CLONES_ACCOUNTED, accounted);
            out.attr(attr::WAKER_GROUP, sub.group() as u64);
        }
        let parent = self.parent.load(Relaxed);
        if parent != 0 {
            let since = self.parent_since.load(Relaxed);
            out.edge(parent, self.core.id, EdgeKind::Needs, since, Attrs::new());
        }
    }
}

/// Where the node lives, once registered.
#[derive(Debug)]
struct Live {
    reg: Registered<FutureEntry>,
    /// The root this future runs under when nothing instrumented polls it.
    root: Option<Arc<AmbientHandle>>,
}

impl Live {
    /// The future is ending or going: no snapshot reads its state from now
    /// on (waits for those reading it now).
    #[inline]
    fn state_gone(&self) {
        if let Some(plain) = self.reg.plain.get() {
            plain.gate.close();
        }
    }
}

/// Retires a future's node: its state closed to snapshots, then the node
/// out of the registry.
#[inline]
fn retire(live: &mut Option<Live>) {
    if let Some(l) = live.take() {
        l.state_gone();
    }
}

pin_project_lite::pin_project! {
    /// A future recorded as a `future` node. Made by [`instrument`].
    pub struct Instrumented<F> {
        #[pin]
        inner: F,
        name: Name,
        location: &'static str,
        live: Option<Live>,
    }

    impl<F> PinnedDrop for Instrumented<F> {
        fn drop(this: Pin<&mut Self>) {
            // Before `inner` goes: a snapshot may be reading it.
            if let Some(live) = this.project().live {
                live.state_gone();
            }
        }
    }
}

impl<F> std::fmt::Debug for Instrumented<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instrumented").field("name", &self.name).field("location", &self.location).finish()
    }
}

/// Records `fut` as a future node named `name`, made at `location`
/// (`file:line:col`).
pub fn instrument<F: Future>(name: impl Into<Cow<'static, str>>, location: &'static str, fut: F) -> Instrumented<F> {
    Instrumented { inner: fut, name: Name::from(name.into()), location, live: None }
}

/// Who polls a future: the parent of its `needs` edge, its task, and the
/// ambient root it runs under when nothing instrumented polls it.
#[derive(Clone, Copy)]
struct Polled<'a> {
    parent: NodeId,
    task: NodeId,
    tracked: bool,
    root: Option<&'a Arc<AmbientHandle>>,
    /// It is the top-level future of a plain tokio task (`root` is that
    /// task's).
    plain_top: bool,
}

impl Polled<'_> {
    /// The plain tokio task this future is the top-level future of.
    #[inline]
    fn plain_task(&self) -> Option<NodeId> {
        self.plain_top.then_some(self.task)
    }
}

/// Who polls a future now; `cached` keeps its ambient root across polls.
#[inline]
fn polled_by(cached: &mut Option<Arc<AmbientHandle>>) -> Polled<'_> {
    let outer = crate::context::current();
    if outer.node != 0 {
        Polled { parent: outer.node, task: outer.task, tracked: outer.tracked, root: None, plain_top: false }
    } else {
        // Top level (nothing instrumented polls it): the parent is the
        // ambient root.
        let root = top_level_root(cached);
        Polled { parent: root.id(), task: root.id(), tracked: false, root: Some(root), plain_top: root.tokio_id().is_some() }
    }
}

/// Polls `inner` as node `id` polled by `by`: the frame, the ambient root's
/// statistics at top level, and the sub-waker inside a peeps task polled by
/// a combinator (made in `sub` if it is empty).
#[inline]
fn poll_as<F: Future>(
    inner: Pin<&mut F>,
    cx: &mut Context<'_>,
    id: NodeId,
    by: Polled<'_>,
    sub: impl FnOnce() -> Arc<SubWaker>,
) -> Poll<F::Output> {
    // At top level this poll is also the root's, and this thread polls
    // that root from now on.
    let root_scope = by.root.map(|root| (crate::threads::polling(root.id()), StatsScope::begin(root.stats())));
    // The top-level future of a plain tokio task: its pinned state is that
    // task's own, as far as peeps can see — a handle used from inside it is
    // owned by the task (see `context::context_owns`), as in a peeps task —
    // and it counts the clones of the waker it hands down, as a peeps task
    // does its own: one its waits cannot account for (a timer, a socket)
    // says the task may be woken by something peeps cannot see.
    let plain_top = by.plain_top;
    let _state = plain_top.then(|| {
        crate::context::enter_task_poll(std::ptr::from_ref(inner.as_ref().get_ref()) as usize, std::mem::size_of::<F>(), 0)
    });
    let frame = crate::context::enter(Frame { node: id, task: by.task, tracked: by.tracked });
    // Inside a peeps task, polled by a combinator with a waker of its own
    // (or at the top of a plain task): count what this future's wakers are
    // held by.
    let res = if plain_top || (by.tracked && !crate::waker::is_counted(cx.waker())) {
        let sub = sub();
        sub.remember(cx.waker());
        let view = subwaker::view(&sub);
        inner.poll(&mut Context::from_waker(&view))
    } else {
        inner.poll(cx)
    };
    drop(frame);
    if let Some((_on_thread, s)) = root_scope {
        s.end(res.is_ready());
    }
    res
}

impl<F: Future> Future for Instrumented<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let res = match this.live {
            Some(live) => poll_registered(live, this.inner, cx),
            None => {
                // The first poll: no node yet. While it runs the thread
                // publishes it (see `crate::first_poll`); only if it returns
                // `Pending` does it register.
                let mut root = None;
                let by = polled_by(&mut root);
                // The top-level future of a plain tokio task, polled for the
                // first time: what it owns was moved into that task (by a
                // `tokio::spawn` peeps cannot see), as `spawn` says for a
                // peeps task.
                if let Some(task) = by.plain_task() {
                    crate::ownership::spawned(this.inner.as_ref().get_ref(), task);
                }
                let since = clock::now_ms();
                let id = crate::id::next_id();
                // A name made at run time cannot be read from another
                // thread's record: such a future registers at once.
                let published = match this.name.as_static() {
                    Some(name) => crate::first_poll::publish(id, by.parent, since, name, this.location),
                    None => None,
                };
                let Some(published) = published else {
                    let live = this.live.insert(Live {
                        reg: register(id, std::mem::take(this.name), this.location, by.parent, since, PollStats::default(), None),
                        root,
                    });
                    let res = poll_registered(live, this.inner, cx);
                    if res.is_ready() {
                        retire(this.live);
                    }
                    return res;
                };
                let mut sub: Option<Arc<SubWaker>> = None;
                let state_at = std::ptr::from_ref(this.inner.as_ref().get_ref()) as usize;
                let res = poll_as(this.inner, cx, id, by, || sub.insert(Arc::default()).clone());
                if res.is_pending() {
                    let (parent, plain) = (by.parent, by.plain_task());
                    let stats = PollStats::after_first_poll(since, clock::now_ms());
                    // Registered before the record goes: a snapshot between
                    // the two sees it twice (and keeps one), never not at all.
                    let reg = register(id, std::mem::take(this.name), this.location, parent, since, stats, sub);
                    reg.note_plain_state(state_at, std::mem::size_of::<F>(), plain);
                    *this.live = Some(Live { reg, root });
                }
                drop(published);
                return res;
            }
        };
        if res.is_ready() {
            // The node leaves the registry as soon as the future completes.
            retire(this.live);
        }
        res
    }
}

/// Registers a future's node.
#[cold]
#[inline(never)]
fn register(
    id: NodeId,
    name: Name,
    location: &'static str,
    parent: NodeId,
    since: u64,
    stats: PollStats,
    sub: Option<Arc<SubWaker>>,
) -> Registered<FutureEntry> {
    let sub_cell = OnceOwned::new();
    if let Some(sub) = sub {
        let _ = sub_cell.set(sub);
    }
    // Built in place, field by field: a whole entry built on the stack and
    // copied in (a `rep movsb`) stalled the first poll's reads of it.
    let mut arc = Arc::new(std::mem::MaybeUninit::<FutureEntry>::uninit());
    let slot = Arc::get_mut(&mut arc).expect("a new Arc is unique").as_mut_ptr();
    // SAFETY: `slot` points at the new, unique, uninitialised entry; each
    // field is written exactly once before `assume_init`.
    let arc = unsafe {
        std::ptr::addr_of_mut!((*slot).core).write(NodeCore::with_name(
            id,
            NodeKind::Future,
            name,
            SourceLocation::Static(location),
        ));
        std::ptr::addr_of_mut!((*slot).stats).write(stats);
        std::ptr::addr_of_mut!((*slot).parent).write(AtomicU64::new(parent));
        std::ptr::addr_of_mut!((*slot).parent_since).write(AtomicU64::new(since));
        std::ptr::addr_of_mut!((*slot).sub).write(sub_cell);
        std::ptr::addr_of_mut!((*slot).plain).write(OnceOwned::new());
        arc.assume_init()
    };
    Registered::from_arc(arc)
}

/// A poll of a future whose node is registered.
#[inline]
fn poll_registered<F: Future>(live: &mut Live, inner: Pin<&mut F>, cx: &mut Context<'_>) -> Poll<F::Output> {
    let by = polled_by(&mut live.root);
    let entry = live.reg.entry();
    if entry.parent.load(Relaxed) != by.parent {
        entry.parent.store(by.parent, Relaxed);
        entry.parent_since.store(clock::now_ms(), Relaxed);
    }
    entry.note_plain_state(std::ptr::from_ref(inner.as_ref().get_ref()) as usize, std::mem::size_of::<F>(), by.plain_task());
    let scope = StatsScope::begin(&entry.stats);
    // The poll's writes to the future come after its start is visible to
    // a snapshot reading a plain task's state, and before its end is (a
    // sequence lock: see `FutureEntry::read_state`).
    fence(Release);
    let res = poll_as(inner, cx, entry.core.id, by, || entry.sub.get_or_init_cloned(Arc::default));
    fence(Release);
    scope.end(res.is_ready());
    res
}

/// The ambient root of a future polled by nothing instrumented, cached in
/// the future and re-checked (one thread-local read) in case it moved.
#[inline]
fn top_level_root(cached: &mut Option<Arc<AmbientHandle>>) -> &Arc<AmbientHandle> {
    let here = tokio::task::try_id();
    let stale = match cached {
        Some(root) => root.tokio_id() != here || (here.is_none() && !ambient::is_thread_root(root)),
        None => true,
    };
    if stale {
        *cached = Some(match here {
            Some(task) => ambient::foreign_task(task),
            None => ambient::thread_root(),
        });
    }
    // Just filled above when it was empty.
    cached.as_ref().expect("root cached")
}

/// The id a future node has once polled (for tests).
impl<F> Instrumented<F> {
    /// The node id, once the future has been polled and until it completes.
    pub fn node_id(&self) -> Option<NodeId> {
        self.live.as_ref().map(|l| l.reg.core().id)
    }
}
