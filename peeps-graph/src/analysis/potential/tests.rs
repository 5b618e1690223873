//! The gate rule of the cycle search: a cycle whose every edge was seen
//! with one lock held exclusively around it is no potential deadlock.

use super::search::cycles;
use crate::lock_order::{LockClass, LockMode, LockOrder, OrderEdge, OrderExample, OrderGate};
use crate::schema::{NodeId, NodeKind};

/// Classes 1..=5, mutexes named `c1`..`c5`.
fn order(edges: Vec<OrderEdge>) -> LockOrder {
    LockOrder {
        classes: (1..=5)
            .map(|id| LockClass {
                id,
                kind: NodeKind::Mutex,
                name: format!("c{id}"),
                location: None,
                named: true,
                written: false,
                blocking: false,
            })
            .collect(),
        edges,
        dropped: Default::default(),
    }
}

/// Lock `lock` of class `class`, as a gate held exclusively.
fn gate(class: u32, lock: NodeId) -> OrderGate {
    OrderGate {
        class,
        lock,
        shared: false,
    }
}

/// Lock `lock` of class `class`, as a gate held shared (a read, a permit of
/// some).
fn shared_gate(class: u32, lock: NodeId) -> OrderGate {
    OrderGate {
        shared: true,
        ..gate(class, lock)
    }
}

/// An edge between classes `from` → `to`, both taken for writing, seen
/// with `gates` held.
fn edge(from: u32, to: u32, gates: &[OrderGate]) -> OrderEdge {
    OrderEdge {
        from,
        to,
        held: LockMode::Write,
        acquired: LockMode::Write,
        from_lock: None,
        to_lock: None,
        gates: gates.to_vec(),
        bounded: false,
        held_locks: Vec::new(),
        more_held: false,
        taken_locks: Vec::new(),
        more_taken: false,
        example: OrderExample {
            task: 1,
            task_kind: NodeKind::Task,
            task_name: format!("t{from}{to}"),
            held_lock: 100 + NodeId::from(from),
            held_name: format!("c{from}"),
            acquired_lock: 100 + NodeId::from(to),
            acquired_name: format!("c{to}"),
            held_at: None,
            acquired_at: None,
            since_ms: 10,
            test_scope: None,
        },
    }
}

/// The cycles found, each as its edges' `(from, to)`.
fn found(order: &LockOrder) -> Vec<Vec<(u32, u32)>> {
    cycles(order, 32)
        .into_iter()
        .map(|c| c.iter().map(|e| (e.from, e.to)).collect())
        .collect()
}

#[test]
fn an_inversion_under_one_gate_is_no_cycle() {
    let g = gate(3, 30);
    assert!(found(&order(vec![edge(1, 2, &[g]), edge(2, 1, &[g])])).is_empty());
}

#[test]
fn a_gate_shared_among_others_still_guards() {
    let (g, h, k) = (gate(3, 30), gate(4, 40), gate(5, 50));
    let o = order(vec![edge(1, 2, &[h, g]), edge(2, 1, &[g, k])]);
    assert!(found(&o).is_empty());
}

#[test]
fn an_inversion_gated_on_one_side_only_is_a_cycle() {
    let g = gate(3, 30);
    assert_eq!(
        found(&order(vec![edge(1, 2, &[g]), edge(2, 1, &[])])),
        [[(1, 2), (2, 1)]]
    );
}

#[test]
fn an_inversion_under_a_read_and_the_write_of_one_lock_is_no_cycle() {
    // Writers under `checkpoint.read()`, the checkpointer under its write.
    let (read, write) = (shared_gate(3, 30), gate(3, 30));
    let o = order(vec![edge(1, 2, &[read]), edge(2, 1, &[write])]);
    assert!(found(&o).is_empty());
}

#[test]
fn an_inversion_under_reads_only_is_a_cycle() {
    // Two readers of one lock run at once: the read keeps nothing apart.
    let g = shared_gate(3, 30);
    let o = order(vec![edge(1, 2, &[g]), edge(2, 1, &[g])]);
    assert_eq!(found(&o), [[(1, 2), (2, 1)]]);
}

