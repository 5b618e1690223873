//! The push wire format: how a program sends its snapshots to the `peeps`
//! server, defined once for the client (peeps-runtime) and the server
//! (peeps-dump).
//!
//! A connection is a stream of *frames*. A frame is a `u32` big-endian
//! length, then that many bytes of JSON. The first frame of a connection is
//! a [`Hello`] naming the process; every later frame is one [`Snapshot`] of
//! that process, exactly as a dump file holds it:
//!
//! ```text
//! 00 00 00 5a {"hello":1,"process":{"name":"svc","pid":42,"key":"42-17…","started_at_ms":17…}}
//! 00 01 3f 20 {"schema":"peeps/1","process":{…},"captured_at_ms":…,"nodes":[…],"edges":[…]}
//! 00 01 40 02 {"schema":"peeps/1",…}
//! ```
//!
//! The two are told apart by their fields: a snapshot has `schema`, a hello
//! has `hello` (the protocol version, [`PROTOCOL`]). A hello may also carry
//! `"token"`, the secret a server bound beyond loopback requires
//! ([`TOKEN_ENV`]); a server that requires one closes a connection whose
//! hello lacks it or has another. Nothing is sent back:
//! the client only writes, so a server that is slow or gone costs it a
//! write timeout, never a queue.
//!
//! [`FrameDecoder`] reassembles frames from bytes as they arrive, rejecting
//! an oversized frame from its length prefix alone and growing its buffer
//! only as bytes actually arrive, so memory follows what a peer has sent,
//! never what it claims it will send.
//!
//! # Examples
//!
//! ```
//! use peeps_graph::wire::{self, Frame, FrameDecoder, Hello};
//! use peeps_graph::Process;
//!
//! let process = Process { name: "svc".into(), pid: 42, key: "42-1".into(), started_at_ms: 0, host: None };
//! let mut bytes = Vec::new();
//! wire::write_frame(&mut bytes, &Frame::Hello(Hello::new(process)).to_json()).unwrap();
//!
//! let mut decoder = FrameDecoder::new(wire::DEFAULT_MAX_FRAME_BYTES);
//! let mut input = &bytes[..];
//! let body = decoder.decode(&mut input).unwrap().expect("one whole frame");
//! assert!(matches!(Frame::from_json(&body).unwrap(), Frame::Hello(h) if h.process.pid == 42));
//! assert!(input.is_empty() && !decoder.is_mid_frame());
//! ```

use crate::read::ReadError;
use crate::schema::{Process, Snapshot};
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// The push protocol version a [`Hello`] carries.
pub const PROTOCOL: u32 = 1;

/// How many bytes the length prefix takes.
pub const LENGTH_BYTES: usize = 4;

/// The largest frame the server accepts by default: 64 MiB.
pub const DEFAULT_MAX_FRAME_BYTES: usize = 64 * 1024 * 1024;

/// The largest hello a server that requires a token reads before it has
/// checked the token: a hello is a few hundred bytes, so a peer that has
/// not shown the token cannot make the server buffer a snapshot's worth.
pub const MAX_HELLO_BYTES: usize = 64 * 1024;

/// The environment variable holding the shared secret of a server that
/// requires one: `peeps serve` reads it (or `--token-file`), and a pushing
/// program sends it in its [`Hello`].
pub const TOKEN_ENV: &str = "PEEPS_TOKEN";

/// The first frame of a connection: which process the snapshots that
/// follow belong to.
///
/// `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// The protocol version, [`PROTOCOL`].
    pub hello: u32,
    /// The process: its name, pid and key. Every snapshot on the connection
    /// must carry the same key.
    pub process: Process,
    /// The server's token ([`TOKEN_ENV`]), when the pushing program has one.
    /// Optional both ways: a server without a token ignores it, and a hello
    /// without it is the same JSON older clients send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl Hello {
    /// A hello for `process` in this protocol version, without a token.
    pub fn new(process: Process) -> Hello {
        Hello {
            hello: PROTOCOL,
            process,
            token: None,
        }
    }

    /// The same hello carrying `token`.
    pub fn with_token(self, token: impl Into<String>) -> Hello {
        Hello {
            token: Some(token.into()),
            ..self
        }
    }
}

