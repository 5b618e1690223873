//! Who awaits a plain tokio task's `JoinHandle`.
//!
//! A peeps `JoinHandle` records its await as a `waits_on` edge; tokio's own
//! (of `tokio::spawn`) is not instrumented, so a `main` awaiting a plain
//! task showed as waiting on nothing peeps sees, and the clone of its
//! waker the handle registered counted as a wake source peeps cannot
//! account for. tokio keeps that clone in the awaited task's cell: the
//! trailer's join waker, set while the task's state has `JOIN_WAKER` (and
//! `JOIN_INTEREST`: the handle is alive) and not `COMPLETE`. A snapshot
//! reads it for each plain task whose cell peeps knows (its waker kept by
//! `task_waker`: it waited on a peeps primitive, directly or inside an
//! instrumented future), and when it is the waker
//! of a root peeps counts — a `block_on` thread's parked-thread waker
//! (`thread_waker`), a plain task's task waker (`task_waker`) — adds the
//! edge `root waits_on task` (op `join`). Its age is its waiter's: the
//! handle was polled at or before the waiter's last poll.
//!
//! A task of a tokio `JoinSet` has the waker of its entry in the set
//! there instead, which leads to the one clone of the awaiting root's
//! waker the set keeps (`join_set`): the root waits on every task of the
//! set, and its edges share that clone (one `waker_group`).
//!
//! This reads tokio's private layout (the join waker's place in the
//! trailer), learned once from a task of a runtime of peeps' own whose
//! handle is polled with a waker of peeps' own; when it is not found in
//! exactly one place, nothing is read, as before.

use crate::join_set::{self, RawParts};
use crate::task_waker::{COMPLETE, JOIN_INTEREST, JOIN_WAKER, state_at};
use peeps_graph::{Attrs, Edge, EdgeKind, Node, NodeId, attr};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Wake, Waker};

const WORD: usize = std::mem::size_of::<usize>();
/// How many words of a trailer are searched for the join waker (its list
/// links, the waker, the hooks).
const TRAILER_WORDS: usize = 8;
/// The bits of a task's state that say a live handle's waker is set.
const AWAITED: usize = JOIN_INTEREST | JOIN_WAKER | COMPLETE;

/// Where the join waker is, learned once.
#[derive(Debug, Clone, Copy)]
struct JoinLayout {
    /// Its offset in the trailer.
    offset: usize,
    /// Which of its two words is the data pointer.
    data_word: usize,
}

static LAYOUT: OnceLock<Option<JoinLayout>> = OnceLock::new();

/// Adds a `waits_on` edge (op `join`) from each root peeps counts the waker
/// of to each plain task whose `JoinHandle` it awaits; returns where they
/// are in `edges`, for [`date_joins`]. `peeps_tasks` maps the address of
/// each live peeps task's entry (its waker's data) to its node id: a peeps
/// task awaiting a plain task's handle (a `spawn_blocking` closure's, most
/// often) left a clone of its own waker there, which the join accounts for
/// (`waker_clones_accounted` on its node in `nodes`, one more).
pub(crate) fn add_joins(
    nodes: &mut [Node],
    edges: &mut Vec<Edge>,
    peeps_tasks: &HashMap<usize, NodeId>,
) -> std::ops::Range<usize> {
    let start = edges.len();
    let mut accounted: Vec<(NodeId, usize)> = Vec::new();
    let mut threads: HashMap<usize, NodeId> = HashMap::new();
    let park = crate::thread_waker::each_kept(|root, data| {
        threads.insert(data, root);
    });
    let mut tasks: HashMap<usize, NodeId> = HashMap::new();
    crate::task_waker::each_cell(|root, header| {
        tasks.insert(header, root);
    });
    let task_vtable = crate::task_waker::vtable();
    // The root whose waker `w` is, and whether it is a peeps task's
    // tracked waker: a clone no wait of its own accounts for yet.
    let root_of = |w: RawParts| {
        if Some(w.vtable) == park {
            threads.get(&w.data).map(|&root| (root, false))
        } else if Some(w.vtable) == task_vtable {
            tasks.get(&w.data).map(|&root| (root, false))
        } else if let Some(tagged) = crate::waker::task_vtable_tagged(w.vtable) {
            peeps_tasks.get(&w.data).map(|&root| (root, !tagged))
        } else {
            None
        }
    };
    // Built at the first tracked waiter: the join edges added below are
    // `waits_on`, so it stays right for every later one.
    let mut needs: Option<HashMap<NodeId, Option<NodeId>>> = None;
    each_awaited(|task, join| {
        // A root's own waker, or a `JoinSet`'s entry's leading to one.
        let (waiter, set) = match root_of(join) {
            Some(root) => (Some(root), None),
            None => match join_set::awaiting_set(join) {
                Some((w, set)) => (root_of(w), Some(set)),
                None => (None, None),
            },
        };
        if let Some((from, tracked)) = waiter {
            // A peeps task's clone, one per handle or per set; its await
            // is in the task's innermost future when that is plain to see.
            let mut from = from;
            if tracked {
                accounted.push((from, set.unwrap_or(0)));
                let needs = needs.get_or_insert_with(|| needs_of(edges));
                from = innermost_waiting(edges, needs, from);
            }
            let mut attrs = Attrs::new();
            attrs.insert(attr::OP.into(), peeps_graph::Op::Join.as_str().into());
            if let Some(set) = set {
                attrs.insert(attr::WAKER_GROUP.into(), (set as u64).into());
            }
            edges.push(Edge {
                from,
                to: task,
                kind: EdgeKind::WaitsOn,
                since_ms: None,
                attrs,
            });
        }
    });
    accounted.sort_unstable();
    accounted.dedup_by(|a, b| a.1 != 0 && a == b);
    for (task, _) in accounted {
        if let Some(node) = nodes.iter_mut().find(|n| n.id == task) {
            account_join(node);
        }
    }
    start..edges.len()
}

