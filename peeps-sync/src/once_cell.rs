//! An instrumented `tokio::sync::OnceCell`.
//!
//! A task waiting while another initialises the cell is a `waits_on` edge
//! (`op: init`) to a node of kind `notify`. The task running the
//! initialiser is not waiting on the cell, so it gets no wait: the marker
//! around the initialiser future tells the two apart, and holds the cell
//! (`held_by`, `as: initialiser`) from its first poll until it finishes or
//! is dropped, so a wait to init names who it waits for — also when that
//! is the waiting task itself (an initialiser that reaches `get_or_init`
//! of its own cell).

use crate::core::{At, poll_recorded};
use peeps_graph::NodeKind;
use peeps_graph::Op;
use peeps_runtime::__private::hold::{HoldAs, HoldGuard};
use peeps_runtime::__private::resource::LazyResource;
use peeps_runtime::__private::resource::Resource;
use peeps_runtime::__private::wait::{WaitEdge, WaitList};
use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::task::{Context, Poll};

pub use tokio::sync::SetError;

/// A thread-safe cell written at most once: `tokio::sync::OnceCell` whose
/// waits for a concurrent initialisation are `waits_on` edges.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// static CONFIG: peeps_sync::OnceCell<u32> = peeps_sync::OnceCell::const_new();
/// let v = CONFIG.get_or_init(|| async { 7 }).await;
/// assert_eq!(*v, 7);
/// # }
/// ```
pub struct OnceCell<T> {
    res: LazyResource,
    inner: tokio::sync::OnceCell<T>,
}

impl<T> OnceCell<T> {
    /// Creates an empty cell, named after the call site.
    #[track_caller]
    pub fn new() -> Self {
        let c = Self::const_new();
        c.res.resource();
        c
    }

    /// Creates an empty cell in a `const` context; the node is registered
    /// on first use.
    #[track_caller]
    pub const fn const_new() -> Self {
        OnceCell {
            res: LazyResource::new(NodeKind::Notify, Location::caller(), false, 0),
            inner: tokio::sync::OnceCell::const_new(),
        }
    }

    /// Creates a cell holding `value` if `Some`, as tokio's `new_with`.
    #[track_caller]
    pub fn new_with(value: Option<T>) -> Self {
        let c = OnceCell {
            res: LazyResource::new(NodeKind::Notify, Location::caller(), false, 0),
            inner: tokio::sync::OnceCell::new_with(value),
        };
        c.res.resource();
        c
    }

    /// Creates a cell holding `value` in a `const` context.
    #[track_caller]
    pub const fn const_new_with(value: T) -> Self {
        OnceCell {
            res: LazyResource::new(NodeKind::Notify, Location::caller(), false, 0),
            inner: tokio::sync::OnceCell::const_new_with(value),
        }
    }

    /// Names the node `name` (default: the construction site).
    pub fn named(self, name: impl Into<Cow<'static, str>>) -> Self {
        self.res.resource().rename(name);
        self
    }

    /// Whether the cell holds a value.
    pub fn initialized(&self) -> bool {
        self.inner.initialized()
    }

    /// The value, if set.
    pub fn get(&self) -> Option<&T> {
        self.inner.get()
    }

    /// A mutable reference to the value, if set.
    pub fn get_mut(&mut self) -> Option<&mut T> {
        self.inner.get_mut()
    }

    /// Sets the value, as tokio's `set`.
    ///
    /// # Errors
    ///
    /// [`SetError`] when already set or being initialised; the value is in
    /// the error.
    pub fn set(&self, value: T) -> Result<(), SetError<T>> {
        self.inner.set(value)
    }

