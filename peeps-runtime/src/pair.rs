//! A resource shared by exactly two endpoints (a oneshot channel's sender
//! and receiver), registered only when one of them first waits.
//!
//! A oneshot is made per request and usually completes without anyone
//! waiting, or is waited on once. Registering its node when it is made
//! (allocations, a registry insert and remove, two endpoint holds) cost
//! seven times tokio's whole oneshot; even one shared allocation per pair
//! cost more than half of it. So making a pair allocates nothing: each end
//! carries the pair's id and who made it (thread-local reads: the peeps
//! task, the plain tokio task's derived id, or the thread's kept root).
//!
//! The first end that waits registers the node, with both endpoint holds
//! attributed to the maker and unconfirmed, as an eager node would show
//! them, and confirms its own; the node is listed under the pair's id in a
//! small sharded table, so the other end finds it when it waits or is used
//! in turn ([`PairEnd::link`]; cold paths only). A pair nobody waited on
//! never appears in a snapshot: it was never part of a wait.
//!
//! An end that never linked cannot release its own hold when it drops.
//! Its partner does instead, when the partner's wait completes: a oneshot's
//! receive completes exactly when the sender has sent (and so is consumed)
//! or dropped, and the sender's `closed` when the receiver is gone or
//! closed ([`PairEnd::partner_gone`]). A oneshot's `send`, the one way an
//! end goes that leaves work for its partner (a value to take), links
//! first to the node its partner registered, so that the send is counted
//! there and its hold goes at once: a snapshot never shows a sender that
//! has sent ([`PairEnd::link_registered`]). Looking the pair up costs a
//! lock, so a send looks only when a count per bucket of pair ids says a
//! node may be registered for it: a send nobody waited for pays one load.
//! That count can miss a node the receiver is registering at that very
//! instant; the receiver's wait then completes and releases the hold.

use crate::context;
use crate::hold::{EndpointHold, HoldAs};
use crate::ownership::{Key, Mark, pending};
use crate::resource::{FactsPtr, Resource, ResourceFacts};
use parking_lot::Mutex;
use peeps_graph::{NodeId, NodeKind};
use std::any::Any;
use std::borrow::Cow;
use std::collections::HashMap;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, LazyLock, Weak};

/// The facts of a pair's node, which also say what the node is.
pub trait PairFacts: ResourceFacts + Sized {
    /// The node's kind.
    const KIND: NodeKind;
    /// How end 0 and end 1 hold it.
    const HOWS: [HoldAs; 2];
    /// The facts of a node registered now.
    fn make() -> Self;
    /// The end holding `how` is gone (dropped, consumed, or its partner
    /// saw it go); called once per end.
    fn end_gone(&self, how: HoldAs);
}

/// One end of a pair: the pair's id, its maker and, once this end waited
/// or was used, the registered node.
pub struct PairEnd<F: PairFacts + 'static> {
    reg: Option<Arc<Registration<F>>>,
    /// Names this end (see [`crate::ownership`]): the pair's id (unique per
    /// pair) shifted left, or'd with this end's number (0 or 1).
    mark: Mark,
    /// Who made the pair: both holds are attributed to it until used (a
    /// node that needs no reference kept: see [`context::current_holder`]).
    maker: NodeId,
    location: &'static Location<'static>,
}

impl<F: PairFacts> std::fmt::Debug for PairEnd<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairEnd")
            .field("pair", &self.pair_id())
            .field("node", &self.reg.as_ref().map(|r| r.res.id()))
            .field("as", &F::HOWS[self.end()])
            .finish()
    }
}

impl<F: PairFacts> PairEnd<F> {
    /// The two ends of a new pair made at `location`.
    #[inline]
    pub fn pair(location: &'static Location<'static>) -> (Self, Self) {
        // Any process-unique integer will do: a node id is one.
        let pair = crate::id::next_id() << 1;
        let maker = context::current_holder().id;
        let end = |end| PairEnd { reg: None, mark: Mark::new(Key::pair_end(pair | end)), maker, location };
        (end(0), end(1))
    }

    /// The pair's id shifted left, or'd with this end's number.
    #[inline]
    fn pair_end(&self) -> u64 {
        self.mark.key().as_pair_end().unwrap_or(0)
    }

    #[inline]
    fn pair_id(&self) -> u64 {
        self.pair_end() >> 1
    }

    #[inline]
    fn end(&self) -> usize {
        (self.pair_end() & 1) as usize
    }

