//! Who is blocked, on what, and who could release each wait.
//!
//! A *root* is a `task` or `thread` node: what a person calls a task. Every
//! future belongs to the root above it through `needs` edges, so a wait
//! (`waits_on`) made by a future deep inside a task is that task's wait; the
//! futures in between are kept as the *path* inside the task.
//!
//! A root is blocked when it is pending and not woken, or when its poll is
//! parked inside an instrumented blocking lock (attr `blocking`) or inside
//! an executor nested in the poll (`futures::executor::block_on`,
//! `Handle::block_on`), on an instrumented wait it began in that poll
//! ([`nested_executor_wait`]), unless that executor's waker has more clones
//! alive than the root's waits account for ([`nested_woken_unseen`]: a
//! timer around the wait). A root
//! spawned through peeps that was never polled is runnable: the runtime
//! will poll it. A root not spawned through peeps (a plain tokio task, a
//! `block_on` thread) has no waker accounting: its `pending` state is
//! taken at its word, and what it is waiting for is read from its waits;
//! except where peeps could count its waker's clones (tokio's
//! parked-thread waker of a `block_on` thread, tokio's task waker of a
//! plain task: [`Blocked::woken_unseen`]), or where a thread's root waits
//! at a site where it lost a race to something peeps cannot see before
//! ([`Blocked::raced_unseen`]), or whose thread parks with a timer of its
//! runtime due ([`Blocked::timer_due_unseen`]).
//!
//! For each wait, [`releasers`] says which roots could end it (DESIGN.md §4)
//! or why nothing the graph shows decides it ([`External`]).

use crate::Evidence;
use crate::attr;
use crate::merge::{EdgeIndex, IdMap, Merged, NodeIndex, min_age};
use crate::op::Op;
use crate::schema::{EdgeKind, Node, NodeKind, TaskCensus};
use petgraph::Direction;
use petgraph::visit::EdgeRef;

/// "No index" in the dense per-node arrays.
pub(crate) const NONE: u32 = u32::MAX;

/// What a root is doing, as far as the snapshot says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RootState {
    /// Finished.
    Done,
    /// Inside a poll (busy, or in an uninstrumented blocking call).
    Running,
    /// Pending but woken, or (tracked) never polled: the runtime will poll it.
    Runnable,
    /// Pending and not woken.
    Pending,
    /// Inside a poll parked on an instrumented blocking lock.
    Parked,
    /// The snapshot gives no state peeps understands.
    Unknown,
}

/// A task root whose poll is parked in a blocking call on an OS thread.
#[derive(Debug, Clone, Copy)]
struct Occupier {
    process: usize,
    thread: u64,
    root: u32,
}

/// One root (task or thread) and the facts the analysis needs about it.
#[derive(Debug, Clone)]
pub(crate) struct Root {
    /// The root's node.
    pub(crate) ix: NodeIndex,
    pub(crate) state: RootState,
    /// Spawned through peeps: waker accounting is exact.
    pub(crate) tracked: bool,
    /// Live clones of the task's waker (tracked tasks).
    pub(crate) clones: Option<u64>,
    /// Clones handed to instrumented resources (tracked tasks).
    pub(crate) accounted: Option<u64>,
    /// How long the root has been in its state.
    pub(crate) since_ms: Option<u64>,
    /// How many polls it has begun (its latest poll's number), when known.
    pub(crate) polls: Option<u64>,
    /// What the combinators inside it account for.
    pub(crate) combinators: Combinators,
    /// A root peeps did not spawn whose waker it counts, waiting with no
    /// clone of its waker beyond its waits: only they wake it (see
    /// [`Blocked::waits_for_all_its_wakers`]).
    pub(crate) woken_by_waits_only: bool,
    /// A root whose waker peeps cannot count, waiting at a site where it
    /// lost a race to something peeps cannot see before (see
    /// [`Blocked::raced_unseen`]).
    pub(crate) raced: bool,
    /// A root whose waker peeps cannot count, whose thread parks with a
    /// timer of its runtime due (see [`Blocked::timer_due_unseen`]).
    pub(crate) timer_due: bool,
    /// A `block_on` root whose OS thread (this one) a task's poll parks in
    /// a blocking call (see [`Blocked::starve`]): it cannot be polled,
    /// whatever wakes it, until that call returns.
    pub(crate) starved: Option<u64>,
}

/// The combinators directly inside a task or a future (futures polled with
/// a combinator's waker that count their own clones: attr `sub_waker`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Combinators {
    /// How many distinct combinators drive them: each holds one clone of
    /// the waker above for itself.
    pub(crate) groups: u64,
    /// One of them holds a clone no instrumented wait accounts for (a
    /// timer, I/O): the combinator, and so the task, may be woken.
    pub(crate) unaccounted: bool,
}

impl Root {
    /// Pending-not-woken, or parked in a blocking lock.
    pub(crate) fn is_blocked(&self) -> bool {
        matches!(self.state, RootState::Pending | RootState::Parked)
    }

    /// A live waker clone that no instrumented wait accounts for: something
    /// peeps cannot see (a timer, I/O, an uninstrumented future) may wake it.
    ///
    /// Clones held by combinators whose futures account for every clone of
    /// their own sub-wakers are not wake sources of their own (see
    /// [`Blocked::account_combinators`]).
    pub(crate) fn external_waker(&self) -> bool {
        if !self.tracked {
            // A plain task's waker is not counted, but its top-level
            // instrumented future counts the clones of the one it hands
            // down: a clone its waits cannot account for (a timer) may wake
            // it. Without such a future, nothing is known (the deadlock it
            // is in is probable), unless it waits where something peeps
            // cannot see has woken it and won before, or its thread waits
            // for a timer of its runtime.
            return self.combinators.unaccounted || self.raced || self.timer_due;
        }
        self.tracked
            && (self.combinators.unaccounted
                || match (self.clones, self.accounted) {
                    (Some(c), Some(a)) => c > a + self.combinators.groups,
                    // A tracked task without counts: assume the worst for the
                    // verdict (something may wake it).
                    _ => true,
                })
    }

    /// A tracked, pending task holding no clone of its waker at all.
    /// See [`Blocked::lost_waker`] for when that means it is stuck.
    pub(crate) fn holds_no_waker(&self) -> bool {
        self.tracked && self.state == RootState::Pending && self.clones == Some(0)
    }
}

/// How a wait can end, keyed by what it waits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    /// A lock or semaphore: its holders.
    Holders(NodeIndex),
    /// A channel receive: the holders of its senders.
    Senders(NodeIndex),
    /// A channel send (full) or `closed()`: the holders of its receivers.
    Receivers(NodeIndex),
    /// Another operation on a channel: every endpoint's holder.
    Endpoints(NodeIndex),
    /// A JoinHandle await: the joined task.
    Join(NodeIndex),
    /// An RPC request: the tasks running its handlers.
    Call(NodeIndex),
    /// A wait queued behind others that must be served first (see
    /// [`queued_ahead`]): a read of a write-preferring rwlock behind
    /// writers, a watch borrow behind sends, an acquire of a fair
    /// semaphore (tokio's, first in first out) behind acquires queued
    /// before it while permits are free; released by those.
    BehindQueued {
        /// The rwlock or semaphore.
        lock: NodeIndex,
        /// The queued wait.
        wait: EdgeIndex,
    },
    /// A watch channel's `send` parked on the value's lock: released by
    /// whoever holds a borrow of the value.
    ValueReaders(NodeIndex),
    /// A `get_or_init` waiting while its once cell is initialised:
    /// released by the task running the initialiser (`init` is the wait).
    Initialiser {
        /// The once cell.
        cell: NodeIndex,
        /// The wait to init.
        init: EdgeIndex,
    },
    /// A `notified()`: anyone may notify, so nothing proves a releaser;
    /// the tasks seen to notify it (its `notifier` edges) are taken, as a
    /// guess, for those who may again, but not the waiting task itself
    /// (`wait` is the wait).
    Notifiers {
        /// The notify.
        notify: NodeIndex,
        /// The wait.
        wait: EdgeIndex,
    },
    /// OS thread `thread` of process `process`, parked in a task's
    /// blocking poll: what a starved `block_on` root waits for (see
    /// [`Blocked::starve`]), released by the roots parked there.
    Thread {
        /// The starved root (its node: one target each, keyed by it; OS
        /// thread ids of two processes may be equal).
        root: NodeIndex,
        /// The process (index into the merged snapshots).
        process: u32,
        /// The OS thread id.
        thread: u64,
    },
}

impl Target {
    /// The node waited on; none for [`Target::Thread`].
    pub(crate) fn resource(self) -> Option<NodeIndex> {
        match self {
            Target::Thread { .. } => None,
            target => Some(target.node()),
        }
    }

    /// The node waited on ([`Target::Thread`]: none; see [`Target::resource`]).
    fn node(self) -> NodeIndex {
        match self {
            Target::Thread { .. } => NodeIndex::end(),
            Target::Holders(n)
            | Target::Senders(n)
            | Target::Receivers(n)
            | Target::Endpoints(n)
            | Target::Join(n)
            | Target::Call(n)
            | Target::ValueReaders(n)
            | Target::BehindQueued { lock: n, .. }
            | Target::Initialiser { cell: n, .. }
            | Target::Notifiers { notify: n, .. } => n,
        }
    }

    /// A dense key for hashing.
    pub(crate) fn key(self) -> (u32, u8) {
        let tag = match self {
            Target::Holders(_) => 0,
            Target::Senders(_) => 1,
            Target::Receivers(_) => 2,
            Target::Endpoints(_) => 3,
            Target::Join(_) => 4,
            Target::Call(_) => 5,
            Target::ValueReaders(_) => 7,
            // One per queued wait (the waits ahead of it are its own).
            Target::BehindQueued { wait, .. } => return (wait.index() as u32, 6),
            // One per wait: whether its own task's initialiser encloses it.
            Target::Initialiser { init, .. } => return (init.index() as u32, 8),
            // One per wait: its own task is left out.
            Target::Notifiers { wait, .. } => return (wait.index() as u32, 9),
            // One per starved root.
            Target::Thread { root, .. } => return (root.index() as u32, 10),
        };
        (self.node().index() as u32, tag)
    }
}

