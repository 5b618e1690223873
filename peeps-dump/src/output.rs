//! Writing to stdout: a closed pipe (`peeps analyze … | head`) ends the
//! output quietly instead of panicking.

use std::io::{self, Write};

/// Writes `text` to stdout. A broken pipe is not an error: the reader has
/// all it wanted.
pub(crate) fn stdout(text: &str) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write to standard output"))
        }
        _ => Ok(()),
    }
}

/// Notes about the input on stderr (what merging had to ignore).
pub(crate) fn merge_notes(merged: &peeps_graph::Merged<'_>) {
    let issues = merged.issues();
    if !issues.is_empty() {
        eprintln!("peeps: note: {issues}");
    }
}
