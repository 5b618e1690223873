//! `--help` output, compared with committed snapshots under
//! tests/snapshots/. After an intended change (a new subcommand, a new
//! option), regenerate them with `PEEPS_BLESS=1 cargo test -p peeps-dump
//! --test help` and review the diff.

mod support;

use std::path::Path;

#[track_caller]
fn check(args: &[&str], snapshot: &str) {
    let run = support::peeps(args);
    assert_eq!(run.code, 0, "{run:?}");
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(snapshot);
    if std::env::var_os("PEEPS_BLESS").is_some() {
        std::fs::write(&path, &run.stdout).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with PEEPS_BLESS=1 to create)", path.display()));
    assert_eq!(
        run.stdout,
        expected,
        "`peeps {}` changed; if intended, run with PEEPS_BLESS=1",
        args.join(" ")
    );
}

#[test]
fn peeps_help() {
    check(&["--help"], "help.txt");
}

#[test]
fn analyze_help() {
    check(&["analyze", "--help"], "analyze-help.txt");
}

#[test]
fn history_help() {
    check(&["history", "--help"], "history-help.txt");
}

#[test]
fn dot_help() {
    check(&["dot", "--help"], "dot-help.txt");
}

#[test]
fn serve_help() {
    check(&["serve", "--help"], "serve-help.txt");
}

#[test]
fn demo_help() {
    check(&["demo", "--help"], "demo-help.txt");
}