/// Where in peeps task `task` its await of a plain task's handle is: the
/// innermost of its pending futures when they are one chain (each needs
/// one other) and that one waits on nothing peeps sees (so what it awaits
/// is the handle, or something peeps cannot see beside it); else the task
/// itself, as for a root whose futures peeps does not know. `needs` is
/// the index of `edges`' `needs` edges ([`needs_of`]).
fn innermost_waiting(edges: &[Edge], needs: &HashMap<NodeId, Option<NodeId>>, task: NodeId) -> NodeId {
    let mut at = task;
    // Bounded: a forest of futures has no loop, but a snapshot's edges
    // are read while nodes come and go, and a walk must end whatever it finds.
    for step in 0..=needs.len() {
        match needs.get(&at) {
            Some(_) if step == needs.len() => return task,
            Some(&Some(to)) => at = to,
            None => break,
            Some(None) => return task,
        }
    }
    let waits = edges
        .iter()
        .any(|e| e.from == at && e.kind == EdgeKind::WaitsOn);
    if waits { task } else { at }
}

/// The `needs` edges of `edges` by their source: the one node each needs,
/// or `None` when it needs more than one (two edges count as two, even to
/// the same node).
fn needs_of(edges: &[Edge]) -> HashMap<NodeId, Option<NodeId>> {
    let mut needs: HashMap<NodeId, Option<NodeId>> = HashMap::new();
    for e in edges.iter().filter(|e| e.kind == EdgeKind::Needs) {
        needs
            .entry(e.from)
            .and_modify(|to| *to = None)
            .or_insert(Some(e.to));
    }
    needs
}

/// One more of peeps task `node`'s waker clones is accounted for: the one
/// a plain task's `JoinHandle` keeps, found there (never above its count
/// of clones, read a moment before).
fn account_join(node: &mut Node) {
    let count = |key: &str| node.attrs.get(key).and_then(serde_json::Value::as_u64);
    if let (Some(clones), Some(done)) = (count(attr::WAKER_CLONES), count(attr::WAKER_CLONES_ACCOUNTED))
        && done < clones
    {
        node.attrs
            .insert(attr::WAKER_CLONES_ACCOUNTED.into(), (done + 1).into());
    }
}

/// Gives each join edge in `edges[joins]` its waiter's age (its node's
/// `since_ms` in `nodes`).
pub(crate) fn date_joins(nodes: &[Node], edges: &mut [Edge], joins: std::ops::Range<usize>) {
    for e in &mut edges[joins] {
        e.since_ms = nodes.iter().find(|n| n.id == e.from).and_then(|n| n.since_ms);
    }
}

/// Calls `each` with each plain task whose own waker `task_waker` keeps
/// (counted, or for its cell alone) and whose live `JoinHandle` has a
/// waker set, and that waker.
fn each_awaited(mut each: impl FnMut(NodeId, RawParts)) {
    let Some(layout) = *LAYOUT.get_or_init(learn) else {
        return;
    };
    join_set::learn(join_waker_at, layout.data_word);
    crate::task_waker::each_cell(|root, header| {
        // SAFETY (here and below): `each_cell` passes the header of a task
        // whose waker's clone it keeps meanwhile: its cell is alive.
        let state = || unsafe { state_at(header) } & AWAITED;
        if state() != JOIN_INTEREST | JOIN_WAKER {
            return;
        }
        // SAFETY: as above.
        let Some(trailer) = (unsafe { crate::task_cell::trailer_of(header) }) else {
            return;
        };
        // SAFETY: the trailer is inside the live cell. While `JOIN_WAKER`
        // is set the handle leaves the waker alone; one changed meanwhile
        // shows in the state read again, which must agree.
        let words = unsafe { read_waker(trailer + layout.offset) };
        std::sync::atomic::fence(Ordering::Acquire);
        if state() == JOIN_INTEREST | JOIN_WAKER {
            each(
                root,
                RawParts::from_words(words, layout.data_word),
            );
        }
    });
}

