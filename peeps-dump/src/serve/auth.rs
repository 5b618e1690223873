//! Authentication: the shared token that lets the server listen beyond
//! loopback.
//!
//! The token comes from `--token-file PATH` (the file's content, trimmed)
//! or else from `PEEPS_TOKEN` (trimmed; unset or blank means no token); the
//! file wins when both are given. It must be printable ASCII without
//! spaces, so it fits an HTTP header and a hello unchanged. Without a token
//! the server listens on loopback only ([`check_binds`]). With one, every
//! connection is checked, loopback or not:
//!
//! - **ingest**: a pushing program sends it in its hello
//!   ([`peeps_graph::wire::Hello::token`], from the program's own
//!   `PEEPS_TOKEN`); a hello without it, or with another, ends the
//!   connection before any snapshot is stored ([`Token::check_hello`]);
//! - **HTTP**: every route ([`guard`] wraps the whole route tree) needs
//!   `Authorization: Bearer <token>` or the session cookie. The cookie is set
//!   by `GET /login?code=<one-time code>` (the URL the server prints at
//!   start; the code works once) or `GET /login?token=<token>` (any number of
//!   times, for whoever has the token), whose answer refreshes to `/`. Its
//!   value is a random session secret made at start, never the token; it
//!   is `HttpOnly` and `SameSite=Strict`, named after the HTTP port so two
//!   servers on one host keep theirs apart, and lasts until the browser ends
//!   the session or the server restarts.
//!   Unauthenticated requests get 401: JSON `{"error": …}` under `/api/`,
//!   plain text elsewhere, both saying how to get in.
//!
//! Every secret is compared in constant time (`constant_time_eq`: only
//! whether the lengths differ can leak); the session secret and the
//! one-time code come from the operating system's random source
//! (`getrandom`). The token is never logged; `Debug` of every type here
//! hides it. The transport is plain HTTP and TCP: across an untrusted
//! network, put TLS in front (a reverse proxy, an SSH tunnel).

use super::api;
use anyhow::{Context, bail};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use warp::filters::BoxedFilter;
use warp::http::{Response, StatusCode};
use warp::{Filter, Rejection};

/// The environment variable the token is read from (shared with the push
/// client).
const TOKEN_ENV: &str = peeps_graph::wire::TOKEN_ENV;

/// Random bytes in the session secret (hex-encoded in the cookie).
const SESSION_BYTES: usize = 32;
/// Random bytes in the one-time code (hex-encoded in the printed URL).
const ONE_TIME_BYTES: usize = 16;
/// How long after start the printed one-time code logs a browser in: a
/// copy left in a log or a terminal's scrollback is no login for the
/// server's whole life (whoever has the token can use `/login?token=`).
const ONE_TIME_FOR: Duration = Duration::from_secs(15 * 60);

/// A secret compared in constant time; `Debug` never shows it.
#[derive(Clone)]
struct Secret(Arc<str>);

impl Secret {
    /// `bytes` random bytes from the operating system, hex-encoded.
    fn random(bytes: usize) -> anyhow::Result<Secret> {
        let mut raw = vec![0u8; bytes];
        getrandom::fill(&mut raw)
            .map_err(|e| anyhow::anyhow!("cannot read the system's random source: {e}"))?;
        let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Secret(hex.into()))
    }

    /// True when `candidate` is this secret; the time taken depends only on
    /// the lengths.
    fn matches(&self, candidate: &str) -> bool {
        constant_time_eq::constant_time_eq(self.0.as_bytes(), candidate.as_bytes())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The server's token.
#[derive(Debug, Clone)]
pub(crate) struct Token(Secret);

impl Token {
    /// The token `--token-file` (when given) or else `PEEPS_TOKEN` sets;
    /// `None` when neither does.
    ///
    /// # Errors
    ///
    /// An unreadable or empty token file, a `PEEPS_TOKEN` that is not
    /// Unicode, a token with spaces or non-ASCII characters: each in words
    /// that say which source was wrong (never its content).
    pub(crate) fn configured(file: Option<&Path>) -> anyhow::Result<Option<Token>> {
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("--token-file {}: cannot read it", path.display()))?;
            let token = text.trim();
            if token.is_empty() {
                bail!(
                    "--token-file {}: the file is empty; write a secret in it, e.g. \
                     `openssl rand -hex 32 > {}`",
                    path.display(),
                    path.display()
                );
            }
            return Token::new(token, &format!("--token-file {}", path.display())).map(Some);
        }
        match std::env::var(TOKEN_ENV) {
            Ok(text) if text.trim().is_empty() => Ok(None),
            Ok(text) => Token::new(text.trim(), TOKEN_ENV).map(Some),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => {
                bail!("{TOKEN_ENV} is not valid Unicode; use printable ASCII")
            }
        }
    }

    fn new(token: &str, source: &str) -> anyhow::Result<Token> {
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            bail!(
                "{source}: the token must be printable ASCII without spaces \
                 (e.g. the output of `openssl rand -hex 32`)"
            );
        }
        Ok(Token(Secret(token.into())))
    }

    /// Whether a hello may go on: `Ok` when it carries this token.
    pub(crate) fn check_hello(&self, hello: &peeps_graph::wire::Hello) -> Result<(), HelloRefused> {
        match &hello.token {
            None => Err(HelloRefused::Missing),
            Some(t) if self.0.matches(t) => Ok(()),
            Some(_) => Err(HelloRefused::Wrong),
        }
    }
}

