//! `peeps serve` with a token: remote binds refused without one; pushes
//! whose hello lacks it, or has another, dropped and never stored; HTTP
//! answered only with the bearer token or the session cookie the one-time
//! login URL sets; the token never printed. Real `peeps` processes, real
//! sockets on 127.0.0.1, real pushing programs (this test binary re-run on
//! the `#[ignore]`d `child_push` below).

mod serve_support;

use serde_json::Value;
use serve_support::*;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;

/// The token every test here gives the server: distinctive, so a test can
/// look for it anywhere in the server's output.
const TOKEN: &str = "tok-7f3a9c1e5b2d4086a1c3e5f7b9d0c2e4";

/// Parks forever after `peeps::init_named`, pushing every 100 ms to
/// `PEEPS_DASHBOARD` with whatever `PEEPS_TOKEN` it was given.
#[test]
#[ignore = "a child process of the tests below"]
fn child_push() {
    if !is_child() {
        return;
    }
    peeps::init_named(&std::env::var("CHILD_NAME").unwrap_or_else(|_| "pusher".to_owned()));
    println!("READY {}", std::process::id());
    loop {
        std::thread::park();
    }
}

/// A token file holding [`TOKEN`] (with a trailing newline, as `echo`
/// writes it: the server trims it).
fn token_file(test: &str) -> (TempDir, String) {
    let dir = TempDir::new(&format!("{test}-token"));
    let path = dir.path().join("token");
    std::fs::write(&path, format!("{TOKEN}\n")).unwrap();
    let path = path.to_str().expect("a UTF-8 temp path").to_owned();
    (dir, path)
}

/// `peeps serve` on loopback with [`TOKEN`] from a token file.
fn server_with_token(test: &str) -> (Server, TempDir) {
    let (dir, path) = token_file(test);
    (Server::start(test, &["--token-file", &path]), dir)
}

fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

/// `GET path` with the bearer token, expecting 200 and JSON.
#[track_caller]
fn authed_json(server: &Server, path: &str) -> Value {
    let answer = http_get_with(server.http, path, &[("Authorization", &bearer())]);
    assert_eq!(answer.status, 200, "GET {path}: {answer:?}");
    serde_json::from_str(&answer.body).unwrap_or_else(|e| panic!("GET {path}: {e}: {answer:?}"))
}

/// The keys `/api/processes` lists (read with the bearer token).
fn listed_keys(server: &Server) -> Vec<String> {
    authed_json(server, "/api/processes")
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|p| p["key"].as_str().map(str::to_owned))
        .collect()
}

/// The status and head of a `GET` whose body may never end (the event
/// stream): reads up to the blank line only.
fn status_and_head(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect to http");
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    let extra: String = headers
        .iter()
        .map(|(n, v)| format!("{n}: {v}\r\n"))
        .collect();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}\r\n").unwrap();
    let mut lines = BufReader::new(s);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        let n = lines.read_line(&mut line).expect("a response head");
        if n == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    (status, head)
}

