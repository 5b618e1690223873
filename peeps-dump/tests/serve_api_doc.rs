//! docs/api.md shows real answers of a server to which the process of
//! docs/example-dump.json pushes, and whose dump directory holds that same
//! file (a dump the process wrote). This test starts that server and checks
//! that the documented examples are still what it answers: exactly for the
//! server's own formats (processes, dumps, graph; the fields that say when,
//! `last_seen_ms`, `age_ms`, `age` and `file`, are taken as documented),
//! field by field for the analysis report (its format is peeps-graph's,
//! documented in DESIGN.md §4).

mod serve_support;

use serde_json::Value;
use serve_support::*;

/// The `(path, json)` examples of docs/api.md, in order.
fn examples() -> Vec<(String, Value)> {
    let doc = include_str!("../../docs/api.md");
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(at) = rest.find("<!-- example: ") {
        rest = &rest[at + "<!-- example: ".len()..];
        let path = rest.split_whitespace().next().unwrap().to_owned();
        let start = rest
            .find("```json\n")
            .expect("a json block after the marker")
            + 8;
        let end = start + rest[start..].find("\n```").expect("the block ends");
        let json = serde_json::from_str(&rest[start..end])
            .unwrap_or_else(|e| panic!("the example of {path} is not JSON: {e}"));
        out.push((path, json));
        rest = &rest[end..];
    }
    out
}

/// Copies the documented values of the fields that depend on when and
/// where the test runs into `answer`, wherever both have them.
fn take_volatile(answer: &mut Value, documented: &Value) {
    const VOLATILE: [&str; 4] = ["last_seen_ms", "age_ms", "age", "file"];
    match (answer, documented) {
        (Value::Object(a), Value::Object(d)) => {
            for (k, v) in a.iter_mut() {
                match d.get(k) {
                    Some(dv) if VOLATILE.contains(&k.as_str()) => *v = dv.clone(),
                    Some(dv) => take_volatile(v, dv),
                    None => {}
                }
            }
        }
        (Value::Array(a), Value::Array(d)) => {
            for (v, dv) in a.iter_mut().zip(d) {
                take_volatile(v, dv);
            }
        }
        _ => {}
    }
}

fn keys(v: &Value) -> Vec<&String> {
    v.as_object().expect("an object").keys().collect()
}

#[test]
fn the_documented_examples_are_what_the_server_answers() {
    let dir = TempDir::new("apidoc");
    std::fs::write(
        dir.path().join("4242.json"),
        include_str!("../../docs/example-dump.json"),
    )
    .unwrap();
    let server = Server::start_with_dumps(dir.path(), &[]);
    let example = example_snapshot("4242-1763790000123456789", "bank");
    let mut pusher = Pusher::connect(&server);
    pusher.hello(&example.process).unwrap();
    pusher
        .frame(include_str!("../../docs/example-dump.json").as_bytes())
        .unwrap();
    eventually("the process pushing", || {
        server
            .process("4242-1763790000123456789")
            .ok_or_else(String::new)
    });
    let examples = examples();
    let paths: Vec<&str> = examples.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/api/processes",
            "/api/dumps",
            "/api/graph",
            "/api/deadlocks"
        ]
    );
    for (path, documented) in &examples {
        let mut answer = server.json(path);
        take_volatile(&mut answer, documented);
        if path == "/api/deadlocks" {
            assert_eq!(keys(&answer), keys(documented), "{path}");
            let (a, d) = (&answer["deadlocks"][0], &documented["deadlocks"][0]);
            assert_eq!(keys(a), keys(d), "{path}: a deadlock's fields");
            assert_eq!(
                keys(&a["cycle"][0]),
                keys(&d["cycle"][0]),
                "{path}: a step's fields"
            );
        } else {
            assert_eq!(
                &answer,
                documented,
                "docs/api.md's example of {path} is out of date; the answer is:\n{}",
                serde_json::to_string_pretty(&answer).unwrap()
            );
        }
    }
    // The raw snapshot is what the process pushed.
    let raw = server.json("/api/snapshots/4242-1763790000123456789");
    let dump: Value = serde_json::from_str(include_str!("../../docs/example-dump.json")).unwrap();
    assert_eq!(raw, dump);
    // The dump's own report is the same deadlock, then.
    let report = server.json("/api/deadlocks?dump=4242-1763790000123456789");
    assert_eq!(report["deadlocks"].as_array().unwrap().len(), 1);
    drop(pusher);
}
