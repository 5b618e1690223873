//! Thread roots whose waits lost a race to something peeps cannot see.
//!
//! A thread's `block_on` root under a current-thread runtime (or another
//! executor) polls with a waker whose clones peeps cannot count
//! (`thread_waker` counts only tokio's parked-thread waker), so a wait of
//! such a root is taken for its only way out. A root that `select!`s a
//! peeps receive against its socket would then read as blocked on the
//! receive alone.
//!
//! What such a root shows instead is the race: a wait of its own, pending
//! across a wake (polled again, still pending, or older than
//! [`OUTLIVED_A_POLL_MS`]: a `select!` polls its branches in a random
//! order, and the winner may come first), dropped without completing while
//! no other wait of the root completed since it was last polled —
//! something peeps does not see (a socket, a timer, another task's
//! `JoinHandle`) won. This module keeps, per OS thread, the call sites of
//! such waits (`raced_at` on the thread's root, see
//! [`peeps_graph::attr::RACED_AT`]): a wait made again at one of them is
//! one branch of a race whose other branches peeps cannot see, and may
//! end without it. A wait dropped in the poll that made it (a `select!`
//! whose other branch was ready at once) proves nothing and is not kept.
//!
//! Cold: one thread-local per thread root's completed or repolled wait;
//! the global table is locked only the first time a site races on a
//! thread.

use crate::wait::Site;
use parking_lot::Mutex;
use peeps_graph::NodeId;
use std::cell::{Cell, RefCell};
use std::panic::Location;

/// A wait of a thread root this old (coarse ms) when it is dropped was
/// made in an earlier poll than the one dropping it, though it was not
/// polled again (a `select!` that polled the winning branch first): the
/// branches of one poll are polled back to back, so only a thread
/// preempted that long inside one poll would take it for a race.
pub(crate) const OUTLIVED_A_POLL_MS: u64 = 10;

/// How many threads are kept; past that, the oldest is forgotten.
const THREADS: usize = 64;
/// How many sites a thread keeps; past that, every wait of its root is
/// taken for one that may lose a race.
const SITES: usize = 8;

/// One thread's raced sites.
struct Kept {
    tid: i32,
    sites: Vec<&'static Location<'static>>,
    /// More sites raced than are kept.
    overflow: bool,
}

static KEPT: Mutex<Vec<Kept>> = Mutex::new(Vec::new());

/// This thread's view: the root whose wait completed last (0: none since
/// a wait of a thread root was last polled pending), and the sites already
/// in [`KEPT`]. Dropped with the thread, which forgets its entry there.
struct Local {
    won_by: Cell<NodeId>,
    noted: RefCell<Vec<&'static Location<'static>>>,
    tid: Cell<i32>,
}

impl Drop for Local {
    fn drop(&mut self) {
        let tid = self.tid.get();
        if tid != 0 {
            KEPT.lock().retain(|k| k.tid != tid);
        }
    }
}

thread_local! {
    static LOCAL: Local = const {
        Local { won_by: Cell::new(0), noted: RefCell::new(Vec::new()), tid: Cell::new(0) }
    };
}

/// A wait of thread root `root` was polled and is pending (first or again).
#[inline]
pub(crate) fn pending(root: NodeId) {
    let _ = LOCAL.try_with(|l| {
        if l.won_by.get() == root {
            l.won_by.set(0);
        }
    });
}

/// A wait of thread root `root` completed.
#[inline]
pub(crate) fn completed(root: NodeId) {
    let _ = LOCAL.try_with(|l| l.won_by.set(root));
}

/// A wait of thread root `root` made at `at` was dropped before it
/// completed, made in an earlier poll: it was polled again, pending, or is
/// older than [`OUTLIVED_A_POLL_MS`].
#[cold]
#[inline(never)]
pub(crate) fn cancelled(root: NodeId, at: Site) {
    let Some(at) = at else { return };
    let _ = LOCAL.try_with(|l| {
        if l.won_by.get() == root {
            // Another wait of the root completed: a race peeps saw.
            return;
        }
        let mut noted = l.noted.borrow_mut();
        if noted.iter().any(|s| std::ptr::eq(*s, at)) {
            return;
        }
        noted.push(at);
        if l.tid.get() == 0 {
            l.tid.set(crate::census::os_thread_id());
        }
        note(l.tid.get(), at);
    });
}

fn note(tid: i32, at: &'static Location<'static>) {
    let mut kept = KEPT.lock();
    if let Some(k) = kept.iter_mut().find(|k| k.tid == tid) {
        if k.sites.len() < SITES {
            k.sites.push(at);
        } else {
            k.overflow = true;
        }
        return;
    }
    if kept.len() == THREADS {
        kept.remove(0);
    }
    kept.push(Kept { tid, sites: vec![at], overflow: false });
}

/// The raced sites of OS thread `tid`, as `file:line:col` (the `at` of a
/// wait), with `"*"` for every site when more raced than are kept; empty
/// when none did.
pub(crate) fn sites(tid: i32) -> Vec<String> {
    let kept = KEPT.lock();
    let Some(k) = kept.iter().find(|k| k.tid == tid) else {
        return Vec::new();
    };
    let mut out: Vec<String> = k
        .sites
        .iter()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
        .collect();
    if k.overflow {
        out.push(peeps_graph::attr::RACED_ANY.to_owned());
    }
    out
}
