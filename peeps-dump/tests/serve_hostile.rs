//! Bad and hostile input on the ingest port never takes `peeps serve` down
//! or corrupts what it holds: each bad connection is dropped with one log
//! line naming its peer, and a good client's data stays intact.
//!
//! Everything goes to the server's own loopback ports; every loop is
//! bounded in count and time.

mod serve_support;

use peeps_graph::wire;
use serve_support::*;
use std::io::Read;
use std::net::Shutdown;
use std::time::Duration;

/// A small deterministic generator (xorshift64*), so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Between 1 and `up_to` random bytes.
    fn bytes(&mut self, up_to: u64) -> Vec<u8> {
        let n = 1 + self.below(up_to);
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    wire::write_frame(&mut out, body).unwrap();
    out
}

fn hello(key: &str) -> Vec<u8> {
    framed(&wire::Frame::Hello(wire::Hello::new(example_snapshot(key, "x").process)).to_json())
}

/// One bad connection's bytes: every kind of malformed input, in turn.
fn bad_input(kind: u64, rng: &mut Rng, max: usize) -> Vec<u8> {
    let snapshot = |key: &str| framed(example_snapshot(key, "x").to_json().as_bytes());
    match kind {
        // A length prefix over the limit (up to 4 GiB).
        0 => {
            let len = max as u64 + 1 + rng.below(u64::from(u32::MAX) - max as u64);
            let mut v = (len as u32).to_be_bytes().to_vec();
            v.extend(rng.bytes(64));
            v
        }
        // A frame cut short: part of the prefix, or part of the body.
        1 => {
            let whole = snapshot("cut-1");
            let keep = 1 + rng.below(whole.len() as u64 - 1) as usize;
            whole[..keep].to_vec()
        }
        // A body that is not JSON.
        2 => framed(&rng.bytes(300)),
        // JSON of the wrong schema.
        3 => framed(br#"{"schema":"peeps/0","process":{}}"#),
        // A snapshot before any hello.
        4 => snapshot("nohello-1"),
        // A hello, then a snapshot of another process.
        5 => [hello("claimed-1"), snapshot("other-1")].concat(),
        // Random bytes.
        6 => rng.bytes(2000),
        // Two hellos.
        7 => [hello("twice-1"), hello("twice-1")].concat(),
        // A hello, then a snapshot with the right key but a broken shape.
        8 => [
            hello("shape-1"),
            framed(br#"{"schema":"peeps/1","process":{"name":"x","pid":1,"key":"shape-1","started_at_ms":0},"captured_at_ms":"soon","nodes":[],"edges":[]}"#),
        ]
        .concat(),
        // Empty JSON object: neither a hello nor a snapshot.
        _ => framed(b"{}"),
    }
}

const KINDS: u64 = 10;

#[test]
fn thousands_of_malformed_connections_leave_a_good_client_intact() {
    let server = Server::start("fuzz", &[]);
    let max = wire::DEFAULT_MAX_FRAME_BYTES;

    // A good client, connected throughout.
    let good = example_snapshot("good-1", "good");
    let good_json = good.to_json();
    let mut client = Pusher::connect(&server);
    client.hello(&good.process).unwrap();
    client.frame(good_json.as_bytes()).unwrap();
    eventually("the good client listed", || {
        server.process("good-1").ok_or_else(String::new)
    });

    const THREADS: u64 = 4;
    const PER_THREAD: u64 = 500;
    let ingest = server.ingest;
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            std::thread::spawn(move || {
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (t + 1));
                for i in 0..PER_THREAD {
                    let bytes = bad_input(i % KINDS, &mut rng, max);
                    let mut s = std::net::TcpStream::connect(ingest).expect("connect");
                    s.set_read_timeout(Some(PATIENCE)).unwrap();
                    // The server may close first (an early error): a failed
                    // write is part of the game.
                    let _ = std::io::Write::write_all(&mut s, &bytes);
                    let _ = s.shutdown(Shutdown::Write);
                    // Wait for the server to close its side, so the
                    // connections do not pile up beyond the bound.
                    let mut sink = [0u8; 256];
                    while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("a fuzz thread panicked");
    }

    // Every bad connection got exactly one line, naming its peer.
    let total = (THREADS * PER_THREAD) as usize;
    eventually("one line per bad connection", || {
        let n = server.stderr_count("dropped connection from 127.0.0.1:");
        if n == total {
            Ok(())
        } else {
            Err(format!("{n} of {total} lines"))
        }
    });
    let stderr = server.stderr();
    for reason in [
        "over the limit of 67108864 bytes",
        "connection ended inside a frame",
        "bad snapshot frame: not a JSON object",
        "unknown schema \"peeps/0\"",
        "a snapshot before the hello",
        "a snapshot of process \"other-1\" on a connection whose hello named \"claimed-1\"",
        "a second hello on the same connection",
        "malformed peeps/1 snapshot",
        "neither a snapshot (no \"schema\") nor a hello",
    ] {
        assert!(stderr.contains(reason), "no line says {reason:?}");
    }

    // The server still answers, holds only the good process, and its
    // snapshot is byte for byte what it sent.
    let list = server.json("/api/processes");
    let keys: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["good-1"], "{list}");
    assert_eq!(list[0]["stale"], false);
    let (status, raw) = server.get("/api/snapshots/good-1");
    assert_eq!(status, 200);
    assert_eq!(raw, good_json);
    assert_eq!(
        server.json("/api/deadlocks")["deadlocks"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // And the good client can go on pushing.
    let mut newer = good.clone();
    newer.captured_at_ms += 1000;
    client.frame(newer.to_json().as_bytes()).unwrap();
    eventually("the good client's next snapshot", || {
        let snap = server.json("/api/snapshots/good-1");
        if snap["captured_at_ms"] == newer.captured_at_ms {
            Ok(())
        } else {
            Err(snap["captured_at_ms"].to_string())
        }
    });
}

#[test]
fn announced_lengths_cost_nothing_until_the_bytes_arrive() {
    let server = Server::start("announce", &[]);
    let before = server.rss_kib();
    // 32 peers each announce a 60 MiB frame (under the 64 MiB limit) and
    // send 1 KiB of it. Preallocating would take ~1.9 GiB.
    let mut peers: Vec<Pusher> = (0..32)
        .map(|_| {
            let mut p = Pusher::connect(&server);
            p.raw(&(60u32 << 20).to_be_bytes()).unwrap();
            p.raw(&[b' '; 1024]).unwrap();
            p
        })
        .collect();
    // Once the server has read them all (a good client is served after
    // them), its memory has not grown by anything like the announced size.
    let mut good = Pusher::connect(&server);
    let snap = example_snapshot("after-1", "after");
    good.hello(&snap.process).unwrap();
    good.frame(snap.to_json().as_bytes()).unwrap();
    eventually("the good client listed", || {
        server.process("after-1").ok_or_else(String::new)
    });
    let grown = server.rss_kib().saturating_sub(before);
    assert!(grown < 64 * 1024, "RSS grew by {grown} KiB");

    // An announced length over the limit is refused from the prefix alone.
    let mut over = Pusher::connect(&server);
    over.raw(&u32::MAX.to_be_bytes()).unwrap();
    assert!(over.closed_by_server());
    server.wait_stderr(&["frame of 4294967295 bytes announced, over the limit"]);

    // Closing the 32 peers mid-frame: one truncation line each.
    for p in &mut peers {
        p.stream.shutdown(Shutdown::Both).unwrap();
    }
    drop(peers);
    eventually("32 truncation lines", || {
        match server.stderr_count("connection ended inside a frame (1028 of 62914564 bytes)") {
            32 => Ok(()),
            n => Err(n.to_string()),
        }
    });
}

#[test]
fn slow_and_silent_peers_are_cut_off() {
    let server = Server::start("slow", &["--frame-timeout", "1", "--idle-timeout", "1.5"]);
    // One byte every 100 ms of a 1 KiB frame: it cannot finish in 1 s.
    let mut slow = Pusher::connect(&server);
    slow.raw(&1024u32.to_be_bytes()).unwrap();
    let writer = {
        let mut stream = slow.stream.try_clone().unwrap();
        std::thread::spawn(move || {
            // Bounded: stops at the first failed write or after 1024 bytes.
            for _ in 0..1024 {
                if std::io::Write::write_all(&mut stream, b" ").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    // One that connects and says nothing.
    let mut silent = Pusher::connect(&server);
    // One that says hello and then nothing.
    let mut quiet = Pusher::connect(&server);
    quiet
        .hello(&example_snapshot("quiet-1", "q").process)
        .unwrap();

    assert!(slow.closed_by_server());
    assert!(silent.closed_by_server());
    assert!(quiet.closed_by_server());
    writer.join().unwrap();
    server.wait_stderr(&["a frame did not arrive whole within 1 s of its first byte"]);
    eventually("two idle lines", || {
        match server.stderr_count("nothing received for 1.5 s") {
            2 => Ok(()),
            n => Err(server.stderr() + &n.to_string()),
        }
    });

    // Everyone else is still served.
    let mut good = Pusher::connect(&server);
    let snap = example_snapshot("good-2", "good");
    good.hello(&snap.process).unwrap();
    good.frame(snap.to_json().as_bytes()).unwrap();
    eventually("the good client listed", || {
        server.process("good-2").ok_or_else(String::new)
    });
}

#[test]
fn connections_over_the_cap_are_refused_and_said() {
    let server = Server::start("cap", &["--max-connections", "8"]);
    // Eight connections that each pushed a snapshot: all served.
    let mut held: Vec<Pusher> = (0..8)
        .map(|i| {
            let mut p = Pusher::connect(&server);
            let snap = example_snapshot(&format!("held-{i}"), "held");
            p.hello(&snap.process).unwrap();
            p.frame(snap.to_json().as_bytes()).unwrap();
            p
        })
        .collect();
    eventually("eight live processes", || {
        let list = server.json("/api/processes");
        match list.as_array().unwrap().len() {
            8 => Ok(()),
            n => Err(n.to_string()),
        }
    });
    // Many more at once: each is closed straight away, said (throttled).
    let mut refused: Vec<Pusher> = (0..200).map(|_| Pusher::connect(&server)).collect();
    for p in &mut refused {
        assert!(p.closed_by_server());
    }
    let line = server.wait_stderr(&[
        "refused connection from 127.0.0.1:",
        "8 connections already open",
    ]);
    assert!(
        server.stderr_count("refused connection") < 200,
        "throttled: {line}"
    );

    // The held processes are untouched; when one leaves, a newcomer fits.
    held.pop();
    eventually("held-7 stale", || {
        let p = server.process("held-7").ok_or("gone")?;
        if p["stale"] == true {
            Ok(())
        } else {
            Err(p.to_string())
        }
    });
    let mut late = Pusher::connect(&server);
    let snap = example_snapshot("late-1", "late");
    late.hello(&snap.process).unwrap();
    late.frame(snap.to_json().as_bytes()).unwrap();
    eventually("the newcomer listed", || {
        server.process("late-1").ok_or_else(String::new)
    });
    for i in 0..7 {
        assert_eq!(
            server.process(&format!("held-{i}")).unwrap()["stale"],
            false
        );
    }
}