/// Why a hello was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HelloRefused {
    /// The hello has no token.
    Missing,
    /// The hello has a token, not this server's.
    Wrong,
}

impl std::fmt::Display for HelloRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HelloRefused::Missing => write!(
                f,
                "its hello has no token (this server requires one: start the program with \
                 {TOKEN_ENV} set to the server's token)"
            ),
            HelloRefused::Wrong => f.write_str("its hello has a wrong token"),
        }
    }
}

/// Refuses a non-loopback address among `binds` (option name, address)
/// when there is no token.
///
/// # Errors
///
/// The first such address, with how to give a token.
pub(crate) fn check_binds(
    binds: &[(&str, SocketAddr)],
    token: Option<&Token>,
) -> anyhow::Result<()> {
    if token.is_some() {
        return Ok(());
    }
    for (option, addr) in binds {
        if !addr.ip().is_loopback() {
            bail!(
                "refusing to listen on {addr} ({option}): not a loopback address, and no token \
                 is set, so anyone who can reach it would read every snapshot. Give a token \
                 with {TOKEN_ENV}=<secret> or --token-file PATH (e.g. `openssl rand -hex 32`); \
                 pushing programs need the same {TOKEN_ENV}"
            );
        }
    }
    Ok(())
}

/// The HTTP side: the token, the session secret the cookie carries, and
/// the one-time login code.
#[derive(Debug)]
pub(crate) struct Http {
    token: Token,
    session: Secret,
    one_time: Secret,
    one_time_used: AtomicBool,
    /// The one-time code is refused after this ([`ONE_TIME_FOR`]).
    one_time_until: Instant,
    /// The session cookie's name (`peeps_session_<port>`).
    cookie: String,
}

impl Http {
    /// Fresh session secret and one-time code for a server whose HTTP
    /// listener is on `port`.
    ///
    /// # Errors
    ///
    /// The system's random source cannot be read.
    pub(crate) fn new(token: Token, port: u16) -> anyhow::Result<Http> {
        Ok(Http {
            token,
            session: Secret::random(SESSION_BYTES)?,
            one_time: Secret::random(ONE_TIME_BYTES)?,
            one_time_used: AtomicBool::new(false),
            one_time_until: Instant::now() + ONE_TIME_FOR,
            cookie: format!("peeps_session_{port}"),
        })
    }

    /// The URL to print: it logs a browser in once. It carries the one-time
    /// code, never the token.
    pub(crate) fn one_time_url(&self, http: SocketAddr) -> String {
        format!("http://{http}/login?code={}", self.one_time.0)
    }

