//! The demo's child processes: started in one process group of their own,
//! killed by the kernel if the demo dies (`PR_SET_PDEATHSIG`), their
//! stdout read line by line, the tail of their stderr kept for errors.

use anyhow::{Context, bail};
use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Lines of stderr kept per child, to show when it fails.
const STDERR_TAIL: usize = 20;

/// A running child process.
#[derive(Debug)]
pub(crate) struct Child {
    /// What the demo calls it (`dashboard`, `a`, `b`, ...).
    pub(crate) name: String,
    child: std::process::Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stderr: Arc<Mutex<VecDeque<String>>>,
}

/// Starts `cmd` as a child named `name`, in process group `group` (`None`:
/// a new group led by this child), with stdin, stdout and stderr piped.
pub(crate) fn spawn(name: &str, mut cmd: Command, group: Option<Pid>) -> anyhow::Result<Child> {
    let parent = nix::unistd::getpid();
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(group.map_or(0, Pid::as_raw));
    // SAFETY: between fork and exec only async-signal-safe calls are made:
    // prctl, getppid and _exit, with no allocation and no lock.
    unsafe {
        cmd.pre_exec(move || {
            // Killed with the demo, however the demo ends. (The kernel
            // sends it when the thread that forked exits: the demo starts
            // every child from its main thread.)
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL)?;
            // The demo died before the line above took effect.
            if nix::unistd::getppid() != parent {
                nix::libc::_exit(1);
            }
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {name}"))?;
    let stdin = child.stdin.take();
    let stdout = child.stdout.take().context("child stdout is piped")?;
    let stderr = child.stderr.take().context("child stderr is piped")?;
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(format!("{name}-stdout"))
        .spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        })?;
    let tail = Arc::new(Mutex::new(VecDeque::new()));
    let keep = tail.clone();
    std::thread::Builder::new()
        .name(format!("{name}-stderr"))
        .spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut tail = keep.lock().unwrap_or_else(|p| p.into_inner());
                if tail.len() == STDERR_TAIL {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
        })?;
    Ok(Child {
        name: name.to_owned(),
        child,
        stdin,
        lines,
        stderr: tail,
    })
}

impl Child {
    /// The child's pid.
    pub(crate) fn pid(&self) -> Pid {
        Pid::from_raw(self.child.id() as i32)
    }

    /// The next stdout line starting with `prefix`, with the prefix cut
    /// off; other lines are skipped. Fails at `deadline` or when the child
    /// ends first.
    pub(crate) fn expect(&mut self, prefix: &str, deadline: Instant) -> anyhow::Result<String> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix(prefix) {
                        return Ok(rest.trim().to_owned());
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    bail!(
                        "{} said no {prefix:?} in time{}",
                        self.name,
                        self.stderr_tail()
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().map(|s| s.to_string()).unwrap_or_default();
                    bail!("{} ended ({status}){}", self.name, self.stderr_tail())
                }
            }
        }
    }

    /// Stdout lines that arrived since the last call, without waiting.
    pub(crate) fn drain(&mut self) -> Vec<String> {
        self.lines.try_iter().collect()
    }

    /// Writes one line to the child's stdin.
    pub(crate) fn tell(&mut self, line: &str) -> anyhow::Result<()> {
        let stdin = self.stdin.as_mut().context("stdin closed")?;
        writeln!(stdin, "{line}")
            .and_then(|()| stdin.flush())
            .with_context(|| format!("cannot write to {}", self.name))
    }

    /// `Some(status)` once the child has ended.
    pub(crate) fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(e) => Some(e.to_string()),
        }
    }

    /// The last lines it wrote to stderr, as `:\n    line...`, or nothing.
    pub(crate) fn stderr_tail(&self) -> String {
        let tail = self.stderr.lock().unwrap_or_else(|p| p.into_inner());
        if tail.is_empty() {
            return String::new();
        }
        let lines: Vec<String> = tail.iter().map(|l| format!("    {l}")).collect();
        format!(":\n{}", lines.join("\n"))
    }
}

/// Stops every child: SIGTERM to their process group, then SIGKILL to any
/// still running after `grace`; waits for all (no zombie is left).
pub(crate) fn stop_all(children: &mut [Child], group: Option<Pid>, grace: Duration) {
    for c in children.iter_mut() {
        // Closing stdin alone ends a ring process.
        c.stdin = None;
    }
    if let Some(group) = group {
        let _ = killpg(group, Signal::SIGTERM);
    }
    for c in children.iter() {
        let _ = kill(c.pid(), Signal::SIGTERM);
    }
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline && children.iter_mut().any(|c| c.exited().is_none()) {
        std::thread::sleep(Duration::from_millis(20));
    }
    for c in children.iter_mut() {
        if c.exited().is_none() {
            let _ = c.child.kill();
            let _ = c.child.wait();
        }
    }
}
