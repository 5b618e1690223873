//! An instrumented `tokio::sync::Barrier`.
//!
//! A task waiting at the barrier is a `waits_on` edge (`op: barrier`) to a
//! node of kind `notify`: the releasers are whichever tasks arrive next,
//! which peeps cannot name, so the wait counts as external.

use crate::core::{At, Waiting};
use peeps_graph::NodeKind;
use peeps_graph::Op;
use peeps_runtime::__private::resource::LazyResource;
use std::borrow::Cow;
use std::future::Future;
use std::panic::Location;

pub use tokio::sync::BarrierWaitResult;

/// A barrier for `n` tasks: `tokio::sync::Barrier`, whose waits are
/// `waits_on` edges.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let b = peeps_sync::Barrier::new(1).named("start");
/// assert!(b.wait().await.is_leader());
/// # }
/// ```
#[derive(Debug)]
pub struct Barrier {
    res: LazyResource,
    inner: tokio::sync::Barrier,
}

impl Barrier {
    /// Creates a barrier for `n` tasks, named after the call site. A
    /// barrier of 0 behaves as one of 1, as tokio's.
    #[track_caller]
    pub fn new(n: usize) -> Barrier {
        let b = Barrier {
            res: LazyResource::new(NodeKind::Notify, Location::caller(), false, 0),
            inner: tokio::sync::Barrier::new(n),
        };
        b.res.resource();
        b
    }

    /// Names the node `name` (default: the construction site).
    pub fn named(self, name: impl Into<Cow<'static, str>>) -> Self {
        self.res.resource().rename(name);
        self
    }

    /// Waits until all `n` tasks have called `wait`, as tokio's; exactly
    /// one of them is told it is the leader. Pending: `waits_on` with
    /// `op: barrier`, recording this call's site (`#[track_caller]`: a
    /// plain `fn` returning the future, as an `async fn` cannot take it).
    ///
    /// # Cancel safety
    ///
    /// As tokio's: not cancel safe (a dropped wait still counted as arrived).
    #[track_caller]
    pub fn wait(&self) -> impl Future<Output = BarrierWaitResult> {
        let at = At::caller();
        async move {
            Waiting::new(
                self.res.resource(),
                Op::Barrier,
                at.site(),
                self.inner.wait(),
            )
            .await
        }
    }
}
