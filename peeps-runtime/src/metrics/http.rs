//! The responder: HTTP/1.1 on a blocking std socket, `GET /metrics` only.
//!
//! Chosen over an HTTP crate so a user program gains no HTTP stack: a
//! scrape is one small request and one response, and Prometheus needs
//! nothing more. One connection at a time (a scrape is rare and short);
//! each must send its request head within [`READ_TIMEOUT`] and at most
//! [`MAX_REQUEST`] bytes, and is closed after the answer. Any other path
//! is 404, another method 405, a malformed or oversized head 400 or 431.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// How long a client may take to send its whole request head.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long writing the answer may block.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest request head read.
const MAX_REQUEST: usize = 8 * 1024;

/// Answers connections one at a time, forever.
pub(super) fn run(listener: TcpListener) {
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                // A scrape must never take the program down (see `answer`
                // for the 500); this catches anything else.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| answer(stream)));
            }
            // Out of descriptors, or a connection reset before accept:
            // wait a little rather than spin.
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// Reads one request and answers it.
fn answer(mut stream: TcpStream) {
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let response = match read_head(&mut stream) {
        // A panic in the snapshot or the analysis becomes a 500 for this
        // scrape, never the program's.
        Ok(head) => std::panic::catch_unwind(|| route(&head)).unwrap_or_else(|_| {
            plain(500, "Internal Server Error", "the scrape failed\n")
        }),
        Err(Head::TooLarge) => plain(431, "Request Header Fields Too Large", "request too large\n"),
        Err(Head::Malformed) => plain(400, "Bad Request", "malformed request\n"),
        Err(Head::Gone) => return,
    };
    let _ = stream.write_all(&response);
    let _ = stream.flush();
}

/// Why no request head was read.
enum Head {
    TooLarge,
    Malformed,
    /// Closed, reset or timed out before a whole head: nothing to answer.
    Gone,
}

/// The request head (up to the blank line), within [`MAX_REQUEST`] and
/// [`READ_TIMEOUT`] in all (a client sending a byte now and then does not
/// hold the responder longer).
fn read_head(stream: &mut TcpStream) -> Result<String, Head> {
    let deadline = Instant::now() + READ_TIMEOUT;
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(Head::Gone);
        }
        let n = match stream.read(&mut buf) {
            Ok(0) => return Err(Head::Gone),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(Head::Gone),
        };
        head.extend_from_slice(&buf[..n]);
        if let Some(end) = find(&head, b"\r\n\r\n") {
            head.truncate(end);
            return String::from_utf8(head).map_err(|_| Head::Malformed);
        }
        if head.len() > MAX_REQUEST {
            return Err(Head::TooLarge);
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The answer to a request head.
fn route(head: &str) -> Vec<u8> {
    let line = head.lines().next().unwrap_or("");
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return plain(400, "Bad Request", "malformed request line\n");
    };
    if !version.starts_with("HTTP/1.") {
        return plain(400, "Bad Request", "expected HTTP/1.x\n");
    }
    let path = target.split_once('?').map_or(target, |(p, _)| p);
    if path != "/metrics" {
        return plain(404, "Not Found", "only /metrics is served here\n");
    }
    if method != "GET" {
        let mut r = plain(405, "Method Not Allowed", "only GET is served\n");
        // Insert `Allow` after the status line.
        let at = find(&r, b"\r\n").map_or(0, |i| i + 2);
        r.splice(at..at, b"Allow: GET\r\n".iter().copied());
        return r;
    }
    response(200, "OK", super::CONTENT_TYPE, super::scrape_recent().as_bytes())
}

fn plain(status: u16, reason: &str, body: &str) -> Vec<u8> {
    response(status, reason, "text/plain; charset=utf-8", body.as_bytes())
}

fn response(status: u16, reason: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use super::route;

    fn status(head: &str) -> String {
        let r = String::from_utf8(route(head)).unwrap();
        r.lines().next().unwrap().to_owned()
    }

    #[test]
    fn only_get_metrics_is_served() {
        assert_eq!(status("GET /metrics HTTP/1.1\r\nHost: x"), "HTTP/1.1 200 OK");
        assert_eq!(status("GET /metrics?x=1 HTTP/1.0"), "HTTP/1.1 200 OK");
        assert_eq!(status("GET / HTTP/1.1"), "HTTP/1.1 404 Not Found");
        assert_eq!(status("POST /metrics HTTP/1.1"), "HTTP/1.1 405 Method Not Allowed");
        assert!(String::from_utf8(route("PUT /metrics HTTP/1.1")).unwrap().contains("\r\nAllow: GET\r\n"));
        assert_eq!(status("GET /metrics"), "HTTP/1.1 400 Bad Request");
        assert_eq!(status("GET /metrics SPDY/3"), "HTTP/1.1 400 Bad Request");
        assert_eq!(status(""), "HTTP/1.1 400 Bad Request");
    }
}