/// Why a wait has a releaser outside what the graph shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum External {
    /// A kind anyone can release (`notify`), or one peeps does not trace.
    Untraced(NodeKind),
    /// Nobody holds it (a lock being handed over, an unknown holder).
    NoHolder,
    /// Held by a node that is no task peeps knows.
    UnknownHolder,
    /// Held, as far as peeps saw, by the task that made, cloned or took it
    /// (the `held_by` edge), which never used it and in whose state it was
    /// not found: it may have been handed to another task, a thread or
    /// shared state since, which peeps cannot see.
    Unconfirmed(EdgeIndex),
    /// Used by more than one task, or from memory outside its user's own
    /// state (the `held_by` edge names the last user): a handle in shared
    /// state, which any task may use next.
    Shared(EdgeIndex),
    /// Held, as far as peeps saw, by the task the `held_by` edge names (it
    /// used the handle, or the handle was found in its state), but its
    /// process runs tasks or threads peeps cannot see into: the handle may have
    /// been moved into one of them since, which leaves no trace (the bytes
    /// it was moved out of stay behind).
    OutOfSight(EdgeIndex, Unseen),
    /// Received in a message by the task the `held_by` edge names, and
    /// found in its state, but that task now waits to receive from the
    /// same channel again: the message was handled, and what the find saw
    /// may be the bytes the handle was moved out of (filed in a map or a
    /// `Vec` on the heap, handed to another task).
    Handled(EdgeIndex),
    /// A channel endpoint found in the state of a task that waits on that
    /// same channel, and never used by it from there (made and untouched,
    /// or used by others, from shared memory): a task that kept it would
    /// wait on itself for what only it could do, while one that filed it
    /// for another task (a pending map, a stream table) leaves the same
    /// bytes (the slot of a borrowed local).
    FiledAway(EdgeIndex),
    /// Found in the holder's state, but a handle of the same resource was
    /// let go before by a task peeps never saw it move to
    /// ([`attr::MOVED_UNSEEN`]): its handles travel through memory peeps
    /// does not read (a pool's list of connections to close, a map on the
    /// heap), and the find may be the bytes this one was moved out of.
    MovedUnseen(EdgeIndex),
    /// The channel counts more senders than peeps attributes.
    UnseenSender,
    /// The channel counts more receivers than peeps attributes.
    UnseenReceiver,
    /// The channel is closed: the wait is about to end.
    Closed,
    /// A message is queued: the receive is about to end.
    MessageQueued,
    /// The channel has room: the send is about to end.
    HasRoom,
    /// The joined task is not running any more: the join is about to end.
    JoinedGone,
    /// No handler of this request is in the merged snapshots.
    NoHandler,
    /// A blocking call that gives up by itself at a deadline
    /// (`try_lock_for`): the wait ends whatever others do.
    Timed,
    /// A semaphore none of whose permits is held, every one free, and still
    /// waited on: the wait asks for more than it has in all, which only
    /// `add_permits` can change.
    BeyondPermits,
}

impl External {
    /// The `held_by` edge of the holder this external release last saw,
    /// when it names one.
    pub(crate) fn held_by(self) -> Option<EdgeIndex> {
        match self {
            External::Unconfirmed(e)
            | External::Shared(e)
            | External::OutOfSight(e, _)
            | External::Handled(e)
            | External::FiledAway(e)
            | External::MovedUnseen(e) => Some(e),
            _ => None,
        }
    }

    /// The reason in words, for a sentence about the wait.
    pub(crate) fn words(self) -> &'static str {
        match self {
            External::Untraced(NodeKind::Notify) => {
                "any task may notify it: peeps cannot tell which will"
            }
            External::Untraced(_) => "peeps cannot tell what releases it",
            External::NoHolder => "nobody holds it: it is being handed over",
            External::UnknownHolder => "it is held by something that is not a task peeps knows",
            External::Unconfirmed(_) => {
                "peeps has not seen where it went since: it may be with another task, a thread or shared state, so peeps cannot tell who has it"
            }
            External::Shared(_) => {
                "it may be shared: it was used by several tasks, or from memory outside its user's own state, so peeps cannot tell which task will act"
            }
            External::OutOfSight(_, Unseen::Tasks) => {
                "tasks peeps cannot see into are alive (spawned with tokio::spawn), and it may have been moved into one of them since, so peeps cannot tell who has it"
            }
            External::OutOfSight(_, Unseen::Threads) => {
                "threads peeps cannot see into are alive (std::thread, spawn_blocking, another runtime), and it may have been moved into one of them since, so peeps cannot tell who has it"
            }
            External::OutOfSight(_, Unseen::Both) => {
                "tasks peeps cannot see into are alive (spawned with tokio::spawn), and threads (std::thread, spawn_blocking), and it may have been moved into one of them since, so peeps cannot tell who has it"
            }
            External::Handled(_) => {
                "that message was handled, and the handle may have been filed on the heap (a map, a Vec) or handed on since, so peeps cannot tell who has it"
            }
            External::FiledAway(_) => {
                "that task waits on the same channel, and one that kept it would wait on itself: it has most likely filed it on the heap (a map, a table) for another task, leaving its bytes in its state, so peeps cannot tell who has it"
            }
            External::MovedUnseen(_) => {
                "one of its kind was let go before by a task peeps never saw it move to: they travel through memory peeps does not read (a list or a map on the heap), and what was found may be the bytes this one was moved out of, so peeps cannot tell who has it"
            }
            External::UnseenSender => "a sender is held by something peeps cannot see",
            External::UnseenReceiver => "a receiver is held by something peeps cannot see",
            External::Closed => "it is closed: the wait is about to end",
            External::MessageQueued => "a message is queued: the wait is about to end",
            External::HasRoom => "it has room: the wait is about to end",
            External::JoinedGone => "that task is not blocked: the wait may end",
            External::NoHandler => "its handler is not in the snapshots read",
            External::Timed => "it gives up by itself at its deadline (a timed lock)",
            External::BeyondPermits => {
                "no permit is held and every one is free: it asks for more than the semaphore has in all, which only `add_permits` can change"
            }
        }
    }
}

/// One way a wait can be released: a root that must act.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Release {
    /// The releasing root (index into [`Blocked::roots`]).
    pub(crate) root: u32,
    /// The `held_by` edge of the hold released (none for a join).
    pub(crate) held_by: Option<EdgeIndex>,
    /// The handler a request is served by.
    pub(crate) via: Option<NodeIndex>,
    /// The channel carrying the handle in an unread message: `root` holds
    /// its receiver and must read it first.
    pub(crate) carrier: Option<NodeIndex>,
    /// The lock every use peeps saw of the shared handle was made under
    /// (`guarded_by`): `root` holds it, and whoever uses the handle next
    /// must take it first.
    pub(crate) guarded_by: Option<NodeIndex>,
    /// The holder rests on a move peeps saw (into a task at spawn, in a
    /// message, back through a join), not on the handle found in the
    /// holder's state: it may have been handed on since.
    pub(crate) guess: bool,
    /// The release goes through a wait in the resource's queue: the
    /// abandoned wait a lock was handed to, or a writer queued ahead.
    pub(crate) queue: Option<Queued>,
    /// Age of the youngest edge on the way (held_by, calls).
    pub(crate) since_ms: Option<u64>,
}

/// A wait in a resource's queue that a release goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Queued {
    /// The lock was handed to this wait, which its task no longer polls:
    /// the lock stays with that task's future.
    HandedTo(EdgeIndex),
    /// A wait queued ahead that must be served first: a writer ahead of a
    /// read on a write-preferring rwlock, an acquire ahead on a fair
    /// semaphore (see [`Target::BehindQueued`]).
    Ahead(EdgeIndex),
}

impl Release {
    /// A release by `root`, with nothing else known yet.
    pub(crate) fn to(root: u32) -> Release {
        Release {
            root,
            held_by: None,
            via: None,
            carrier: None,
            guarded_by: None,
            guess: false,
            queue: None,
            since_ms: None,
        }
    }
}

/// How many channels deep a handle carried in unread messages is followed
/// (a sender inside a message inside a message ...).
const CARRIED_DEPTH: u32 = 4;

/// The roots that can release the holds of `node` held as `want` (any when
/// `None`), appended to `out`; returns how many holds there are, or why a
/// release is outside the graph.
fn hold_releasers(
    merged: &Merged<'_>,
    blocked: &Blocked,
    node: NodeIndex,
    want: Option<&str>,
    out: &mut Vec<Release>,
    depth: u32,
) -> Result<u64, External> {
    let g = merged.graph();
    let mut seen = 0u64;
    for e in g.edges_directed(node, Direction::Outgoing) {
        let w = e.weight();
        if w.kind != EdgeKind::HeldBy {
            continue;
        }
        if want.is_some_and(|want| w.attr_str(attr::AS) != Some(want)) {
            continue;
        }
        seen += 1;
        let holder = e.target();
        let evidence = w.evidence();
        if evidence == Evidence::InMessage && g[holder].node.kind == NodeKind::Channel {
            // Inside an unread message: whoever reads that channel gets it.
            if depth == 0 {
                return Err(External::UnknownHolder);
            }
            let before = out.len();
            carried_releasers(merged, blocked, holder, out, depth - 1)?;
            for r in &mut out[before..] {
                r.held_by = Some(e.id());
                r.carrier = Some(holder);
                r.since_ms = min_age(r.since_ms, w.since_ms);
            }
            continue;
        }
        // What peeps saw proves the holder, or it names no holder at all:
        // a move into a task whose state no longer has the handle (it was
        // handed on to a plain `tokio::spawn` task, a `spawn_blocking`
        // closure or a thread, or filed on the heap), or only who made or
        // shared it, may be anywhere now. Counting either as the holder
        // raised false alarms: request/reply with handlers started by
        // `tokio::spawn`, permits handed to workers, producers made in main.
        let stale = if evidence.is_proof() || !w.in_state() {
            None
        } else {
            stale_find(merged, blocked, e.id(), evidence)
        };
        if !evidence.is_proof() && (!w.in_state() || stale.is_some()) {
            // Used only under one lock, or kept in a lock's value: whoever
            // holds that lock now is who may use it next.
            if evidence == Evidence::Shared
                && let Some(lock) = guarded_by(merged, e.id()).or_else(|| kept_in(merged, holder))
                && guard_releasers(merged, blocked, e.id(), lock, out)?
            {
                continue;
            }
            // Moved into a plain tokio task (received in a message, given
            // at spawn) and not found in its cell (kept in a `Vec`, a
            // `Box`, a future tokio boxed), or made and never seen used nor
            // moved (its maker's state unread: a `block_on` body boxed on
            // the heap): while every unseen task waits with its waker held
            // by its waits alone, and no root may run on its own, the
            // handle is with that task (its maker) or one of the unseen
            // ones, which act only once their own wait ends: a possibility
            // each, not a proof.
            if stale.is_none()
                && let Some(root) = blocked.root(holder)
                && let Some(parked) = blocked.parked_unseen(g[holder].process)
                && (evidence == Evidence::Made
                    || evidence.is_move()
                        && is_plain_task(g[holder].node)
                        && parked.contains(&root))
            {
                out.push(Release {
                    held_by: Some(e.id()),
                    guess: true,
                    since_ms: w.since_ms,
                    ..Release::to(root)
                });
                guess_parked(out, parked, Some(root), e.id(), w.since_ms);
                continue;
            }
            return Err(if evidence == Evidence::Shared {
                External::Shared(e.id())
            } else {
                stale.unwrap_or(External::Unconfirmed(e.id()))
            });
        }
        // A use or a find in the state proves where a movable handle was,
        // not where it is: a move into a task peeps cannot see into leaves
        // no trace. Only a lock guard (bound to its task) or an unread
        // message (held by its channel) stays proof while such tasks run.
        if evidence.can_move_unseen()
            && let Some(unseen) = Unseen::in_process_of(merged, holder)
        {
            // Moved or not, it is with its last holder or on a thread peeps
            // cannot see into; when each of those is parked in a blocking
            // call, it is one of them that must act: a possibility each,
            // not a proof.
            let parked = blocked.parked_unseen(g[holder].process);
            let Some(parked) = parked else {
                return Err(External::OutOfSight(e.id(), unseen));
            };
            guess_parked(out, parked, blocked.root(holder), e.id(), w.since_ms);
        }
        let Some(root) = blocked.root(holder) else {
            return Err(External::UnknownHolder);
        };
        out.push(Release {
            held_by: Some(e.id()),
            guess: false,
            since_ms: w.since_ms,
            ..Release::to(root)
        });
    }
    Ok(seen)
}

