//! docs/api.md shows real answers of a server reading docs/example-dump.json.
//! This test starts that server and checks that the documented examples are
//! still what it answers: exactly for the server's own formats (processes,
//! graph), field by field for the analysis report (its format is
//! peeps-graph's, documented in DESIGN.md §4).

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
    let examples = examples();
    let paths: Vec<&str> = examples.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["/api/processes", "/api/graph", "/api/deadlocks"]);
    for (path, documented) in &examples {
        let answer = server.json(path);
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
    // The raw snapshot is the dump file's content.
    let raw = server.json("/api/snapshots/4242-1763790000123456789");
    let dump: Value = serde_json::from_str(include_str!("../../docs/example-dump.json")).unwrap();
    assert_eq!(raw, dump);
}
