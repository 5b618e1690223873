//! The flight recorder's part of a snapshot: what happened before it.
//!
//! A snapshot says who waits on whom *now*; its [`History`] says how it got
//! there: the instrumented events the process recorded (a task spawned and
//! ended, a lock or permit taken and given back, a wait begun, a message
//! sent or received, a channel closed, a `Notify` notified, a task joined,
//! an RPC call made and answered), each with its time, the task that did
//! it, the node it concerns and the line of code.
//!
//! The runtime keeps a bounded ring of events per thread and, at each
//! snapshot, keeps what concerns the blocked part of the graph (the last
//! events of every task and resource in a wait) plus a bounded tail of the
//! latest events (see `peeps-runtime/src/history`). The events are in the
//! order they happened: by millisecond, then by a logical clock carried
//! through locks, tasks and threads, so an event that caused another comes
//! first even within one millisecond.
//!
//! Events name nodes by id. A node still live is in the snapshot's
//! `nodes`; one that is gone (a task that ended, a resource dropped) is in
//! [`History::nodes`] as far as the recorder knows it.

use crate::op::Op;
use crate::schema::{NodeId, NodeKind};
use serde::{Deserialize, Serialize};

/// The events of one snapshot's process, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct History {
    /// The events kept, in the order they happened.
    pub events: Vec<Event>,
    /// Nodes the events name that the snapshot's `nodes` lack (they are
    /// gone), with what the recorder knows of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<HistoryNode>,
    /// How many events the process recorded since it started.
    pub recorded: u64,
    /// How many of those were no longer in memory at the capture: written
    /// over when a thread's ring was full, or dropped when a thread had no
    /// ring. The rest are in memory; `events` is the part of them kept.
    pub lost: u64,
    /// How many events each thread's ring holds (`PEEPS_HISTORY`).
    pub per_thread: u64,
}

/// One recorded event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Event {
    /// When, in ms since the process started (`process.started_at_ms`).
    pub t_ms: u64,
    /// What happened.
    pub kind: EventKind,
    /// The task (or `block_on` thread) that did it; for `spawn`, the
    /// spawning task. Absent when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<NodeId>,
    /// The node it concerns: the lock, semaphore, channel, `Notify` or RPC
    /// request; for `spawn` the task spawned, for `join` the task joined.
    /// Absent for `end`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<NodeId>,
    /// The line of the user's call (`file:line:col`): the `lock()`,
    /// `send()`, `spawn` ...; for `release`, where the hold was taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// `wait`: what for (`lock`, `recv`, `join`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<Op>,
    /// `acquire` and `release`: how it is held (`guard`, `read_guard`,
    /// `permit`, `initialiser`).
    #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
    pub held_as: Option<String>,
    /// `acquire`: how long the task waited for it, when it waited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waited_ms: Option<u64>,
    /// `send` and `recv`: how many messages, when not one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// `end`: `true` when the task's future completed, `false` when it was
    /// dropped before (aborted, cancelled, its runtime shut down).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<bool>,
}

impl Event {
    /// Whether the event concerns node `id`, as its actor or its object.
    pub fn concerns(&self, id: NodeId) -> bool {
        self.task == Some(id) || self.node == Some(id)
    }
}

/// What an event is. On the wire its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum EventKind {
    /// `task` spawned task `node` (at the `spawn` call).
    Spawn = 1,
    /// `task` ended (`finished` says how).
    End,
    /// `task` began waiting on `node` for `op` (its first `Pending`).
    Wait,
    /// `task` took a guard or permit of `node`.
    Acquire,
    /// The guard or permit of `node` that `task` held was given back.
    Release,
    /// `task` sent on channel `node` (a oneshot's one send included).
    Send,
    /// `task` received from channel `node`.
    Recv,
    /// Channel `node` was closed by `task` (`close()`, or its last sender
    /// or receiver dropped).
    Close,
    /// `task` notified `node` (`notify_one`, `notify_waiters`).
    Notify,
    /// `task` joined task `node` (its `JoinHandle` completed).
    Join,
    /// `task` made the RPC request `node`.
    CallStart,
    /// The response to request `node` reached `task`.
    CallEnd,
}

impl EventKind {
    /// Every kind, in declaration order.
    pub const ALL: [EventKind; 12] = [
        EventKind::Spawn,
        EventKind::End,
        EventKind::Wait,
        EventKind::Acquire,
        EventKind::Release,
        EventKind::Send,
        EventKind::Recv,
        EventKind::Close,
        EventKind::Notify,
        EventKind::Join,
        EventKind::CallStart,
        EventKind::CallEnd,
    ];

    /// Its name on the wire (as serde writes it).
    pub const fn as_str(self) -> &'static str {
        match self {
            EventKind::Spawn => "spawn",
            EventKind::End => "end",
            EventKind::Wait => "wait",
            EventKind::Acquire => "acquire",
            EventKind::Release => "release",
            EventKind::Send => "send",
            EventKind::Recv => "recv",
            EventKind::Close => "close",
            EventKind::Notify => "notify",
            EventKind::Join => "join",
            EventKind::CallStart => "call_start",
            EventKind::CallEnd => "call_end",
        }
    }

    /// The kind whose `repr(u8)` is `b`, if any (how the runtime's rings
    /// store it).
    pub const fn from_repr(b: u8) -> Option<EventKind> {
        if b >= 1 && (b as usize) <= EventKind::ALL.len() {
            Some(EventKind::ALL[b as usize - 1])
        } else {
            None
        }
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A node an event names that the snapshot no longer has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HistoryNode {
    /// Its id in the process.
    pub id: NodeId,
    /// What it was, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<NodeKind>,
    /// Its name, when known (a task named by a string literal, a plain
    /// tokio task).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where it was made (`file:line:col`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_repr_and_their_name() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::from_repr(k as u8), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert_eq!(EventKind::from_repr(0), None);
        assert_eq!(EventKind::from_repr(13), None);
    }
}