/// Whether wait `w`, made by a plain `tokio::spawn` task (whose other waits
/// peeps cannot see: it does not count its waker), is for a resource that
/// task holds itself, taken at the very call it waits at: the same code
/// running beside itself — the branches of a `join_all`, a
/// `buffer_unordered` or a `join!` of plain futures, each taking a
/// limiter's permit — each branch letting its own hold go whatever the
/// others wait for: a hold it took itself, not one moved into it. The task
/// may still move. (A loop taking one permit
/// after another at one call, which would wait on itself for good, leaves
/// the same traces: missed, not a false alarm.) Not a blocking wait: it
/// parks the thread, and no branch beside it runs (tokio#4588's blocking
/// guard across a `select!`).
pub(crate) fn beside_own_hold(merged: &Merged<'_>, blocked: &Blocked, w: EdgeIndex) -> bool {
    let g = merged.graph();
    if is_blocking_wait(merged, w) {
        return false;
    }
    let Some((waiter, res)) = g.edge_endpoints(w) else {
        return false;
    };
    let Some(me) = blocked.root(waiter) else {
        return false;
    };
    if blocked.roots[me as usize].tracked {
        return false;
    }
    let Some(at) = g[w].attr_str(attr::AT) else {
        return false;
    };
    // A hold moved into the task (at spawn, in a message, through a join)
    // was taken by another task at that call: no branch of this one took
    // it, so none lets it go (databend#8210: a permit from `main` kept by
    // each segment task, which waits for another at the same helper).
    g.edges_directed(res, Direction::Outgoing).any(|e| {
        e.weight().kind == EdgeKind::HeldBy
            && e.weight().attr_str(attr::AT) == Some(at)
            && !e.weight().evidence().is_move()
            && blocked.root(e.target()) == Some(me)
    })
}

/// The roots holding `lock` exclusively, appended to `out` as the releasers
/// of the shared handle `held_by`, every use of which was made under that
/// lock: whoever uses it next must take the lock first. A guess each (a
/// use peeps did not see may have been made without it). `false` when
/// nobody holds the lock (anyone may take it and use the handle).
fn guard_releasers(
    merged: &Merged<'_>,
    blocked: &Blocked,
    held_by: EdgeIndex,
    lock: NodeIndex,
    out: &mut Vec<Release>,
) -> Result<bool, External> {
    let g = merged.graph();
    let since = g[held_by].since_ms;
    let before = out.len();
    for h in g.edges_directed(lock, Direction::Outgoing) {
        let w = h.weight();
        if w.kind != EdgeKind::HeldBy || w.attr_str(attr::AS) != Some(attr::AS_GUARD) {
            continue;
        }
        let root = blocked.root(h.target()).ok_or(External::UnknownHolder)?;
        out.push(Release {
            held_by: Some(held_by),
            guarded_by: Some(lock),
            guess: true,
            since_ms: min_age(since, w.since_ms),
            ..Release::to(root)
        });
    }
    Ok(out.len() > before)
}

/// `holder`, when it is a lock: a shared handle held by a lock is kept in
/// its value (published there: see `ownership::published` in
/// peeps-runtime).
fn kept_in(merged: &Merged<'_>, holder: NodeIndex) -> Option<NodeIndex> {
    let kind = merged.graph()[holder].node.kind;
    matches!(kind, NodeKind::Mutex | NodeKind::Rwlock).then_some(holder)
}

/// The lock every use of the shared handle `held_by` was made under (its
/// `guarded_by` attribute), when the graph has it.
fn guarded_by(merged: &Merged<'_>, held_by: EdgeIndex) -> Option<NodeIndex> {
    node_attr(merged, held_by, attr::GUARDED_BY)
}

/// Why the find of the hold `held_by` in its holder's state proves nothing,
/// when its holder waits on a channel that makes the find look like the
/// bytes the handle was moved out of (rustc does not clear a slot a value
/// was moved out of, and a borrowed local keeps its slot):
///
/// - [`External::Handled`]: it was received in a message (its `from`
///   channel) and the holder waits to receive from that channel again: an
///   actor back at the top of its loop has handled the message. One that
///   kept the handle keeps it in a variable outside the loop; one that
///   filed it on the heap or handed it on — what routers and connection
///   writers do with every request's reply sender — leaves the same bytes.
/// - [`External::FiledAway`]: a channel end its holder never used from its
///   own state (`made`, `shared`) while the holder waits on that channel.
///   (One it used is proof, unless the snapshot found a copy on the heap
///   beyond the task states: then it reads `shared`, see
///   `ownership::heap` in peeps-runtime.)
/// - [`External::MovedUnseen`]: the resource's handles were seen to travel
///   where peeps does not look ([`attr::MOVED_UNSEEN`]).
fn stale_find(
    merged: &Merged<'_>,
    blocked: &Blocked,
    held_by: EdgeIndex,
    evidence: Evidence,
) -> Option<External> {
    let g = merged.graph();
    let (res, holder) = g.edge_endpoints(held_by)?;
    let root = blocked.root(holder)?;
    let waits_on = |on: NodeIndex| {
        blocked
            .all_waits(root)
            .iter()
            .copied()
            .filter(move |&w| g.edge_endpoints(w).is_some_and(|(_, to)| to == on))
    };
    if received_from(merged, held_by)
        .is_some_and(|from| waits_on(from).any(|w| op_side(g[w].op()) == OpSide::Receive))
    {
        return Some(External::Handled(held_by));
    }
    let end = matches!(
        g[held_by].attr_str(attr::AS),
        Some(attr::AS_SENDER | attr::AS_RECEIVER)
    );
    if end
        && matches!(evidence, Evidence::Made | Evidence::Shared)
        && waits_on(res).next().is_some()
    {
        return Some(External::FiledAway(held_by));
    }
    attr_u64(g[res].node, attr::MOVED_UNSEEN).map(|_| External::MovedUnseen(held_by))
}

/// The roots seen to notify `notify` other than the task of `wait`, each a
/// guess; `Untraced` when one of them is gone or not drawn (more notifiers
/// counted than edges: it ended, or was not kept), or when none is left.
fn notifier_releasers(
    merged: &Merged<'_>,
    blocked: &Blocked,
    notify: NodeIndex,
    wait: EdgeIndex,
    out: &mut Vec<Release>,
) -> Result<(), External> {
    let g = merged.graph();
    let untraced = External::Untraced(NodeKind::Notify);
    let waiter = g.edge_endpoints(wait).and_then(|(w, _)| blocked.root(w));
    let start = out.len();
    let mut drawn = 0u64;
    for e in g.edges_directed(notify, Direction::Outgoing) {
        let w = e.weight();
        if w.kind != EdgeKind::HeldBy || w.attr_str(attr::AS) != Some(attr::AS_NOTIFIER) {
            continue;
        }
        drawn += 1;
        let root = blocked.root(e.target()).ok_or(untraced)?;
        if Some(root) != waiter {
            out.push(Release {
                held_by: Some(e.id()),
                guess: true,
                ..Release::to(root)
            });
        }
    }
    if attr_u64(g[notify].node, attr::NOTIFIERS).is_none_or(|n| n > drawn) || out.len() == start {
        out.truncate(start);
        return Err(untraced);
    }
    Ok(())
}

/// Each root of `parked` but `last` may hold the handle of `held_by`: a
/// guessed release each (see [`Blocked::parked_unseen`]).
fn guess_parked(
    out: &mut Vec<Release>,
    parked: &[u32],
    last: Option<u32>,
    held_by: EdgeIndex,
    since_ms: Option<u64>,
) {
    for &other in parked.iter().filter(|&&p| Some(p) != last) {
        out.push(Release {
            held_by: Some(held_by),
            guess: true,
            since_ms,
            ..Release::to(other)
        });
    }
}

