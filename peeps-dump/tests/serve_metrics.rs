//! `/metrics`, scraped as Prometheus scrapes it: a real HTTP client (ureq)
//! and the exposition parsed by a parser of the format (prometheus-parse).
//!
//! - the server's `/metrics`: a deadlocked pushing process and a healthy
//!   one, each with its own numbers, and stale once its push ends;
//! - a process's own `/metrics` (`PEEPS_METRICS`), answered while its only
//!   runtime thread is wedged;
//! - a bad `PEEPS_METRICS` is said on stderr and the program runs on.
//!
//! The programs are this test binary re-run as children on the
//! `#[ignore]`d `child_*` functions (they do nothing unless started by
//! the tests).

mod serve_support;

use prometheus_parse::{Sample, Scrape, Value};
use serve_support::*;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Every family both endpoints serve.
const FAMILIES: [&str; 10] = [
    "peeps_live_tasks",
    "peeps_blocked_tasks",
    "peeps_deadlocks",
    "peeps_deadlocked_tasks",
    "peeps_potential_deadlocks",
    "peeps_long_waits",
    "peeps_blocking_polls",
    "peeps_stuck_forever_tasks",
    "peeps_snapshot_age_seconds",
    "peeps_stale",
];

/// Two transfers deadlock on a current_thread runtime, then the runtime's
/// only thread blocks in `std::thread::sleep` for good: nothing on the
/// runtime can run any more. Pushes (`PEEPS_DASHBOARD`) and serves its
/// own metrics (`PEEPS_METRICS`) as its environment says.
#[test]
#[ignore = "a child process of the tests below"]
fn child_wedged_deadlock() {
    if !is_child() {
        return;
    }
    let name = std::env::var("CHILD_NAME").unwrap_or_else(|_| "wedged".to_owned());
    peeps::init_named(&name);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let waiting = Arc::new(AtomicUsize::new(0));
        spawn_crossed_transfers(waiting.clone());
        while waiting.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        println!("READY {}", std::process::id());
        let _ = std::io::stdout().flush();
        // Wedge the runtime: its only thread never returns to it.
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    });
}

/// A producer on a timer and a consumer of its channel: busy, never stuck.
#[test]
#[ignore = "a child process of the tests below"]
fn child_healthy() {
    if !is_child() {
        return;
    }
    peeps::init_named("healthy");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (tx, mut rx) = peeps::sync::mpsc::channel::<u64>(8);
        let _producer = peeps::spawn_named("producer", async move {
            for n in 0.. {
                tokio::time::sleep(Duration::from_millis(20)).await;
                if tx.send(n).await.is_err() {
                    return;
                }
            }
        });
        let _consumer =
            peeps::spawn_named(
                "consumer",
                async move { while rx.recv().await.is_some() {} },
            );
        println!("READY {}", std::process::id());
        std::future::pending::<()>().await;
    });
}

/// A GET with a real HTTP client: status, content type, body.
fn get(url: &str) -> (u16, String, String) {
    request("GET", url)
}

fn request(method: &str, url: &str) -> (u16, String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(PATIENCE))
        .build()
        .into();
    let response = match method {
        "GET" => agent.get(url).call(),
        "POST" => agent.post(url).send_empty(),
        other => panic!("no {other} here"),
    };
    let mut response = response.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = response
        .body_mut()
        .read_to_string()
        .unwrap_or_else(|e| panic!("{method} {url}: body: {e}"));
    (status, content_type, body)
}

/// Scrapes `url` and parses the exposition, checking what every scrape
/// must be: 200, the OpenMetrics type, and once any process has pushed,
/// every family with its help (before that the exposition is `# EOF`
/// alone: a family without samples is not written).
fn scrape(url: &str) -> (Scrape, String) {
    let (status, content_type, body) = get(url);
    assert_eq!(status, 200, "{body}");
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    assert!(body.ends_with("# EOF\n"), "{body}");
    let scrape = Scrape::parse(body.lines().map(|l| Ok(l.to_owned()))).expect("the text parses");
    if scrape.samples.is_empty() {
        assert_eq!(body, "# EOF\n", "no samples, but more than the end");
        return (scrape, body);
    }
    for family in FAMILIES {
        assert!(
            scrape.docs.get(family).is_some_and(|h| !h.is_empty()),
            "no help for {family}: {body}"
        );
    }
    (scrape, body)
}

