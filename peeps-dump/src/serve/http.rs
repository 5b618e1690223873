//! The HTTP API (warp). docs/api.md documents every route with an example
//! response; the browser UI is built against exactly that.
//!
//! | route | answer |
//! | --- | --- |
//! | `GET /api/processes` | every process, live or stale |
//! | `GET /api/dumps` | every dump, with its age |
//! | `GET /api/status` | what the server holds, how long analyses take |
//! | `GET /api/graph?scope=blocked\|all&process=KEY` | the merged graph |
//! | `GET /api/deadlocks` | the analysis report |
//! | `GET /api/snapshots/{key}` | one process's latest snapshot, as received |
//! | `GET /api/history?node=UID` | what a node's process recorded about it |
//! | `GET /api/recording` | the instants the graph can be shown at |
//! | `GET /api/events` | server-sent events, `change` with `{"seq": n}` |
//! | `GET /metrics` | per-process metrics for Prometheus ([`super::metrics`]) |
//! | `GET /` | the UI ([`super::ui`]) |
//!
//! Every answer is read from the latest [`View`]: nothing is analysed per
//! request. With `at=MS` (an instant `/api/recording` lists), the view of
//! that instant answers instead, made once from the recording and kept
//! while it is asked for; with `dump=KEY`, the view of that dump alone.
//! Errors are JSON too: `{"error": "..."}` with status 400, 404 or 405. JSON answers are not cached by the browser (`no-store`): they
//! change with every push.

use super::api;
use super::ui;
use super::view::{View, Views};
use bytes::Bytes;
use peeps_graph::dot::Scope;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use warp::filters::BoxedFilter;
use warp::http::{Response, StatusCode};
use warp::reply::Reply;
use warp::sse::Event;
use warp::{Filter, Rejection};

/// How often an idle event stream gets a keep-alive comment.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Every route, with JSON errors.
pub(crate) fn routes(
    views: Views,
    shutdown: watch::Receiver<bool>,
) -> BoxedFilter<(warp::reply::Response,)> {
    // The view a request reads, and its query: the latest, or with
    // `at=MS` the one of that instant.
    let view = {
        let views = views.clone();
        warp::query::<HashMap<String, String>>()
            .and_then(move |q: HashMap<String, String>| {
                let views = views.clone();
                async move {
                    let view = match (q.get("at"), q.get("dump")) {
                        (None, None) => views.current(),
                        (None, Some(key)) => views
                            .dump(key)
                            .ok_or_else(|| warp::reject::custom(NoDump(key.clone())))?,
                        (Some(at), None) => match at.parse::<u64>() {
                            Ok(ms) => views.at(ms).await,
                            Err(_) => return Err(warp::reject::custom(BadInstant(at.clone()))),
                        },
                        (Some(_), Some(_)) => return Err(warp::reject::custom(AtAndDump)),
                    };
                    Ok::<_, Rejection>((view, q))
                }
            })
            .untuple_one()
    };
    let processes = warp::path!("api" / "processes")
        .and(view.clone())
        .map(|v: Arc<View>, _| json_value(StatusCode::OK, v.processes()));
    let graph = warp::path!("api" / "graph")
        .and(view.clone())
        .map(|v: Arc<View>, q: HashMap<String, String>| graph(&q, &v));
    let deadlocks = warp::path!("api" / "deadlocks")
        .and(view.clone())
        .map(|v: Arc<View>, _| json_bytes(StatusCode::OK, v.report_json()));
    let history = warp::path!("api" / "history")
        .and(view.clone())
        .map(|v: Arc<View>, q: HashMap<String, String>| history(&q, &v));
    // The dumps and the metrics are of the live system now: `at=` and
    // `dump=` do not apply.
    let dumps = {
        let views = views.clone();
        warp::path!("api" / "dumps")
            .map(move || json_value(StatusCode::OK, &views.current().dumps()))
    };
    let status = {
        let views = views.clone();
        warp::path!("api" / "status").map(move || json_value(StatusCode::OK, &views.status()))
    };
    let recording = {
        let views = views.clone();
        warp::path!("api" / "recording")
            .map(move || json_value(StatusCode::OK, &views.recorder().summary()))
    };
    let metrics = {
        let views = views.clone();
        warp::path!("metrics").map(move || super::metrics::reply(&views.current()))
    };
    let snapshot =
        warp::path!("api" / "snapshots" / String)
            .and(view)
            .map(|key: String, v: Arc<View>, _| match v.raw_snapshot(&key) {
                Some(raw) => json_bytes(StatusCode::OK, raw),
                None => error(
                    StatusCode::NOT_FOUND,
                    &format!("no process with key {key:?}"),
                ),
            });
    let events = warp::path!("api" / "events").map(move || events(&views, shutdown.clone()));
    let api = processes
        .or(graph)
        .unify()
        .or(deadlocks)
        .unify()
        .or(snapshot)
        .unify()
        .or(history)
        .unify()
        .or(recording)
        .unify()
        .or(dumps)
        .unify()
        .or(status)
        .unify()
        .or(events)
        .unify()
        .or(metrics)
        .unify();
    warp::get()
        .and(api.or(ui::routes()).unify())
        .recover(recover)
        .unify()
        .boxed()
}

