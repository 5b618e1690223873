//! The child-process harness the workspace's tests share.
//!
//! Tests that need a real process — a SIGUSR1 dump, the sampler's signals,
//! the watchdog's stderr, `peeps serve`, a scenario program — start it
//! through [`ChildProcess`], which:
//!
//! - guards it: the child is killed and reaped when the guard drops (also
//!   when an assertion fails first), and the kernel kills it when the test
//!   process dies (`PR_SET_PDEATHSIG`), so no test leaves a child behind;
//! - reads its stdout and stderr on threads of their own, so a chatty child
//!   never blocks on a full pipe, and keeps every line for failure messages;
//! - waits only with deadlines: a child that never says what a test waits
//!   for fails the test with what it did say, instead of hanging it.
//!
//! [`rerun`] makes the command that runs the calling test binary again on
//! one of its `#[ignore]`d tests: the usual way to run a scenario as a
//! child.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The command that runs this test binary again on its `#[ignore]`d test
/// `test` alone, with its output uncaptured.
pub fn rerun(test: &str) -> Command {
    let mut cmd = Command::new(std::env::current_exe().expect("the test binary's path"));
    cmd.args([
        "--exact",
        test,
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    cmd
}

/// One output stream of a child: every line read so far, and the lines not
/// yet taken by a wait.
#[derive(Debug)]
struct Stream {
    seen: Arc<Mutex<Vec<String>>>,
    next: Mutex<Receiver<String>>,
}

impl Stream {
    fn read(from: impl Read + Send + 'static) -> Stream {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let keep = seen.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(from).lines() {
                let Ok(line) = line else { return };
                lock(&keep).push(line.clone());
                // The child's guard may be gone: keep draining anyway.
                let _ = tx.send(line);
            }
        });
        Stream {
            seen,
            next: Mutex::new(rx),
        }
    }

    /// Takes lines until `pred` matches one, the stream ends, or `within`
    /// passes: whether one matched, and the lines taken.
    fn until(&self, within: Duration, mut pred: impl FnMut(&str) -> bool) -> (bool, Vec<String>) {
        let deadline = Instant::now() + within;
        let next = lock(&self.next);
        let mut taken = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match next.recv_timeout(left) {
                Ok(line) => {
                    let hit = pred(&line);
                    taken.push(line);
                    if hit {
                        return (true, taken);
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
            }
        }
        (false, taken)
    }

    fn text(&self) -> String {
        let mut s = lock(&self.seen).join("\n");
        s.push('\n');
        s
    }
}

/// A lock that a panicking reader cannot poison for the test.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running child process, killed and reaped when dropped.
#[derive(Debug)]
pub struct ChildProcess {
    name: String,
    child: Child,
    stdout: Stream,
    stderr: Stream,
}

impl ChildProcess {
    /// Starts `cmd` as the child `name` (for messages), with stdin closed and
    /// stdout and stderr read by the harness.
    ///
    /// # Panics
    ///
    /// When the command cannot start.
    #[track_caller]
    pub fn start(name: impl Into<String>, mut cmd: Command) -> ChildProcess {
        let name = name.into();
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        die_with_parent(&mut cmd);
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("start {name}: {e}"));
        // Both were piped just above.
        let stdout = Stream::read(child.stdout.take().expect("piped stdout"));
        let stderr = Stream::read(child.stderr.take().expect("piped stderr"));
        ChildProcess {
            name,
            child,
            stdout,
            stderr,
        }
    }

    /// The child's pid.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for a stdout line containing `READY <pid>` (libtest may print
    /// `test name ... ` first on the same line) and returns that pid.
    ///
    /// # Panics
    ///
    /// When the child says nothing of the kind within `within`.
    #[track_caller]
    pub fn ready(&self, within: Duration) -> u32 {
        let mut pid = None;
        let (found, _) = self.stdout.until(within, |line| {
            pid = line
                .split_once("READY ")
                .and_then(|(_, p)| p.trim().parse().ok());
            pid.is_some()
        });
        match pid {
            Some(pid) if found => pid,
            _ => panic!("{} never said READY{}", self.name, self.output()),
        }
    }

    /// Takes stdout lines until one satisfies `pred` or `within` passes:
    /// whether one did, and the lines taken.
    pub fn stdout_until(
        &self,
        within: Duration,
        pred: impl FnMut(&str) -> bool,
    ) -> (bool, Vec<String>) {
        self.stdout.until(within, pred)
    }

    /// Takes stderr lines until one satisfies `pred` or `within` passes:
    /// whether one did, and the lines taken.
    pub fn stderr_until(
        &self,
        within: Duration,
        pred: impl FnMut(&str) -> bool,
    ) -> (bool, Vec<String>) {
        self.stderr.until(within, pred)
    }

    /// Everything the child wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.text()
    }

    /// What the child printed so far, for failure messages.
    pub fn output(&self) -> String {
        format!(
            "\n--- {} stdout ---\n{}--- {} stderr ---\n{}",
            self.name,
            self.stdout.text(),
            self.name,
            self.stderr.text()
        )
    }

    /// The child's exit status, if it has exited.
    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits up to `within` for the child to exit; its status, if it did.
    pub fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the child (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Asks the kernel to SIGKILL the child when the thread that started it
/// (the test's) ends, so a test process that dies — killed, aborted, timed
/// out — takes its children with it. A child started from a helper thread
/// that ends first would die with that thread: start children from the
/// test's own thread.
fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the forked child before exec and only
    // calls prctl, which is async-signal-safe; it allocates nothing.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}
