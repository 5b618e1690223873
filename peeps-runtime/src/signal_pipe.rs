//! The self-pipe behind peeps' signal handlers: a handler only writes a
//! byte to the pipe (async-signal-safe: no allocation, no lock), and a
//! dedicated OS thread, not the program's runtime, reads it and does the
//! work — so it is done while every runtime worker is blocked.

use std::io;
use std::os::fd::{IntoRawFd, OwnedFd, RawFd};

/// Makes the pipe and starts the thread `name` running `read_loop` on its
/// reading end (blocking reads). Returns the writing end, non-blocking,
/// for the handler: it stays open for the rest of the process.
pub(crate) fn start(name: &str, read_loop: fn(OwnedFd)) -> io::Result<RawFd> {
    use nix::fcntl::{FcntlArg, OFlag, fcntl};
    let (read, write) =
        nix::unistd::pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK).map_err(io::Error::from)?;
    // The reading end blocks; only the handler's end must not.
    fcntl(&read, FcntlArg::F_SETFL(OFlag::empty())).map_err(io::Error::from)?;
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let _seen = crate::census::seen_thread();
            read_loop(read)
        })?;
    Ok(write.into_raw_fd())
}