/// The value of `metric` for the process named `process` (and, for
/// deadlocks, of that certainty).
fn value(scrape: &Scrape, metric: &str, process: &str, certainty: Option<&str>) -> Option<f64> {
    let found: Vec<&Sample> = scrape
        .samples
        .iter()
        .filter(|s| {
            s.metric == metric
                && s.labels.get("process") == Some(process)
                && s.labels.get("certainty") == certainty
        })
        .collect();
    match found[..] {
        [] => None,
        [one] => match one.value {
            Value::Gauge(v) | Value::Untyped(v) => Some(v),
            ref other => panic!("{metric} is not a gauge: {other:?}"),
        },
        _ => panic!("{metric} has several samples for {process}: {found:?}"),
    }
}

/// The labels of the process named `process` in `metric`'s sample.
fn labels(scrape: &Scrape, metric: &str, process: &str) -> (String, String) {
    let s = scrape
        .samples
        .iter()
        .find(|s| s.metric == metric && s.labels.get("process") == Some(process))
        .unwrap_or_else(|| panic!("no {metric} for {process}"));
    (
        s.labels.get("key").unwrap_or("").to_owned(),
        s.labels.get("host").unwrap_or("").to_owned(),
    )
}

/// Scrapes until the process named `process` has a certain deadlock.
fn scrape_until_deadlocked(url: &str, process: &str) -> (Scrape, String) {
    eventually(&format!("a certain deadlock of {process} at {url}"), || {
        let (scrape, body) = scrape(url);
        match value(&scrape, "peeps_deadlocks", process, Some("certain")) {
            Some(n) if n >= 1.0 => Ok((scrape, body)),
            _ => Err(body),
        }
    })
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .expect("the host name")
        .trim()
        .to_owned()
}

#[test]
fn the_server_counts_a_deadlocked_and_a_healthy_process_apart() {
    let server = Server::start("metrics", &[]);
    let ingest = server.ingest.to_string();
    let push = [
        ("PEEPS_DASHBOARD", ingest.as_str()),
        ("PEEPS_PUSH_MS", "100"),
    ];
    let mut wedged = ChildProc::start(
        "child_wedged_deadlock",
        &[push[0], push[1], ("CHILD_NAME", "bank")],
    );
    wedged.line("READY ");
    let mut healthy = ChildProc::start("child_healthy", &push);
    healthy.line("READY ");
    let url = format!("http://{}/metrics", server.http);

    let (scrape, body) = scrape_until_deadlocked(&url, "bank");
    let (scrape, body) =
        if value(&scrape, "peeps_live_tasks", "healthy", None).unwrap_or(0.0) >= 2.0 {
            (scrape, body)
        } else {
            eventually("the healthy process's tasks", || {
                let (scrape, body) = self::scrape(&url);
                match value(&scrape, "peeps_live_tasks", "healthy", None) {
                    Some(n) if n >= 2.0 => Ok((scrape, body)),
                    _ => Err(body),
                }
            })
        };
    let v = |metric: &str, process: &str| {
        value(&scrape, metric, process, None)
            .unwrap_or_else(|| panic!("no {metric} for {process}: {body}"))
    };
    let certainty = |process: &str, c: &str| {
        value(&scrape, "peeps_deadlocks", process, Some(c))
            .unwrap_or_else(|| panic!("no {c} deadlocks for {process}: {body}"))
    };

    // The deadlocked process: one certain deadlock of its two transfers.
    assert_eq!(certainty("bank", "certain"), 1.0, "{body}");
    assert_eq!(certainty("bank", "probable"), 0.0, "{body}");
    assert_eq!(v("peeps_deadlocked_tasks", "bank"), 2.0, "{body}");
    assert!(v("peeps_live_tasks", "bank") >= 2.0, "{body}");
    assert!(v("peeps_blocked_tasks", "bank") >= 2.0, "{body}");
    assert_eq!(v("peeps_stuck_forever_tasks", "bank"), 0.0, "{body}");
    assert_eq!(v("peeps_stale", "bank"), 0.0, "{body}");
    assert!(v("peeps_snapshot_age_seconds", "bank") >= 0.0, "{body}");
    let (key, host) = labels(&scrape, "peeps_live_tasks", "bank");
    assert!(key.starts_with(&format!("{}-", wedged.pid())), "{key}");
    assert_eq!(host, host_name());

    // The healthy one: nothing found.
    for c in ["certain", "probable"] {
        assert_eq!(certainty("healthy", c), 0.0, "{body}");
    }
    for metric in [
        "peeps_deadlocked_tasks",
        "peeps_stuck_forever_tasks",
        "peeps_long_waits",
        "peeps_potential_deadlocks",
        "peeps_stale",
    ] {
        assert_eq!(v(metric, "healthy"), 0.0, "{metric}: {body}");
    }
    let (key, _) = labels(&scrape, "peeps_live_tasks", "healthy");
    assert!(key.starts_with(&format!("{}-", healthy.pid())), "{key}");

    // Its push ends: it turns stale, its last numbers stay.
    healthy.kill();
    eventually("the healthy process stale", || {
        let (scrape, body) = self::scrape(&url);
        match value(&scrape, "peeps_stale", "healthy", None) {
            Some(1.0) => Ok(()),
            _ => Err(body),
        }
    });
    wedged.kill();
}

