//! `#[peeps::test]` with recording off (`default-features = false`): it is
//! `#[tokio::test]` with the same arguments and `timeout` dropped. Run by
//! `cargo test -p peeps --no-default-features --test test_attr_off`
//! (scripts/test-all.sh); with recording on this file has no tests
//! (tests/test_attr.rs covers that build).

#![cfg(not(feature = "diagnostics"))]

use std::time::Duration;

/// The test's body is the libtest thread's own `block_on`: no peeps task
/// stands for it. (This test build records through the dev-dependency on
/// `peeps-runtime/diagnostics`, so a body task would show.)
#[peeps::test]
async fn the_body_is_not_a_peeps_task() {
    let snap = peeps::snapshot();
    assert!(
        !snap
            .nodes
            .iter()
            .any(|n| n.name.contains("the_body_is_not_a_peeps_task")),
        "{:#?}",
        snap.nodes
    );
    assert_eq!(
        tokio::runtime::Handle::current().runtime_flavor(),
        tokio::runtime::RuntimeFlavor::CurrentThread
    );
}

#[peeps::test(timeout = "1ms")]
async fn the_timeout_is_dropped() {
    tokio::time::sleep(Duration::from_millis(50)).await;
}

#[peeps::test(flavor = "multi_thread", worker_threads = 3)]
async fn the_runtime_is_the_one_asked_for() {
    let handle = tokio::runtime::Handle::current();
    assert_eq!(
        handle.runtime_flavor(),
        tokio::runtime::RuntimeFlavor::MultiThread
    );
    assert_eq!(handle.metrics().num_workers(), 3);
}

#[peeps::test(crate = "::peeps::__private::tokio")]
async fn a_result_is_the_test_result() -> Result<(), std::num::ParseIntError> {
    let n: u8 = "7".parse()?;
    assert_eq!(n, 7);
    Ok(())
}

#[peeps::test]
#[should_panic(expected = "boom")]
async fn a_panic_fails_the_test() {
    panic!("boom");
}
