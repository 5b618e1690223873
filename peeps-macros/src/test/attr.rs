//! Parsing the arguments of `#[peeps::test(...)]`.
//!
//! The arguments `#[tokio::test]` takes, with its own checks and messages
//! (tokio-macros' `entry.rs`), plus `timeout = "30s"` and
//! `potential_deadlocks = "fail" | "warn" | "allow"`. What tokio takes but
//! peeps does not (`unhandled_panic`, `name`, the `local` flavor: unstable
//! tokio) is refused with a message saying so.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, LitStr, Meta, Path, Token};

/// The runtime flavor, as `#[tokio::test(flavor = ..)]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    CurrentThread,
    MultiThread,
}

impl Flavor {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Flavor::CurrentThread => "current_thread",
            Flavor::MultiThread => "multi_thread",
        }
    }
}

/// `#[peeps::test(...)]`'s arguments, checked.
#[derive(Default)]
pub(crate) struct TestArgs {
    /// `None`: not given (current-thread, as tokio's default for tests).
    pub(crate) flavor: Option<Flavor>,
    pub(crate) worker_threads: Option<usize>,
    pub(crate) start_paused: Option<bool>,
    /// The path to tokio (`crate = "..."`).
    pub(crate) krate: Option<Path>,
    /// The `crate` literal as written, passed on to `#[tokio::test]`.
    pub(crate) krate_lit: Option<LitStr>,
    /// `timeout`, in milliseconds.
    pub(crate) timeout_ms: Option<u64>,
    /// `potential_deadlocks`: what a potential deadlock does.
    pub(crate) potential: Option<Potential>,
}

/// `potential_deadlocks = ".."`: what a potential deadlock of the test's
/// tasks does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Potential {
    Fail,
    Warn,
    Allow,
}

impl Potential {
    /// The variant's name in `peeps_runtime::test::Potential`.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Potential::Fail => "Fail",
            Potential::Warn => "Warn",
            Potential::Allow => "Allow",
        }
    }
}

/// What the arguments may be named.
const KNOWN: &str =
    "`flavor`, `worker_threads`, `start_paused`, `crate`, `timeout`, `potential_deadlocks`";

impl Parse for TestArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated(input)?;
        let mut args = TestArgs::default();
        let mut spans = Spans::default();
        for meta in metas {
            let nv = match meta {
                Meta::NameValue(nv) => nv,
                Meta::Path(path) => return Err(bare_path(&path)),
                Meta::List(list) => {
                    return Err(syn::Error::new_spanned(
                        list,
                        format!("expected `name = value`; #[peeps::test] takes {KNOWN}"),
                    ));
                }
            };
            let key = nv
                .path
                .get_ident()
                .map(|i| i.to_string())
                .unwrap_or_default();
            let lit = match &nv.value {
                Expr::Lit(ExprLit { lit, .. }) => lit.clone(),
                other => return Err(syn::Error::new_spanned(other, "Must be a literal")),
            };
            let span = lit.span();
            let twice = || syn::Error::new(nv.path.span(), format!("`{key}` set multiple times."));
            match key.as_str() {
                "flavor" => {
                    if args.flavor.is_some() {
                        return Err(twice());
                    }
                    args.flavor = Some(flavor(&lit)?);
                }
                "worker_threads" => {
                    if args.worker_threads.is_some() {
                        return Err(twice());
                    }
                    let n = int(&lit, "worker_threads")?;
                    if n == 0 {
                        return Err(syn::Error::new(span, "`worker_threads` may not be 0."));
                    }
                    args.worker_threads = Some(n);
                    spans.worker_threads = Some(span);
                }
                "start_paused" => {
                    if args.start_paused.is_some() {
                        return Err(twice());
                    }
                    let Lit::Bool(b) = &lit else {
                        return Err(syn::Error::new(
                            span,
                            "Failed to parse value of `start_paused` as bool.",
                        ));
                    };
                    args.start_paused = Some(b.value);
                    spans.start_paused = Some(span);
                }
                "crate" => {
                    if args.krate.is_some() {
                        return Err(twice());
                    }
                    let s = string(&lit, "crate")?;
                    let path = s.parse::<Path>().map_err(|_| {
                        syn::Error::new(
                            span,
                            format!(
                                "Failed to parse value of `crate` as path: \"{}\"",
                                s.value()
                            ),
                        )
                    })?;
                    args.krate = Some(path);
                    args.krate_lit = Some(s);
                }
                "timeout" => {
                    if args.timeout_ms.is_some() {
                        return Err(twice());
                    }
                    args.timeout_ms = Some(timeout(&lit)?);
                }
                "potential_deadlocks" => {
                    if args.potential.is_some() {
                        return Err(twice());
                    }
                    args.potential = Some(potential(&lit)?);
                }
                "unhandled_panic" | "name" => {
                    return Err(syn::Error::new_spanned(
                        &nv,
                        format!(
                            "#[peeps::test] does not take `{key}` (an unstable tokio option); it takes {KNOWN}"
                        ),
                    ));
                }
                _ => {
                    return Err(syn::Error::new_spanned(
                        &nv.path,
                        format!("unknown argument `{key}`; #[peeps::test] takes {KNOWN}"),
                    ));
                }
            }
        }
        args.check(&spans)?;
        Ok(args)
    }
}

/// Where arguments that depend on the flavor were written.
#[derive(Default)]
struct Spans {
    worker_threads: Option<Span>,
    start_paused: Option<Span>,
}

impl TestArgs {
    /// The flavor in effect.
    pub(crate) fn flavor(&self) -> Flavor {
        self.flavor.unwrap_or(Flavor::CurrentThread)
    }