/// Per process: see [`Blocked::parked_unseen`].
fn parked_unseen(merged: &Merged<'_>, blocked: &Blocked) -> Vec<Option<Vec<u32>>> {
    let g = merged.graph();
    let processes = merged.processes().len();
    let mut threads: Vec<Vec<u32>> = vec![Vec::new(); processes];
    let mut tasks: Vec<Vec<u32>> = vec![Vec::new(); processes];
    // Per process: a root that may run on its own (running, runnable, or
    // with a clone of its waker no wait accounts for: a timer, a socket).
    let mut may_run = vec![false; processes];
    for (r, root) in blocked.roots.iter().enumerate() {
        let node = g[root.ix];
        may_run[node.process] |= matches!(root.state, RootState::Running | RootState::Runnable)
            || (root.state == RootState::Pending && blocked.wakes_unseen(merged, r as u32));
        let waits = blocked.all_waits(r as u32);
        if attr_bool(node.node, attr::UNSEEN_THREAD) == Some(true) {
            // Parked in a blocking call, or in a `Handle::block_on` whose
            // waker only its waits hold (a `spawn_blocking` closure's).
            if waits.iter().any(|&w| is_blocking_wait(merged, w)) || root.woken_by_waits_only {
                threads[node.process].push(r as u32);
            }
        } else if attr_u64(node.node, attr::TOKIO_TASK_ID).is_some() && root.woken_by_waits_only {
            tasks[node.process].push(r as u32);
        }
    }
    merged
        .processes()
        .iter()
        .zip(threads.into_iter().zip(tasks))
        .zip(may_run)
        .map(|((snap, (threads, tasks)), may_run)| {
            let census = snap.tasks?;
            // A handle a plain task had may also be in memory peeps does
            // not read (a `std::sync::Mutex` slot, a map on the heap),
            // where any root that runs can take it: plain tasks vouch for
            // it only while no root of the process may run on its own.
            (census.unseen + census.unseen_threads > 0
                && census.unseen == tasks.len() as u64
                && census.unseen_threads == threads.len() as u64
                && (census.unseen == 0 || !may_run))
                .then(|| threads.into_iter().chain(tasks).collect())
        })
        .collect()
}

/// What peeps cannot see into runs in a process, where a movable handle
/// may have gone without a trace (the process's [`TaskCensus`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unseen {
    /// tokio tasks (plain `tokio::spawn` of an uninstrumented future).
    Tasks,
    /// Threads (a `std::thread`, a `spawn_blocking` thread, the workers of
    /// a runtime peeps has not seen).
    Threads,
    /// Both.
    Both,
}

impl Unseen {
    /// What runs unseen in the process of `node`; `None` when nothing does
    /// or its snapshot does not say.
    fn in_process_of(merged: &Merged<'_>, node: NodeIndex) -> Option<Unseen> {
        let census: TaskCensus = merged.process_of(node).tasks?;
        match (census.unseen > 0, census.unseen_threads > 0) {
            (true, false) => Some(Unseen::Tasks),
            (false, true) => Some(Unseen::Threads),
            (true, true) => Some(Unseen::Both),
            (false, false) => None,
        }
    }
}

/// The roots that will read a message from `carrier`: its receivers'
/// holders (a channel with none drops the message, and the handle in it).
fn carried_releasers(
    merged: &Merged<'_>,
    blocked: &Blocked,
    carrier: NodeIndex,
    out: &mut Vec<Release>,
    depth: u32,
) -> Result<(), External> {
    let node = merged.graph()[carrier].node;
    if attr_bool(node, attr::CLOSED) == Some(true) {
        return Err(External::Closed);
    }
    let before = out.len();
    let seen = hold_releasers(
        merged,
        blocked,
        carrier,
        Some(attr::AS_RECEIVER),
        out,
        depth,
    )?;
    if attr_u64(node, attr::RECEIVERS).is_some_and(|c| c > seen) {
        return Err(External::UnseenReceiver);
    }
    if out.len() == before {
        return Err(External::NoHolder);
    }
    Ok(())
}

/// The roots, the future tree under them, and their waits.
#[derive(Debug)]
pub(crate) struct Blocked {
    /// Every root, in node order.
    pub(crate) roots: Vec<Root>,
    /// Per node: the root it belongs to (a root belongs to itself), or NONE.
    pub(crate) root_of: Vec<u32>,
    /// Per node: its parent in the `needs` tree, or NONE for roots/orphans.
    pub(crate) parent: Vec<u32>,
    /// Per node: the youngest `needs` edge age from its root down to it
    /// (u64::MAX when all are of unknown age, and for roots).
    pub(crate) path_age: Vec<u64>,
    /// Waits of blocked roots, grouped by root (CSR: `wait_start[r]..[r+1]`).
    wait_start: Vec<u32>,
    waits: Vec<EdgeIndex>,
    /// Per process: its roots on threads peeps cannot see into, when every
    /// such thread is parked in a blocking call and no task it cannot see
    /// into runs (see [`Blocked::parked_unseen`]).
    parked_unseen: Vec<Option<Vec<u32>>>,
    /// Waits of an executor nested in a running poll (see
    /// [`nested_executor_wait`]), sorted.
    nested: Vec<EdgeIndex>,
    /// The task roots parked in a blocking call, with their process and
    /// OS thread (see [`Blocked::starve`]).
    occupiers: Vec<Occupier>,
    /// Receives whose message came and went unread (see
    /// [`Blocked::stale_receive`]), sorted.
    stale: Vec<EdgeIndex>,
}

fn state_of(node: &Node) -> Option<&str> {
    node.state.as_deref()
}

fn attr_u64(node: &Node, name: &str) -> Option<u64> {
    node.attrs.get(name)?.as_u64()
}

/// Boolean attribute `name` of `node`, when it has one.
pub(crate) fn attr_bool(node: &Node, name: &str) -> Option<bool> {
    node.attrs.get(name)?.as_bool()
}

/// A channel node's flavor (see [`attr::flavor`]), when it has one.
pub(crate) fn flavor(node: &Node) -> Option<&str> {
    node.attrs.get(attr::FLAVOR)?.as_str()
}

/// Whether `node` is a plain tokio task seen from inside (not spawned
/// through peeps, not a `spawn_blocking` closure).
fn is_plain_task(node: &Node) -> bool {
    node.kind == NodeKind::Task
        && attr_bool(node, attr::TRACKED) == Some(false)
        && attr_u64(node, attr::TOKIO_TASK_ID).is_some()
        && attr_bool(node, attr::UNSEEN_THREAD) != Some(true)
}

fn is_root_kind(kind: NodeKind) -> bool {
    matches!(kind, NodeKind::Task | NodeKind::Thread)
}

