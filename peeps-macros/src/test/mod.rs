//! `#[peeps::test]`: a drop-in for `#[tokio::test]` whose hanging test says
//! why.
//!
//! [`attr`] parses the arguments (`flavor`, `worker_threads`,
//! `start_paused`, `crate` as `#[tokio::test]` takes them, plus `timeout`
//! and `potential_deadlocks`)
//! and checks them as tokio does; [`expand`] writes the test. With
//! recording on (feature `diagnostics`, which `peeps/diagnostics` turns on)
//! the test calls `::peeps::__private::test::run`, where everything it does
//! lives (peeps-runtime/src/test); off, it is `#[tokio::test]` itself with
//! the same arguments, `timeout` and `potential_deadlocks` checked and dropped.

pub(crate) mod attr;
pub(crate) mod expand;

/// How the test is expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Recording on: the test runs under peeps' runner.
    On,
    /// Recording off: exactly `#[tokio::test]`.
    Off,
}
