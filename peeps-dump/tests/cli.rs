//! The `peeps` binary end to end: exit codes, words, JSON, bad input.

mod support;

use support::*;

#[test]
fn a_deadlock_exits_1_and_is_said_in_words() {
    let dir = TempDir::new("deadlock");
    let file = dir.write("4242.json", &deadlock_dump());
    let run = peeps(["analyze".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.starts_with(
            "deadlock (certain, 2 tasks, 1 process):\n  task \"transfer-a\" (src/bank.rs:31)"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .ends_with("1 deadlock, 0 stuck forever, 0 long waits, 0 blocking polls\n")
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn no_deadlock_exits_0() {
    let dir = TempDir::new("healthy");
    let file = dir.write("7.json", &healthy_dump("7-1"));
    let run = peeps(["analyze".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .starts_with("long wait (12.0 s):\n  task \"waiter\""),
        "{}",
        run.stdout
    );

    // The long-wait threshold is an option.
    let run = peeps([
        "analyze".as_ref(),
        "--long-wait-ms".as_ref(),
        "60000".as_ref(),
        file.as_os_str(),
    ]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout,
        "0 deadlocks, 0 stuck forever, 0 long waits, 0 blocking polls\n"
    );
}

#[test]
fn a_potential_deadlock_is_said_in_its_own_section_and_fails_ci_on_request() {
    let dir = TempDir::new("potential");
    let file = dir.write("9.json", &potential_dump());
    let run = peeps(["analyze".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, 0, "a potential deadlock alone exits 0: {run:?}");
    assert_eq!(
        run.stdout,
        "potential deadlock: task \"transfer-a\" took \"acct-1\" (src/bank.rs:31) then \"acct-2\" (src/bank.rs:33); \
         task \"transfer-b\" took \"acct-2\" (src/bank.rs:40) then \"acct-1\" (src/bank.rs:42). \
         Run at the same time, these two can deadlock.\n\n\
         0 deadlocks, 0 stuck forever, 0 long waits, 0 blocking polls, 1 potential deadlock\n"
    );
    let run = peeps([
        "analyze".as_ref(),
        "--fail-on-potential".as_ref(),
        file.as_os_str(),
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    let run = peeps([
        "analyze".as_ref(),
        "--json".as_ref(),
        "--fail-on-potential".as_ref(),
        file.as_os_str(),
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    let p = &v["potential_deadlocks"][0];
    assert_eq!(p["kind"], "inversion");
    assert_eq!(p["steps"].as_array().unwrap().len(), 2);
    assert_eq!(p["steps"][0]["task"]["name"], "transfer-a");
    assert_eq!(p["steps"][0]["held_at"], "src/bank.rs:31:9");
    // A healthy dump fails nothing with the flag.
    let healthy = dir.write("7.json", &healthy_dump("7-1"));
    let run = peeps([
        "analyze".as_ref(),
        "--fail-on-potential".as_ref(),
        healthy.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn the_settle_time_is_an_option() {
    // Every edge of the example is about 5 s old.
    let dir = TempDir::new("settle");
    let file = dir.write("4242.json", &deadlock_dump());
    let run = peeps([
        "analyze".as_ref(),
        "--settle-ms".as_ref(),
        "10000".as_ref(),
        file.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn json_has_the_documented_fields_and_the_same_exit_code() {
    let dir = TempDir::new("json");
    let file = dir.write("4242.json", &deadlock_dump());
    let run = peeps(["analyze".as_ref(), "--json".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    for key in ["deadlocks", "long_waits", "stuck_forever", "blocking_polls"] {
        assert!(v[key].is_array(), "missing {key}: {v}");
    }
    let d = &v["deadlocks"][0];
    for key in [
        "certainty",
        "cross_process",
        "tasks",
        "resources",
        "cycle",
        "behind",
        "text",
    ] {
        assert!(!d[key].is_null(), "deadlock lacks {key}: {d}");
    }
    assert_eq!(d["certainty"], "certain");
    for key in ["process", "id", "kind", "name", "location"] {
        assert!(d["tasks"][0].get(key).is_some(), "task ref lacks {key}");
    }
    assert_eq!(d["cycle"].as_array().unwrap().len(), 2);
    // It parses into the library's type as well.
    let report: peeps_graph::Report = serde_json::from_value(v).expect("a Report");
    assert!(report.has_deadlock());

    let healthy = dir.write("7.json", &healthy_dump("7-1"));
    let run = peeps(["analyze".as_ref(), "--json".as_ref(), healthy.as_os_str()]);
    assert_eq!(run.code, 0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["deadlocks"].as_array().unwrap().len(), 0);
    assert_eq!(v["long_waits"][0]["waited_ms"], 12000);
}

#[test]
fn unreadable_input_exits_2_naming_the_file_and_reason() {
    let dir = TempDir::new("bad");
    let good = dir.write("good.json", &deadlock_dump());
    let garbage = dir.write("garbage.json", "{ this is not json");
    let wrong = dir.write("wrong.json", r#"{"schema":"peeps/2"}"#);
    let missing = dir.path().join("missing.json");

    let run = peeps(["analyze".as_ref(), good.as_os_str(), garbage.as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty(), "no partial report: {}", run.stdout);
    assert!(
        run.stderr
            .contains("garbage.json: not a peeps dump: not a JSON object"),
        "{}",
        run.stderr
    );

    let run = peeps(["analyze".as_ref(), wrong.as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("wrong.json"), "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown schema \"peeps/2\""),
        "{}",
        run.stderr
    );

    let run = peeps(["analyze".as_ref(), missing.as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("missing.json: cannot read: No such file"),
        "{}",
        run.stderr
    );

    let run = peeps(["dot".as_ref(), garbage.as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("garbage.json"), "{}", run.stderr);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(peeps(["analyze"]).code, 2);
    assert_eq!(peeps(["frobnicate"]).code, 2);
    assert_eq!(
        peeps(["analyze", "--long-wait-ms", "soon", "x.json"]).code,
        2
    );
}

#[test]
fn many_processes_and_directories_are_analysed_together() {
    let dir = TempDir::new("dir");
    dir.write("4242.json", &deadlock_dump());
    dir.write("7.json", &healthy_dump("7-1"));
    dir.write("ignored.txt", "not a dump");
    let run = peeps(["analyze".as_ref(), dir.path().as_os_str()]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("1 deadlock, 0 stuck forever, 1 long wait, 0 blocking polls")
    );

    let empty = TempDir::new("empty");
    let run = peeps(["analyze".as_ref(), empty.path().as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no .json dumps"), "{}", run.stderr);
}

#[test]
fn an_older_dump_of_the_same_process_is_noted_and_ignored() {
    let dir = TempDir::new("older");
    let new = dir.write("new.json", &deadlock_dump());
    let old = deadlock_dump().replace(
        "\"captured_at_ms\": 1763790012000",
        "\"captured_at_ms\": 1763790000000",
    );
    let old = dir.write("old.json", &old);
    let run = peeps(["analyze".as_ref(), new.as_os_str(), old.as_os_str()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("1 older snapshot(s) of the same process ignored"),
        "{}",
        run.stderr
    );
}

#[test]
fn stdin_is_read_with_a_dash() {
    let run = peeps_with_stdin(&["analyze", "-"], &deadlock_dump());
    assert_eq!(run.code, 1, "{run:?}");
    let run = peeps_with_stdin(&["analyze", "-"], "nope");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("<stdin>: not a peeps dump"),
        "{}",
        run.stderr
    );
}

#[test]
fn dot_highlights_the_cycle() {
    let dir = TempDir::new("dot");
    let file = dir.write("4242.json", &deadlock_dump());
    let run = peeps(["dot".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("digraph peeps {\n"));
    assert!(run.stdout.trim_end().ends_with('}'));
    assert!(run.stdout.contains("label=\"bank (pid 4242)\""));
    // The four edges of the cycle (two waits, two holds) and two needs.
    assert_eq!(
        run.stdout.matches("penwidth=3").count(),
        6,
        "{}",
        run.stdout
    );

    let out = dir.path().join("graph.dot");
    let run = peeps([
        "dot".as_ref(),
        "--all".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
        file.as_os_str(),
    ]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.is_empty());
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("acct-1"));
}

#[test]
fn analyze_says_under_a_deadlock_how_it_formed() {
    let dir = TempDir::new("formed");
    let file = dir.write("4242.json", &deadlock_dump());
    let run = peeps(["analyze".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(concat!(
            "  how it formed:\n",
            "    6.865 s  task \"transfer-a\" took mutex \"acct-1\" at src/bank.rs:21\n",
            "    6.867 s  task \"transfer-b\" took mutex \"acct-2\" at src/bank.rs:21\n",
            "    6.874 s  task \"transfer-a\" waits at src/bank.rs:22 to lock mutex \"acct-2\"\n",
            "    6.875 s  task \"transfer-b\" waits at src/bank.rs:22 to lock mutex \"acct-1\"\n",
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn history_prints_the_recorded_events_in_order_filtered_by_task_or_resource() {
    let dir = TempDir::new("history");
    let file = dir.write("4242.json", &deadlock_dump());
    let run = peeps(["history".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        concat!(
            "process \"bank\" (pid 4242): 6 events recorded, 0 no longer in memory; 6 in this dump, 6 shown\n",
            "  6.860 s  task \"transfer-a\" was spawned at src/bank.rs:31\n",
            "  6.861 s  task \"transfer-b\" was spawned at src/bank.rs:40\n",
            "  6.865 s  task \"transfer-a\" took mutex \"acct-1\" at src/bank.rs:21\n",
            "  6.867 s  task \"transfer-b\" took mutex \"acct-2\" at src/bank.rs:21\n",
            "  6.874 s  task \"transfer-a\" waits at src/bank.rs:22 to lock mutex \"acct-2\"\n",
            "  6.875 s  task \"transfer-b\" waits at src/bank.rs:22 to lock mutex \"acct-1\"\n",
        )
    );

    // What one task did (and its spawn).
    let run = peeps([
        "history".as_ref(),
        file.as_os_str(),
        "--task".as_ref(),
        "transfer-b".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().skip(1).collect();
    assert_eq!(
        lines,
        [
            "  6.861 s  task \"transfer-b\" was spawned at src/bank.rs:40",
            "  6.867 s  task \"transfer-b\" took mutex \"acct-2\" at src/bank.rs:21",
            "  6.875 s  task \"transfer-b\" waits at src/bank.rs:22 to lock mutex \"acct-1\"",
        ],
        "{}",
        run.stdout
    );

    // What happened to one resource.
    let run = peeps([
        "history".as_ref(),
        file.as_os_str(),
        "--resource".as_ref(),
        "acct-2".as_ref(),
    ]);
    let lines: Vec<&str> = run.stdout.lines().skip(1).collect();
    assert_eq!(
        lines,
        [
            "  6.867 s  task \"transfer-b\" took mutex \"acct-2\" at src/bank.rs:21",
            "  6.874 s  task \"transfer-a\" waits at src/bank.rs:22 to lock mutex \"acct-2\"",
        ],
        "{}",
        run.stdout
    );

    // The same for scripts.
    let run = peeps([
        "history".as_ref(),
        "--json".as_ref(),
        file.as_os_str(),
        "--resource".as_ref(),
        "acct-2".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let kinds: Vec<&str> = v
        .as_array()
        .expect("a list of events")
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["acquire", "wait"], "{}", run.stdout);
    assert_eq!(v[0]["t_ms"], 6867);
}