/// The join waker in the trailer of the live task at `header`, read as it
/// is, whatever its state says (for `join_set`'s probe, whose task is
/// alive and awaited).
fn join_waker_at(header: usize) -> Option<RawParts> {
    use crate::task_cell::{trailer_of, word_at};
    let layout = (*LAYOUT.get()?)?;
    // SAFETY: the caller's task is alive.
    let at = unsafe { trailer_of(header) }? + layout.offset;
    let words = [word_at(at)?, word_at(at + WORD)?];
    Some(RawParts::from_words(words, layout.data_word))
}

/// The two words of a waker at `at`.
///
/// # Safety
///
/// `at` is two readable, aligned words.
unsafe fn read_waker(at: usize) -> [usize; 2] {
    // SAFETY: as the caller says.
    unsafe {
        [
            std::ptr::read_volatile(at as *const usize),
            std::ptr::read_volatile((at + WORD) as *const usize),
        ]
    }
}

/// A waker of peeps' own for a probe's await (a handle's, a `JoinSet`'s):
/// its words are looked for where tokio keeps the awaiting waker.
pub(crate) struct ProbeWake;

impl Wake for ProbeWake {
    fn wake(self: Arc<Self>) {}
}

/// Learns where the join waker is from a task of a current-thread runtime
/// of peeps' own, on a thread of its own, whose handle is polled once with
/// a [`ProbeWake`] waker while the task waits.
fn learn() -> Option<JoinLayout> {
    let data_word = crate::task_cell::waker_data_word()?;
    std::thread::Builder::new()
        .name("peeps-join-probe".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().build().ok()?;
            rt.block_on(probe(data_word))
        })
        .ok()?
        .join()
        .ok()?
}

/// The probe itself (see [`learn`]).
async fn probe(data_word: usize) -> Option<JoinLayout> {
    use std::future::Future as _;
    let (go, wait) = tokio::sync::oneshot::channel::<()>();
    let (body, seen) = noting_task(wait);
    let mut task = tokio::spawn(body);
    let header = header_seen(&seen).await;
    let waker = Waker::from(Arc::new(ProbeWake));
    let pending = std::pin::Pin::new(&mut task)
        .poll(&mut Context::from_waker(&waker))
        .is_pending();
    let found = (pending && header != 0)
        .then(|| find(header, data_word, &waker))
        .flatten();
    let _ = go.send(());
    let _ = task.await;
    found
}

/// A probe task's body, which notes its header (its waker's data) in the
/// number returned, then waits for `wait`.
pub(crate) fn noting_task(
    wait: tokio::sync::oneshot::Receiver<()>,
) -> (impl std::future::Future<Output = ()> + Send + 'static, Arc<AtomicUsize>) {
    let header = Arc::new(AtomicUsize::new(0));
    let seen = header.clone();
    let body = async move {
        std::future::poll_fn(|cx| {
            seen.store(cx.waker().data() as usize, Ordering::Release);
            Poll::Ready(())
        })
        .await;
        let _ = wait.await;
    };
    (body, header)
}

/// The header a [`noting_task`] noted, once it has run (0 if it has not
/// within 100 yields).
pub(crate) async fn header_seen(seen: &AtomicUsize) -> usize {
    for _ in 0..100 {
        if seen.load(Ordering::Acquire) != 0 {
            break;
        }
        tokio::task::yield_now().await;
    }
    seen.load(Ordering::Acquire)
}

/// Where the trailer of the task at `header` (alive, awaited with `waker`)
/// holds `waker`: exactly one place, while its state says it is set.
fn find(header: usize, data_word: usize, waker: &Waker) -> Option<JoinLayout> {
    use crate::task_cell::{trailer_of, word_at};
    // SAFETY (both): the probe task is alive (it waits for `go`).
    if unsafe { state_at(header) } & AWAITED != JOIN_INTEREST | JOIN_WAKER {
        return None;
    }
    let trailer = unsafe { trailer_of(header) }?;
    let want = (waker.data() as usize, std::ptr::from_ref(waker.vtable()) as usize);
    let mut places = (0..TRAILER_WORDS - 1).filter(|&k| {
        let at = trailer + k * WORD;
        let pair = [word_at(at), word_at(at + WORD)];
        pair[data_word] == Some(want.0) && pair[1 - data_word] == Some(want.1)
    });
    let k = places.next()?;
    places.next().is_none().then_some(JoinLayout {
        offset: k * WORD,
        data_word,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs(from: NodeId, to: NodeId) -> Edge {
        Edge { from, to, kind: EdgeKind::Needs, since_ms: None, attrs: Attrs::new() }
    }

    #[test]
    fn the_innermost_of_a_chain_is_its_last_future() {
        let edges = [needs(1, 2), needs(2, 3)];
        assert_eq!(innermost_waiting(&edges, &needs_of(&edges), 1), 3);
    }

    #[test]
    fn a_loop_of_needs_edges_ends_the_walk_at_the_task() {
        // Not a forest: read while nodes came and went. The walk ends.
        let edges = [needs(1, 2), needs(2, 3), needs(3, 2)];
        assert_eq!(innermost_waiting(&edges, &needs_of(&edges), 1), 1);
    }
}
