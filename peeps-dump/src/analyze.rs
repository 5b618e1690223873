//! `peeps analyze FILE...`: the report in words, or JSON.

use crate::cli::{Exit, Run, Thresholds};
use crate::{input, output};
use std::path::PathBuf;

/// Arguments of `peeps analyze`.
#[derive(Debug, clap::Args)]
pub(crate) struct AnalyzeArgs {
    /// Dump files (peeps/1 JSON), directories of dumps, or - for stdin.
    /// Several processes are analysed together, the latest dump of each.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// Print the report as JSON (same exit codes).
    #[arg(long)]
    json: bool,
    /// Also exit 1 when there is a potential deadlock: a cycle in the order
    /// the program took its locks in, although it never hung (for CI).
    #[arg(long)]
    fail_on_potential: bool,
    #[command(flatten)]
    thresholds: Thresholds,
}

impl Run for AnalyzeArgs {
    fn run(self) -> anyhow::Result<Exit> {
        let snaps = input::read_all(&self.files)?;
        let merged = peeps_graph::merge(&snaps);
        output::merge_notes(&merged);
        let report = peeps_graph::analyze_merged(&merged, &self.thresholds.options());
        let text = if self.json {
            let mut json = serde_json::to_string_pretty(&report)?;
            json.push('\n');
            json
        } else {
            report.text()
        };
        output::stdout(&text)?;
        let potential = self.fail_on_potential && report.has_potential_deadlock();
        Ok(if report.has_deadlock() || potential {
            Exit::Found
        } else {
            Exit::Ok
        })
    }
}
