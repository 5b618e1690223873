//! The one core under every instrumented primitive: a resource node with
//! its pending waits ([`WaitList`]) and its holders ([`HolderSet`]).
//!
//! peeps-sync builds Mutex, RwLock, Semaphore, the channels and the rest on
//! [`Resource`], so the edge logic is written once, as tokio builds its locks
//! on one batch semaphore.

use crate::hold::HolderSet;
use crate::node::{Describe, NodeCore, SourceLocation};
use crate::registry::{Entry, Registered};
use crate::wait::WaitList;
use peeps_graph::{NodeId, NodeKind, attr};
use std::borrow::Cow;
use std::panic::Location;
use std::sync::Arc;

/// Extra facts a resource reports at snapshot time (a channel's counters).
pub trait ResourceFacts: Send + Sync + 'static {
    /// Sets state and attributes beyond holders and waiters.
    fn describe(&self, out: &mut Describe<'_>);
}

/// The registry entry of a resource.
pub struct ResourceEntry {
    core: NodeCore,
    /// Pending waits on this resource.
    pub waits: Arc<WaitList>,
    /// Who holds it.
    pub holders: HolderSet,
    blocking: bool,
    facts: Option<Box<dyn ResourceFacts>>,
}

impl std::fmt::Debug for ResourceEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceEntry").field("core", &self.core).finish_non_exhaustive()
    }
}

impl Entry for ResourceEntry {
    fn core(&self) -> &NodeCore {
        &self.core
    }
    fn describe(&self, out: &mut Describe<'_>) {
        let holders = self.holders.len();
        let waiters = self.waits.len();
        let state = if holders > 0 { "held" } else { "free" };
        out.state(state, self.core.created_ms);
        out.node.since_ms = None;
        out.attr(attr::HOLDERS, holders);
        out.attr(attr::WAITERS, waiters);
        if self.blocking {
            out.attr(attr::BLOCKING, true);
        }
        if let Some(facts) = &self.facts {
            facts.describe(out);
        }
        self.holders.describe(out);
        self.waits.describe(out);
    }
}

/// A handle to a registered resource node. Clones share the node; it leaves
/// the registry when the last clone drops.
#[derive(Debug, Clone)]
pub struct Resource(Arc<Registered<ResourceEntry>>);

impl Resource {
    /// Registers a resource of `kind`, named after its construction site.
    #[track_caller]
    pub fn new(kind: NodeKind) -> Self {
        Self::build(kind, Location::caller(), false, None)
    }

    /// Registers a resource made at `location`, with optional extra facts;
    /// `blocking` for primitives that park the thread (parking_lot).
    pub fn build(
        kind: NodeKind,
        location: &'static Location<'static>,
        blocking: bool,
        facts: Option<Box<dyn ResourceFacts>>,
    ) -> Self {
        let name = Cow::Owned(format!("{}:{}", location.file(), location.line()));
        let core = NodeCore::new(kind, name, SourceLocation::Caller(location));
        let id = core.id;
        Resource(Arc::new(Registered::new(ResourceEntry {
            core,
            waits: Arc::new(WaitList::new(id)),
            holders: HolderSet::new(id),
            blocking,
            facts,
        })))
    }

    /// Renames the node (`.named(..)`).
    pub fn rename(&self, name: impl Into<Cow<'static, str>>) {
        self.0.core.rename(name.into());
    }

    /// The node's id.
    pub fn id(&self) -> NodeId {
        self.0.core.id
    }

    /// Pending waits on this resource.
    pub fn waits(&self) -> &Arc<WaitList> {
        &self.0.waits
    }

    /// Who holds it.
    pub fn holders(&self) -> &HolderSet {
        &self.0.holders
    }
}
