//! How a holder holds (the `as` of `held_by`). What a wait waits for (the
//! `op` of `waits_on`) is peeps-graph's [`Op`](peeps_graph::Op), recorded
//! as it is; and the
//! [`Key`] a movable handle's hold is named by.
//!
//! The same types with diagnostics on and off (they record nothing
//! themselves).

use peeps_graph::attr;

/// How a holder holds a resource (the `as` attribute of `held_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum HoldAs {
    /// A mutex guard or a write guard.
    Guard = 0,
    /// A read guard.
    ReadGuard = 1,
    /// A semaphore permit.
    Permit = 2,
    /// A channel's sending endpoint.
    Sender = 3,
    /// A channel's receiving endpoint.
    Receiver = 4,
    /// A once cell's initialiser, run by its caller's task.
    Initialiser = 5,
}

impl HoldAs {
    /// The schema's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            HoldAs::Guard => attr::AS_GUARD,
            HoldAs::ReadGuard => attr::AS_READ_GUARD,
            HoldAs::Permit => attr::AS_PERMIT,
            HoldAs::Sender => attr::AS_SENDER,
            HoldAs::Receiver => attr::AS_RECEIVER,
            HoldAs::Initialiser => attr::AS_INITIALISER,
        }
    }

    /// The variant in the low three bits of `b` (its `repr`).
    #[cfg_attr(not(feature = "diagnostics"), allow(dead_code))]
    pub(crate) fn from_bits(b: u64) -> HoldAs {
        match b & 0x7 {
            1 => HoldAs::ReadGuard,
            2 => HoldAs::Permit,
            3 => HoldAs::Sender,
            4 => HoldAs::Receiver,
            5 => HoldAs::Initialiser,
            _ => HoldAs::Guard,
        }
    }
}

/// What a mark names: the hold of a resource's holder set (`owner` the
/// resource's node id, `ticket` the hold's), or an end of a oneshot pair
/// (`owner` 0, `ticket` the pair's end number with [`Key::PAIR`] set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// The resource's node id; 0 for a pair end.
    pub owner: u64,
    /// The hold's ticket, unique within its resource.
    pub ticket: u64,
}

impl Key {
    /// Set in a pair end's ticket.
    pub const PAIR: u64 = 1 << 62;

    /// The key of hold `ticket` of resource `owner`.
    #[inline]
    pub fn hold(owner: u64, ticket: u64) -> Key {
        Key { owner, ticket }
    }

    /// The key of a oneshot pair's end (`pair_end`: the pair's id shifted
    /// left once, or'd with the end's number).
    #[inline]
    pub fn pair_end(pair_end: u64) -> Key {
        Key {
            owner: 0,
            ticket: pair_end | Key::PAIR,
        }
    }

    /// The pair end this key names, if it names one.
    #[inline]
    pub fn as_pair_end(self) -> Option<u64> {
        (self.owner == 0 && self.ticket & Key::PAIR != 0).then_some(self.ticket & !Key::PAIR)
    }
}