/// Runs `peeps serve` with `args` (and no `PEEPS_TOKEN` unless `env` sets
/// one) expecting it to refuse to start: its stderr.
#[track_caller]
fn refused(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_peeps"));
    cmd.arg("serve").args(args).env_remove("PEEPS_TOKEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let run = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(run.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(run.stdout.is_empty(), "{args:?} printed {:?}", run.stdout);
    stderr
}

#[test]
fn remote_binds_without_a_token_are_refused() {
    for (option, args) in [
        (
            "--listen",
            ["--listen", "0.0.0.0:0", "--http", "127.0.0.1:0"],
        ),
        ("--http", ["--listen", "127.0.0.1:0", "--http", "0.0.0.0:0"]),
    ] {
        let stderr = refused(&args, &[]);
        assert!(
            stderr.contains(&format!(
                "refusing to listen on 0.0.0.0:0 ({option}): not a loopback address, and no token is set"
            )) && stderr.contains("PEEPS_TOKEN=<secret> or --token-file PATH"),
            "{stderr}"
        );
    }
    // A blank PEEPS_TOKEN is no token.
    let stderr = refused(&["--listen", "0.0.0.0:0"], &[("PEEPS_TOKEN", "  ")]);
    assert!(stderr.contains("no token is set"), "{stderr}");
}

#[test]
fn unusable_token_sources_are_refused_in_words() {
    let dir = TempDir::new("bad-token-sources");
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n  \n").unwrap();
    let spaced = dir.path().join("spaced");
    std::fs::write(&spaced, "two words-secret\n").unwrap();
    let missing = dir.path().join("missing");
    let cases = [
        (empty.clone(), "the file is empty"),
        (missing, "cannot read it"),
        (spaced, "the token must be printable ASCII without spaces"),
    ];
    for (path, says) in cases {
        let path = path.to_str().unwrap();
        let stderr = refused(&["--token-file", path], &[]);
        assert!(
            stderr.contains(&format!("--token-file {path}")) && stderr.contains(says),
            "{stderr}"
        );
        assert!(
            !stderr.contains("words-secret"),
            "the token was printed: {stderr}"
        );
    }
    let stderr = refused(&[], &[("PEEPS_TOKEN", "with space")]);
    assert!(
        stderr.contains("PEEPS_TOKEN: the token must be printable ASCII")
            && !stderr.contains("with space"),
        "{stderr}"
    );
}

#[test]
fn with_a_token_a_remote_bind_is_served_and_checked() {
    let dumps = TempDir::new("remote-dumps");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_peeps"));
    cmd.args([
        "serve",
        "--listen",
        "0.0.0.0:0",
        "--http",
        "0.0.0.0:0",
        "--dumps",
    ])
    .arg(dumps.path())
    .env("PEEPS_TOKEN", TOKEN);
    let child = peeps_test_support::ChildProcess::start("peeps serve", cmd);
    let (ready, banner) = child.stdout_until(PATIENCE, |l| l.starts_with("peeps: open "));
    assert!(ready, "peeps serve not ready{}", child.output());
    // Both listen on every interface; the test reaches them on loopback.
    let loopback = |prefix: &str| -> SocketAddr {
        let addr: SocketAddr = banner
            .iter()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no {prefix:?} line in {banner:?}"));
        assert!(addr.ip().is_unspecified(), "{addr}");
        ([127, 0, 0, 1], addr.port()).into()
    };
    let ingest = loopback("peeps: ingest listening on ");
    let http = loopback("peeps: http listening on ");
    assert_eq!(http_get_with(http, "/api/processes", &[]).status, 401);

    let mut pusher = TcpStream::connect(ingest).unwrap();
    let snap = example_snapshot("remote-1", "remote");
    let hello = peeps_graph::wire::Hello::new(snap.process.clone()).with_token(TOKEN);
    peeps_graph::wire::write_frame(
        &mut pusher,
        &peeps_graph::wire::Frame::Hello(hello).to_json(),
    )
    .unwrap();
    peeps_graph::wire::write_frame(&mut pusher, snap.to_json().as_bytes()).unwrap();
    eventually("the pushed process is listed", || {
        let answer = http_get_with(http, "/api/processes", &[("Authorization", &bearer())]);
        (answer.status == 200 && answer.body.contains("\"remote-1\""))
            .then_some(())
            .ok_or(format!("{answer:?}"))
    });
}

#[test]
fn pushes_without_the_right_token_are_dropped_and_never_stored() {
    let (server, _token) = server_with_token("push-tokens");

    let mut missing = Pusher::connect(&server);
    missing
        .hello(&example_snapshot("missing-1", "no-token").process)
        .unwrap();
    // Whatever follows the refused hello is never read.
    let _ = missing.frame(
        &example_snapshot("missing-1", "no-token")
            .to_json()
            .into_bytes(),
    );
    assert!(missing.closed_by_server());
    server.wait_stderr(&[
        "peeps: ingest: dropped connection from 127.0.0.1:",
        "(process \"no-token\"",
        "its hello has no token",
    ]);

    let mut wrong = Pusher::connect(&server);
    wrong
        .hello_with_token(
            &example_snapshot("wrong-1", "bad-token").process,
            "not-the-token",
        )
        .unwrap();
    let _ = wrong.frame(
        &example_snapshot("wrong-1", "bad-token")
            .to_json()
            .into_bytes(),
    );
    assert!(wrong.closed_by_server());
    server.wait_stderr(&["(process \"bad-token\"", "its hello has a wrong token"]);

    // A prefix of the token, and the token with one more character, are
    // wrong too.
    for (i, near) in [&TOKEN[..TOKEN.len() - 1], &format!("{TOKEN}x")]
        .into_iter()
        .enumerate()
    {
        let name = format!("near-{i}");
        let mut p = Pusher::connect(&server);
        p.hello_with_token(&example_snapshot(&format!("{name}-1"), &name).process, near)
            .unwrap();
        assert!(p.closed_by_server());
        server.wait_stderr(&[
            &format!("(process \"{name}\""),
            "its hello has a wrong token",
        ]);
    }

    let mut right = Pusher::connect(&server);
    let snap = example_snapshot("right-1", "good-token");
    right.hello_with_token(&snap.process, TOKEN).unwrap();
    right.frame(&snap.to_json().into_bytes()).unwrap();
    eventually("the authenticated process is listed", || {
        let keys = listed_keys(&server);
        keys.contains(&"right-1".to_owned())
            .then_some(())
            .ok_or(format!("{keys:?}"))
    });
    let keys = listed_keys(&server);
    for refused in ["missing-1", "wrong-1", "near-0-1", "near-1-1"] {
        assert!(
            !keys.contains(&refused.to_owned()),
            "{refused} was stored: {keys:?}"
        );
    }
    assert!(!server.output().contains(TOKEN), "{}", server.output());
}

#[test]
fn before_its_hello_shows_the_token_a_peer_may_send_at_most_64_kib() {
    let (server, _token) = server_with_token("hello-size");
    let max = peeps_graph::wire::MAX_HELLO_BYTES;
    let mut first_big = Pusher::connect(&server);
    let announced = u32::try_from(max + 1).unwrap().to_be_bytes();
    first_big.raw(&announced).unwrap();
    assert!(first_big.closed_by_server());
    server.wait_stderr(&[
        "peeps: ingest: dropped connection from 127.0.0.1:",
        &format!(
            "frame of {} bytes announced, over the limit of {max} bytes",
            max + 1
        ),
    ]);

    // Once the hello carries the token, the full frame size applies.
    let mut snap = example_snapshot("big-1", "big");
    snap.nodes[0].name = "n".repeat(2 * max);
    let body = snap.to_json().into_bytes();
    assert!(body.len() > max);
    let mut pusher = Pusher::connect(&server);
    pusher.hello_with_token(&snap.process, TOKEN).unwrap();
    pusher.frame(&body).unwrap();
    eventually("the large snapshot is stored", || {
        let keys = listed_keys(&server);
        keys.contains(&"big-1".to_owned())
            .then_some(())
            .ok_or(format!("{keys:?}"))
    });
}

/// A stranger who connects and sends nothing holds a connection slot only
/// until the hello is due, not for the whole idle timeout: otherwise idle
/// connections could take every slot from the programs that push.
#[test]
fn a_peer_silent_before_its_hello_is_cut_off() {
    let (dir, path) = token_file("hello-due");
    let server = Server::start(
        "hello-due",
        &["--token-file", &path, "--frame-timeout", "1"],
    );
    let mut silent = Pusher::connect(&server);
    assert!(silent.closed_by_server());
    server.wait_stderr(&[
        "peeps: ingest: dropped connection from 127.0.0.1:",
        "no hello within 1 s of connecting",
    ]);
    // A pusher that sends its hello in time stays.
    let snap = example_snapshot("due-1", "due");
    let mut pusher = Pusher::connect(&server);
    pusher.hello_with_token(&snap.process, TOKEN).unwrap();
    pusher.frame(snap.to_json().as_bytes()).unwrap();
    eventually("the snapshot is stored", || {
        let keys = listed_keys(&server);
        keys.contains(&"due-1".to_owned())
            .then_some(())
            .ok_or(format!("{keys:?}"))
    });
    drop(dir);
}

#[test]
fn a_pushing_program_sends_its_peeps_token() {
    let (server, _token) = server_with_token("push-child");
    let ingest = server.ingest.to_string();
    let start = |name: &str, token: &str| {
        let mut child = ChildProc::start(
            "child_push",
            &[
                ("PEEPS_DASHBOARD", &ingest),
                ("PEEPS_PUSH_MS", "100"),
                ("CHILD_NAME", name),
                ("PEEPS_TOKEN", token),
            ],
        );
        let pid = child.line("READY ");
        (child, pid)
    };
    let (without, without_pid) = start("without-token", "");
    let (wrong, wrong_pid) = start("wrong-token", "not-the-token");
    let (_with, with_pid) = start("with-token", TOKEN);

    server.wait_stderr(&[&format!("pid {without_pid})"), "its hello has no token"]);
    server.wait_stderr(&[&format!("pid {wrong_pid})"), "its hello has a wrong token"]);
    // The programs say why, once, on their own stderr.
    for (child, says) in [
        (&without, "if it requires a token, set PEEPS_TOKEN to it"),
        (
            &wrong,
            "if it requires a token, it is not this program's PEEPS_TOKEN",
        ),
    ] {
        eventually(
            "the program says the server closed it after the hello",
            || {
                let stderr = child.child.stderr();
                stderr.contains(says).then_some(()).ok_or(stderr)
            },
        );
    }
    let pids = || -> Vec<String> {
        authed_json(&server, "/api/processes")
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|p| p["pid"].as_u64().map(|n| n.to_string()))
            .collect()
    };
    eventually("the program with the token is listed", || {
        let listed = pids();
        listed
            .contains(&with_pid)
            .then_some(())
            .ok_or(format!("{listed:?}"))
    });
    let listed = pids();
    assert!(
        !listed.contains(&without_pid) && !listed.contains(&wrong_pid),
        "{listed:?}"
    );
}