#[test]
fn a_longer_cycle_under_one_read_and_one_write_is_no_cycle() {
    let (read, write) = (shared_gate(4, 40), gate(4, 40));
    let o = order(vec![
        edge(1, 2, &[read]),
        edge(2, 3, &[read]),
        edge(3, 1, &[write]),
    ]);
    assert!(found(&o).is_empty());
}

#[test]
fn two_locks_of_one_class_are_two_gates() {
    // Per-shard gates made at one site: holding shard 1's does not keep a
    // holder of shard 2's out.
    let o = order(vec![edge(1, 2, &[gate(3, 30)]), edge(2, 1, &[gate(3, 31)])]);
    assert_eq!(found(&o), [[(1, 2), (2, 1)]]);
}

#[test]
fn a_gate_in_the_cycle_keeps_nothing_apart() {
    // Every edge was seen with a lock of class 3 held, but class 3 is on
    // the cycle: the paths wait for its locks.
    let g = gate(3, 30);
    let o = order(vec![edge(1, 2, &[g]), edge(2, 3, &[g]), edge(3, 1, &[g])]);
    assert_eq!(found(&o), [[(1, 2), (2, 3), (3, 1)]]);
}

#[test]
fn a_gated_cycle_does_not_hide_a_longer_ungated_one() {
    // 1 -> 2 -> 1 is gated; 1 -> 2 -> 4 -> 1 is not.
    let g = gate(3, 30);
    let o = order(vec![
        edge(1, 2, &[g]),
        edge(2, 1, &[g]),
        edge(2, 4, &[]),
        edge(4, 1, &[]),
    ]);
    assert_eq!(found(&o), [[(1, 2), (2, 4), (4, 1)]]);
}

#[test]
fn locks_of_one_class_in_opposite_orders_under_a_gate_are_no_cycle() {
    let g = gate(3, 30);
    let between = |from: NodeId, to: NodeId| OrderEdge {
        from_lock: Some(from),
        to_lock: Some(to),
        ..edge(1, 1, &[g])
    };
    assert!(found(&order(vec![between(7, 8), between(8, 7)])).is_empty());
    let mut ungated = between(8, 7);
    ungated.gates.clear();
    assert_eq!(found(&order(vec![between(7, 8), ungated])).len(), 1);
}

#[test]
fn a_cycle_through_a_wait_that_can_be_given_up_is_none() {
    let bounded = OrderEdge {
        bounded: true,
        ..edge(2, 1, &[])
    };
    assert!(found(&order(vec![edge(1, 2, &[]), bounded.clone()])).is_empty());
    // Another cycle through the same classes, with no bounded edge, is one.
    let o = order(vec![
        edge(1, 2, &[]),
        bounded,
        edge(2, 3, &[]),
        edge(3, 1, &[]),
    ]);
    assert_eq!(found(&o), [[(1, 2), (2, 3), (3, 1)]]);
    let json = serde_json::to_value(edge(1, 2, &[])).expect("to json");
    assert!(
        json.get("bounded").is_none(),
        "not bounded, no field: {json}"
    );
}

#[test]
fn an_inversion_one_task_took_both_ways_says_so() {
    let took = |from: u32, to: u32, task: NodeId| {
        let mut e = edge(from, to, &[]);
        e.example.task = task;
        e.example.task_name = format!("t{task}");
        e
    };
    let text = |o: &LockOrder| {
        let cycle = cycles(o, 1).remove(0);
        super::words::finding("p", o, super::PotentialKind::Inversion, &cycle).text
    };
    let one = order(vec![took(1, 2, 7), took(2, 1, 7)]);
    assert_eq!(
        text(&one),
        "potential deadlock: task \"t7\" took \"c1\" then \"c2\"; task \"t7\" took \"c2\" then \"c1\". \
         Task \"t7\" took both paths; run at the same time, by two tasks or by concurrent branches of one, they can deadlock."
    );
    let two = order(vec![took(1, 2, 7), took(2, 1, 8)]);
    assert!(
        text(&two).ends_with("\". Run at the same time, these two can deadlock."),
        "{}",
        text(&two)
    );
}