impl std::fmt::Debug for Hello {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hello")
            .field("hello", &self.hello)
            .field("process", &self.process)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// One decoded frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// The connection's first frame.
    Hello(Hello),
    /// A snapshot of the process the hello named.
    Snapshot(Box<Snapshot>),
}

impl Frame {
    /// Reads a frame's JSON body: a snapshot (it has `schema`) or a hello.
    ///
    /// # Errors
    ///
    /// [`FrameError::Snapshot`] for a body that is not JSON or is a
    /// snapshot of the wrong schema or shape; [`FrameError::BadHello`] for
    /// an object with no `schema` that is not a hello either;
    /// [`FrameError::Protocol`] for a hello of another protocol version.
    /// Never panics.
    pub fn from_json(body: &[u8]) -> Result<Frame, FrameError> {
        match Snapshot::from_slice(body) {
            Ok(snap) => Ok(Frame::Snapshot(Box::new(snap))),
            Err(ReadError::MissingSchema) => {
                let hello: Hello = serde_json::from_slice(body).map_err(FrameError::BadHello)?;
                if hello.hello != PROTOCOL {
                    return Err(FrameError::Protocol(hello.hello));
                }
                Ok(Frame::Hello(hello))
            }
            Err(e) => Err(FrameError::Snapshot(e)),
        }
    }

    /// The frame's JSON body (without the length prefix).
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing these types cannot fail: every map key is a string and
        // no Serialize impl returns an error.
        match self {
            Frame::Hello(h) => serde_json::to_vec(h).expect("hello serialization is infallible"),
            Frame::Snapshot(s) => {
                serde_json::to_vec(s).expect("snapshot serialization is infallible")
            }
        }
    }
}

/// Why bytes on a connection are not a valid frame.
#[derive(Debug)]
pub enum FrameError {
    /// The length prefix announces more than the receiver accepts.
    TooLarge {
        /// The announced length.
        len: u64,
        /// The most the receiver accepts.
        max: usize,
    },
    /// The stream ended inside a frame.
    Truncated {
        /// Bytes of the frame (prefix included) that arrived.
        got: usize,
        /// Bytes the frame needed (prefix included), when the prefix arrived.
        want: Option<usize>,
    },
    /// The body is not JSON, or not a `peeps/1` snapshot.
    Snapshot(ReadError),
    /// The body has no `schema` and is not a hello either.
    BadHello(serde_json::Error),
    /// A hello of a protocol version this side does not speak.
    Protocol(u32),
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::TooLarge { len, max } => write!(
                f,
                "frame of {len} bytes announced, over the limit of {max} bytes"
            ),
            FrameError::Truncated {
                got,
                want: Some(want),
            } => {
                write!(f, "connection ended inside a frame ({got} of {want} bytes)")
            }
            FrameError::Truncated { got, want: None } => write!(
                f,
                "connection ended inside a frame's length prefix ({got} of {LENGTH_BYTES} bytes)"
            ),
            FrameError::Snapshot(e) => write!(f, "bad snapshot frame: {e}"),
            FrameError::BadHello(e) => {
                write!(f, "neither a snapshot (no \"schema\") nor a hello: {e}")
            }
            FrameError::Protocol(v) => write!(
                f,
                "hello for push protocol {v}: this side speaks protocol {PROTOCOL}"
            ),
        }
    }
}

impl std::error::Error for FrameError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FrameError::Snapshot(e) => Some(e),
            FrameError::BadHello(e) => Some(e),
            _ => None,
        }
    }
}

/// The length prefix for a body of `len` bytes, or `None` if `len` does not
/// fit in a `u32`.
pub fn length_prefix(len: usize) -> Option<[u8; LENGTH_BYTES]> {
    u32::try_from(len).ok().map(u32::to_be_bytes)
}

/// Writes one frame: the length prefix, then `body`.
///
/// # Errors
///
/// The writer's error; [`io::ErrorKind::InvalidInput`] for a body of 4 GiB
/// or more (it cannot be framed).
pub fn write_frame<W: Write + ?Sized>(w: &mut W, body: &[u8]) -> io::Result<()> {
    let prefix = length_prefix(body.len()).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("a frame body of {} bytes does not fit a u32", body.len()),
        )
    })?;
    // One write for both: a frame goes out as one piece where it fits one
    // (a process killed between two writes would leave half a frame).
    let mut frame = Vec::with_capacity(prefix.len() + body.len());
    frame.extend_from_slice(&prefix);
    frame.extend_from_slice(body);
    w.write_all(&frame)
}

