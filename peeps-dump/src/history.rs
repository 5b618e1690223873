//! `peeps history FILE...`: a dump's recorded events, in words, oldest
//! first; `--task` and `--resource` keep those of one task or resource.

use crate::cli::{Exit, Run};
use crate::{input, output};
use peeps_graph::analysis::{Filter, TimelineEntry, timeline};
use std::path::PathBuf;

/// Arguments of `peeps history`.
#[derive(Debug, clap::Args)]
pub(crate) struct HistoryArgs {
    /// Dump files (peeps/1 JSON), directories of dumps, or - for stdin.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// Only the events of the task with this name (what it did, and its
    /// spawn and join), or `#ID` for a node id.
    #[arg(long, value_name = "NAME")]
    task: Option<String>,
    /// Only the events concerning the resource (or any node) with this
    /// name, or `#ID`.
    #[arg(long, value_name = "NAME")]
    resource: Option<String>,
    /// Print the events as JSON: one list of `{process, t_ms, time, kind,
    /// task, node, at, text}`.
    #[arg(long)]
    json: bool,
}

impl Run for HistoryArgs {
    fn run(self) -> anyhow::Result<Exit> {
        let snaps = input::read_all(&self.files)?;
        let filter = Filter {
            task: self.task,
            resource: self.resource,
        };
        let mut all: Vec<TimelineEntry> = Vec::new();
        let mut text = String::new();
        for snap in &snaps {
            let entries = timeline(snap, &filter);
            let p = &snap.process;
            match &snap.history {
                None => text.push_str(&format!(
                    "process {:?} (pid {}): no history in this dump (recorded with PEEPS_HISTORY=0, or by an older peeps)\n",
                    p.name, p.pid
                )),
                Some(h) => {
                    text.push_str(&format!(
                        "process {:?} (pid {}): {} events recorded, {} no longer in memory; {} in this dump, {} shown\n",
                        p.name,
                        p.pid,
                        h.recorded,
                        h.lost,
                        h.events.len(),
                        entries.len()
                    ));
                    for e in &entries {
                        text.push_str(&format!("  {}  {}\n", e.time, e.text));
                    }
                }
            }
            all.extend(entries);
        }
        if self.json {
            text = serde_json::to_string_pretty(&all)?;
            text.push('\n');
        }
        output::stdout(&text)?;
        Ok(Exit::Ok)
    }
}
