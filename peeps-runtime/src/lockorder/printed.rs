//! Which potential deadlocks the watchdog has printed.

use peeps_graph::analysis::PotentialDeadlock;
use std::collections::HashSet;
use std::io::Write;

/// The potential deadlocks already printed (each once per process life: a
/// learned order edge is never forgotten, so neither is its cycle).
#[derive(Debug, Default)]
pub struct Printed {
    keys: HashSet<String>,
}

impl Printed {
    /// Prints to stderr each of `found` not printed before.
    pub fn print_new(&mut self, process: &peeps_graph::Process, found: &[PotentialDeadlock]) {
        for p in found {
            if self.keys.insert(p.text.clone()) {
                let message = format!(
                    "peeps watchdog: process {:?} (pid {}) has a potential deadlock: it has not hung, but these paths can\n{}\n",
                    process.name, process.pid, p.text
                );
                // One write, so lines from other threads do not interleave with it.
                let _ = std::io::stderr().lock().write_all(message.as_bytes());
            }
        }
    }
}