    /// True when the request carries the bearer token or the session
    /// cookie.
    fn allows(&self, authorization: Option<&str>, cookies: Option<&str>) -> bool {
        let bearer = authorization
            .and_then(|value| value.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .is_some_and(|(_, token)| self.token.0.matches(token.trim()));
        bearer
            || cookies.is_some_and(|cookies| {
                cookies
                    .split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .any(|(name, value)| name == self.cookie && self.session.matches(value))
            })
    }

    /// `GET /login?code=…` or `?token=…`: sets the session cookie and
    /// sends the browser on to `/` (a page that refreshes to it), or says
    /// why not.
    fn login(&self, query: &HashMap<String, String>) -> warp::reply::Response {
        let refuse = |why: &str| refused(false, &format!("{why}\n\n{HOW_TO_GET_IN}"));
        if let Some(code) = query.get("code") {
            if !self.one_time.matches(code) {
                return refuse("peeps: this one-time code is wrong.");
            }
            if Instant::now() > self.one_time_until {
                return refuse(
                    "peeps: this one-time code has expired (it works for 15 minutes after \
                     the server starts).",
                );
            }
            if self.one_time_used.swap(true, Ordering::AcqRel) {
                return refuse("peeps: this one-time code was already used: it works once.");
            }
        } else if let Some(token) = query.get("token") {
            if !self.token.0.matches(token) {
                return refuse("peeps: wrong token.");
            }
        } else {
            return refuse("peeps: /login needs ?code=<one-time code> or ?token=<token>.");
        }
        // Not a 303: when the link was followed from another site (a chat,
        // a mail in a web client), the browser would not send a
        // SameSite=Strict cookie on the redirected request, and `/` would
        // answer 401 with the code already used. A refresh from this page is
        // a same-site navigation, so the cookie goes with it; a refresh of
        // no delay also replaces the login URL in the history.
        Response::builder()
            .status(StatusCode::OK)
            .header(
                "set-cookie",
                format!(
                    "{}={}; Path=/; HttpOnly; SameSite=Strict",
                    self.cookie, self.session.0
                ),
            )
            .header("cache-control", "no-store")
            .header("referrer-policy", "no-referrer")
            .header("content-security-policy", "default-src 'none'")
            .header("content-type", "text/html; charset=utf-8")
            .body(LOGGED_IN_PAGE.into())
            // Header values: a fixed name, hex digits and ASCII punctuation.
            .expect("login response parts are valid")
    }
}

/// The answer to a successful login: it sends the browser on to `/`.
const LOGGED_IN_PAGE: &str = "<!doctype html>\n<meta charset=\"utf-8\">\n\
    <meta http-equiv=\"refresh\" content=\"0; url=/\">\n<title>peeps</title>\n\
    <p>Logged in. <a href=\"/\">Open the dashboard</a>.</p>\n";

/// What a 401 says.
const HOW_TO_GET_IN: &str = "This peeps server requires its token. Open the one-time URL \
    `peeps serve` printed at start (it works once), or open /login?token=<token>, or send \
    the header `Authorization: Bearer <token>`.";

/// A request without valid credentials (the path decides the body's form).
#[derive(Debug)]
struct Unauthorized {
    api: bool,
}

impl warp::reject::Reject for Unauthorized {}

/// `routes`, behind the token when there is one: `/login`, then every
/// other request only with the bearer token or the session cookie.
pub(crate) fn guard(
    auth: Option<Arc<Http>>,
    routes: BoxedFilter<(warp::reply::Response,)>,
) -> BoxedFilter<(warp::reply::Response,)> {
    let Some(auth) = auth else {
        return routes;
    };
    let login = {
        let auth = auth.clone();
        warp::path!("login")
            .and(warp::get())
            .and(warp::query::<HashMap<String, String>>())
            .map(move |query: HashMap<String, String>| auth.login(&query))
    };
    let gate = warp::path::full()
        .and(warp::header::headers_cloned())
        .and_then(
            move |path: warp::path::FullPath, headers: warp::http::HeaderMap| {
                let auth = auth.clone();
                async move {
                    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
                    if auth.allows(header("authorization"), header("cookie")) {
                        Ok(())
                    } else {
                        let api = is_api(path.as_str());
                        Err(warp::reject::custom(Unauthorized { api }))
                    }
                }
            },
        )
        .untuple_one();
    login
        .or(gate.and(routes))
        .unify()
        .recover(unauthorized)
        .unify()
        .boxed()
}

/// The 401 answer (any rejection left here is from an unauthenticated
/// request: authenticated ones are answered by the routes).
async fn unauthorized(
    rejection: Rejection,
) -> Result<warp::reply::Response, std::convert::Infallible> {
    let api = rejection.find::<Unauthorized>().is_some_and(|u| u.api);
    Ok(refused(api, HOW_TO_GET_IN))
}

/// A 401 saying `why` (see [`refusal`]), with the bearer challenge.
fn refused(api: bool, why: &str) -> warp::reply::Response {
    let mut answer = refusal(StatusCode::UNAUTHORIZED, api, why);
    answer.headers_mut().insert(
        "www-authenticate",
        warp::http::HeaderValue::from_static("Bearer realm=\"peeps\""),
    );
    answer
}

/// Whether `path` is the API's (its refusals are JSON).
pub(super) fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// A refusal with `status` saying `why`: JSON `{"error": why}` for the
/// API, plain text otherwise (shared with [`super::hosts`]).
pub(super) fn refusal(status: StatusCode, api: bool, why: &str) -> warp::reply::Response {
    let (content_type, body) = if api {
        let body = serde_json::to_string(&api::Error { error: why })
            .expect("a struct of one string always serializes");
        ("application/json", body)
    } else {
        ("text/plain; charset=utf-8", format!("{why}\n"))
    };
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("cache-control", "no-store")
        .body(body.into())
        // Static header names and values: building cannot fail.
        .expect("static response parts are valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http() -> Http {
        Http::new(Token::new("s3cret", "test").unwrap(), 9120).unwrap()
    }

    #[test]
    fn bearer_and_cookie_are_checked() {
        let auth = http();
        let cookie = format!("other=1; peeps_session_9120={}", auth.session.0);
        assert!(auth.allows(Some("Bearer s3cret"), None));
        assert!(auth.allows(Some("bearer  s3cret "), None));
        assert!(auth.allows(None, Some(&cookie)));
        for (authorization, cookies) in [
            (None, None),
            (Some("Bearer s3cre"), None),
            (Some("Basic s3cret"), None),
            (Some("s3cret"), None),
            (None, Some("peeps_session_9120=s3cret")),
            (None, Some("peeps_session_9121=whatever")),
        ] {
            assert!(
                !auth.allows(authorization, cookies),
                "{authorization:?} {cookies:?}"
            );
        }
        // Another port's cookie does not open this one.
        let other = format!("peeps_session_9121={}", auth.session.0);
        assert!(!auth.allows(None, Some(&other)));
    }

    #[test]
    fn tokens_must_be_printable_ascii() {
        assert!(Token::new("abc-DEF_123.~", "test").is_ok());
        for bad in ["two words", "tab\there", "é"] {
            assert!(Token::new(bad, "test").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let shown = format!("{:?}", http());
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