impl Blocked {
    /// Finds the roots, assigns every future to its root, and gathers the
    /// waits of the roots that are blocked. Linear in nodes + edges.
    pub(crate) fn new(merged: &Merged<'_>, settle_ms: u64) -> Blocked {
        let g = merged.graph();
        let n = g.node_count();
        let mut root_of = vec![NONE; n];
        let mut parent = vec![NONE; n];
        let mut path_age = vec![u64::MAX; n];
        let mut roots = Vec::new();

        for ix in g.node_indices() {
            let node = g[ix].node;
            if !is_root_kind(node.kind) {
                continue;
            }
            root_of[ix.index()] = roots.len() as u32;
            roots.push(root_facts(ix, node));
        }

        // Top-down through `needs` edges: each future joins the first root
        // that reaches it (a well-formed graph is a forest).
        let mut stack = Vec::new();
        for (r, root) in roots.iter().enumerate() {
            stack.push(root.ix);
            while let Some(at) = stack.pop() {
                for e in g.edges_directed(at, Direction::Outgoing) {
                    if e.weight().kind != EdgeKind::Needs {
                        continue;
                    }
                    let child = e.target();
                    if g[child].node.kind != NodeKind::Future || root_of[child.index()] != NONE {
                        continue;
                    }
                    root_of[child.index()] = r as u32;
                    parent[child.index()] = at.index() as u32;
                    let age = e.weight().since_ms.unwrap_or(u64::MAX);
                    path_age[child.index()] = path_age[at.index()].min(age);
                    stack.push(child);
                }
            }
        }

        // The waits of roots that may be blocked, grouped by root with a
        // counting sort (two passes, no comparison sort).
        let candidate = |r: u32| {
            r != NONE
                && matches!(
                    roots[r as usize].state,
                    RootState::Pending | RootState::Running
                )
        };
        let mut counts = vec![0u32; roots.len() + 1];
        for e in g.edge_references() {
            if e.weight().kind == EdgeKind::WaitsOn {
                let r = root_of[e.source().index()];
                if candidate(r) {
                    counts[r as usize + 1] += 1;
                }
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let wait_start = counts.clone();
        let mut fill = counts;
        let mut waits = vec![EdgeIndex::end(); *wait_start.last().unwrap_or(&0) as usize];
        for e in g.edge_references() {
            if e.weight().kind == EdgeKind::WaitsOn {
                let r = root_of[e.source().index()];
                if candidate(r) {
                    waits[fill[r as usize] as usize] = e.id();
                    fill[r as usize] += 1;
                }
            }
        }

        let mut blocked = Blocked {
            roots,
            root_of,
            parent,
            path_age,
            wait_start,
            waits,
            parked_unseen: Vec::new(),
            nested: Vec::new(),
            occupiers: Vec::new(),
            stale: Vec::new(),
        };
        blocked.account_combinators(merged);
        // A poll parked in an instrumented blocking lock is blocked there,
        // and only there: it cannot return to any other wait. So is a
        // thread, or a `spawn_blocking` closure, in a blocking call (no
        // poll of peeps': its root reads pending while it waits).
        // So is a poll parked in an executor nested in it, on what that
        // executor waits for.
        let mut nested = Vec::new();
        let thread_parked = thread_parked(merged, &blocked.root_of, blocked.roots.len());
        for (r, seen_parked) in thread_parked.into_iter().enumerate() {
            let root = &blocked.roots[r];
            let running = root.state == RootState::Running;
            let unpolled_waiting = root.state == RootState::Pending && !root.tracked;
            let nesting = running
                && seen_parked
                && !nested_woken_unseen(merged, root, blocked.all_waits(r as u32));
            let mut parked = false;
            for &w in blocked.all_waits(r as u32) {
                if nesting && nested_executor_wait(merged, root, w) {
                    nested.push(w);
                    parked = true;
                } else if (running || unpolled_waiting) && is_blocking_wait(merged, w) {
                    parked = true;
                }
            }
            if parked {
                blocked.roots[r].state = RootState::Parked;
            }
        }
        nested.sort_unstable();
        blocked.nested = nested;
        blocked.starve(merged);
        for root in &mut blocked.roots {
            // A `block_on` thread busy in a call it does not park in, and
            // not in a task's poll on it: inside its own poll, whatever
            // its waits show.
            if root.state == RootState::Pending
                && root.starved.is_none()
                && attr_bool(g[root.ix].node, attr::THREAD_BUSY) == Some(true)
            {
                root.state = RootState::Running;
            }
        }
        let mut stale = Vec::new();
        for r in 0..blocked.roots.len() as u32 {
            for &w in blocked.all_waits(r) {
                if blocked.stale_receive(merged, r, w, settle_ms) {
                    stale.push(w);
                }
            }
        }
        stale.sort_unstable();
        blocked.stale = stale;
        for r in 0..blocked.roots.len() {
            blocked.roots[r].woken_by_waits_only =
                blocked.waits_for_all_its_wakers(merged, r as u32);
            blocked.roots[r].raced = blocked.raced_unseen(merged, r as u32);
            blocked.roots[r].timer_due = blocked.timer_due_unseen(merged, r as u32);
        }
        blocked.parked_unseen = parked_unseen(merged, &blocked);
        blocked
    }

    /// Whether root `r`'s wait `w`, a receive, is stale: a message has sat
    /// in its channel (a one-receiver flavor) for the settle time while `r`
    /// is pending, not woken since its latest poll began, and the wait was
    /// polled with `r`'s own waker. The message's send woke the wait's
    /// waker, so `r` has been polled since (a settle time is ample for
    /// a runtime that can poll it: one that cannot shows it queued); had
    /// that poll polled the receive, it would have taken the message. So
    /// `r` no longer polls it (a `&mut` oneshot receiver left registered
    /// by a `select!` whose other branch won, a receive pinned outside the
    /// wait `r` is in now), and it will not wake `r` again: it is no way
    /// out of `r`'s other waits. Only a root whose wakes peeps sees (a
    /// peeps task whose latest poll ended after the send; a plain task
    /// whose queued bit it reads, not being polled now) can be told.
    fn stale_receive(&self, merged: &Merged<'_>, r: u32, w: EdgeIndex, settle_ms: u64) -> bool {
        let g = merged.graph();
        let root = &self.roots[r as usize];
        if root.state != RootState::Pending
            || root.starved.is_some()
            || attr_bool(g[root.ix].node, attr::WOKEN) != Some(false)
            || foreign_waker(merged, w)
            || self.is_nested(w)
            || is_blocking_wait(merged, w)
            || op_side(g[w].op()) != OpSide::Receive
        {
            return false;
        }
        let Some((_, to)) = g.edge_endpoints(w) else {
            return false;
        };
        let channel = g[to].node;
        let one_receiver = flavor(channel).is_some_and(|f| {
            matches!(
                f,
                attr::flavor::MPSC | attr::flavor::MPSC_UNBOUNDED | attr::flavor::ONESHOT
            )
        });
        let Some(sent) = attr_u64(channel, attr::LAST_SEND_MS) else {
            return false;
        };
        // A peeps task pending since before the send was woken by it, and
        // may be beginning the poll that takes it (its flag cleared, its
        // state not yet polling): its latest poll must have ended after.
        let polled_since = !root.tracked || root.since_ms.is_some_and(|pending| pending < sent);
        channel.kind == NodeKind::Channel
            && one_receiver
            && attr_u64(channel, attr::LEN).is_some_and(|len| len > 0)
            && sent >= settle_ms
            && polled_since
    }

    /// Whether `w` is a stale receive (see [`Blocked::stale_receive`]).
    pub(crate) fn is_stale(&self, w: EdgeIndex) -> bool {
        self.stale.binary_search(&w).is_ok()
    }

    /// The roots of process `process` that peeps cannot see into, when
    /// each is parked: each thread peeps cannot see into is one of them,
    /// parked in a blocking call, and each plain tokio task is one of them,
    /// waiting with no clone of its waker beyond its waits (see
    /// [`Blocked::waits_for_all_its_wakers`]), and, when there are such
    /// tasks, no root of the process may run on its own. A handle moved
    /// unseen is then still with its last holder or with one of these,
    /// which act only once their own wait ends. `None` when some unseen
    /// thread or task may be running.
    pub(crate) fn parked_unseen(&self, process: usize) -> Option<&[u32]> {
        self.parked_unseen.get(process)?.as_deref()
    }

    /// The roots whose polls are parked in a blocking call on OS thread
    /// `thread` of process `process` (see [`Blocked::starve`]).
    pub(crate) fn occupiers(&self, process: usize, thread: u64) -> impl Iterator<Item = u32> + '_ {
        self.occupiers
            .iter()
            .filter(move |o| o.process == process && o.thread == thread)
            .map(|o| o.root)
    }

    /// Marks as starved every `block_on` root (a `thread` node) whose OS
    /// thread a task's poll parks in a blocking call: that thread is inside
    /// the task's poll, so the root cannot be polled until the call
    /// returns, whatever wakes it (a current-thread runtime's `block_on`
    /// while one of its tasks blocks on a lock the root holds). A root
    /// running now, or parked itself, is not starved.
    fn starve(&mut self, merged: &Merged<'_>) {
        let g = merged.graph();
        let mut occupiers = Vec::new();
        for (r, root) in self.roots.iter().enumerate() {
            if root.state != RootState::Parked || g[root.ix].node.kind != NodeKind::Task {
                continue;
            }
            for &w in self.all_waits(r as u32) {
                let thread = g[w].attrs.and_then(|a| a.get(attr::OS_THREAD)?.as_u64());
                if let Some(thread) = thread.filter(|&t| t != 0 && is_blocking_wait(merged, w)) {
                    occupiers.push(Occupier {
                        process: g[root.ix].process,
                        thread,
                        root: r as u32,
                    });
                }
            }
        }
        for root in &mut self.roots {
            let node = g[root.ix].node;
            if node.kind != NodeKind::Thread
                || !matches!(root.state, RootState::Pending | RootState::Runnable)
            {
                continue;
            }
            let process = g[root.ix].process;
            if let Some(thread) = attr_u64(node, attr::OS_THREAD)
                && occupiers
                    .iter()
                    .any(|o| o.process == process && o.thread == thread)
            {
                root.starved = Some(thread);
                root.state = RootState::Pending;
            }
        }
        self.occupiers = occupiers;
    }

    /// Every pending wait of root `r`'s futures (of a blocked root).
    pub(crate) fn all_waits(&self, r: u32) -> &[EdgeIndex] {
        let r = r as usize;
        &self.waits[self.wait_start[r] as usize..self.wait_start[r + 1] as usize]
    }

    /// Who accounts for the clones combinators hold (see
    /// [`Root::external_waker`]). A future polled with a combinator's waker
    /// inside a peeps task counts its own clones (`sub_waker`); the waker
    /// above it (its task's, or another such future's) has one clone held
    /// by each combinator. That clone is accounted when every future the
    /// combinator drives accounts for all of its own clones, recursively;
    /// futures of one combinator share a `waker_group`.
    fn account_combinators(&mut self, merged: &Merged<'_>) {
        let g = merged.graph();
        // Sub-waker futures, deepest first, so a future's own combinators
        // are settled before it is.
        let mut subs: Vec<(usize, NodeIndex)> = g
            .node_indices()
            .filter(|&ix| {
                g[ix].node.kind == NodeKind::Future
                    && attr_bool(g[ix].node, attr::SUB_WAKER) == Some(true)
            })
            .map(|ix| (self.path(ix).len(), ix))
            .collect();
        subs.sort_by_key(|&(depth, ix)| (std::cmp::Reverse(depth), ix.index()));
        let mut inside: IdMap<u32, (Vec<u64>, bool)> = IdMap::default();
        let is_sub =
            |ix: usize| attr_bool(g[NodeIndex::new(ix)].node, attr::SUB_WAKER) == Some(true);
        for (_, ix) in subs {
            let node = g[ix].node;
            // Its own clones beyond those its waits and combinators account for.
            let (groups, bad) = inside
                .get(&(ix.index() as u32))
                .cloned()
                .unwrap_or_default();
            let mut groups = groups;
            groups.sort_unstable();
            groups.dedup();
            let accounted = match (
                attr_u64(node, attr::WAKER_CLONES),
                attr_u64(node, attr::WAKER_CLONES_ACCOUNTED),
            ) {
                (Some(c), Some(a)) => !bad && c <= a + groups.len() as u64,
                _ => false,
            };
            // The nearest sub-waker future above it, or its root.
            let mut up = self.parent.get(ix.index()).copied().unwrap_or(NONE);
            while up != NONE && !is_sub(up as usize) && self.parent[up as usize] != NONE {
                up = self.parent[up as usize];
            }
            let above = if up != NONE && is_sub(up as usize) {
                up
            } else {
                match self.root(ix) {
                    Some(r) => self.roots[r as usize].ix.index() as u32,
                    None => continue,
                }
            };
            let entry = inside.entry(above).or_default();
            entry.0.push(attr_u64(node, attr::WAKER_GROUP).unwrap_or(0));
            entry.1 |= !accounted;
        }
        for root in &mut self.roots {
            if let Some((groups, bad)) = inside.get(&(root.ix.index() as u32)) {
                let mut groups = groups.clone();
                groups.sort_unstable();
                groups.dedup();
                root.combinators = Combinators {
                    groups: groups.len() as u64,
                    unaccounted: *bad,
                };
            }
        }
    }

    /// Whether something peeps cannot see may wake root `r`: a waker clone
    /// no instrumented wait accounts for ([`Root::external_waker`]), or
    /// counted clones beyond its waits ([`Blocked::woken_unseen`]).
    pub(crate) fn wakes_unseen(&self, merged: &Merged<'_>, r: u32) -> bool {
        self.roots[r as usize].external_waker() || self.woken_unseen(merged, r)
    }

    /// Whether root `r`, a root peeps did not spawn whose waker it counts (a
    /// thread's `block_on` root, with tokio's parked-thread waker; a plain
    /// tokio task, with tokio's task waker: `waker_clones` on its node, see
    /// `thread_waker` and `task_waker` in peeps-runtime), has more clones
    /// of it alive than it has waits peeps sees: something peeps cannot see
    /// (a socket, a timer, `ctrl_c` in the same `select!`) may wake it.
    pub(crate) fn woken_unseen(&self, merged: &Merged<'_>, r: u32) -> bool {
        let root = &self.roots[r as usize];
        if root.tracked || root.state != RootState::Pending {
            return false;
        }
        let Some(clones) = root.clones else {
            return false;
        };
        clones > self.wakeable_waits(merged, r)
    }

    /// Whether root `r`, a root peeps did not spawn whose waker it counts,
    /// waits and nothing but its waits holds a clone of its waker: it runs
    /// again only once one of them ends (the contrary of
    /// [`Blocked::woken_unseen`]).
    fn waits_for_all_its_wakers(&self, merged: &Merged<'_>, r: u32) -> bool {
        let root = &self.roots[r as usize];
        let waits = self.wakeable_waits(merged, r);
        !root.tracked
            && root.state == RootState::Pending
            && waits > 0
            && root.clones.is_some_and(|clones| clones <= waits)
    }

    /// Whether root `r`, a thread's `block_on` root whose waker peeps cannot
    /// count (a current-thread runtime's scheduler waker), is pending while
    /// its thread parks with a timer of its runtime due (`timer_due_ms` on
    /// its node, see [`attr::TIMER_DUE_MS`]): whose timer, peeps cannot
    /// tell, and the root's own (an `interval` beside its wait in a
    /// `select!`) wakes it without the wait. A miss where the timer is
    /// another task's, never a false alarm where it is the root's.
    fn timer_due_unseen(&self, merged: &Merged<'_>, r: u32) -> bool {
        let root = &self.roots[r as usize];
        let node = merged.graph()[root.ix].node;
        !root.tracked
            && root.clones.is_none()
            && root.state == RootState::Pending
            && node.kind == NodeKind::Thread
            && node.attrs.contains_key(attr::TIMER_DUE_MS)
    }

    /// Whether root `r`, a thread's `block_on` root whose waker peeps cannot
    /// count (a current-thread runtime's scheduler waker, another
    /// executor's), waits directly at a site where a wait of its own lost a
    /// race to something peeps cannot see (`raced_at` on its node, see
    /// [`attr::RACED_AT`]): one branch of a `select!` beside a socket or a
    /// timer, which may wake it without the wait.
    fn raced_unseen(&self, merged: &Merged<'_>, r: u32) -> bool {
        let g = merged.graph();
        let root = &self.roots[r as usize];
        let node = g[root.ix].node;
        if root.tracked || root.clones.is_some() || node.kind != NodeKind::Thread {
            return false;
        }
        let Some(serde_json::Value::Array(sites)) = node.attrs.get(attr::RACED_AT) else {
            return false;
        };
        let raced = |at: &str| {
            sites
                .iter()
                .any(|s| s.as_str().is_some_and(|s| s == at || s == attr::RACED_ANY))
        };
        self.all_waits(r).iter().any(|&w| {
            g.edge_endpoints(w).is_some_and(|(from, _)| from == root.ix)
                && g[w].attr_str(attr::AT).is_some_and(raced)
        })
    }

    /// How many clones of root `r`'s waker its waits hold: one each, but
    /// for blocking calls (none), waits sharing one clone (the joins of
    /// the tasks of one `JoinSet`: one `waker_group`, one clone) and stale
    /// receives on an mpsc channel (none: tokio's send took the receiver's
    /// waker to wake it; a oneshot's send wakes it by reference and keeps
    /// it).
    fn wakeable_waits(&self, merged: &Merged<'_>, r: u32) -> u64 {
        let g = merged.graph();
        let mut groups: Vec<u64> = Vec::new();
        let mut single = 0;
        for &w in self.all_waits(r) {
            if is_blocking_wait(merged, w) {
                continue;
            }
            if self.is_stale(w)
                && g.edge_endpoints(w)
                    .is_none_or(|(_, to)| flavor(g[to].node) != Some(attr::flavor::ONESHOT))
            {
                continue;
            }
            match waker_group(merged, w) {
                Some(group) => groups.push(group),
                None => single += 1,
            }
        }
        groups.sort_unstable();
        groups.dedup();
        single + groups.len() as u64
    }

    /// The waits that can release root `r`: all its pending waits, or for a
    /// root parked in a blocking lock, only the blocking waits.
    pub(crate) fn waits<'s>(
        &'s self,
        merged: &'s Merged<'_>,
        r: u32,
    ) -> impl Iterator<Item = EdgeIndex> + 's {
        let parked = self.roots[r as usize].state == RootState::Parked;
        self.all_waits(r)
            .iter()
            .copied()
            .filter(move |&w| !parked || self.parks(merged, w))
            .filter(move |&w| {
                !self.abandoned(merged, w)
                    && !self.is_stale(w)
                    && (!foreign_waker(merged, w) || self.is_nested(w))
            })
    }

    /// Whether `w` is a wait that parks its poll's thread: a blocking call
    /// or lock, or the wait of an executor nested in the poll.
    fn parks(&self, merged: &Merged<'_>, w: EdgeIndex) -> bool {
        is_blocking_wait(merged, w) || self.is_nested(w)
    }

    /// The wait root `r`'s poll is parked on, when it is parked.
    pub(crate) fn parked_on(&self, merged: &Merged<'_>, r: u32) -> Option<EdgeIndex> {
        if self.roots[r as usize].state != RootState::Parked {
            return None;
        }
        self.waits(merged, r).next()
    }

    /// Whether `w` is the wait of an executor nested in its task's running
    /// poll (see [`nested_executor_wait`]).
    pub(crate) fn is_nested(&self, w: EdgeIndex) -> bool {
        self.nested.binary_search(&w).is_ok()
    }

    /// Whether `w` is a wait its task cannot poll now: its poll is parked
    /// on another wait (a blocking lock, an executor nested in the poll),
    /// and only that one can end.
    pub(crate) fn parked_beside(&self, merged: &Merged<'_>, w: EdgeIndex) -> bool {
        merged
            .graph()
            .edge_endpoints(w)
            .and_then(|(waiter, _)| self.root(waiter))
            .is_some_and(|r| {
                self.roots[r as usize].state == RootState::Parked && !self.parks(merged, w)
            })
    }

    /// The waits root `r` is stalled on: its pending waits but those its
    /// task no longer polls. Unlike [`Blocked::waits`], a wait polled with
    /// a waker peeps does not count is one (a plain future inside a
    /// combinator waiting for a permit is a stall all the same).
    pub(crate) fn stalls<'s>(
        &'s self,
        merged: &'s Merged<'_>,
        r: u32,
    ) -> impl Iterator<Item = EdgeIndex> + 's {
        let parked = self.roots[r as usize].state == RootState::Parked;
        self.all_waits(r)
            .iter()
            .copied()
            .filter(move |&w| !parked || self.parks(merged, w))
            .filter(move |&w| !self.abandoned(merged, w) && !self.is_stale(w))
    }

    /// Whether the future `future` was abandoned: it waits (itself or
    /// through the futures under it) and its task polls none of those
    /// waits any more (see [`Blocked::abandoned`]).
    pub(crate) fn future_abandoned(&self, merged: &Merged<'_>, future: NodeIndex) -> bool {
        let Some(r) = self.root(future) else {
            return false;
        };
        let g = merged.graph();
        let mut any = false;
        for &w in self.all_waits(r) {
            let Some((waiter, _)) = g.edge_endpoints(w) else {
                continue;
            };
            if waiter == future || self.path(waiter).contains(&future) {
                if !self.abandoned(merged, w) {
                    return false;
                }
                any = true;
            }
        }
        any
    }

    /// Whether wait `w` was abandoned: its task (spawned through peeps, not
    /// in a poll now) did not poll it in its latest poll, although the wait
    /// was polled with the task's own waker — a future pinned outside a
    /// `select!` that the task stopped polling. It can never release its
    /// task (the task will not look at it), but it keeps its place in its
    /// resource's queue and whatever its future holds.
    pub(crate) fn abandoned(&self, merged: &Merged<'_>, w: EdgeIndex) -> bool {
        let g = merged.graph();
        let Some(polled_in) = g[w]
            .attrs
            .and_then(|a| a.get(attr::POLLED_IN))
            .and_then(|v| v.as_u64())
        else {
            return false;
        };
        let Some((waiter, _)) = g.edge_endpoints(w) else {
            return false;
        };
        let Some(r) = self.root(waiter) else {
            return false;
        };
        let root = &self.roots[r as usize];
        root.tracked
            && matches!(root.state, RootState::Pending | RootState::Runnable)
            && root.polls.is_some_and(|polls| polled_in < polls)
    }

    /// Root `r` can never be woken: it holds no clone of its waker and has
    /// no instrumented wait pending. (A pending instrumented wait always
    /// holds an accounted clone; zero clones with one means a wake consumed
    /// the last clone while the snapshot was read: the task is being woken.)
    pub(crate) fn lost_waker(&self, merged: &Merged<'_>, r: u32) -> bool {
        self.roots[r as usize].holds_no_waker() && self.waits(merged, r).next().is_none()
    }

    /// The root number of a node, if it belongs to one.
    pub(crate) fn root(&self, ix: NodeIndex) -> Option<u32> {
        let r = *self.root_of.get(ix.index())?;
        (r != NONE).then_some(r)
    }

    /// The futures from root down to `waiter` (outermost first), excluding
    /// the root itself. Empty when the waiter is the root.
    pub(crate) fn path(&self, waiter: NodeIndex) -> Vec<NodeIndex> {
        let mut path = Vec::new();
        let mut at = waiter.index();
        // Bounded by the tree's depth: parents were assigned top-down, so
        // the chain ends at a root without looping.
        while self.parent.get(at).is_some_and(|&p| p != NONE) {
            path.push(NodeIndex::new(at));
            at = self.parent[at] as usize;
        }
        path.reverse();
        path
    }
}

