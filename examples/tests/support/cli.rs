//! The real `peeps` binary, run on a scenario's dump.
//!
//! `peeps` is package `peeps-dump`, whose binary cargo does not expose to
//! this package's tests (`CARGO_BIN_EXE_*` covers only this package's
//! binaries). So the first test that needs it builds it, once per test
//! run, with the cargo that runs these tests (`$CARGO`) from the
//! workspace root: `cargo build -p peeps-dump --bin peeps`. It goes to the
//! same target directory (`CARGO_TARGET_DIR` is inherited), so it is
//! usually already fresh and takes a fraction of a second; cargo does not
//! hold the build lock while tests run. `PEEPS_BIN=/path/to/peeps`
//! overrides this and uses that binary.

use super::child::Dump;
use peeps::graph::Report;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The `peeps` binary: `$PEEPS_BIN`, or built once with cargo.
///
/// # Panics
///
/// When cargo fails to build it.
pub fn peeps_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("PEEPS_BIN") {
            return PathBuf::from(bin);
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("examples/ is inside the workspace");
        let out = Command::new(cargo)
            .args(["build", "-p", "peeps-dump", "--bin", "peeps"])
            .arg("--message-format=json-render-diagnostics")
            .current_dir(workspace)
            .stdin(Stdio::null())
            .output()
            .expect("run cargo to build peeps");
        assert!(
            out.status.success(),
            "cargo build -p peeps-dump failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "peeps")
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo reports the peeps executable")
    })
}

/// What `peeps analyze --json` did.
#[derive(Debug)]
pub struct CliRun {
    /// Its exit code: 1 when there is a deadlock, 0 otherwise.
    pub code: i32,
    /// The report it printed.
    pub report: Report,
    /// The same, as raw JSON (fields `Report` does not know included).
    pub json: serde_json::Value,
    /// What it said on stderr.
    pub stderr: String,
}

/// Runs `peeps analyze --json ARGS <dump>`.
///
/// # Panics
///
/// When `peeps` cannot run, is killed, or prints no report.
#[track_caller]
pub fn analyze_cli(dump: &Dump, args: &[&str]) -> CliRun {
    let out = Command::new(peeps_bin())
        .args(["analyze", "--json"])
        .args(args)
        .arg(&dump.path)
        .stdin(Stdio::null())
        .output()
        .expect("run peeps analyze");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("peeps analyze printed no JSON ({e}):\n{stdout}\nstderr:\n{stderr}")
    });
    let report = serde_json::from_value(json.clone()).unwrap_or_else(|e| {
        panic!("peeps analyze printed no report ({e}):\n{stdout}\nstderr:\n{stderr}")
    });
    CliRun {
        code: out.status.code().expect("peeps exited, not killed"),
        report,
        json,
        stderr,
    }
}