/// Reassembles frames from a byte stream that arrives in pieces.
///
/// Feed it whatever a read returned with [`FrameDecoder::decode`]; it takes
/// bytes up to the end of one frame and hands back the body when the frame
/// is whole. A length prefix over the maximum is an error before any of the
/// body is buffered, and the buffer grows only as bytes arrive (never past
/// the announced length), so a peer that claims 64 MiB and sends one byte a
/// second costs one byte a second.
#[derive(Debug)]
pub struct FrameDecoder {
    max: usize,
    prefix: [u8; LENGTH_BYTES],
    prefix_len: usize,
    /// The announced length of the frame being read, once its prefix is in.
    want: Option<usize>,
    body: Vec<u8>,
}

impl FrameDecoder {
    /// A decoder accepting bodies of at most `max` bytes.
    pub fn new(max: usize) -> FrameDecoder {
        FrameDecoder {
            max,
            prefix: [0; LENGTH_BYTES],
            prefix_len: 0,
            want: None,
            body: Vec::new(),
        }
    }

    /// Takes bytes from the front of `input` (advancing it) until one frame
    /// is whole, and returns its body; `Ok(None)` when `input` ran out first.
    /// Call it again with the rest of `input` for the next frame.
    ///
    /// # Errors
    ///
    /// [`FrameError::TooLarge`] when a length prefix is over the maximum;
    /// the decoder is then unusable (the stream cannot be resynchronised).
    pub fn decode(&mut self, input: &mut &[u8]) -> Result<Option<Vec<u8>>, FrameError> {
        let want = match self.want {
            Some(want) => want,
            None => {
                let take = (LENGTH_BYTES - self.prefix_len).min(input.len());
                self.prefix[self.prefix_len..self.prefix_len + take]
                    .copy_from_slice(&input[..take]);
                self.prefix_len += take;
                *input = &input[take..];
                if self.prefix_len < LENGTH_BYTES {
                    return Ok(None);
                }
                let len = u32::from_be_bytes(self.prefix);
                // u32 always fits usize on the 32- and 64-bit targets
                // peeps supports; a failure counts as too large.
                let len_usize = usize::try_from(len).unwrap_or(usize::MAX);
                if len_usize > self.max {
                    return Err(FrameError::TooLarge {
                        len: u64::from(len),
                        max: self.max,
                    });
                }
                self.want = Some(len_usize);
                len_usize
            }
        };
        let missing = want - self.body.len();
        let take = missing.min(input.len());
        if take > 0 {
            self.grow_for(take, want);
            self.body.extend_from_slice(&input[..take]);
            *input = &input[take..];
        }
        if self.body.len() < want {
            return Ok(None);
        }
        self.want = None;
        self.prefix_len = 0;
        Ok(Some(std::mem::take(&mut self.body)))
    }

    /// Reserves room for `more` bytes: at least doubling (amortised), never
    /// past the frame's announced length `want`.
    fn grow_for(&mut self, more: usize, want: usize) {
        let needed = self.body.len() + more;
        if needed <= self.body.capacity() {
            return;
        }
        let target = needed.max(self.body.capacity().saturating_mul(2)).min(want);
        self.body.reserve_exact(target - self.body.len());
    }

    /// True when part of a frame has arrived and the rest has not: a stream
    /// ending now is truncated.
    pub fn is_mid_frame(&self) -> bool {
        self.prefix_len > 0
    }

    /// The error for a stream that ends now, if it ends inside a frame.
    pub fn truncated(&self) -> Option<FrameError> {
        if !self.is_mid_frame() {
            return None;
        }
        Some(FrameError::Truncated {
            got: self.prefix_len + self.body.len(),
            want: self.want.map(|w| w + LENGTH_BYTES),
        })
    }

    /// Changes the largest body accepted, for the frames whose length
    /// prefix is read from now on (e.g. a small limit for a connection's
    /// hello, the full one once it is accepted).
    pub fn set_max(&mut self, max: usize) {
        self.max = max;
    }

