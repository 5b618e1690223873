//! Spawns and joins N empty tasks, one at a time, from a task of the
//! same kind on a current-thread runtime, for counting the instructions a spawn costs (`valgrind
//! --tool=callgrind` or `perf stat -e instructions:u`, runs of two N: the
//! difference cancels the set-up). Usage: `spawn_join <tokio|peeps> <n>`.
//! docs/PERFORMANCE.md ("#[peeps::test]") has the figures.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (side, n) = match args.as_slice() {
        [_, side, n] => (side.clone(), n.parse::<u64>().expect("n")),
        _ => {
            eprintln!("usage: spawn_join <tokio|peeps> <n>");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    // Inside a task of its own kind, as a program spawns from its tasks.
    rt.block_on(async move {
        if side == "peeps" {
            peeps_runtime::spawn_named("spawner", async move {
                for i in 0..n {
                    peeps_runtime::spawn_named("empty", std::future::ready(i))
                        .await
                        .expect("joined");
                }
            })
            .await
            .expect("the spawner ends");
        } else {
            tokio::spawn(async move {
                for i in 0..n {
                    tokio::spawn(std::future::ready(i)).await.expect("joined");
                }
            })
            .await
            .expect("the spawner ends");
        }
    });
}
