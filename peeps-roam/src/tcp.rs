//! A minimal roam `Link` over TCP: each message is a frame, a `u32`
//! big-endian length then the bytes.
//!
//! roam 7.3's runtime ships an in-memory link only; this is enough to run
//! roam services between processes on one machine (the `peeps demo`, the
//! tests). It does no reconnection and no TLS.

use peeps::graph::wire::{FrameDecoder, FrameError};
use roam::{Backing, Link, LinkRx, LinkTx, LinkTxPermit, WriteSlot};
use std::io;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;

/// The largest frame accepted (16 MiB): a longer length prefix is an error,
/// so a corrupt stream cannot make the reader allocate without bound.
pub const MAX_FRAME: usize = 16 << 20;

/// Frames queued for the writer before `reserve` waits (backpressure).
const QUEUE: usize = 64;

/// Bytes the receiving half reads from the socket at a time.
const READ_BUF: usize = 8 << 10;

/// A TCP connection as a roam `Link`. Give it to `roam::initiator` or
/// `roam::acceptor`.
///
/// # Examples
///
/// ```no_run
/// # async fn f() -> std::io::Result<()> {
/// let link = peeps_roam::tcp::TcpLink::connect("127.0.0.1:7000").await?;
/// let (caller, _session) = roam::initiator(link)
///     .establish::<roam::DriverCaller>(())
///     .await
///     .map_err(std::io::Error::other)?;
/// # let _ = caller; Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct TcpLink {
    stream: TcpStream,
}

impl TcpLink {
    /// Wraps a connected stream (Nagle's algorithm off: calls are small).
    pub fn new(stream: TcpStream) -> Self {
        let _ = stream.set_nodelay(true);
        TcpLink { stream }
    }

    /// Connects to `addr`.
    pub async fn connect(addr: impl tokio::net::ToSocketAddrs) -> io::Result<Self> {
        Ok(TcpLink::new(TcpStream::connect(addr).await?))
    }
}

impl Link for TcpLink {
    type Tx = TcpLinkTx;
    type Rx = TcpLinkRx;

    /// Splits the stream; the sending half gets a writer task.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime (roam splits the link inside `establish`).
    fn split(self) -> (TcpLinkTx, TcpLinkRx) {
        let (read, write) = self.stream.into_split();
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(write_frames(rx, write));
        (TcpLinkTx { tx }, TcpLinkRx::new(read))
    }
}

/// Writes queued frames until every sender is gone, then shuts the write
/// half down.
async fn write_frames(mut frames: mpsc::Receiver<Vec<u8>>, write: OwnedWriteHalf) {
    let mut out = BufWriter::new(write);
    while let Some(frame) = frames.recv().await {
        let len = u32::try_from(frame.len()).unwrap_or(u32::MAX);
        if out.write_all(&len.to_be_bytes()).await.is_err() || out.write_all(&frame).await.is_err()
        {
            return;
        }
        // Flush when nothing else is queued: a burst goes out in one write.
        if frames.is_empty() && out.flush().await.is_err() {
            return;
        }
    }
    let _ = out.shutdown().await;
}

/// The sending half of a [`TcpLink`].
#[derive(Debug)]
pub struct TcpLinkTx {
    tx: mpsc::Sender<Vec<u8>>,
}

impl LinkTx for TcpLinkTx {
    type Permit = TcpPermit;

    async fn reserve(&self) -> io::Result<TcpPermit> {
        let permit = self
            .tx
            .clone()
            .reserve_owned()
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "connection closed"))?;
        Ok(TcpPermit { permit })
    }

    async fn close(self) -> io::Result<()> {
        drop(self.tx);
        Ok(())
    }
}

/// Room for one frame in a [`TcpLinkTx`]'s queue.
#[derive(Debug)]
pub struct TcpPermit {
    permit: mpsc::OwnedPermit<Vec<u8>>,
}

impl LinkTxPermit for TcpPermit {
    type Slot = TcpSlot;

    fn alloc(self, len: usize) -> io::Result<TcpSlot> {
        if len > MAX_FRAME {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "frame larger than MAX_FRAME",
            ));
        }
        Ok(TcpSlot {
            buf: vec![0; len],
            permit: self.permit,
        })
    }
}

/// One frame being written; sent on commit, dropped unsent otherwise.
#[derive(Debug)]
pub struct TcpSlot {
    buf: Vec<u8>,
    permit: mpsc::OwnedPermit<Vec<u8>>,
}

impl WriteSlot for TcpSlot {
    fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.buf
    }

    fn commit(self) {
        drop(self.permit.send(self.buf));
    }
}

/// The receiving half of a [`TcpLink`].
///
/// Frames are reassembled by a [`FrameDecoder`]: a frame's buffer grows
/// only as its bytes arrive, so a length prefix alone allocates nothing.
#[derive(Debug)]
pub struct TcpLinkRx {
    read: OwnedReadHalf,
    decoder: FrameDecoder,
    /// Bytes read from the socket; `buf[start..end]` not yet decoded.
    buf: Box<[u8]>,
    start: usize,
    end: usize,
}

impl TcpLinkRx {
    fn new(read: OwnedReadHalf) -> Self {
        TcpLinkRx {
            read,
            decoder: FrameDecoder::new(MAX_FRAME),
            buf: vec![0; READ_BUF].into_boxed_slice(),
            start: 0,
            end: 0,
        }
    }
}

/// A framing error as the `io::Error` roam sees.
fn frame_error(e: FrameError) -> io::Error {
    let kind = match e {
        FrameError::Truncated { .. } => io::ErrorKind::UnexpectedEof,
        _ => io::ErrorKind::InvalidData,
    };
    io::Error::new(kind, e)
}

impl LinkRx for TcpLinkRx {
    type Error = io::Error;

    async fn recv(&mut self) -> io::Result<Option<Backing>> {
        loop {
            if self.start < self.end {
                let mut input = &self.buf[self.start..self.end];
                let frame = self.decoder.decode(&mut input);
                self.start = self.end - input.len();
                if let Some(body) = frame.map_err(frame_error)? {
                    return Ok(Some(Backing::Boxed(body.into_boxed_slice())));
                }
            }
            let n = self.read.read(&mut self.buf).await?;
            if n == 0 {
                // EOF between frames is the peer closing; inside one, an error.
                return match self.decoder.truncated() {
                    None => Ok(None),
                    Some(e) => Err(frame_error(e)),
                };
            }
            self.start = 0;
            self.end = n;
        }
    }
}