fn graph(query: &HashMap<String, String>, view: &View) -> warp::reply::Response {
    let scope = match query.get("scope").map(String::as_str) {
        None | Some("blocked") => Scope::Blocked,
        Some("all") => Scope::All,
        Some(other) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("unknown scope {other:?}: expected \"blocked\" or \"all\""),
            );
        }
    };
    let process = query.get("process").map(String::as_str);
    if let Some(key) = process
        && !view.has_process(key)
    {
        return error(
            StatusCode::NOT_FOUND,
            &format!("no process with key {key:?}"),
        );
    }
    json_bytes(StatusCode::OK, view.graph_json(scope, process))
}

/// `/api/history?node=UID`.
fn history(query: &HashMap<String, String>, view: &View) -> warp::reply::Response {
    let Some(uid) = query.get("node") else {
        return error(StatusCode::BAD_REQUEST, "expected node=<process key>:<id>");
    };
    match view.node_history(uid) {
        Some(h) => json_value(StatusCode::OK, &h),
        None => error(
            StatusCode::NOT_FOUND,
            &format!("no process has node {uid:?}"),
        ),
    }
}

/// An `at=` that is not a number of ms.
#[derive(Debug)]
struct BadInstant(String);

impl warp::reject::Reject for BadInstant {}

/// A `dump=` naming no dump.
#[derive(Debug)]
struct NoDump(String);

impl warp::reject::Reject for NoDump {}

/// Both `at=` and `dump=`: a dump has no instants to step through.
#[derive(Debug)]
struct AtAndDump;

impl warp::reject::Reject for AtAndDump {}

/// `/api/events`: the current `seq` at once, then one `change` event per
/// new view, keep-alive comments while idle; the stream ends at shutdown.
fn events(views: &Views, shutdown: watch::Receiver<bool>) -> warp::reply::Response {
    let latest = views.subscribe();
    let stream = futures_util::stream::unfold(
        (latest, shutdown, true),
        |(mut latest, mut shutdown, first)| async move {
            if !first {
                tokio::select! {
                    changed = latest.changed() => changed.ok()?,
                    _ = shutdown.wait_for(|&stop| stop) => return None,
                }
            }
            if *shutdown.borrow() {
                return None;
            }
            let seq = latest.borrow_and_update().seq;
            let data =
                serde_json::to_string(&api::Change { seq }).expect("a number always serializes");
            let event = Event::default().event("change").data(data);
            Some((Ok::<_, Infallible>(event), (latest, shutdown, false)))
        },
    );
    let stream = warp::sse::keep_alive().interval(KEEP_ALIVE).stream(stream);
    warp::reply::with_header(warp::sse::reply(stream), "cache-control", "no-store").into_response()
}

fn json_bytes(status: StatusCode, body: Bytes) -> warp::reply::Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .body(body)
        // Static header names and values: building cannot fail.
        .expect("static response parts are valid")
        .into_response()
}

fn json_value<T: serde::Serialize + ?Sized>(
    status: StatusCode,
    value: &T,
) -> warp::reply::Response {
    match serde_json::to_vec(value) {
        Ok(body) => json_bytes(status, Bytes::from(body)),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("cannot serialize: {e}"),
        ),
    }
}

fn error(status: StatusCode, message: &str) -> warp::reply::Response {
    json_value(status, &api::Error { error: message })
}

async fn recover(rejection: Rejection) -> Result<warp::reply::Response, Infallible> {
    Ok(if rejection.is_not_found() {
        error(StatusCode::NOT_FOUND, "no such route (see docs/api.md)")
    } else if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        error(
            StatusCode::METHOD_NOT_ALLOWED,
            "only GET is served (see docs/api.md)",
        )
    } else if let Some(BadInstant(at)) = rejection.find::<BadInstant>() {
        error(
            StatusCode::BAD_REQUEST,
            &format!("at={at:?}: expected ms since the Unix epoch (see /api/recording)"),
        )
    } else if let Some(NoDump(key)) = rejection.find::<NoDump>() {
        error(
            StatusCode::NOT_FOUND,
            &format!("no dump of a process with key {key:?} (see /api/dumps)"),
        )
    } else if rejection.find::<AtAndDump>().is_some() {
        error(
            StatusCode::BAD_REQUEST,
            "at= and dump= cannot be combined: a dump is one instant",
        )
    } else if rejection.find::<warp::reject::InvalidQuery>().is_some() {
        error(StatusCode::BAD_REQUEST, "malformed query string")
    } else {
        error(StatusCode::BAD_REQUEST, &format!("{rejection:?}"))
    })
}