    /// The node id of the pair's node, if this end is linked to it (the
    /// channel a value sent through it travels in).
    #[inline]
    pub fn node_id(&self) -> Option<NodeId> {
        self.reg.as_deref().map(|r| r.res.id())
    }

    /// The node and its facts, if this end is linked to it.
    #[inline]
    pub fn registered(&self) -> Option<(&Resource, &F)> {
        self.reg.as_deref().map(|r| (&r.res, r.facts()))
    }

    /// The node's facts, if this end is linked to it.
    #[inline]
    pub fn facts(&self) -> Option<&F> {
        self.reg.as_deref().map(Registration::facts)
    }

    /// The node, registered now if neither end did yet, with this end
    /// linked to it and used by the current task (its hold re-attributed
    /// and confirmed as [`crate::hold::HolderSet::touch_endpoint`] does,
    /// `endpoint` being the handle's address).
    #[inline]
    pub fn link(&mut self, endpoint: *const ()) -> &Resource {
        let end = self.end();
        let reg = self.registration();
        reg.touch(end, endpoint);
        &reg.res
    }

    /// Re-attributes and confirms this end's hold, if linked.
    #[inline]
    pub fn touch(&self, endpoint: *const ()) {
        if let Some(reg) = &self.reg {
            reg.touch(self.end(), endpoint);
        }
    }

    /// Links this end to its pair's node if its partner registered one,
    /// registering none (an end about to go, a oneshot sender sending: its
    /// hold is then released as it drops). One load when no registered
    /// pair shares its bucket.
    #[inline]
    pub fn link_registered(&mut self) {
        if self.reg.is_none() && self.may_be_registered() {
            self.reg = self.find_registered();
        }
    }

    /// Whether a node may be registered for this pair: its bucket of
    /// [`REGISTERED`] counts one (no: none is). A few instructions: the
    /// bucket is the low bits of the pair id, read from the mark.
    #[inline]
    fn may_be_registered(&self) -> bool {
        // The ticket is the pair end with the pair flag high above the
        // bucket's bits: shifted right once, its low bits are the pair id's.
        let pair = (self.mark.key().ticket >> 1) as usize;
        REGISTERED[pair % BUCKETS].load(Ordering::Relaxed) != 0
    }


    /// The registration listed for this pair, if any. Cold.
    #[cold]
    #[inline(never)]
    fn find_registered(&self) -> Option<Arc<Registration<F>>> {
        let pair = self.pair_id();
        let listed = shard(pair).lock().get(&pair).and_then(Weak::upgrade)?;
        // Pair ids are unique, so the entry is of this type (see
        // `find_or_register`); dropped after the lock either way.
        listed.into_any().downcast::<Registration<F>>().ok()
    }

    /// The partner end is gone (this end's wait completed because of it):
    /// its hold is released, if this end is linked.
    #[inline]
    pub fn partner_gone(&self) {
        if let Some(reg) = &self.reg {
            reg.gone(1 - self.end());
        }
    }

    /// Renames the node, registering it.
    pub fn rename(&mut self, name: impl Into<Cow<'static, str>>) {
        self.registration().res.rename(name);
    }

    /// The registration this end is linked to, linking it now if needed.
    #[inline]
    fn registration(&mut self) -> &Registration<F> {
        if self.reg.is_none() {
            self.reg = Some(self.find_or_register());
        }
        self.reg.as_deref().expect("linked just now")
    }

    #[cold]
    #[inline(never)]
    fn find_or_register(&self) -> Arc<Registration<F>> {
        let pair = self.pair_id();
        let mut table = shard(pair).lock();
        let found = table.get(&pair).and_then(Weak::upgrade);
        // Pair ids are unique, so the entry is of this type; anything else
        // (never) is dropped after the lock, as its drop takes the lock.
        let found = found.map(|listed| listed.into_any().downcast::<Registration<F>>());
        let reg = match found {
            Some(Ok(reg)) => return reg,
            Some(Err(other)) => Some(other),
            None => None,
        };
        let made = Arc::new(Registration::new(self));
        let entry: Arc<dyn Listed> = made.clone();
        table.insert(pair, Arc::downgrade(&entry));
        // Counted under the shard's lock: an end that sees the count finds
        // the entry when it takes the lock.
        bucket(pair).fetch_add(1, Ordering::Relaxed);
        drop(table);
        drop(reg);
        made
    }
}

impl<F: PairFacts> Drop for PairEnd<F> {
    #[inline]
    fn drop(&mut self) {
        if let Some(reg) = &self.reg {
            reg.gone(self.end());
        }
    }
}

