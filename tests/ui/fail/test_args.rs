#[peeps::test(flavour = "multi_thread")]
async fn unknown() {}

#[peeps::test(unhandled_panic = "shutdown_runtime")]
async fn unstable_option() {}

#[peeps::test(flavor = "local")]
async fn local_flavor() {}

#[peeps::test(flavor = "threaded")]
async fn no_such_flavor() {}

#[peeps::test(worker_threads = 2)]
async fn workers_on_current_thread() {}

#[peeps::test(flavor = "multi_thread", worker_threads = 0)]
async fn zero_workers() {}

#[peeps::test(flavor = "multi_thread", start_paused = true)]
async fn paused_multi_thread() {}

#[peeps::test(timeout = "soon")]
async fn bad_timeout() {}

#[peeps::test(timeout = "0s")]
async fn zero_timeout() {}

#[peeps::test(timeout = 30)]
async fn timeout_not_a_string() {}

#[peeps::test(flavor = "multi_thread", flavor = "current_thread")]
async fn flavor_twice() {}

#[peeps::test(multi_thread)]
async fn bare_flavor() {}

#[peeps::test(potential_deadlocks = "ignore")]
async fn no_such_potential_choice() {}

fn main() {}
