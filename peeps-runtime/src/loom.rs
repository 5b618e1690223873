//! The atomics the lock-free pieces are built on: std's in the program,
//! loom's mocks when built with `--cfg loom`.
//!
//! Under loom, the models (`loom_tests` in [`crate::hold`], [`crate::wait`]
//! and [`crate::task`]; `scripts/loom.sh` runs them) drive the code that
//! ships through every interleaving and every value the memory model lets
//! a load see, within a bound on preemptions. The modelled code imports its
//! atomics, fences and spin hint from here; nothing else changes between
//! the two builds.
//!
//! `static` atomics stay on std's: loom's cannot be built in a const
//! context, and what they count (ids, thread keys, the clock) is outside
//! the models.

#[cfg(not(loom))]
pub(crate) use std::{hint, sync};

#[cfg(loom)]
pub(crate) use ::loom::{hint, sync};