/// A pair's registered node: both ends' holds, and whether each is gone.
struct Registration<F: 'static> {
    res: Resource,
    facts: FactsPtr<F>,
    holds: [EndpointHold; 2],
    gone: [AtomicBool; 2],
    pair: u64,
}

impl<F: PairFacts> Registration<F> {
    fn new(by: &PairEnd<F>) -> Self {
        let (res, facts) = Resource::build_with(F::KIND, by.location, false, F::make());
        let pair = by.pair_id();
        let mut end = 0;
        let holds = F::HOWS.map(|how| {
            let key = Key::pair_end(pair << 1 | end);
            end += 1;
            let hold = res.holders().acquire_endpoint_by(by.maker, how, key.ticket);
            // A move peeps saw before the pair had a node.
            if let Some(m) = pending().take(key) {
                res.holders().moved(key.ticket, m);
            }
            hold
        });
        Registration { res, facts, holds, gone: [AtomicBool::new(false), AtomicBool::new(false)], pair }
    }

    fn facts(&self) -> &F {
        // SAFETY: the facts live in the entry `self.res` keeps alive.
        unsafe { self.facts.as_ref() }
    }

    #[inline]
    fn touch(&self, end: usize, endpoint: *const ()) {
        if !self.gone[end].load(Ordering::Relaxed) {
            self.res.holders().touch_endpoint(&self.holds[end], F::HOWS[end], endpoint);
        }
    }

    /// End `end` is gone: its hold goes, and the facts are told (once).
    fn gone(&self, end: usize) {
        if !self.gone[end].swap(true, Ordering::AcqRel) {
            self.res.holders().release_endpoint(&self.holds[end]);
            self.facts().end_gone(F::HOWS[end]);
        }
    }
}

impl<F: 'static> Drop for Registration<F> {
    fn drop(&mut self) {
        // Unlist it, unless the partner already listed a new registration
        // under the same id (this one was dying when it looked).
        let mut table = shard(self.pair).lock();
        if table.get(&self.pair).is_some_and(|w| w.strong_count() == 0) {
            table.remove(&self.pair);
        }
        bucket(self.pair).fetch_sub(1, Ordering::Relaxed);
    }
}

/// End `pair_end` of a pair is now held by `to`, as `via` says (see
/// [`crate::ownership::moved`]): recorded in the pair's node if it has one,
/// else kept until it registers one.
pub(crate) fn moved(pair_end: u64, m: crate::ownership::Move) {
    let pair = pair_end >> 1;
    let key = Key::pair_end(pair_end);
    // Usually nothing waited on the pair yet: its bucket counts no
    // registration, and the table's lock is not taken.
    let reg = if bucket(pair).load(Ordering::Relaxed) == 0 {
        None
    } else {
        shard(pair).lock().get(&pair).and_then(Weak::upgrade)
    };
    match reg {
        // The registration's holds are the pair's own: an entry of another
        // type under this id cannot exist (ids are unique).
        Some(reg) => {
            reg.holders().moved(key.ticket, m);
        }
        None => pending().put(key, m),
    }
}

/// A registration as the table lists it, whatever its facts' type.
trait Listed: Any + Send + Sync {
    /// The pair node's holders.
    fn holders(&self) -> &crate::hold::HolderSet;
    /// Itself, to downcast to its own type.
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
}

impl<F: PairFacts> Listed for Registration<F> {
    fn holders(&self) -> &crate::hold::HolderSet {
        self.res.holders()
    }
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

type Table = Mutex<HashMap<u64, Weak<dyn Listed>, crate::id::IdHash>>;

const SHARDS: usize = 16;

/// Registered pairs by id: looked up only when an end waits or is used
/// before its partner linked.
static TABLE: LazyLock<[Table; SHARDS]> = LazyLock::new(|| std::array::from_fn(|_| Mutex::new(HashMap::default())));

fn shard(pair: u64) -> &'static Table {
    &TABLE[(pair as usize) % SHARDS]
}

/// How many buckets of pair ids [`REGISTERED`] counts.
const BUCKETS: usize = 1024;

/// The live registrations whose pair id falls in each bucket (id modulo
/// [`BUCKETS`]; ids are consecutive, so pairs spread evenly): an end that
/// never linked looks its pair up only when its bucket counts one. 4 KiB,
/// read with a plain load; written only as a pair registers or goes, under
/// its shard's lock.
static REGISTERED: [AtomicU32; BUCKETS] = [const { AtomicU32::new(0) }; BUCKETS];

fn bucket(pair: u64) -> &'static AtomicU32 {
    &REGISTERED[(pair as usize) % BUCKETS]
}

