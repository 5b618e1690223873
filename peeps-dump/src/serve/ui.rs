//! The browser UI: what `/` (and, once the UI lands, `/assets/*`) serves.
//!
//! For now a placeholder page compiled into the binary, linking the API.
//! The real UI (built from `frontend/`) replaces this module alone: the
//! rest of the server only calls [`routes`].

use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::Response;
use warp::reply::Reply;

const PLACEHOLDER: &str = include_str!("../../ui/placeholder.html");

/// `GET /`: the UI's page.
pub(crate) fn routes() -> BoxedFilter<(warp::reply::Response,)> {
    warp::path::end()
        .and(warp::get())
        .map(|| {
            Response::builder()
                .header("content-type", "text/html; charset=utf-8")
                .header("x-content-type-options", "nosniff")
                .header("cache-control", "no-cache")
                .body(PLACEHOLDER)
                // Static header names and values: building cannot fail.
                .expect("static response parts are valid")
                .into_response()
        })
        .boxed()
}