fn root_facts(ix: NodeIndex, node: &Node) -> Root {
    let tracked = attr_bool(node, attr::TRACKED) == Some(true);
    // A tracked task never polled is queued to run. An untracked root's
    // counts cover only its top-level instrumented futures, so zero polls
    // says nothing there: its waits decide.
    let never_polled = tracked && attr_u64(node, attr::POLLS) == Some(0);
    let state = match state_of(node) {
        Some("done") => RootState::Done,
        Some("polling") => RootState::Running,
        Some("pending") if never_polled => RootState::Runnable,
        Some("pending") if attr_bool(node, attr::WOKEN) == Some(true) => RootState::Runnable,
        Some("pending") => RootState::Pending,
        _ => RootState::Unknown,
    };
    Root {
        ix,
        state,
        tracked,
        clones: attr_u64(node, attr::WAKER_CLONES),
        accounted: attr_u64(node, attr::WAKER_CLONES_ACCOUNTED),
        since_ms: node.since_ms,
        polls: attr_u64(node, attr::POLLS),
        combinators: Combinators::default(),
        woken_by_waits_only: false,
        raced: false,
        timer_due: false,
        starved: None,
    }
}

fn is_blocking_wait(merged: &Merged<'_>, w: EdgeIndex) -> bool {
    let g = merged.graph();
    // A blocking call (`blocking_lock`, `blocking_recv`, …) on any
    // primitive parks its thread.
    g[w].flag(attr::BLOCKING_CALL)
        || g.edge_endpoints(w).is_some_and(|(_, to)| {
            let node = g[to].node;
            attr_bool(node, attr::BLOCKING) == Some(true)
                // A watch `send` blocks its thread on the value's lock, and
                // so does a `borrow` parked behind a send.
                || (node.kind == NodeKind::Channel
                    && matches!(g[w].op(), Some(Op::Write | Op::Read)))
        })
}

