//! This process's identity in snapshots.

use crate::clock;
use parking_lot::Mutex;
use peeps_graph::Process;
use std::sync::LazyLock;

struct Identity {
    pid: u32,
    key: String,
    started_at_ms: u64,
    host: Option<String>,
}

static IDENTITY: LazyLock<Identity> = LazyLock::new(|| {
    let pid = std::process::id();
    Identity {
        pid,
        key: format!("{pid}-{}", clock::wall_ns()),
        started_at_ms: clock::wall_ms(),
        host: host_name(),
    }
});

/// The machine's host name (`gethostname(2)`), read once; `None` when it
/// cannot be read or is not UTF-8.
fn host_name() -> Option<String> {
    let name = nix::unistd::gethostname().ok()?.into_string().ok()?;
    (!name.is_empty()).then_some(name)
}

static NAME: Mutex<Option<String>> = Mutex::new(None);

/// Names this process in snapshots (the first name given wins over the
/// default, a later explicit name replaces it).
pub fn set_name(name: &str) {
    *NAME.lock() = Some(name.to_owned());
    LazyLock::force(&IDENTITY);
}

/// Fixes the process key and start time now (called by `init`).
pub fn touch() {
    LazyLock::force(&IDENTITY);
}

fn default_name() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The process as it appears in snapshots.
pub fn current() -> Process {
    let name = NAME.lock().clone().unwrap_or_else(default_name);
    Process {
        name,
        pid: IDENTITY.pid,
        key: IDENTITY.key.clone(),
        started_at_ms: IDENTITY.started_at_ms,
        host: IDENTITY.host.clone(),
    }
}

/// The process key: unique per process lifetime.
pub fn key() -> &'static str {
    &IDENTITY.key
}