    /// The value, initialising it with `f` if empty, as tokio's
    /// `get_or_init`: one caller runs `f`, the others wait for it (a
    /// `waits_on` edge, `op: init`, recording this call's site:
    /// `#[track_caller]`, a plain `fn` returning the future, as an
    /// `async fn` cannot take it).
    ///
    /// # Panics
    ///
    /// As tokio's: a panic in `f` propagates and the cell stays empty.
    ///
    /// # Cancel safety
    ///
    /// As tokio's: dropping the initialising future lets another caller run
    /// its own initialiser.
    #[track_caller]
    pub fn get_or_init<F, Fut>(&self, f: F) -> impl Future<Output = &T>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let at = At::caller();
        async move {
            let initialising = AtomicBool::new(false);
            let inner = self.inner.get_or_init(|| Marked {
                fut: f(),
                flag: &initialising,
                res: self.res.resource(),
                hold: None,
                at,
            });
            InitWait::new(inner, &initialising, self.res.resource(), at).await
        }
    }

    /// As [`OnceCell::get_or_init`] with a fallible initialiser, as tokio's
    /// `get_or_try_init`; the wait records this call's site.
    ///
    /// # Errors
    ///
    /// The error of `f`; the cell stays empty.
    ///
    /// # Cancel safety
    ///
    /// As [`OnceCell::get_or_init`].
    #[track_caller]
    pub fn get_or_try_init<E, F, Fut>(&self, f: F) -> impl Future<Output = Result<&T, E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let at = At::caller();
        async move {
            let initialising = AtomicBool::new(false);
            let inner = self.inner.get_or_try_init(|| Marked {
                fut: f(),
                flag: &initialising,
                res: self.res.resource(),
                hold: None,
                at,
            });
            InitWait::new(inner, &initialising, self.res.resource(), at).await
        }
    }

    /// Takes the value out, as tokio's `into_inner`.
    pub fn into_inner(self) -> Option<T> {
        self.inner.into_inner()
    }

    /// Takes the value out, leaving the cell empty, as tokio's `take`.
    pub fn take(&mut self) -> Option<T> {
        self.inner.take()
    }
}

pin_project_lite::pin_project! {
    /// The caller's initialiser: marks that this caller is the one running
    /// it, and holds the cell for the task polling it until it finishes
    /// (or is dropped: another caller then runs its own).
    struct Marked<'f, F> {
        #[pin]
        fut: F,
        flag: &'f AtomicBool,
        res: &'f Resource,
        hold: Option<HoldGuard<'f>>,
        // The call of `get_or_init` that runs it.
        at: At,
    }
}

impl<F: Future> Future for Marked<'_, F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        this.flag.store(true, Relaxed);
        if this.hold.is_none() {
            let set = this.res.holders();
            *this.hold = Some(HoldGuard::new(set, HoldAs::Initialiser, true, this.at.site()).0);
        }
        let out = this.fut.poll(cx);
        if out.is_ready() {
            *this.hold = None;
        }
        out
    }
}

pin_project_lite::pin_project! {
    /// `get_or_init`'s future: a wait while someone else initialises.
    struct InitWait<'f, 'r, F> {
        #[pin]
        inner: F,
        flag: &'f AtomicBool,
        res: &'r Resource,
        edge: WaitEdge<&'r WaitList>,
        // The call of `get_or_init` that made it.
        at: At,
    }
}

impl<'f, 'r, F> InitWait<'f, 'r, F> {
    /// Awaits `inner`, initialised by the caller that set `flag`, as a
    /// wait on `res` for everyone else, made by the call at `at`.
    fn new(inner: F, flag: &'f AtomicBool, res: &'r Resource, at: At) -> Self {
        InitWait {
            inner,
            flag,
            res,
            edge: WaitEdge::new(),
            at,
        }
    }
}

impl<F: Future> Future for InitWait<'_, '_, F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let inner = this.inner;
        if this.flag.load(Relaxed) {
            // This caller runs the initialiser: it waits on its own future.
            this.edge.end();
            return inner.poll(cx);
        }
        let res = poll_recorded(this.res, Op::Init, this.at.site(), this.edge, cx, |cx| {
            inner.poll(cx)
        });
        if this.flag.load(Relaxed) {
            this.edge.end();
        }
        res
    }
}

impl<T> Default for OnceCell<T> {
    #[track_caller]
    fn default() -> Self {
        OnceCell::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnceCell")
            .field("value", &self.get())
            .finish()
    }
}

impl<T: Clone> Clone for OnceCell<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        OnceCell::new_with(self.get().cloned())
    }
}

impl<T: PartialEq> PartialEq for OnceCell<T> {
    fn eq(&self, other: &OnceCell<T>) -> bool {
        self.get() == other.get()
    }
}

impl<T: Eq> Eq for OnceCell<T> {}

impl<T> From<T> for OnceCell<T> {
    #[track_caller]
    fn from(value: T) -> Self {
        OnceCell::new_with(Some(value))
    }
}
