//! Dumps to disk: `dump_to`, and the `SIGUSR1` handler.
//!
//! The signal handler only writes one byte to a pipe (async-signal-safe, no
//! allocation, no lock, errno preserved). A dedicated OS thread, not the
//! program's runtime, reads the pipe and writes the dump, so a program whose
//! every worker is blocked still dumps. A dump goes to `<dir>/<pid>.json.tmp`
//! and is then renamed: a reader never sees half a file.

use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::atomic::{AtomicI32, Ordering};

/// The environment variable naming the dump directory.
pub const DUMP_DIR_ENV: &str = "PEEPS_DUMP_DIR";
/// The dump directory when [`DUMP_DIR_ENV`] is not set.
pub const DEFAULT_DUMP_DIR: &str = "/tmp/peeps-dumps";

/// The directory SIGUSR1 dumps go to.
pub fn dump_dir() -> PathBuf {
    std::env::var_os(DUMP_DIR_ENV).map_or_else(|| PathBuf::from(DEFAULT_DUMP_DIR), PathBuf::from)
}

/// Writes a snapshot of this process to `path`, atomically (temp file, then
/// rename). Creates the parent directory if missing.
///
/// # Errors
///
/// Any I/O error creating the directory, writing or renaming.
pub fn dump_to(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let json = crate::snapshot().to_json();
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(json.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

/// Where this process's SIGUSR1 dump goes: `<dump dir>/<pid>.json`.
pub fn dump_path() -> PathBuf {
    dump_dir().join(format!("{}.json", std::process::id()))
}

static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);
static INSTALL: Once = Once::new();

extern "C" fn on_sigusr1(_: libc::c_int) {
    let fd = PIPE_WRITE.load(Ordering::Relaxed);
    if fd >= 0 {
        // SAFETY: write(2) and errno access are async-signal-safe; the byte
        // lives on this stack frame. errno is restored for the interrupted code.
        unsafe {
            let errno = *libc::__errno_location();
            let byte = 1u8;
            libc::write(fd, (&raw const byte).cast(), 1);
            *libc::__errno_location() = errno;
        }
    }
}

/// Names the process and installs the `SIGUSR1` handler: `kill -USR1 <pid>`
/// writes a dump to `<PEEPS_DUMP_DIR or /tmp/peeps-dumps>/<pid>.json`.
/// Calling it again only renames the process.
///
/// A failure to install or to write a dump is reported on stderr; the
/// program goes on.
pub fn install_sigusr1(name: &str) {
    crate::process::set_name(name);
    INSTALL.call_once(|| {
        if let Err(e) = install() {
            eprintln!("peeps: could not install the SIGUSR1 dump handler: {e}");
        }
    });
}

fn install() -> io::Result<()> {
    let write = crate::signal_pipe::start("peeps-sigusr1", dump_thread)?;
    PIPE_WRITE.store(write, Ordering::Relaxed);
    let action = nix::sys::signal::SigAction::new(
        nix::sys::signal::SigHandler::Handler(on_sigusr1),
        nix::sys::signal::SaFlags::SA_RESTART,
        nix::sys::signal::SigSet::empty(),
    );
    // SAFETY: the handler only performs async-signal-safe operations.
    unsafe { nix::sys::signal::sigaction(nix::sys::signal::Signal::SIGUSR1, &action) }
        .map_err(io::Error::from)?;
    Ok(())
}

fn dump_thread(read: OwnedFd) {
    let mut buf = [0u8; 64];
    loop {
        match nix::unistd::read(&read, &mut buf) {
            Ok(0) => return,
            Ok(_) => {
                // Fresh stacks of every recorded thread (bounded wait).
                crate::sampler::burst();
                let path = dump_path();
                match dump_to(&path) {
                    Ok(()) => eprintln!("peeps: dump written to {}", path.display()),
                    Err(e) => eprintln!("peeps: could not write dump {}: {e}", path.display()),
                }
            }
            Err(nix::errno::Errno::EINTR) => {}
            Err(e) => {
                eprintln!("peeps: SIGUSR1 dump thread stopped: {e}");
                return;
            }
        }
    }
}
