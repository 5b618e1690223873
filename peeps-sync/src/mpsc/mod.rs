//! Instrumented multi-producer, single-consumer channels, as
//! `tokio::sync::mpsc`.
//!
//! Each channel is one `channel` node (`flavor: mpsc` or `mpsc_unbounded`,
//! with `capacity`, `len`, `senders`, `receivers`, `sent`, `received`,
//! `closed`, `last_send_ms`, `last_recv_ms`). Every sender and the receiver
//! is a `held_by` edge (`as: sender | receiver`) to the task that made,
//! cloned or last used it, `confirmed: false` until that task uses it. A
//! pending `recv` is a `waits_on` edge with `op: recv`; a `send` or
//! `reserve` pending on a full channel one with `op: send`.
//!
//! # Naming
//!
//! `channel(8)` names the node after the call site, like every other
//! constructor. `channel_named("jobs", 8)` (and `unbounded_channel_named`)
//! names it at creation; `.named("jobs")` on any endpoint renames the one
//! node all endpoints share.

mod bounded;
mod receiver;
mod unbounded;

pub use bounded::{
    OwnedPermit, Permit, PermitIterator, Receiver, Sender, WeakSender, channel, channel_named,
};
pub use unbounded::{
    UnboundedReceiver, UnboundedSender, WeakUnboundedSender, unbounded_channel,
    unbounded_channel_named,
};

/// The channel's error types: tokio's own.
pub mod error {
    pub use tokio::sync::mpsc::error::*;
}