#[test]
fn a_wedged_process_answers_its_own_metrics() {
    let mut child = ChildProc::start(
        "child_wedged_deadlock",
        &[("PEEPS_METRICS", "127.0.0.1:0"), ("CHILD_NAME", "wedged")],
    );
    let (found, lines) = child
        .child
        .stderr_until(PATIENCE, |l| l.starts_with("peeps: metrics on http://"));
    assert!(found, "no metrics line{}", child.child.output());
    let url = lines
        .last()
        .and_then(|l| l.strip_prefix("peeps: metrics on "))
        .expect("the line")
        .trim()
        .to_owned();
    assert!(url.ends_with("/metrics"), "{url}");
    // Only answered once the runtime is wedged for good.
    child.line("READY ");

    let (scrape, body) = scrape_until_deadlocked(&url, "wedged");
    let v = |metric: &str| {
        value(&scrape, metric, "wedged", None).unwrap_or_else(|| panic!("no {metric}: {body}"))
    };
    assert_eq!(
        value(&scrape, "peeps_deadlocks", "wedged", Some("probable")),
        Some(0.0)
    );
    assert_eq!(v("peeps_deadlocked_tasks"), 2.0, "{body}");
    assert!(v("peeps_live_tasks") >= 2.0, "{body}");
    assert_eq!(v("peeps_stale"), 0.0, "{body}");
    let processes: Vec<&str> = scrape
        .samples
        .iter()
        .filter(|s| s.metric == "peeps_live_tasks")
        .filter_map(|s| s.labels.get("process"))
        .collect();
    assert_eq!(processes, ["wedged"], "one process: itself");
    let (key, host) = labels(&scrape, "peeps_live_tasks", "wedged");
    assert!(key.starts_with(&format!("{}-", child.pid())), "{key}");
    assert_eq!(host, host_name());

    // Nothing but GET /metrics.
    let base = url.trim_end_matches("/metrics");
    assert_eq!(get(&format!("{base}/")).0, 404);
    assert_eq!(get(&format!("{base}/api/deadlocks")).0, 404);
    assert_eq!(request("POST", &url).0, 405);
    // And it keeps answering.
    assert_eq!(get(&url).0, 200);
}

#[test]
fn a_bad_metrics_address_is_said_and_the_program_runs_on() {
    // Held open for the whole test: its port cannot be bound again.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let taken = listener.local_addr().unwrap().to_string();
    for (addr, says) in [
        (
            "not an address",
            "cannot serve metrics on PEEPS_METRICS=\"not an address\"",
        ),
        (taken.as_str(), "cannot serve metrics on PEEPS_METRICS="),
    ] {
        let mut child = ChildProc::start("child_healthy", &[("PEEPS_METRICS", addr)]);
        child.line("READY ");
        let (found, _) = child
            .child
            .stderr_until(PATIENCE, |l| l.starts_with("peeps: ") && l.contains(says));
        assert!(found, "{addr}: expected {says:?}{}", child.child.output());
        assert!(
            child.child.try_wait().is_none(),
            "the program runs on{}",
            child.child.output()
        );
        assert!(
            !child.child.stderr().contains("panicked"),
            "{}",
            child.child.output()
        );
    }
}
