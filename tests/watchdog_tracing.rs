//! Feature `tracing`: the watchdog's findings reach the program's own
//! `tracing` subscriber. A child process (this binary re-run) installs a
//! subscriber whose layer prints every `peeps` event as one JSON line on
//! stdout, sets off a real deadlock with `PEEPS_WATCHDOG` on, and the test
//! reads the event: level, target, fields. stderr still says it.

#![cfg(feature = "diagnostics")]

use peeps_test_support::{ChildProcess, rerun};
use serde_json::{Map, Value, json};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

const CHILD_ENV: &str = "PEEPS_TRACING_TEST_CHILD";
const PATIENCE: Duration = Duration::from_secs(60);

/// A layer that prints each event of target `peeps` as `EVENT {json}`.
struct PrintPeepsEvents;

/// Collects an event's fields as JSON.
struct Fields(Map<String, Value>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), json!(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), json!(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), json!(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_owned(), json!(format!("{value:?}")));
    }
}

impl<S: tracing::Subscriber> Layer<S> for PrintPeepsEvents {
    fn on_event(&self, event: &tracing::Event<'_>, _cx: Context<'_, S>) {
        let meta = event.metadata();
        if meta.target() != "peeps" {
            return;
        }
        let mut fields = Fields(Map::new());
        event.record(&mut fields);
        let line = json!({
            "level": meta.level().as_str(),
            "target": meta.target(),
            "fields": fields.0,
        });
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "EVENT {line}");
        let _ = out.flush();
    }
}

#[test]
#[ignore = "a child process of a_deadlock_is_an_error_event_with_its_tasks_and_resources"]
fn child_traced_deadlock() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(PrintPeepsEvents))
        .expect("the only subscriber");
    // PEEPS_WATCHDOG is set by the parent.
    peeps::init_named("traced");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let a = Arc::new(peeps::sync::Mutex::new(1).named("acct-1"));
        let b = Arc::new(peeps::sync::Mutex::new(2).named("acct-2"));
        let both_locked = Arc::new(tokio::sync::Barrier::new(2));
        let transfer = |name: &'static str,
                        first: Arc<peeps::sync::Mutex<i32>>,
                        second: Arc<peeps::sync::Mutex<i32>>| {
            let both_locked = both_locked.clone();
            peeps::spawn_named(name, async move {
                let mut from = first.lock().await;
                both_locked.wait().await;
                let mut to = second.lock().await;
                *from -= 1;
                *to += 1;
            })
        };
        let _a = transfer("transfer-a", a.clone(), b.clone());
        let _b = transfer("transfer-b", b, a);
        std::future::pending::<()>().await;
    });
}

#[test]
fn a_deadlock_is_an_error_event_with_its_tasks_and_resources() {
    let mut cmd = rerun("child_traced_deadlock");
    cmd.env(CHILD_ENV, "1").env("PEEPS_WATCHDOG", "0.1");
    let child = ChildProcess::start("child_traced_deadlock", cmd);
    let (found, lines) = child.stdout_until(PATIENCE, |l| l.contains("EVENT "));
    assert!(found, "no peeps event{}", child.output());
    let event: Value = lines
        .last()
        .and_then(|l| l.split_once("EVENT "))
        .and_then(|(_, json)| serde_json::from_str(json).ok())
        .expect("the event as JSON");
    assert_eq!(event["level"], "ERROR", "{event}");
    assert_eq!(event["target"], "peeps", "{event}");
    let f = &event["fields"];
    let field = |name: &str| {
        f[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name}: {event}"))
            .to_owned()
    };
    assert_eq!(field("message"), "deadlock");
    assert_eq!(field("certainty"), "certain");
    for task in ["task \"transfer-a\"", "task \"transfer-b\""] {
        assert!(field("tasks").contains(task), "{event}");
        assert!(field("summary").contains(task), "{event}");
    }
    for mutex in ["mutex \"acct-1\"", "mutex \"acct-2\""] {
        assert!(field("resources").contains(mutex), "{event}");
    }
    assert!(
        field("summary").starts_with("deadlock (certain, 2 tasks, 1 process)"),
        "{event}"
    );
    assert_eq!(field("process"), "traced");
    assert_eq!(f["pid"], u64::from(child.pid()), "{event}");
    // stderr says the same words, as without the feature.
    let text = field("text");
    let (said, _) = child.stderr_until(PATIENCE, |l| l.contains("has a deadlock"));
    assert!(said, "stderr unchanged{}", child.output());
    // The message is one write; its lines are read one by one.
    let deadline = std::time::Instant::now() + PATIENCE;
    while !child.stderr().contains(&text) {
        assert!(
            std::time::Instant::now() < deadline,
            "stderr prints the event's text{}",
            child.output()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