    /// Bytes the decoder holds allocated for the frame being read. Never
    /// more than the frame's announced length, which is at most the maximum.
    pub fn buffered_capacity(&self) -> usize {
        self.body.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn process() -> Process {
        Process {
            name: "svc".into(),
            pid: 42,
            key: "42-1".into(),
            started_at_ms: 7,
            host: None,
        }
    }

    #[test]
    fn a_hello_token_is_optional_both_ways_and_never_debug_printed() {
        // An older client's hello (no token) still decodes, and a hello
        // without a token is byte for byte what older clients send.
        let old =
            br#"{"hello":1,"process":{"name":"svc","pid":42,"key":"42-1","started_at_ms":7}}"#;
        assert!(matches!(Frame::from_json(old).unwrap(), Frame::Hello(h) if h.token.is_none()));
        assert_eq!(Frame::Hello(Hello::new(process())).to_json(), old.to_vec());

        let with = Hello::new(process()).with_token("s3cret-value");
        let body = Frame::Hello(with.clone()).to_json();
        assert!(matches!(Frame::from_json(&body).unwrap(), Frame::Hello(h) if h == with));
        let shown = format!("{with:?}");
        assert!(
            !shown.contains("s3cret-value") && shown.contains("redacted"),
            "{shown}"
        );
    }

    #[test]
    fn frames_split_anywhere_are_reassembled() {
        let hello = Frame::Hello(Hello::new(process())).to_json();
        let snap = include_bytes!("../../docs/example-dump.json");
        let mut stream = Vec::new();
        write_frame(&mut stream, &hello).unwrap();
        write_frame(&mut stream, snap).unwrap();
        write_frame(&mut stream, b"").unwrap();
        for chunk in [1, 2, 3, 5, 64, stream.len()] {
            let mut d = FrameDecoder::new(1 << 20);
            let mut bodies = Vec::new();
            for piece in stream.chunks(chunk) {
                let mut input = piece;
                while let Some(body) = d.decode(&mut input).unwrap() {
                    bodies.push(body);
                }
                assert!(input.is_empty());
            }
            assert!(!d.is_mid_frame() && d.truncated().is_none());
            assert_eq!(bodies, [hello.clone(), snap.to_vec(), Vec::new()]);
        }
    }

    #[test]
    fn an_oversized_prefix_is_rejected_before_buffering() {
        let mut d = FrameDecoder::new(10);
        let mut input: &[u8] = &[0, 0, 0, 11, b'{'];
        let err = d.decode(&mut input).unwrap_err();
        assert!(
            matches!(err, FrameError::TooLarge { len: 11, max: 10 }),
            "{err}"
        );
        assert_eq!(d.buffered_capacity(), 0);
        let mut input: &[u8] = &[0xff, 0xff, 0xff, 0xff];
        assert!(FrameDecoder::new(10).decode(&mut input).is_err());
    }

    #[test]
    fn memory_follows_what_arrived_not_what_was_announced() {
        let mut d = FrameDecoder::new(DEFAULT_MAX_FRAME_BYTES);
        let mut input: &[u8] = &[0x03, 0, 0, 0, b'{'];
        assert!(d.decode(&mut input).unwrap().is_none());
        assert!(d.buffered_capacity() < 1024, "{}", d.buffered_capacity());
        let err = d.truncated().unwrap();
        assert_eq!(
            err.to_string(),
            "connection ended inside a frame (5 of 50331652 bytes)"
        );
    }

    #[test]
    fn bodies_are_told_apart() {
        let hello = Frame::Hello(Hello::new(process()));
        assert_eq!(Frame::from_json(&hello.to_json()).unwrap(), hello);
        let snap = include_bytes!("../../docs/example-dump.json");
        assert!(matches!(
            Frame::from_json(snap).unwrap(),
            Frame::Snapshot(s) if s.process.pid == 4242
        ));
        for (body, expect) in [
            (&b"not json"[..], "bad snapshot frame: not a JSON object"),
            (b"{\"schema\":\"peeps/9\"}", "unknown schema \"peeps/9\""),
            (b"{\"x\":1}", "neither a snapshot"),
            (
                b"{\"hello\":2,\"process\":{\"name\":\"a\",\"pid\":1,\"key\":\"k\",\"started_at_ms\":0}}",
                "push protocol 2",
            ),
        ] {
            let err = Frame::from_json(body).unwrap_err().to_string();
            assert!(err.contains(expect), "{err}");
        }
    }
}