#[test]
fn a_server_without_a_token_ignores_one_in_the_hello() {
    let server = Server::start("no-token-server", &[]);
    let mut p = Pusher::connect(&server);
    let snap = example_snapshot("newer-client-1", "newer");
    p.hello_with_token(&snap.process, "anything").unwrap();
    p.frame(&snap.to_json().into_bytes()).unwrap();
    eventually("the process is listed", || {
        server.process("newer-client-1").ok_or_else(String::new)
    });
}

#[test]
fn http_needs_the_bearer_token_on_every_route() {
    let (server, _token) = server_with_token("http-bearer");
    let routes = [
        "/",
        "/assets/peeps.js",
        "/api/processes",
        "/api/graph?scope=all",
        "/api/deadlocks",
        "/api/recording",
        "/api/events",
        "/api/no-such-route",
        "/metrics",
        "/no-such-page",
    ];
    let wrong = format!("Bearer {}", &TOKEN[..TOKEN.len() - 1]);
    let near = format!("Bearer {TOKEN}0");
    let basic = format!("Basic {TOKEN}");
    for path in routes {
        for credentials in [
            None,
            Some(wrong.as_str()),
            Some(near.as_str()),
            Some(basic.as_str()),
        ] {
            let headers: Vec<(&str, &str)> = credentials
                .map(|c| ("Authorization", c))
                .into_iter()
                .collect();
            let answer = http_get_with(server.http, path, &headers);
            assert_eq!(
                answer.status, 401,
                "{path} with {credentials:?}: {answer:?}"
            );
            assert_eq!(
                answer.header("www-authenticate"),
                Some("Bearer realm=\"peeps\"")
            );
            let how = "Authorization: Bearer <token>";
            if path.starts_with("/api/") {
                let v: Value = serde_json::from_str(&answer.body).expect("a JSON 401 under /api/");
                assert!(v["error"].as_str().is_some_and(|e| e.contains(how)), "{v}");
            } else {
                assert_eq!(
                    answer.header("content-type"),
                    Some("text/plain; charset=utf-8")
                );
                assert!(answer.body.contains(how), "{}", answer.body);
            }
        }
    }
    let auth = bearer();
    for path in ["/", "/assets/peeps.js", "/api/processes", "/api/deadlocks"] {
        let answer = http_get_with(server.http, path, &[("Authorization", &auth)]);
        assert_eq!(answer.status, 200, "{path}: {answer:?}");
    }
    // Authenticated, an unknown route is the usual JSON 404.
    let answer = http_get_with(
        server.http,
        "/api/no-such-route",
        &[("Authorization", &auth)],
    );
    assert_eq!(answer.status, 404, "{answer:?}");
    let (status, head) = status_and_head(server.http, "/api/events", &[("Authorization", &auth)]);
    assert_eq!(status, 200, "{head}");
    assert!(
        head.to_ascii_lowercase().contains("text/event-stream"),
        "{head}"
    );
}

