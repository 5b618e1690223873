//! How peeps knows who holds a resource: the `evidence` of a `held_by` edge.
//!
//! A lock guard or a borrowed permit is bound to the task that took it, so
//! its holder is certain. A channel endpoint, an owned guard or an owned
//! permit can move to another task without peeps seeing the move (Rust
//! moves are copies of bytes). peeps follows the moves it can see: into a
//! task at spawn, inside a message through a peeps channel (held by the
//! channel while unread, then by the task that receives it), back through
//! a JoinHandle; and at snapshot time it looks for the handle inside the
//! state of each blocked task (`in_state`). The evidence says which of
//! these peeps saw last, and so how far the analysis may trust the holder:
//!
//! | evidence | holder is | the analysis counts it as |
//! |---|---|---|
//! | `acquired` | the task that took the guard or permit | certain |
//! | `used` | the task that used the endpoint from inside its own state | certain |
//! | `in_message` | the channel carrying it in an unread message | certain, released by that channel's receiver |
//! | `spawned`, `received`, `returned` | the task it moved into | certain when also `in_state` (`received`: not once the holder waits to receive from the channel it came from again, see `attr::FROM`), else unknown (a guess into a plain task when nothing in the process may run) |
//! | `made` | the task that made, cloned or acquired it | certain when also `in_state`, else unknown (a guess to its maker when nothing in the process may run) |
//! | `shared` | the last of several tasks that used it, or a task that used it from memory outside its own state (an `Arc`, a `Box`, a future tokio boxed because it is large), or one kept in a `static` or, while its holder waits on its own resource, copied on the heap beyond the task states searched | unknown |
//!
//! A use, and a find in a state, prove where the handle was: while the
//! process runs tokio tasks peeps cannot see into (`Snapshot::tasks`), the
//! handle may have been moved into one of them since, unseen, and only
//! `acquired` and `in_message` stay certain ([`Evidence::can_move_unseen`]).
//!
//! (docs/ownership.md says the same for users, with examples.)

use serde::{Deserialize, Serialize};

/// What peeps last saw of a hold. See the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Evidence {
    /// Made, cloned or acquired (owned) by the holder, never seen since.
    Made = 0,
    /// Taken by the holder and bound to it (a lock guard, a borrowed permit).
    Acquired = 1,
    /// Used by the holder from inside its own state.
    Used = 2,
    /// Used by more than one task, or from memory that is not its user's
    /// own state, or kept where any task may take it (a `static`, a copy
    /// on the heap): the last user is no proof of who has it.
    Shared = 3,
    /// Found inside the future the holder task was spawned with.
    Spawned = 4,
    /// Inside an unread message on the holder, a channel.
    InMessage = 5,
    /// Received by the holder inside a message.
    Received = 6,
    /// Handed back to the holder through a JoinHandle.
    Returned = 7,
}

impl Evidence {
    /// Every value, in `repr` order.
    pub const ALL: [Evidence; 8] = [
        Evidence::Made,
        Evidence::Acquired,
        Evidence::Used,
        Evidence::Shared,
        Evidence::Spawned,
        Evidence::InMessage,
        Evidence::Received,
        Evidence::Returned,
    ];

    /// The schema's word for it (the `evidence` attribute's value).
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Made => "made",
            Evidence::Acquired => "acquired",
            Evidence::Used => "used",
            Evidence::Shared => "shared",
            Evidence::Spawned => "spawned",
            Evidence::InMessage => "in_message",
            Evidence::Received => "received",
            Evidence::Returned => "returned",
        }
    }

    /// The value named `s`, if any.
    pub fn parse(s: &str) -> Option<Evidence> {
        Evidence::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The value whose `repr` is in the low bits of `b` (`Made` for none).
    pub fn from_bits(b: u64) -> Evidence {
        Evidence::ALL
            .get((b & 0x7) as usize)
            .copied()
            .unwrap_or(Evidence::Made)
    }

    /// Whether the holder is proven by this alone: bound to it, used from
    /// its own state, or carried by a channel.
    pub fn is_proof(self) -> bool {
        matches!(
            self,
            Evidence::Acquired | Evidence::Used | Evidence::InMessage
        )
    }

    /// Whether the handle can have left its holder since without peeps
    /// seeing it: anything but a lock guard or a borrowed permit (bound to
    /// the task that took it) and a handle inside an unread message (held
    /// by its channel).
    pub fn can_move_unseen(self) -> bool {
        !matches!(self, Evidence::Acquired | Evidence::InMessage)
    }

    /// Whether it names a move into the holder that peeps saw (which the
    /// holder may have passed on since without peeps seeing it).
    pub fn is_move(self) -> bool {
        matches!(
            self,
            Evidence::Spawned | Evidence::Received | Evidence::Returned
        )
    }

    /// The `confirmed` attribute of older readers: false when peeps could
    /// not name the holder from what it saw.
    pub fn confirmed(self) -> bool {
        !matches!(self, Evidence::Made | Evidence::Shared)
    }
}

impl std::fmt::Display for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_bits_round_trip() {
        for (i, e) in Evidence::ALL.into_iter().enumerate() {
            assert_eq!(e as usize, i);
            assert_eq!(Evidence::from_bits(i as u64), e);
            assert_eq!(Evidence::parse(e.as_str()), Some(e));
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(json, format!("\"{}\"", e.as_str()));
        }
        assert_eq!(Evidence::parse("nonsense"), None);
    }
}
