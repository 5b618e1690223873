//! Processes where nothing can run again: Go's "all goroutines are asleep".
//!
//! Most waits have releasers peeps can name; some do not (anyone may
//! notify a `Notify`, a handle peeps has not seen move may be anywhere), and
//! those count as a way out. But a way out needs someone to take it. When
//! every task and thread of a process that can run its code is pending, and
//! nothing but their own instrumented waits holds a clone of any of their
//! wakers (no timer, no socket, no signal, nothing peeps cannot see), and
//! peeps can see every such task and thread, then nothing in the process
//! will ever run again: every one of those waits is stuck for good, whoever
//! peeps would have named.
//!
//! A process is *asleep* when its snapshot says all of this:
//!
//! - a census that counts the process's threads and sees into all of them
//!   ([`crate::TaskCensus`]: no `std::thread`, `spawn_blocking` thread or
//!   runtime peeps has not seen), accounts for no more threads than are
//!   alive (a dropped runtime's workers could hide as many unseen ones),
//!   and finds a root for every thread that drives a runtime outside its
//!   tasks (a `block_on`, a `LocalSet`, a spawn from a plain thread);
//! - a root for the main thread, and at least as many task roots as tasks
//!   alive (so every task alive is one of them);
//! - every root (but the finished) pending, not woken, settled, its waker
//!   counted (a peeps task's exactly; a plain task's or a `block_on`
//!   thread's through tokio's counts) and every clone of it accounted for
//!   by its own waits, none of which is an RPC to another process; or a
//!   peeps task that lost its waker.
//!
//! In an asleep process the fixed point keeps every blocked root: a wait
//! whose release peeps would call external is stuck with the rest. Where
//! that external release names a holder (a handle's last holder, the
//! holders of the channel a handle was published on), the holder is a
//! guessed releaser, so the cycle it closes is written out as a `probable`
//! deadlock; a root whose waits lead to no other is stuck forever.

use super::blocked::{Blocked, External, Release, RootState};
use crate::attr;
use crate::merge::{EdgeIndex, Merged};
use crate::schema::{EdgeKind, NodeKind};
use petgraph::Direction;
use petgraph::visit::EdgeRef;

/// Which processes are asleep, and which task roots there have ended.
#[derive(Debug, Default)]
pub(crate) struct Asleep {
    /// Per process: nothing in it can run again (see the module).
    pub(crate) processes: Vec<bool>,
    /// Per root: a task of an asleep process seen done, or shown pending
    /// with no wait, which cannot be alive: the tasks asleep there are as
    /// many as tokio counts alive. A plain task that ended after it held or
    /// notified something still shows, done when peeps reads its state,
    /// else pending with no wait (tokio does not say when a plain task
    /// ends): it releases nothing.
    pub(crate) ended: Vec<bool>,
}

/// Per process: whether nothing in it can run again (see the module).
pub(crate) fn asleep_processes(merged: &Merged<'_>, blocked: &Blocked, settle_ms: u64) -> Asleep {
    let g = merged.graph();
    let processes = merged.processes();
    let settled = |age: Option<u64>| age.is_none_or(|a| a >= settle_ms);
    let mut asleep: Vec<bool> = processes
        .iter()
        .map(|s| {
            s.tasks.is_some_and(|c| {
                c.threads > 0
                    && c.unseen_threads == 0
                    && c.overcounted_threads == Some(0)
                    && c.rootless_drivers == Some(0)
            })
        })
        .collect();
    let mut tasks = vec![0u64; processes.len()];
    let mut main = vec![false; processes.len()];
    // Task roots pending with no wait: alive (waiting on something peeps
    // cannot see) unless the tasks asleep are all tokio counts alive.
    let mut idle: Vec<u32> = Vec::new();
    // Task roots seen done (a plain task's state word): ended too.
    let mut done: Vec<u32> = Vec::new();
    for (r, root) in blocked.roots.iter().enumerate() {
        let node = g[root.ix];
        let p = node.process;
        if !asleep[p] {
            continue;
        }
        if root.state == RootState::Done {
            done.push(r as u32);
            continue;
        }
        let r = r as u32;
        let waits = blocked.all_waits(r);
        if node.node.kind == NodeKind::Task
            && root.state == RootState::Pending
            && waits.is_empty()
            && !blocked.lost_waker(merged, r)
        {
            idle.push(r);
            continue;
        }
        let sleeps = blocked.lost_waker(merged, r)
            || (root.state == RootState::Pending
                && root.starved.is_none()
                && settled(root.since_ms)
                && (root.tracked || root.woken_by_waits_only)
                && !blocked.wakes_unseen(merged, r)
                && !waits.is_empty()
                && waits.iter().all(|&w| {
                    settled(g[w].since_ms)
                        && g.edge_endpoints(w)
                            .is_some_and(|(_, to)| g[to].node.kind != NodeKind::Request)
                }));
        if !sleeps {
            asleep[p] = false;
            continue;
        }
        match node.node.kind {
            NodeKind::Task => tasks[p] += 1,
            NodeKind::Thread => {
                let pid = u64::from(processes[p].process.pid);
                main[p] |= node
                    .node
                    .attrs
                    .get(attr::OS_THREAD)
                    .and_then(|v| v.as_u64())
                    == Some(pid);
            }
            _ => {}
        }
    }
    for (p, snap) in processes.iter().enumerate() {
        let alive = snap.tasks.map_or(u64::MAX, |c| c.alive);
        asleep[p] &= main[p] && tasks[p] >= alive;
    }
    let mut ended = vec![false; blocked.roots.len()];
    for r in idle.into_iter().chain(done) {
        ended[r as usize] = asleep[g[blocked.roots[r as usize].ix].process];
    }
    Asleep {
        processes: asleep,
        ended,
    }
}

/// The roots that may hold what the external release `why` leaves to
/// someone peeps cannot name, each a guessed release, appended to `out`:
/// the holder its `held_by` edge names, or, for a handle held by a channel
/// (inside an unread message, or published in a watch's value), the
/// holders of that channel's ends. Only for a process where nothing can
/// run, where whoever holds it is stuck too.
pub(crate) fn guessed_holders(
    merged: &Merged<'_>,
    blocked: &Blocked,
    why: External,
    out: &mut Vec<Release>,
) {
    let Some(held_by) = why.held_by() else {
        return;
    };
    let g = merged.graph();
    let Some((_, holder)) = g.edge_endpoints(held_by) else {
        return;
    };
    let since_ms = g[held_by].since_ms;
    let mut guess = |root: u32, edge: EdgeIndex| {
        out.push(Release {
            held_by: Some(edge),
            guess: true,
            since_ms,
            ..Release::to(root)
        });
    };
    if let Some(root) = blocked.root(holder) {
        guess(root, held_by);
        return;
    }
    if g[holder].node.kind != NodeKind::Channel {
        return;
    }
    for e in g.edges_directed(holder, Direction::Outgoing) {
        if e.weight().kind == EdgeKind::HeldBy
            && let Some(root) = blocked.root(e.target())
        {
            guess(root, e.id());
        }
    }
}