    /// tokio's checks of arguments against the flavor, with its messages.
    fn check(&self, spans: &Spans) -> syn::Result<()> {
        match self.flavor() {
            Flavor::CurrentThread => {
                if let Some(span) = spans.worker_threads {
                    return Err(syn::Error::new(
                        span,
                        "The `worker_threads` option requires the `multi_thread` runtime flavor. Use `#[peeps::test(flavor = \"multi_thread\")]`",
                    ));
                }
            }
            Flavor::MultiThread => {
                if let Some(span) = spans.start_paused {
                    return Err(syn::Error::new(
                        span,
                        "The `start_paused` option requires the `current_thread` runtime flavor. Use `#[peeps::test(flavor = \"current_thread\")]`",
                    ));
                }
            }
        }
        Ok(())
    }
}

fn bare_path(path: &Path) -> syn::Error {
    let name = path.get_ident().map(|i| i.to_string()).unwrap_or_default();
    let msg = match name.as_str() {
        "multi_thread" | "current_thread" => {
            format!("Set the runtime flavor with #[peeps::test(flavor = \"{name}\")].")
        }
        "flavor"
        | "worker_threads"
        | "start_paused"
        | "crate"
        | "timeout"
        | "potential_deadlocks" => {
            format!("The `{name}` attribute requires an argument.")
        }
        _ => format!("unknown argument `{name}`; #[peeps::test] takes {KNOWN}"),
    };
    syn::Error::new_spanned(path, msg)
}

fn flavor(lit: &Lit) -> syn::Result<Flavor> {
    let s = string(lit, "flavor")?;
    match s.value().as_str() {
        "current_thread" => Ok(Flavor::CurrentThread),
        "multi_thread" => Ok(Flavor::MultiThread),
        "local" => Err(syn::Error::new(
            s.span(),
            "#[peeps::test] does not run the `local` flavor (an unstable tokio runtime). The runtime flavors are `current_thread` and `multi_thread`.",
        )),
        other => Err(syn::Error::new(
            s.span(),
            format!(
                "No such runtime flavor `{other}`. The runtime flavors are `current_thread` and `multi_thread`."
            ),
        )),
    }
}

fn potential(lit: &Lit) -> syn::Result<Potential> {
    let s = string(lit, "potential_deadlocks")?;
    match s.value().as_str() {
        "fail" => Ok(Potential::Fail),
        "warn" => Ok(Potential::Warn),
        "allow" => Ok(Potential::Allow),
        other => Err(syn::Error::new(
            s.span(),
            format!(
                "`potential_deadlocks` is \"fail\" (the default), \"warn\" or \"allow\", not {other:?}"
            ),
        )),
    }
}

fn string(lit: &Lit, field: &str) -> syn::Result<LitStr> {
    match lit {
        Lit::Str(s) => Ok(s.clone()),
        _ => Err(syn::Error::new(
            lit.span(),
            format!("Failed to parse value of `{field}` as string."),
        )),
    }
}

fn int(lit: &Lit, field: &str) -> syn::Result<usize> {
    match lit {
        Lit::Int(i) => i.base10_parse::<usize>().map_err(|e| {
            syn::Error::new(
                lit.span(),
                format!("Failed to parse value of `{field}` as integer: {e}"),
            )
        }),
        _ => Err(syn::Error::new(
            lit.span(),
            format!("Failed to parse value of `{field}` as integer."),
        )),
    }
}

/// `timeout = "30s"` in milliseconds.
fn timeout(lit: &Lit) -> syn::Result<u64> {
    let Lit::Str(s) = lit else {
        return Err(syn::Error::new(
            lit.span(),
            "`timeout` takes a duration as a string, such as `timeout = \"30s\"`",
        ));
    };
    match parse_duration_ms(&s.value()) {
        Some(0) => Err(syn::Error::new(s.span(), "`timeout` must be longer than 0")),
        Some(ms) => Ok(ms),
        None => Err(syn::Error::new(
            s.span(),
            format!(
                "`timeout` takes a duration such as \"30s\", \"1.5m\" or \"500ms\", not {:?}",
                s.value()
            ),
        )),
    }
}

/// The twin of `peeps_runtime::test::parse_duration` (which reads
/// `PEEPS_TEST_TIMEOUT`), checked against the same cases: a number, with an
/// optional fraction, and a unit `ms`, `s`, `m`, `min`, `h` (none: seconds);
/// in whole milliseconds.
pub(crate) fn parse_duration_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let ms_per_unit = match unit.trim_start() {
        "ms" => 1.0,
        "" | "s" => 1e3,
        "m" | "min" => 60e3,
        "h" => 3600e3,
        _ => return None,
    };
    let well_formed = match number.split_once('.') {
        Some((whole, frac)) => !whole.is_empty() && !frac.is_empty() && !frac.contains('.'),
        None => !number.is_empty(),
    };
    if !well_formed {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let ms = (value * ms_per_unit).round();
    (ms.is_finite() && ms < u64::MAX as f64).then_some(ms as u64)
}

#[cfg(test)]
mod tests {
    use super::parse_duration_ms;

    /// The cases of `peeps_runtime::test::timeout`'s test.
    #[test]
    fn durations_have_a_number_and_a_unit() {
        let ok = [
            ("30s", 30_000),
            ("30", 30_000),
            (" 1.5s ", 1_500),
            ("500ms", 500),
            ("2m", 120_000),
            ("2min", 120_000),
            ("1h", 3_600_000),
            ("0.25 s", 250),
            ("0s", 0),
        ];
        for (text, ms) in ok {
            assert_eq!(parse_duration_ms(text), Some(ms), "{text:?}");
        }
        for bad in [
            "", "s", "soon", "-1s", "1e3s", "1.s", ".5s", "1.2.3s", "5 d", "infs", "NaN",
        ] {
            assert_eq!(parse_duration_ms(bad), None, "{bad:?}");
        }
    }
}