/// The path and query of the one-time URL the server printed.
fn one_time_path(server: &Server) -> String {
    let line = server.banner.last().expect("a banner");
    let prefix = format!("peeps: open http://{}", server.http);
    let path = line
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{line:?} does not start with {prefix:?}"));
    assert!(path.starts_with("/login?code="), "{line}");
    path.to_owned()
}

/// The `name=value` of a `Set-Cookie`, after checking its attributes.
#[track_caller]
fn session_cookie(answer: &Answer) -> String {
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(
        answer
            .body
            .contains(r#"<meta http-equiv="refresh" content="0; url=/">"#),
        "the page does not send the browser on to /: {answer:?}"
    );
    let set = answer.header("set-cookie").expect("a session cookie");
    let mut parts = set.split(';').map(str::trim);
    let pair = parts.next().unwrap().to_owned();
    let attributes: Vec<&str> = parts.collect();
    for wanted in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(attributes.contains(&wanted), "{set}");
    }
    assert!(pair.starts_with("peeps_session_"), "{set}");
    assert!(!set.contains(TOKEN), "the cookie carries the token: {set}");
    pair
}

#[test]
fn the_one_time_url_logs_a_browser_in_once() {
    let (server, _token) = server_with_token("one-time");
    let login = one_time_path(&server);
    assert!(!login.contains(TOKEN));

    let cookie = session_cookie(&http_get_with(server.http, &login, &[]));
    assert!(
        cookie.starts_with(&format!("peeps_session_{}=", server.http.port())),
        "{cookie}"
    );
    let with_cookie = [("Cookie", cookie.as_str())];
    for path in ["/", "/assets/peeps.js", "/api/processes", "/api/deadlocks"] {
        let answer = http_get_with(server.http, path, &with_cookie);
        assert_eq!(answer.status, 200, "{path}: {answer:?}");
    }
    let (status, head) = status_and_head(server.http, "/api/events", &with_cookie);
    assert_eq!(status, 200, "{head}");
    // Among the browser's other cookies, too.
    let mixed = format!("theme=dark; {cookie}; other=1");
    assert_eq!(
        http_get_with(server.http, "/", &[("Cookie", &mixed)]).status,
        200
    );

    // The code works once, whoever asks again.
    for headers in [&[][..], &with_cookie[..]] {
        let again = http_get_with(server.http, &login, headers);
        assert_eq!(again.status, 401, "{again:?}");
        assert!(again.body.contains("already used"), "{}", again.body);
        assert_eq!(again.header("set-cookie"), None);
    }
    // A forged cookie, or the token as the cookie, is no session.
    let (name, _) = cookie.split_once('=').unwrap();
    for value in ["0".repeat(64), TOKEN.to_owned()] {
        let forged = format!("{name}={value}");
        assert_eq!(
            http_get_with(server.http, "/", &[("Cookie", &forged)]).status,
            401
        );
    }
    // Whoever has the token gets a session at /login?token=…, any number of
    // times; a wrong token or code gets none.
    for _ in 0..2 {
        let by_token = session_cookie(&http_get_with(
            server.http,
            &format!("/login?token={TOKEN}"),
            &[],
        ));
        assert_eq!(by_token, cookie);
    }
    for path in ["/login?token=wrong", "/login?code=0123", "/login"] {
        let answer = http_get_with(server.http, path, &[]);
        assert_eq!(answer.status, 401, "{path}: {answer:?}");
        assert_eq!(answer.header("set-cookie"), None, "{path}");
    }
    let output = server.output();
    let printed = output.matches(TOKEN).count();
    assert_eq!(printed, 0, "the token was printed:{output}");
}

