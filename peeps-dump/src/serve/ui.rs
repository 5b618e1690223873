//! The browser UI: `/` and `/assets/*`, served from the bundle built from
//! `frontend/` and embedded in the binary, so `cargo install` needs no Node.
//!
//! The bundle (`peeps-dump/ui/dist/`) is committed; `frontend/check-bundle.sh`
//! (run by CI) rebuilds it and fails when it is stale. Its file names are
//! fixed (no content hashes), so the list below is fixed too; a test checks
//! that it matches the directory. The files change only with the binary, so
//! they are revalidated (`no-cache`) rather than cached for long.

use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::{Response, StatusCode};
use warp::reply::Reply;

/// One embedded file.
struct Asset {
    /// Its path under `dist/`.
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $content_type:literal) => {
        Asset {
            path: $path,
            content_type: $content_type,
            body: include_bytes!(concat!("../../ui/dist/", $path)),
        }
    };
}

/// Every file of the bundle.
const ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("assets/peeps.js", "text/javascript; charset=utf-8"),
    asset!("assets/peeps.css", "text/css; charset=utf-8"),
    asset!("assets/elk-worker.min.js", "text/javascript; charset=utf-8"),
];

/// What the page may load: only itself. The UI never builds HTML from data
/// (every name is a text node), and this keeps an injected tag inert even if
/// it did. The one inline style allowed (by its hash) is the rule cytoscape
/// adds to the page head, `.__________cytoscape_container { position:
/// relative; }`; the ELK layout runs in a worker loaded from /assets.
const CSP: &str = "default-src 'self'; script-src 'self'; worker-src 'self'; \
    style-src 'self' 'sha256-pgvDUBa4IjFA2yuSJ2cqcyxmNYJMborsd0ORcRv9vw8='; \
    img-src 'self' data:; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}

fn respond(asset: &'static Asset) -> warp::reply::Response {
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", asset.content_type)
        .header("x-content-type-options", "nosniff")
        .header("cache-control", "no-cache")
        .header("content-security-policy", CSP)
        .header("referrer-policy", "no-referrer")
        .body(asset.body)
        // Static header names and values: building cannot fail.
        .expect("static response parts are valid")
        .into_response()
}

/// `GET /` (the page) and `GET /assets/<file>` (its script, style and the
/// layout worker). An unknown asset is rejected (the API's 404 answers);
/// the browser tests (frontend/tests) fetch each one from a real server.
pub(crate) fn routes() -> BoxedFilter<(warp::reply::Response,)> {
    let index = warp::path::end()
        .and(warp::get())
        .map(|| respond(find("index.html").expect("index.html is in ASSETS (see the test)")));
    let assets = warp::path("assets")
        .and(warp::path::param::<String>())
        .and(warp::path::end())
        .and(warp::get())
        .and_then(|name: String| async move {
            find(&format!("assets/{name}"))
                .map(respond)
                .ok_or_else(warp::reject::not_found)
        });
    index.or(assets).unify().boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file of ui/dist is embedded, and nothing else.
    #[test]
    fn assets_match_the_dist_directory() {
        let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/dist");
        let mut on_disk = Vec::new();
        let mut stack = vec![dist.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("ui/dist is readable") {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path.strip_prefix(&dist).expect("under dist");
                    on_disk.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        on_disk.sort();
        let mut embedded: Vec<String> = ASSETS.iter().map(|a| a.path.to_owned()).collect();
        embedded.sort();
        assert_eq!(
            embedded, on_disk,
            "peeps-dump/src/serve/ui.rs ASSETS must list exactly the files of peeps-dump/ui/dist"
        );
    }

    #[test]
    fn content_types_follow_the_extension() {
        for a in ASSETS {
            let want = match a.path.rsplit('.').next() {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript; charset=utf-8",
                Some("css") => "text/css; charset=utf-8",
                other => panic!("{}: no content type for {other:?}", a.path),
            };
            assert_eq!(a.content_type, want, "{}", a.path);
            assert!(!a.body.is_empty(), "{}", a.path);
        }
        assert!(find("index.html").is_some());
    }
}
