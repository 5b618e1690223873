//! A resource shared by exactly two endpoints (a oneshot channel's sender
//! and receiver), registered only when one of them first waits.
//!
//! A oneshot is made per request and usually completes without anyone
//! waiting, or is waited on once. Registering its node when it is made
//! (two allocations, a registry shard insert and remove, two endpoint
//! holds) cost seven times tokio's whole oneshot. A pair instead records
//! only who made it (one thread-local read in a peeps task) in one shared
//! allocation. The first wait registers the node with both endpoint holds,
//! attributed to the maker and unconfirmed, as an eager node would show
//! them; the waiting end then confirms its own. A pair nobody ever waited
//! on never appears in a snapshot: it was never part of a wait.
//!
//! An end dropped before the node exists leaves no hold behind: each end's
//! drop and the registration meet in one atomic state word, so whichever
//! comes second releases the dropped end's hold.

use crate::context::Actor;
use crate::hold::{EndpointHold, HoldAs, holder};
use crate::resource::{FactsPtr, Resource, ResourceFacts};
use peeps_graph::NodeKind;
use std::borrow::Cow;
use std::panic::Location;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};

/// Facts of a pair's node, told when an end is gone.
pub trait PairFacts: ResourceFacts {
    /// The end holding `how` dropped while the node is registered (called
    /// once per end, whichever of the drop and the registration came last).
    fn end_gone(&self, how: HoldAs);
}

/// State bits: end 0 dropped, end 1 dropped, node registered.
const DROPPED: [u8; 2] = [1, 2];
const REGISTERED: u8 = 4;

struct Registration<F> {
    res: Resource,
    facts: FactsPtr<F>,
    holds: [EndpointHold; 2],
}

struct Shared<F> {
    cell: OnceLock<Registration<F>>,
    state: AtomicU8,
    /// Who made the pair: both ends are attributed to it until used.
    maker: Actor,
    kind: NodeKind,
    location: &'static Location<'static>,
    hows: [HoldAs; 2],
    make_facts: fn() -> F,
}

/// One end of a pair: a handle on the shared, lazily registered node.
pub struct PairEnd<F: PairFacts> {
    shared: Arc<Shared<F>>,
    end: usize,
}

impl<F: PairFacts> std::fmt::Debug for PairEnd<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairEnd")
            .field("node", &self.shared.cell.get().map(|r| r.res.id()))
            .field("as", &self.shared.hows[self.end])
            .finish()
    }
}

impl<F: PairFacts> PairEnd<F> {
    /// The two ends of a new pair of `kind` made at `location`, holding it
    /// as `hows[0]` and `hows[1]`; `make_facts` makes the node's facts when
    /// it is registered.
    #[inline]
    pub fn pair(
        kind: NodeKind,
        location: &'static Location<'static>,
        hows: [HoldAs; 2],
        make_facts: fn() -> F,
    ) -> (Self, Self) {
        let shared = Arc::new(Shared {
            cell: OnceLock::new(),
            state: AtomicU8::new(0),
            maker: holder(),
            kind,
            location,
            hows,
            make_facts,
        });
        (PairEnd { shared: shared.clone(), end: 0 }, PairEnd { shared, end: 1 })
    }

    /// The node and its facts, if registered.
    #[inline]
    pub fn registered(&self) -> Option<(&Resource, &F)> {
        self.shared.cell.get().map(|r| {
            // SAFETY: the facts live in the entry of `r.res`, alive as long
            // as the shared state.
            (&r.res, unsafe { r.facts.as_ref() })
        })
    }

    /// The node's facts, if registered.
    #[inline]
    pub fn facts(&self) -> Option<&F> {
        self.registered().map(|(_, f)| f)
    }

    /// The node, registered now if it was not yet.
    #[inline]
    pub fn register(&self) -> &Resource {
        match self.shared.cell.get() {
            Some(r) => &r.res,
            None => &self.register_slow().res,
        }
    }

    #[cold]
    fn register_slow(&self) -> &Registration<F> {
        let s = &*self.shared;
        let mut made = false;
        let reg = s.cell.get_or_init(|| {
            made = true;
            let (res, facts) = Resource::build_with(s.kind, s.location, false, (s.make_facts)());
            let holds = s.hows.map(|how| res.holders().acquire_endpoint_for(&s.maker, how));
            Registration { res, facts, holds }
        });
        if made {
            let before = s.state.fetch_or(REGISTERED, Ordering::AcqRel);
            for end in 0..2 {
                if before & DROPPED[end] != 0 {
                    gone(reg, s.hows[end], end);
                }
            }
        }
        reg
    }

    /// This end was used by the current task (at address `endpoint`, see
    /// [`crate::hold::HolderSet::touch_endpoint`]): re-attributes and
    /// confirms its hold, if the node is registered.
    #[inline]
    pub fn touch(&self, endpoint: *const ()) {
        if let Some(r) = self.shared.cell.get() {
            let how = self.shared.hows[self.end];
            r.res.holders().touch_endpoint(&r.holds[self.end], how, endpoint);
        }
    }

    /// Renames the node, registering it.
    pub fn rename(&self, name: impl Into<Cow<'static, str>>) {
        self.register().rename(name);
    }
}

/// Releases end `end`'s hold and tells the facts.
fn gone<F: PairFacts>(reg: &Registration<F>, how: HoldAs, end: usize) {
    reg.res.holders().release_endpoint(&reg.holds[end]);
    // SAFETY: as in `PairEnd::registered`.
    unsafe { reg.facts.as_ref() }.end_gone(how);
}

impl<F: PairFacts> Drop for PairEnd<F> {
    #[inline]
    fn drop(&mut self) {
        let s = &*self.shared;
        let before = s.state.fetch_or(DROPPED[self.end], Ordering::AcqRel);
        if before & REGISTERED != 0
            && let Some(reg) = s.cell.get()
        {
            gone(reg, s.hows[self.end], self.end);
        }
    }
}