#[test]
fn without_a_token_nothing_changes_on_loopback() {
    let server = Server::start("no-token-http", &[]);
    assert_eq!(
        server.banner.last().map(String::as_str),
        Some(format!("peeps: open http://{}/", server.http).as_str())
    );
    assert_eq!(server.get("/api/processes").0, 200);
    // No login route without a token.
    assert_eq!(server.get("/login?token=x").0, 404);
}

/// `GET path` with exactly `host` as the `Host` header (none when `None`):
/// the status and the whole answer.
fn get_as_host(addr: SocketAddr, path: &str, host: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect to http");
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
    let version = if host.is_empty() { "1.0" } else { "1.1" };
    write!(
        s,
        "GET {path} HTTP/{version}\r\n{host}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = std::io::Read::read_to_string(&mut s, &mut answer);
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"));
    (status, answer)
}

/// Without a token, a page elsewhere reaching the dashboard by DNS
/// rebinding (its own name resolving to 127.0.0.1) is refused: only
/// loopback host names are answered. With a token any name is (the token
/// is what lets a request in).
#[test]
fn without_a_token_only_loopback_host_names_are_answered() {
    let server = Server::start("no-token-hosts", &[]);
    let port = server.http.port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(
            get_as_host(server.http, "/api/processes", Some(&host)).0,
            200,
            "{host}"
        );
    }
    assert_eq!(
        get_as_host(server.http, "/api/processes", None).0,
        200,
        "no Host (HTTP/1.0)"
    );
    let (status, answer) = get_as_host(server.http, "/api/processes", Some("rebound.example:80"));
    assert_eq!(status, 403, "{answer}");
    assert!(answer.contains("PEEPS_TOKEN"), "{answer}");
    assert!(answer.contains("application/json"), "{answer}");
    let (status, answer) = get_as_host(server.http, "/", Some(&format!("rebound.example:{port}")));
    assert_eq!(status, 403, "{answer}");

    let (with_token, _dir) = server_with_token("token-hosts");
    let authorization = bearer();
    let mut s = TcpStream::connect(with_token.http).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        s,
        "GET /api/processes HTTP/1.1\r\nHost: dashboard.example\r\nAuthorization: {authorization}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = std::io::Read::read_to_string(&mut s, &mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