/// Per root: whether the sampler saw the thread running its poll parked —
/// its stack's innermost frames in a park (`std::thread::park`, tokio's
/// or parking_lot's, a futex wait) — not computing. Without a stack (the
/// sampler off, not Linux): no.
fn thread_parked(merged: &Merged<'_>, root_of: &[u32], roots: usize) -> Vec<bool> {
    /// How many innermost frames may be the park's own.
    const PARK_FRAMES: usize = 12;
    let parked_frame =
        |f: &str| f.contains("::park") || f.contains("futex_wait") || f.contains("Condvar::wait");
    let mut parked = vec![false; roots];
    for snap in merged.processes() {
        for t in &snap.threads {
            let Some(id) = t.polling else { continue };
            if !t.stack.iter().take(PARK_FRAMES).any(|f| parked_frame(f)) {
                continue;
            }
            let Some(ix) = merged.find(&snap.process.key, id) else {
                continue;
            };
            if let Some(r) = root_of.get(ix.index()).filter(|&&r| r != NONE) {
                parked[*r as usize] = true;
            }
        }
    }
    parked
}

/// How long a wait polled with a waker peeps does not count, begun inside
/// its task's poll that still runs, has lasted when it is taken for the
/// wait of an executor nested in that poll: the slow-poll threshold's
/// default (`Options::DEFAULT_SLOW_POLL_MS`).
const NESTED_EXECUTOR_MS: u64 = 100;

/// Whether wait `w` of running root `root`, whose thread the sampler saw
/// parked (see [`thread_parked`]), is the wait of an executor nested in
/// its poll — `futures::executor::block_on`, or `Handle::block_on` under
/// `block_in_place`, in a `Drop` or a sync handler: polled with that
/// executor's waker (one peeps does not count), begun inside the task's
/// current poll, which still runs, and pending at least
/// [`NESTED_EXECUTOR_MS`]. The thread is parked in that executor, on that
/// wait, as in a blocking lock. (A combinator's future waiting inside a
/// poll that then computes that long reads the same but for the stack:
/// its thread is not parked.)
fn nested_executor_wait(merged: &Merged<'_>, root: &Root, w: EdgeIndex) -> bool {
    let g = merged.graph();
    foreign_waker(merged, w)
        && match (g[w].since_ms, root.since_ms) {
            (Some(waited), Some(polling)) => waited >= NESTED_EXECUTOR_MS && waited <= polling,
            _ => false,
        }
}

/// Whether the executor nested in root `root`'s poll may be woken by
/// something peeps cannot see: more clones of its waker are alive
/// (`nested_waker_clones`, when peeps could count them) than the root has
/// waits polled with a foreign waker (the timer of a `timeout` around the
/// wait). Its waits then park the thread for a while, not for good.
fn nested_woken_unseen(merged: &Merged<'_>, root: &Root, waits: &[EdgeIndex]) -> bool {
    let g = merged.graph();
    attr_u64(g[root.ix].node, attr::NESTED_WAKER_CLONES).is_some_and(|clones| {
        clones > waits.iter().filter(|&&w| foreign_waker(merged, w)).count() as u64
    })
}

/// Whether wait `w` was polled inside a peeps task with a waker peeps does
/// not count (a no-op waker, a combinator's for a plain future): nothing
/// it wakes is proven to be its task. It is no way out for a task whose
/// own wakers are all accounted for; a task with a clone held by such a
/// combinator is one that may wake anyway.
fn foreign_waker(merged: &Merged<'_>, w: EdgeIndex) -> bool {
    merged.graph()[w].flag(attr::FOREIGN_WAKER)
}

/// The clone of its waiter's waker wait `w` shares with its other waits
/// of the same group, if it shares one (see [`attr::WAKER_GROUP`]).
fn waker_group(merged: &Merged<'_>, w: EdgeIndex) -> Option<u64> {
    merged.graph()[w]
        .attrs
        .and_then(|a| a.get(attr::WAKER_GROUP))
        .and_then(|v| v.as_u64())
}

/// A wait's place in its resource's queue (`u64::MAX` when unknown).
fn queued(merged: &Merged<'_>, w: EdgeIndex) -> u64 {
    merged.graph()[w]
        .attrs
        .and_then(|a| a.get(attr::QUEUED))
        .and_then(|v| v.as_u64())
        .unwrap_or(u64::MAX)
}

/// The wait queued first on `node`, if any wait says its place.
fn queue_head(merged: &Merged<'_>, node: NodeIndex) -> Option<EdgeIndex> {
    let g = merged.graph();
    g.edges_directed(node, Direction::Incoming)
        .filter(|e| e.weight().kind == EdgeKind::WaitsOn)
        .map(|e| e.id())
        .filter(|&w| queued(merged, w) != u64::MAX)
        .min_by_key(|&w| queued(merged, w))
}

/// The waits queued on `lock` before `wait` that it cannot pass: on an
/// rwlock, the writes (a write-preferring lock, tokio's, lets no new
/// reader in while a writer waits, even one that already holds a read);
/// on a watch channel, its sends, for a borrow (the value's lock is
/// write-preferring too); on a semaphore, the acquires (tokio's is fair:
/// first in, first out).
///
/// A blocking rwlock (parking_lot's, task-fair) queues a `read` behind the
/// writes ahead of it as tokio's does, but a `read_recursive` passes them
/// while readers hold the lock: a read parked while the lock is read-held
/// is a `read`, and one parked while it is not waits for its writer.
///
/// The places are peeps' own, taken when a wait first returns pending, so
/// two waits that queue at once may be numbered against tokio's order: a
/// read can queue behind a write whose task has not yet numbered it. An
/// async rwlock held by readers alone keeps a read pending only behind a
/// write, so such a read numbered first is behind every write waiting.
fn queued_ahead(merged: &Merged<'_>, lock: NodeIndex, wait: EdgeIndex) -> Vec<EdgeIndex> {
    let g = merged.graph();
    let mine = queued(merged, wait);
    if mine == u64::MAX {
        return Vec::new();
    }
    let blocking = attr_bool(g[lock].node, attr::BLOCKING) == Some(true);
    if blocking && (g[lock].node.kind != NodeKind::Rwlock || !read_held(merged, lock)) {
        return Vec::new();
    }
    let blocks = match g[lock].node.kind {
        NodeKind::Semaphore => Op::Acquire,
        _ => Op::Write,
    };
    let queued_on = || {
        g.edges_directed(lock, Direction::Incoming)
            .filter(|e| e.weight().kind == EdgeKind::WaitsOn && e.weight().op() == Some(blocks))
            .map(|e| e.id())
    };
    let mut ahead: Vec<EdgeIndex> = queued_on().filter(|&w| queued(merged, w) < mine).collect();
    if ahead.is_empty()
        && !blocking
        && g[lock].node.kind == NodeKind::Rwlock
        && g[wait].op() == Some(Op::Read)
        && read_held(merged, lock)
    {
        ahead = queued_on().collect();
    }
    ahead.sort_by_key(|&w| queued(merged, w));
    ahead
}

/// Whether some holder holds `lock` as a read guard.
fn read_held(merged: &Merged<'_>, lock: NodeIndex) -> bool {
    merged
        .graph()
        .edges_directed(lock, Direction::Outgoing)
        .any(|h| {
            h.weight().kind == EdgeKind::HeldBy
                && h.weight().attr_str(attr::AS) == Some(attr::AS_READ_GUARD)
        })
}

/// Which side of a channel an operation waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpSide {
    /// Waits for a message or a change: released by senders.
    Receive,
    /// Waits for room: released by receivers.
    Send,
    /// Waits for the receiving side to go (`Sender::closed`): released by
    /// receivers, whatever room there is.
    Closed,
    /// Anything else.
    Other,
}

/// Classifies a `waits_on` op.
pub(crate) fn op_side(op: Option<Op>) -> OpSide {
    match op {
        Some(Op::Recv | Op::Changed) => OpSide::Receive,
        Some(Op::Send) => OpSide::Send,
        // Regression: `closed` was a send, and an unsent oneshot always has
        // room, so a oneshot cycle through `Sender::closed` was never found.
        Some(Op::Closed) => OpSide::Closed,
        _ => OpSide::Other,
    }
}

