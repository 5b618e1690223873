//! `peeps dot FILE...`: the wait graph as Graphviz DOT.

use crate::cli::{Exit, Run, Thresholds};
use crate::{input, output};
use peeps_graph::dot::{DotOptions, Scope};
use std::path::PathBuf;

/// Arguments of `peeps dot`.
#[derive(Debug, clap::Args)]
pub(crate) struct DotArgs {
    /// Dump files (peeps/1 JSON), directories of dumps, or - for stdin.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// Draw every node, not only waits, what they wait on and who holds it.
    #[arg(long)]
    all: bool,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,
    #[command(flatten)]
    thresholds: Thresholds,
}

impl Run for DotArgs {
    fn run(self) -> anyhow::Result<Exit> {
        let snaps = input::read_all(&self.files)?;
        let merged = peeps_graph::merge(&snaps);
        output::merge_notes(&merged);
        let report = peeps_graph::analyze_merged(&merged, &self.thresholds.options());
        let scope = if self.all { Scope::All } else { Scope::Blocked };
        let dot = peeps_graph::dot::to_dot(&merged, &report, &DotOptions::default().scope(scope));
        match &self.output {
            Some(path) => std::fs::write(path, dot).map_err(|e| {
                anyhow::Error::new(e).context(format!("{}: cannot write", path.display()))
            })?,
            None => output::stdout(&dot)?,
        }
        Ok(Exit::Ok)
    }
}