#[test]
fn old_dumps_without_gates_still_read() {
    let mut json = serde_json::to_value(edge(1, 2, &[])).expect("to json");
    assert!(json.get("gates").is_none(), "no gates, no field: {json}");
    json.as_object_mut().expect("an object").remove("gates");
    let back: OrderEdge = serde_json::from_value(json).expect("from json");
    assert!(back.gates.is_empty());
    let gated = edge(1, 2, &[gate(3, 30)]);
    let json = serde_json::to_value(&gated).expect("to json");
    assert_eq!(
        json["gates"],
        serde_json::json!([{ "class": 3, "lock": 30 }])
    );
}

/// `edge(from, to)` seen between the locks `pairs` (held, taken).
fn between_locks(from: u32, to: u32, pairs: &[[NodeId; 2]]) -> OrderEdge {
    let side = |i: usize| {
        let mut locks: Vec<NodeId> = pairs.iter().map(|p| p[i]).collect();
        locks.sort_unstable();
        locks.dedup();
        locks
    };
    OrderEdge {
        held_locks: side(0),
        taken_locks: side(1),
        ..edge(from, to, &[])
    }
}

#[test]
fn a_cycle_closes_only_where_one_edge_took_a_lock_the_next_held() {
    // Class 2 has two locks (21, 22): config's value (1) then token's
    // `refreshing` (21); config's `refreshing` (22) then config's value.
    let apart = order(vec![
        between_locks(1, 2, &[[11, 21]]),
        between_locks(2, 1, &[[22, 11]]),
    ]);
    assert!(found(&apart).is_empty(), "{:?}", found(&apart));
    // Seen once through the same `refreshing` too: a cycle.
    let met = order(vec![
        between_locks(1, 2, &[[11, 21], [11, 22]]),
        between_locks(2, 1, &[[22, 11]]),
    ]);
    assert_eq!(found(&met), [[(1, 2), (2, 1)]]);
    // More locks taken than listed, or none listed (an older dump): any
    // lock. More held than listed does not matter at this junction.
    let mut more = between_locks(1, 2, &[[11, 21]]);
    more.more_held = true;
    let o = order(vec![more.clone(), between_locks(2, 1, &[[22, 11]])]);
    assert!(found(&o).is_empty(), "{:?}", found(&o));
    more.more_taken = true;
    let o = order(vec![more, between_locks(2, 1, &[[22, 11]])]);
    assert_eq!(found(&o).len(), 1);
    let o = order(vec![edge(1, 2, &[]), between_locks(2, 1, &[[22, 11]])]);
    assert_eq!(found(&o).len(), 1);
    // Each junction counts, the one back to the start too.
    let o = order(vec![
        between_locks(1, 2, &[[11, 21]]),
        between_locks(2, 3, &[[21, 31]]),
        between_locks(3, 1, &[[31, 12]]),
    ]);
    assert!(found(&o).is_empty(), "{:?}", found(&o));
}

#[test]
fn many_locks_of_one_class_on_two_sides_that_never_meet_close_no_cycle() {
    // A proxy's connection states, one class (2): client handlers take
    // their own state (200..240) then the routes (1); a health checker the
    // routes then an upstream's state (300..340). No state is on both
    // sides, however many there are.
    let clients: Vec<[NodeId; 2]> = (200..240).map(|c| [c, 11]).collect();
    let upstreams: Vec<[NodeId; 2]> = (300..340).map(|u| [11, u]).collect();
    let apart = order(vec![
        between_locks(2, 1, &clients),
        between_locks(1, 2, &upstreams),
    ]);
    assert!(found(&apart).is_empty(), "{:?}", found(&apart));
    // The checker once took a client's state: the cycle closes there.
    let mut met = upstreams.clone();
    met.push([11, 217]);
    let o = order(vec![
        between_locks(2, 1, &clients),
        between_locks(1, 2, &met),
    ]);
    assert_eq!(found(&o), [[(1, 2), (2, 1)]]);
}
