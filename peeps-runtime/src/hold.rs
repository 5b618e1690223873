//! `held_by` edges: who can release a resource.
//!
//! A resource owns a [`HolderSet`]. Taking a guard, a permit or an endpoint
//! calls [`HolderSet::acquire`] and gets a [`HoldToken`], which the guard
//! gives back with [`HolderSet::release`] when it drops (wherever it drops:
//! an owned guard moved to another task is still released correctly).
//!
//! The first holder takes a lock-free slot (three atomics), so an
//! uncontended lock+unlock costs no lock; further concurrent holders (read
//! guards, permits, endpoints) go to a list behind the set's own lock.

use crate::clock;
use crate::context::{self, Actor};
use crate::node::Describe;
use crate::slab::Slab;
use parking_lot::Mutex;
use peeps_graph::{Attrs, EdgeKind, NodeId, attr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// How a holder holds a resource (the `as` attribute of `held_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum HoldAs {
    /// A mutex guard or a write guard.
    Guard = 0,
    /// A read guard.
    ReadGuard = 1,
    /// A semaphore permit.
    Permit = 2,
    /// A channel's sending endpoint.
    Sender = 3,
    /// A channel's receiving endpoint.
    Receiver = 4,
}

impl HoldAs {
    /// The schema's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            HoldAs::Guard => attr::AS_GUARD,
            HoldAs::ReadGuard => attr::AS_READ_GUARD,
            HoldAs::Permit => attr::AS_PERMIT,
            HoldAs::Sender => attr::AS_SENDER,
            HoldAs::Receiver => attr::AS_RECEIVER,
        }
    }

    fn from_bits(b: u64) -> HoldAs {
        match b & 0x7 {
            1 => HoldAs::ReadGuard,
            2 => HoldAs::Permit,
            3 => HoldAs::Sender,
            4 => HoldAs::Receiver,
            _ => HoldAs::Guard,
        }
    }
}

#[derive(Debug)]
struct HolderRecord {
    holder: NodeId,
    how: HoldAs,
    confirmed: bool,
    since: u64,
}

/// Who holds one resource.
#[derive(Debug)]
pub struct HolderSet {
    owner: NodeId,
    /// Holder id in the lock-free slot, 0 when free.
    fast_holder: AtomicU64,
    /// `since << 8 | confirmed << 3 | how`.
    fast_meta: AtomicU64,
    slow: Mutex<Slab<HolderRecord>>,
}

/// A holder's place in a [`HolderSet`]; give it back with
/// [`HolderSet::release`]. It keeps an ambient holder's node alive.
#[derive(Debug)]
#[must_use = "a hold must be released with HolderSet::release"]
pub struct HoldToken {
    slot: Slot,
    holder: NodeId,
    _keep: Option<Arc<crate::ambient::AmbientHandle>>,
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Fast,
    Slow(usize),
}

fn meta(how: HoldAs, confirmed: bool, since: u64) -> u64 {
    since << 8 | u64::from(confirmed) << 3 | how as u64
}

impl HolderSet {
    /// An empty set for resource `owner`.
    pub fn new(owner: NodeId) -> Self {
        HolderSet {
            owner,
            fast_holder: AtomicU64::new(0),
            fast_meta: AtomicU64::new(0),
            slow: Mutex::new(Slab::new()),
        }
    }

    /// Records the current task as a holder. `confirmed: false` when the
    /// attribution is a guess (an endpoint that task has not used yet).
    #[inline]
    pub fn acquire(&self, how: HoldAs, confirmed: bool) -> HoldToken {
        let Actor { id, keep, .. } = context::current_holder();
        self.acquire_for(id, keep, how, confirmed)
    }

    fn acquire_for(
        &self,
        id: NodeId,
        keep: Option<Arc<crate::ambient::AmbientHandle>>,
        how: HoldAs,
        confirmed: bool,
    ) -> HoldToken {
        let since = clock::now_ms();
        let slot = if self.fast_holder.compare_exchange(0, id, Ordering::AcqRel, Ordering::Relaxed).is_ok() {
            self.fast_meta.store(meta(how, confirmed, since), Ordering::Release);
            Slot::Fast
        } else {
            Slot::Slow(self.slow.lock().insert(HolderRecord { holder: id, how, confirmed, since }))
        };
        HoldToken { slot, holder: id, _keep: keep }
    }

    /// Gives a hold back: its `held_by` edge disappears.
    #[inline]
    pub fn release(&self, token: HoldToken) {
        match token.slot {
            Slot::Fast => self.fast_holder.store(0, Ordering::Release),
            Slot::Slow(key) => {
                self.slow.lock().remove(key);
            }
        }
    }

    /// Re-attributes a hold to the current task when another task uses it
    /// (a channel endpoint), and marks it confirmed. Cheap when nothing
    /// changed: one thread-local read and a compare.
    #[inline]
    pub fn touch(&self, token: &mut HoldToken, how: HoldAs) {
        let frame = context::current();
        if frame.tracked && frame.task == token.holder && self.is_confirmed(token) {
            return;
        }
        self.touch_slow(token, how);
    }

    fn is_confirmed(&self, token: &HoldToken) -> bool {
        match token.slot {
            Slot::Fast => self.fast_meta.load(Ordering::Relaxed) >> 3 & 1 == 1,
            Slot::Slow(key) => self.slow.lock().get_mut(key).is_some_and(|r| r.confirmed),
        }
    }

    #[cold]
    fn touch_slow(&self, token: &mut HoldToken, how: HoldAs) {
        let Actor { id, keep, .. } = context::current_holder();
        let placeholder = HoldToken { slot: token.slot, holder: token.holder, _keep: None };
        let old = std::mem::replace(token, placeholder);
        self.release(old);
        *token = self.acquire_for(id, keep, how, true);
    }

    /// How many holds are live.
    pub fn len(&self) -> usize {
        usize::from(self.fast_holder.load(Ordering::Relaxed) != 0) + self.slow.lock().len()
    }

    /// True when nobody holds it.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds a `held_by` edge per live hold.
    pub fn describe(&self, out: &mut Describe<'_>) {
        let holder = self.fast_holder.load(Ordering::Acquire);
        if holder != 0 {
            let m = self.fast_meta.load(Ordering::Acquire);
            self.edge(out, holder, HoldAs::from_bits(m), m >> 3 & 1 == 1, m >> 8);
        }
        let slow = self.slow.lock();
        for r in slow.iter() {
            self.edge(out, r.holder, r.how, r.confirmed, r.since);
        }
    }

    fn edge(&self, out: &mut Describe<'_>, holder: NodeId, how: HoldAs, confirmed: bool, since: u64) {
        let mut attrs = Attrs::new();
        attrs.insert(attr::AS.into(), how.as_str().into());
        if !confirmed {
            attrs.insert(attr::CONFIRMED.into(), false.into());
        }
        out.edge(self.owner, holder, EdgeKind::HeldBy, since, attrs);
    }
}
