//! Who holds a handle that can move: channel endpoints, owned guards and
//! owned permits.
//!
//! A Rust move copies bytes and tells nobody, so a handle made by one task
//! may sit in another's state a moment later. peeps follows a handle with
//! what it can see exactly, at no cost on the paths that carry none:
//!
//! - Every movable handle carries a [`Mark`]: two words naming the hold it
//!   stands for, scrambled so that ordinary data does not look like one.
//! - The values peeps is handed and that own what is inside them — the
//!   future given to `spawn`, a message given to `send`, the value a
//!   receive or a join returns — are searched for marks ([`scan_value`]);
//!   a type that needs no drop cannot contain a handle and is not read at
//!   all. Each mark found moves its hold ([`moved`]): into the spawned
//!   task, into the channel carrying the unread message, into the task that
//!   received or joined it. A scan never follows a pointer read from the
//!   value: a mark only names a hold, which is looked up where peeps keeps
//!   it (the resource's holder set, the oneshot pair table).
//! - At snapshot time the process's static memory is searched too
//!   (`statics`): a handle kept in a `static` is anyone's, whoever used it
//!   last (any task may use it next).
//! - At snapshot time the state of each blocked task (its pinned future,
//!   read while a per-task sequence count shows no poll ran) is searched
//!   the same way (`found`): a handle found there is in that task's hands
//!   now. Bytes a value was moved out of may still hold its old mark, so a
//!   find confirms what peeps already believes, or names a holder for a
//!   handle whose holder was only guessed; it never overrules a move peeps
//!   saw.
//! - A handle proven by its holder's use, whose holder waits for what only
//!   that handle can do (to receive, holding the sender), is looked for on
//!   the heap too (`heap`, once per snapshot): a copy outside the states
//!   searched means it was filed there (a map, an `Arc`'s value) and the
//!   holder's bytes may be the ones it left.
//!
//! What each piece of evidence proves is `peeps_graph::Evidence`'s table;
//! docs/ownership.md explains it to users.

mod found;
mod heap;
mod mark;
mod moves;
mod statics;

pub use found::Found;
pub use mark::{Key, Mark, scan_value};
pub use moves::moved;
pub(crate) use moves::{Move, pending};
pub(crate) use found::{SCAN_BUDGET, SCAN_MAX_STATE};
pub(crate) use mark::scan_bytes;
pub(crate) use statics::scan_statics;

use peeps_graph::{Evidence, NodeId};

/// The handles inside `value` are in an unread message carried by the
/// channel `carrier` (called as the message is handed to the channel).
#[inline]
pub fn carried<T: ?Sized>(value: &T, carrier: NodeId) {
    scan_value(value, |key| moved(key, carrier, Evidence::InMessage, 0));
}

/// The handles inside `value` are published at `place`: the value of a
/// watch or a broadcast message (`place` is the channel), which every
/// receiver may read and clone, or the value of a lock (`place` is the
/// lock: scanned as it is made and as each exclusive guard lets it go),
/// which whoever takes the lock may use, clone or take. Anyone's from then
/// on, as a `static`'s are: `shared`, last seen at `place`, which the move
/// names as its origin too (so a snapshot knows it from a shared use:
/// bytes it was moved out of confirm nobody, and a use under the lock
/// keeps it there).
#[inline]
pub fn published<T: ?Sized>(value: &T, place: NodeId) {
    scan_value(value, |key| moved(key, place, Evidence::Shared, place));
}

/// The handles inside `value` were moved into task `task` at its spawn
/// (the future given to `spawn`, or a plain task's top-level future at
/// its first poll).
#[inline]
pub fn spawned<T: ?Sized>(value: &T, task: NodeId) {
    scan_value(value, |key| moved(key, task, Evidence::Spawned, 0));
}

/// As [`spawned`], for the future of peeps task `task` being spawned now,
/// whose saved lock list is `held`: an owned guard moved in is listed
/// there, held by the task from its first poll on.
#[inline]
pub(crate) fn spawned_task<T: ?Sized>(value: &T, task: NodeId, held: &crate::lockorder::Saved) {
    scan_value(value, |key| moves::moved_seeding(key, task, Evidence::Spawned, 0, Some(held)));
}

/// Returns `value`, the handles inside it handed to something peeps does
/// not follow: the value given to a plain `tokio::spawn`,
/// `spawn_blocking`, a `JoinSet` or a thread (`#[peeps::instrument]`
/// passes what its body gives such a call through here). They are moved,
/// as at a spawn, to [`UNSEEN`] — no `held_by` edge, so a wait on them has
/// a releaser peeps cannot see — until peeps sees them again (the spawned
/// future's first poll when it is instrumented, a use, a message). Bytes
/// they were moved out of, left in the caller's state, then confirm
/// nothing.
#[inline]
pub fn handed_off<T>(value: T) -> T {
    spawned(&value, UNSEEN);
    value
}

/// The holder of a handle handed to something peeps does not follow (see
/// [`handed_off`]): never a node, and never drawn as a `held_by` edge.
pub const UNSEEN: NodeId = u64::MAX >> 1;

/// The handles inside `value` are the current task's now, as `via` says
/// (handed back through a join or a failed send, received from a oneshot).
#[inline]
pub fn taken<T: ?Sized>(value: &T, via: Evidence) {
    scan_value(value, |key| moved(key, crate::context::current_holder().id, via, 0));
}

/// The handles inside `value` are the current task's now: it received them
/// in a message from channel `from` (the hold remembers it: once its
/// holder waits to receive from `from` again, that message was handled,
/// and bytes of it left in the holder's state prove nothing).
#[inline]
pub fn received<T: ?Sized>(value: &T, from: NodeId) {
    scan_value(value, |key| moved(key, crate::context::current_holder().id, Evidence::Received, from));
}
