// Every argument `#[peeps::test]` takes, alone and together. (A `#[test]`
// fn is compiled only in test builds: this checks the arguments are
// accepted; the tests in tests/test_attr.rs run such tests.)

#[peeps::test]
async fn plain() {}

#[peeps::test(flavor = "current_thread")]
async fn current_thread() {}

#[peeps::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_thread() {}

#[peeps::test(flavor = "multi_thread")]
async fn multi_thread_default_workers() {}

#[peeps::test(start_paused = true)]
async fn paused() {}

#[peeps::test(crate = "::peeps::__private::tokio")]
async fn with_crate() {}

#[peeps::test(timeout = "30s")]
async fn with_timeout() {}

#[peeps::test(potential_deadlocks = "allow")]
async fn potential_deadlocks_allowed() {}

#[peeps::test(flavor = "multi_thread", potential_deadlocks = "warn")]
async fn potential_deadlocks_warned() {}

#[peeps::test(timeout = "1.5m", flavor = "multi_thread", worker_threads = 1)]
async fn all_but_paused() {}

#[peeps::test(timeout = "500ms")]
async fn returns_result() -> Result<(), std::io::Error> {
    std::fs::metadata("/")?;
    Ok(())
}

#[peeps::test]
#[should_panic(expected = "boom")]
async fn should_panic_after() {
    panic!("boom");
}

fn main() {}