/// What the wait `w` waits for, or why its release is outside the graph.
pub(crate) fn classify(merged: &Merged<'_>, w: EdgeIndex) -> Result<Target, External> {
    let g = merged.graph();
    let Some((_, to)) = g.edge_endpoints(w) else {
        return Err(External::UnknownHolder);
    };
    let node = g[to].node;
    if g[w].flag(attr::TIMED) {
        return Err(External::Timed);
    }
    match node.kind {
        NodeKind::Rwlock
            if g[w].op() == Some(Op::Read) && !queued_ahead(merged, to, w).is_empty() =>
        {
            Ok(Target::BehindQueued { lock: to, wait: w })
        }
        // Permits are free, yet it waits: an acquire queued before it asks
        // for more than are free, and the fair semaphore serves it first.
        NodeKind::Semaphore
            if g[w].op() == Some(Op::Acquire)
                && attr_u64(node, attr::AVAILABLE).is_some_and(|n| n > 0)
                && !queued_ahead(merged, to, w).is_empty() =>
        {
            Ok(Target::BehindQueued { lock: to, wait: w })
        }
        NodeKind::Mutex | NodeKind::Rwlock | NodeKind::Semaphore => Ok(Target::Holders(to)),
        // A once cell being initialised: only the task running its
        // initialiser can end the wait (without that holder, peeps cannot
        // tell who does, as for any notify).
        NodeKind::Notify if g[w].op() == Some(Op::Init) && has_holder(merged, to) => {
            Ok(Target::Initialiser { cell: to, init: w })
        }
        // A `notified()` on a `Notify` that counts who notified it.
        NodeKind::Notify
            if g[w].op() == Some(Op::Notified) && attr_u64(node, attr::NOTIFIERS).is_some() =>
        {
            Ok(Target::Notifiers {
                notify: to,
                wait: w,
            })
        }
        // A watch `send` parked on the value's lock (tokio#4246).
        NodeKind::Channel if g[w].op() == Some(Op::Write) => Ok(Target::ValueReaders(to)),
        // A watch `borrow` parked on the value's lock behind the sends
        // queued before it (the lock lets no new reader past a queued
        // writer, even one whose task holds a borrow: fedimint#9085).
        NodeKind::Channel if g[w].op() == Some(Op::Read) => {
            if queued_ahead(merged, to, w).is_empty() {
                Err(External::NoHolder)
            } else {
                Ok(Target::BehindQueued { lock: to, wait: w })
            }
        }
        NodeKind::Channel => {
            if attr_bool(node, attr::CLOSED) == Some(true) {
                return Err(External::Closed);
            }
            match op_side(g[w].op()) {
                OpSide::Receive => {
                    if attr_u64(node, attr::LEN).is_some_and(|l| l > 0) {
                        return Err(External::MessageQueued);
                    }
                    Ok(Target::Senders(to))
                }
                OpSide::Send => {
                    // A slot reserved by a live permit frees when the
                    // permit's holder uses it (and the receiver reads it) or
                    // gives it back; a permit is reserved through a sender,
                    // so its holder holds one (tower#408: forwarders that
                    // reserve before they receive hold every slot).
                    let reserved = attr_u64(node, attr::RESERVED).unwrap_or(0);
                    let len = attr_u64(node, attr::LEN);
                    let cap = attr_u64(node, attr::CAPACITY);
                    if matches!((len, cap), (Some(len), Some(cap)) if len + reserved < cap) {
                        return Err(External::HasRoom);
                    }
                    Ok(match (reserved, len) {
                        (0, _) => Target::Receivers(to),
                        // No message to read: only the permits' holders.
                        (_, Some(0)) => Target::Senders(to),
                        // Either a read or a permit frees a slot.
                        _ => Target::Endpoints(to),
                    })
                }
                OpSide::Closed => Ok(Target::Receivers(to)),
                OpSide::Other => Ok(Target::Endpoints(to)),
            }
        }
        NodeKind::Task => Ok(Target::Join(to)),
        NodeKind::Request => Ok(Target::Call(to)),
        kind @ (NodeKind::Notify | NodeKind::Future | NodeKind::Handler | NodeKind::Thread) => {
            Err(External::Untraced(kind))
        }
    }
}

/// Whether `node` has a `held_by` edge.
fn has_holder(merged: &Merged<'_>, node: NodeIndex) -> bool {
    merged
        .graph()
        .edges_directed(node, Direction::Outgoing)
        .any(|e| e.weight().kind == EdgeKind::HeldBy)
}

/// Whether the wait to init `init` is made by the same task that runs the
/// cell's initialiser, but not from inside it: a concurrent future of that
/// task (two `get_or_init` calls of one cell in a `join!`) or a place
/// peeps cannot tell apart from one. Such a wait ends when its sibling's
/// initialiser does, so the task's own hold is no cycle. Only a wait made
/// inside the future that took the hold (`by`, a proper ancestor of the
/// waiter: the initialiser reached `get_or_init` of its own cell) can
/// never end.
fn beside_own_initialiser(
    merged: &Merged<'_>,
    blocked: &Blocked,
    cell: NodeIndex,
    init: EdgeIndex,
) -> bool {
    let g = merged.graph();
    let Some((waiter, _)) = g.edge_endpoints(init) else {
        return true;
    };
    let own = blocked.root(waiter);
    let path = blocked.path(waiter);
    g.edges_directed(cell, Direction::Outgoing)
        .filter(|e| e.weight().kind == EdgeKind::HeldBy)
        .filter(|e| own.is_some() && blocked.root(e.target()) == own)
        .any(|e| match taker(merged, e.id()) {
            Some(taker) => taker == waiter || !path.contains(&taker),
            None => true,
        })
}

/// The channel whose message brought the hold `held_by` to its holder
/// (its `from`), when it is in the graph.
pub(crate) fn received_from(merged: &Merged<'_>, held_by: EdgeIndex) -> Option<NodeIndex> {
    node_attr(merged, held_by, attr::FROM)
}

/// The future inside its holder that took the hold `held_by` (its `by`
/// attribute), when the graph has it.
pub(crate) fn taker(merged: &Merged<'_>, held_by: EdgeIndex) -> Option<NodeIndex> {
    node_attr(merged, held_by, attr::BY)
}

/// The node of the hold `held_by`'s process whose id its attribute `name`
/// says, when the graph has it.
fn node_attr(merged: &Merged<'_>, held_by: EdgeIndex, name: &str) -> Option<NodeIndex> {
    let g = merged.graph();
    let id = g[held_by].attrs?.get(name)?.as_u64()?;
    let (res, _) = g.edge_endpoints(held_by)?;
    merged.find(&merged.process_of(res).process.key, id)
}

/// Whether `node` is a semaphore none of whose permits is held, every one
/// free (`available == permits`): a wait on it can end only when permits
/// are added.
fn beyond_permits(node: &Node) -> bool {
    node.kind == NodeKind::Semaphore
        && attr_u64(node, attr::HOLDERS) == Some(0)
        && attr_u64(node, attr::PERMITS).is_some_and(|p| attr_u64(node, attr::AVAILABLE) == Some(p))
}

/// The roots that could release `target`, appended to `out`; or why the
/// release is outside the graph. An empty result is never returned: a wait
/// nobody can be seen to release is external ([`External::NoHolder`]).
pub(crate) fn releasers(
    merged: &Merged<'_>,
    blocked: &Blocked,
    target: Target,
    out: &mut Vec<Release>,
) -> Result<(), External> {
    let g = merged.graph();
    let start = out.len();
    let holders = |node: NodeIndex, want: Option<&str>, out: &mut Vec<Release>| {
        hold_releasers(merged, blocked, node, want, out, CARRIED_DEPTH)
    };
    let count = |node: NodeIndex, name: &str| attr_u64(g[node].node, name);
    match target {
        Target::Holders(node) => {
            holders(node, None, out)?;
            if out.len() == start && beyond_permits(g[node].node) {
                return Err(External::BeyondPermits);
            }
            if out.len() == start
                && let Some(head) = queue_head(merged, node)
                && let Some(root) = g.edge_endpoints(head).and_then(|(w, _)| blocked.root(w))
                && (blocked.abandoned(merged, head)
                    || blocked.parked_beside(merged, head)
                    || blocked.roots[root as usize].starved.is_some())
            {
                // Released with waiters, a fair lock goes to its first
                // waiter; this one's task no longer polls it (futurelock),
                // or cannot while its poll is parked on another wait, so
                // the lock stays with it. A starved task has it, and will
                // take it at its next poll: when a thread is free.
                let starved = blocked.roots[root as usize].starved.is_some();
                out.push(Release {
                    queue: (!starved).then_some(Queued::HandedTo(head)),
                    since_ms: g[head].since_ms,
                    ..Release::to(root)
                });
            }
            if out.len() == start && count(node, attr::HOLDERS).is_some_and(|n| n > 0) {
                // Held, but by nothing drawn: a guard or permit handed to
                // something peeps does not follow (a plain spawn).
                return Err(External::UnknownHolder);
            }
        }
        Target::Notifiers { notify, wait } => {
            notifier_releasers(merged, blocked, notify, wait, out)?;
        }
        Target::Initialiser { cell, init } => {
            if beside_own_initialiser(merged, blocked, cell, init) {
                return Err(External::Untraced(NodeKind::Notify));
            }
            holders(cell, None, out)?;
        }
        Target::BehindQueued { lock, wait } => {
            for ahead in queued_ahead(merged, lock, wait) {
                let Some(root) = g.edge_endpoints(ahead).and_then(|(w, _)| blocked.root(w)) else {
                    return Err(External::UnknownHolder);
                };
                out.push(Release {
                    queue: Some(Queued::Ahead(ahead)),
                    since_ms: g[ahead].since_ms,
                    ..Release::to(root)
                });
            }
        }
        Target::ValueReaders(node) => {
            holders(node, Some(attr::AS_READ_GUARD), out)?;
        }
        Target::Senders(node) => {
            let seen = holders(node, Some(attr::AS_SENDER), out)?;
            if count(node, attr::SENDERS).is_some_and(|c| c > seen) {
                return Err(External::UnseenSender);
            }
        }
        Target::Receivers(node) => {
            let seen = holders(node, Some(attr::AS_RECEIVER), out)?;
            if count(node, attr::RECEIVERS).is_some_and(|c| c > seen) {
                return Err(External::UnseenReceiver);
            }
        }
        Target::Endpoints(node) => {
            let senders = holders(node, Some(attr::AS_SENDER), out)?;
            if count(node, attr::SENDERS).is_some_and(|c| c > senders) {
                return Err(External::UnseenSender);
            }
            let receivers = holders(node, Some(attr::AS_RECEIVER), out)?;
            if count(node, attr::RECEIVERS).is_some_and(|c| c > receivers) {
                return Err(External::UnseenReceiver);
            }
        }
        Target::Thread {
            process, thread, ..
        } => {
            for o in blocked.occupiers(process as usize, thread) {
                let since_ms = blocked.parked_on(merged, o).and_then(|w| g[w].since_ms);
                out.push(Release {
                    since_ms,
                    ..Release::to(o)
                });
            }
        }
        Target::Join(task) => {
            let Some(root) = blocked.root(task) else {
                return Err(External::UnknownHolder);
            };
            if !blocked.roots[root as usize].is_blocked() {
                return Err(External::JoinedGone);
            }
            out.push(Release::to(root));
        }
        Target::Call(request) => {
            for call in g.edges_directed(request, Direction::Outgoing) {
                if call.weight().kind != EdgeKind::Calls {
                    continue;
                }
                let handler = call.target();
                let before = out.len();
                holders(handler, None, out)?;
                if out.len() == before {
                    return Err(External::NoHolder);
                }
                for r in &mut out[before..] {
                    r.via = Some(handler);
                    r.since_ms = min_age(r.since_ms, call.weight().since_ms);
                }
            }
            if out.len() == start {
                return Err(External::NoHandler);
            }
        }
    }
    if out.len() == start {
        return Err(External::NoHolder);
    }
    // petgraph lists edges newest first; say releasers in node order.
    out[start..].sort_by_key(|r| (r.root, r.held_by.map(|e| e.index())));
    Ok(())
}

/// A map from targets to dependency-graph nodes.
pub(crate) type TargetMap<V> = IdMap<(u32, u8), V>;
