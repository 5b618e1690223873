//! Without a token: only requests that name a loopback host.
//!
//! A server without a token listens on loopback only, but a web page the
//! user opens elsewhere could still reach it through DNS rebinding: its
//! own host name made to resolve to 127.0.0.1, so the browser sends the
//! page's scripts to the dashboard with that name in the `Host` header.
//! Requests whose `Host` names anything but a loopback host (`localhost`,
//! `*.localhost`, `127.x.x.x`, `[::1]`, with any port) get a 403 saying
//! how to serve other names (with a token: then any name is accepted,
//! since every request must carry the token). A request with no `Host`
//! (HTTP/1.0) is answered.

use super::auth::{is_api, refusal};
use std::net::{Ipv4Addr, Ipv6Addr};
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::{Filter, Rejection};

/// What a refused request is told.
const WHY: &str = "peeps: this dashboard has no token, so it answers only requests for a \
                   loopback host (localhost, 127.0.0.1, [::1]). To reach it by another name \
                   (a proxy, a tunnel), start it with PEEPS_TOKEN or --token-file.";

/// `routes`, answered only for requests that name a loopback host.
pub(crate) fn loopback_only(
    routes: BoxedFilter<(warp::reply::Response,)>,
) -> BoxedFilter<(warp::reply::Response,)> {
    let check = warp::header::optional::<String>("host")
        .and(warp::path::full())
        .and_then(
            |host: Option<String>, path: warp::path::FullPath| async move {
                if host.as_deref().is_none_or(is_loopback_host) {
                    Ok(())
                } else {
                    let api = is_api(path.as_str());
                    Err(warp::reject::custom(ForeignHost { api }))
                }
            },
        )
        .untuple_one();
    check.and(routes).recover(forbidden).unify().boxed()
}

/// A request naming a host other than loopback.
#[derive(Debug)]
struct ForeignHost {
    api: bool,
}

impl warp::reject::Reject for ForeignHost {}

/// The 403 (the routes answer every request they accept, so the only
/// rejection left here is [`ForeignHost`]).
async fn forbidden(
    rejection: Rejection,
) -> Result<warp::reply::Response, std::convert::Infallible> {
    let api = rejection.find::<ForeignHost>().is_some_and(|f| f.api);
    Ok(refusal(StatusCode::FORBIDDEN, api, WHY))
}

/// Whether a `Host` header value names a loopback host, with or without
/// a port.
fn is_loopback_host(host: &str) -> bool {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        // `[::1]` or `[::1]:9120`.
        match rest.split_once(']') {
            Some((ip, _)) => return ip.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback()),
            None => return false,
        }
    } else {
        host.rsplit_once(':').map_or(host, |(name, _port)| name)
    };
    let name = name.trim_end_matches('.');
    name.eq_ignore_ascii_case("localhost")
        || name.to_ascii_lowercase().ends_with(".localhost")
        || name.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::is_loopback_host;

    #[test]
    fn loopback_names_with_or_without_a_port() {
        for ok in [
            "127.0.0.1:9120",
            "127.0.0.1",
            "127.1.2.3:80",
            "localhost:9120",
            "LOCALHOST",
            "app.localhost:1",
            "[::1]:9120",
            "[::1]",
            "localhost.",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for refused in [
            "evil.example:9120",
            "127.0.0.1.evil.example",
            "localhost.evil.example:9120",
            "10.0.0.1:9120",
            "[::2]:9120",
            "[::1",
            "",
            "0.0.0.0:9120",
        ] {
            assert!(!is_loopback_host(refused), "{refused}");
        }
    }
}
