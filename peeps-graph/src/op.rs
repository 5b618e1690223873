//! What a `waits_on` edge waits for: the values of its [`attr::OP`]
//! attribute, as one enum that writers (peeps-runtime, peeps-sync) record
//! and readers (the analysis, the report, DOT) match on.
//!
//! On the wire an op is its snake_case name (`"lock"`, `"recv"`, ...), as
//! [`Op::as_str`] spells it: a snapshot keeps it as a plain string in the
//! edge's attributes, so a dump written by another version still reads,
//! and an op this version does not know reads as "no op" ([`Op::parse`]).
//!
//! [`attr::OP`]: crate::attr::OP

use serde::{Deserialize, Serialize};
use std::fmt;

/// The operation a pending wait waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Op {
    /// A mutex guard (or a write guard of a blocking lock).
    Lock = 1,
    /// A read guard.
    Read,
    /// A write guard.
    Write,
    /// Semaphore permits.
    Acquire,
    /// Room in a channel (send, reserve, blocking send).
    Send,
    /// A message (recv, recv_many, blocking recv, a oneshot's value).
    Recv,
    /// A `Notify`.
    Notified,
    /// A `watch` value to change.
    Changed,
    /// The other parties at a barrier.
    Barrier,
    /// Another task initialising a `OnceCell`.
    Init,
    /// A channel's other side to close (`Sender::closed`).
    Closed,
    /// The response of an RPC request.
    Call,
    /// A task, through its `JoinHandle`.
    Join,
}

impl Op {
    /// Every op, in declaration order.
    pub const ALL: [Op; 13] = [
        Op::Lock,
        Op::Read,
        Op::Write,
        Op::Acquire,
        Op::Send,
        Op::Recv,
        Op::Notified,
        Op::Changed,
        Op::Barrier,
        Op::Init,
        Op::Closed,
        Op::Call,
        Op::Join,
    ];

    /// Its name on the wire (as serde writes it).
    pub const fn as_str(self) -> &'static str {
        match self {
            Op::Lock => "lock",
            Op::Read => "read",
            Op::Write => "write",
            Op::Acquire => "acquire",
            Op::Send => "send",
            Op::Recv => "recv",
            Op::Notified => "notified",
            Op::Changed => "changed",
            Op::Barrier => "barrier",
            Op::Init => "init",
            Op::Closed => "closed",
            Op::Call => "call",
            Op::Join => "join",
        }
    }

    /// The op named `name` on the wire, if it is one.
    pub fn parse(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.as_str() == name)
    }

    /// On a channel, the endpoint (the [`crate::attr::AS`] of a `held_by`
    /// edge) whose holder can end a wait for this op: a sender for a
    /// message or a change, a receiver for room or for the other side to
    /// close; `None` for an op that waits on no endpoint.
    pub const fn ended_by_endpoint(self) -> Option<&'static str> {
        match self {
            Op::Recv | Op::Changed => Some(crate::attr::AS_SENDER),
            Op::Send | Op::Closed => Some(crate::attr::AS_RECEIVER),
            _ => None,
        }
    }

    /// The op whose `repr(u8)` is `bits` (for a lock-free slot that keeps
    /// an op in a byte); `None` for any other byte.
    pub const fn from_repr(bits: u8) -> Option<Op> {
        if bits >= 1 && bits as usize <= Op::ALL.len() {
            Some(Op::ALL[bits as usize - 1])
        } else {
            None
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Op;

    #[test]
    fn names_repr_and_serde_agree() {
        for (i, op) in Op::ALL.into_iter().enumerate() {
            assert_eq!(op as u8 as usize, i + 1, "ALL is in declaration order");
            assert_eq!(Op::from_repr(op as u8), Some(op));
            assert_eq!(Op::parse(op.as_str()), Some(op));
            assert_eq!(
                serde_json::to_value(op).unwrap(),
                serde_json::Value::from(op.as_str())
            );
        }
        assert_eq!(Op::from_repr(0), None);
        assert_eq!(Op::from_repr(Op::ALL.len() as u8 + 1), None);
        assert_eq!(Op::parse("recv_many"), None);
    }
}
