//! Who has notified a `Notify`: the tasks that, as far as peeps saw, may
//! notify it again.
//!
//! Anyone holding a `Notify` may notify it, and peeps cannot see who holds
//! one (it lives in an `Arc`, a struct, a static). What it can see is who
//! did: a wait whose every notifier seen so far is stuck, with no other
//! notifier known, may never end — a guess, never a proof.

use crate::context;
use crate::node::Describe;
use peeps_graph::{Attrs, EdgeKind, NodeId, attr};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// How many notifiers are kept by id; past it they are only counted.
const KEPT: usize = 4;

/// The tasks and threads that have notified one `Notify`: the first
/// [`KEPT`] by id, and how many there were.
#[derive(Debug, Default)]
pub struct Notifiers {
    ids: [AtomicU64; KEPT],
    /// How many distinct notifiers were kept, or `KEPT + 1` once one was
    /// not.
    count: AtomicU64,
}

impl Notifiers {
    /// Notes that the current task (or thread) notified: a few relaxed
    /// loads once it is known, no lock, no allocation.
    #[inline]
    pub fn note(&self) {
        let id = context::current_holder().id;
        for slot in &self.ids {
            let kept = slot.load(Relaxed);
            if kept == id {
                return;
            }
            if kept == 0 {
                match slot.compare_exchange(0, id, Relaxed, Relaxed) {
                    Ok(_) => {
                        self.count.fetch_add(1, Relaxed);
                        return;
                    }
                    Err(other) if other == id => return,
                    Err(_) => {}
                }
            }
        }
        self.count.store(KEPT as u64 + 1, Relaxed);
    }

    /// Adds a `held_by` edge (`as: notifier`) from the node described to
    /// each kept notifier, and the `notifiers` count. A notifier that ended
    /// names no node, and its edge is dropped: the analysis then sees fewer
    /// edges than the count.
    pub fn describe(&self, out: &mut Describe<'_>) {
        let owner: NodeId = out.node.id;
        let count = self.count.load(Relaxed);
        if count == 0 {
            return;
        }
        for id in self.ids.iter().map(|s| s.load(Relaxed)).filter(|&id| id != 0) {
            let mut attrs = Attrs::new();
            attrs.insert(attr::AS.into(), attr::AS_NOTIFIER.into());
            let now = out.now_ms;
            out.edge(owner, id, EdgeKind::HeldBy, now, attrs);
        }
        out.attr(attr::NOTIFIERS, count);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_once_each_then_counted_past_the_kept() {
        let n = Notifiers::default();
        let ids = |n: &Notifiers| n.ids.iter().map(|s| s.load(Relaxed)).collect::<Vec<_>>();
        n.note();
        n.note();
        let me = context::current_holder().id;
        assert_eq!(ids(&n), [me, 0, 0, 0]);
        assert_eq!(n.count.load(Relaxed), 1);
        for (i, slot) in n.ids.iter().enumerate().skip(1) {
            slot.store(100 + i as u64, Relaxed);
        }
        n.note();
        assert_eq!(n.count.load(Relaxed), 1, "a kept notifier is not counted again");
        n.ids[0].store(99, Relaxed);
        n.note();
        assert_eq!(n.count.load(Relaxed), KEPT as u64 + 1, "one more than kept");
    }
}
