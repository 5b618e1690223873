//! Instrumented futures: what `#[peeps::instrument]` and `peeps!` make.
//!
//! The node is registered on the first poll (an unpolled future costs
//! nothing) and leaves the registry when the future completes or is dropped.
//! Each poll reads the thread-local frame to learn its parent (a `needs`
//! edge from whoever polls it), becomes the frame for its own children, and
//! updates its statistics with single-writer atomics: no lock, no allocation.

use crate::ambient::{self, AmbientHandle};
use crate::clock;
use crate::context::Frame;
use crate::node::{Describe, NodeCore, PollStats, SourceLocation};
use crate::registry::{Entry, Registered};
use crate::task::{PollScope, StatsScope};
use crate::subwaker::{self, SubWaker};
use peeps_graph::{Attrs, EdgeKind, NodeId, NodeKind, attr};
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
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
    sub: OnceLock<Arc<SubWaker>>,
}

impl Entry for FutureEntry {
    fn core(&self) -> &NodeCore {
        &self.core
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

/// Where the node lives, once polled.
#[derive(Debug)]
struct Live {
    reg: Registered<FutureEntry>,
    /// The root this future runs under when nothing instrumented polls it.
    root: Option<Arc<AmbientHandle>>,
}

pin_project_lite::pin_project! {
    /// A future recorded as a `future` node. Made by [`instrument`].
    pub struct Instrumented<F> {
        #[pin]
        inner: F,
        name: Cow<'static, str>,
        location: &'static str,
        live: Option<Live>,
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
    Instrumented { inner: fut, name: name.into(), location, live: None }
}

impl<F: Future> Future for Instrumented<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let live = match this.live {
            Some(live) => live,
            None => this.live.insert(Live {
                reg: Registered::new(FutureEntry {
                    core: NodeCore::new(
                        NodeKind::Future,
                        std::mem::take(this.name),
                        SourceLocation::Static(this.location),
                    ),
                    stats: PollStats::default(),
                    parent: AtomicU64::new(0),
                    parent_since: AtomicU64::new(0),
                    sub: OnceLock::new(),
                }),
                root: None,
            }),
        };
        let outer = crate::context::current();
        // Top level (nothing instrumented polls it): the parent is the
        // ambient root.
        let (parent, task, tracked, root) = if outer.node != 0 {
            (outer.node, outer.task, outer.tracked, None)
        } else {
            let root = top_level_root(&mut live.root);
            (root.id(), root.id(), false, Some(root))
        };
        let entry = live.reg.entry();
        if entry.parent.load(Relaxed) != parent {
            entry.parent.store(parent, Relaxed);
            entry.parent_since.store(clock::now_ms(), Relaxed);
        }
        let id = entry.core.id;
        let res = {
            // At top level this poll is also the root's, and this thread
            // polls that root from now on.
            let root_scope = root.map(|root| (crate::threads::polling(root.id()), StatsScope::begin(root.stats())));
            let scope = PollScope::begin(&entry.stats, Frame { node: id, task, tracked });
            // Inside a peeps task, polled by a combinator with a waker of its
            // own: count what this future's wakers are held by.
            let res = if tracked && !crate::waker::is_counted(cx.waker()) {
                let sub = entry.sub.get_or_init(Arc::default);
                sub.remember(cx.waker());
                let view = subwaker::view(sub);
                this.inner.poll(&mut Context::from_waker(&view))
            } else {
                this.inner.poll(cx)
            };
            let ready = res.is_ready();
            scope.end(ready);
            if let Some((_on_thread, s)) = root_scope {
                s.end(ready);
            }
            res
        };
        if res.is_ready() {
            // The node leaves the registry as soon as the future completes.
            *this.live = None;
        }
        res
    }
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
