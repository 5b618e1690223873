//! How a holder holds (the `as` of `held_by`). What a wait waits for (the
//! `op` of `waits_on`) is peeps-graph's [`Op`](peeps_graph::Op), recorded
//! as it is.
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
            _ => HoldAs::Guard,
        }
    }
}
