//! Reading dumps: files, directories of dumps, or `-` for stdin. Every
//! error names the input and the reason.

use anyhow::{Context, anyhow, bail};
use peeps_graph::Snapshot;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Reads every input. A directory stands for the `*.json` dumps in it
/// (sorted by name). Fails on the first input that cannot be read.
pub(crate) fn read_all(inputs: &[PathBuf]) -> anyhow::Result<Vec<Snapshot>> {
    let mut snaps = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .context("cannot read standard input")?;
            snaps.push(parse(&bytes, Path::new("<stdin>"))?);
        } else if input.is_dir() {
            let found = dumps_in(input)?;
            if found.is_empty() {
                bail!("{}: no .json dumps in this directory", input.display());
            }
            for path in found {
                snaps.push(read_file(&path)?);
            }
        } else {
            snaps.push(read_file(input)?);
        }
    }
    Ok(snaps)
}

fn read_file(path: &Path) -> anyhow::Result<Snapshot> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    parse(&bytes, path)
}

fn parse(bytes: &[u8], path: &Path) -> anyhow::Result<Snapshot> {
    // ReadError's message already includes its cause: say it once.
    Snapshot::from_slice(bytes).map_err(|e| anyhow!("{}: not a peeps dump: {e}", path.display()))
}

fn dumps_in(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("{}: cannot list", dir.display()))?;
    let mut found = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("{}: cannot list", dir.display()))?
            .path();
        if path.extension().is_some_and(|e| e == "json") && path.is_file() {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}
