//! `peeps demo`: a deadlock across processes, found and shown.
//!
//! Starts a dashboard (`peeps serve` as a child, on free loopback ports)
//! and a ring of processes (`peeps demo service`, the same binary) that
//! serve a roam service on 127.0.0.1 and push their snapshots to the
//! dashboard. The last process calls the first one's `Ring.start`, which
//! takes a lock and calls round the ring until a call comes back to the
//! first process and needs that lock: each process waits on the next, and
//! none can move. The demo waits until the dashboard reports it
//! (`/api/deadlocks`), prints it in words and the URL where the UI shows it,
//! and runs until Ctrl-C, which stops every process it started.
//!
//! The children are in one process group of their own and die with the
//! demo however it ends: SIGTERM to the group on exit, `PR_SET_PDEATHSIG`
//! if the demo is killed outright, and the ring processes also exit when
//! their stdin (a pipe from the demo) closes. See [`ring`] for the
//! processes themselves.

mod children;
mod http;
mod ring;

use crate::cli::{Exit, Run};
use anyhow::{Context, bail};
use children::Child;
use nix::unistd::Pid;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long a child may take to start and say it is ready.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the dashboard is asked for its report.
const POLL: Duration = Duration::from_millis(500);
/// How often the healthy control says how it is doing.
const HEALTHY_EVERY: Duration = Duration::from_secs(5);
/// How long children get to exit on SIGTERM before SIGKILL.
const GRACE: Duration = Duration::from_secs(3);

/// Arguments of `peeps demo`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct DemoArgs {
    #[command(subcommand)]
    part: Option<Part>,
    /// How many processes call each other round the ring.
    #[arg(long, value_name = "N", default_value_t = 2,
          value_parser = clap::value_parser!(u32).range(2..=8))]
    processes: u32,
    /// The healthy control: the same calls round the same ring, under load,
    /// but the first process lets its lock go before calling on. Nothing
    /// deadlocks; the demo says so every few seconds.
    #[arg(long)]
    healthy: bool,
    /// Where the dashboard serves the UI and the API. Port 0 picks a free
    /// port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    http: SocketAddr,
    /// Where the dashboard receives the processes' snapshots. Port 0 picks
    /// a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Start no dashboard: the processes only write dumps on SIGUSR1, for
    /// `peeps analyze`.
    #[arg(long)]
    no_dashboard: bool,
    /// The processes' dump directory (SIGUSR1), which the dashboard reads
    /// too [default: a new temporary directory, removed at the end]
    #[arg(long, value_name = "DIR")]
    dumps: Option<PathBuf>,
    /// Give up when the dashboard has not reported the deadlock after this
    /// many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    timeout: u64,
}

/// The demo's hidden parts, run as its child processes.
#[derive(Debug, clap::Subcommand)]
enum Part {
    /// One process of the ring.
    #[command(hide = true)]
    Service(ring::ServiceArgs),
}

impl Run for DemoArgs {
    fn run(self) -> anyhow::Result<Exit> {
        if let Some(Part::Service(service)) = self.part {
            return service.run();
        }
        signals::install()?;
        let (dumps, temporary) = match &self.dumps {
            Some(dir) => (dir.clone(), false),
            None => (
                std::env::temp_dir().join(format!("peeps-demo-{}", std::process::id())),
                true,
            ),
        };
        std::fs::create_dir_all(&dumps)
            .with_context(|| format!("cannot make the dump directory {}", dumps.display()))?;
        let mut demo = Demo {
            args: self,
            dumps: dumps.clone(),
            children: Vec::new(),
            group: None,
        };
        let result = demo.run();
        let started = demo.children.len();
        demo.stop();
        if temporary {
            let _ = std::fs::remove_dir_all(&dumps);
        }
        if started > 0 {
            println!("peeps demo: stopped {started} processes");
        }
        result
    }
}

/// The dashboard's addresses.
#[derive(Debug, Clone)]
struct Dashboard {
    http: SocketAddr,
    url: String,
}

/// The demo while it runs: its children, in one process group.
#[derive(Debug)]
struct Demo {
    args: DemoArgs,
    dumps: PathBuf,
    children: Vec<Child>,
    group: Option<Pid>,
}

/// The ring processes' names: `a`, `b`, `c`, ...
fn names(n: u32) -> Vec<String> {
    (0..n)
        .map(|i| char::from(b'a' + i as u8).to_string())
        .collect()
}

impl Demo {
    fn run(&mut self) -> anyhow::Result<Exit> {
        let exe = std::env::current_exe().context("cannot find the peeps executable")?;
        let dashboard = if self.args.no_dashboard {
            None
        } else {
            Some(self.start_dashboard(&exe)?)
        };
        let ingest = dashboard.as_ref().map(|(_, ingest)| *ingest);
        let addrs = self.start_ring(&exe, ingest)?;
        let dashboard = dashboard.map(|(d, _)| d);
        self.say_what_runs(dashboard.as_ref(), &addrs);
        match (&dashboard, self.args.healthy) {
            (Some(d), false) => self.wait_for_deadlock(d),
            (Some(d), true) => self.watch_healthy(Some(d)),
            (None, true) => self.watch_healthy(None),
            (None, false) => self.wait_for_stop(),
        }
    }

    /// Starts `peeps serve` on the requested ports, reading from the dump
    /// directory; returns its addresses once it listens.
    fn start_dashboard(&mut self, exe: &Path) -> anyhow::Result<(Dashboard, SocketAddr)> {
        let mut cmd = Command::new(exe);
        cmd.arg("serve")
            .arg("--listen")
            .arg(self.args.listen.to_string())
            .arg("--http")
            .arg(self.args.http.to_string())
            .arg("--dumps")
            .arg(&self.dumps);
        let mut server = children::spawn("dashboard", cmd, None)?;
        self.group = Some(server.pid());
        let deadline = Instant::now() + START_TIMEOUT;
        let result = (|| -> anyhow::Result<(Dashboard, SocketAddr)> {
            let ingest = server.expect("peeps: ingest listening on ", deadline)?;
            let http = server.expect("peeps: http listening on ", deadline)?;
            let url = server.expect("peeps: open ", deadline)?;
            let ingest = ingest.parse().context("the dashboard's ingest address")?;
            let http = http.parse().context("the dashboard's http address")?;
            Ok((Dashboard { http, url }, ingest))
        })();
        self.children.push(server);
        result
    }

    /// Starts the ring, tells each process where the next one listens, and
    /// waits until all are connected. Returns where each listens.
    fn start_ring(
        &mut self,
        exe: &Path,
        ingest: Option<SocketAddr>,
    ) -> anyhow::Result<Vec<String>> {
        let names = names(self.args.processes);
        let first = self.children.len();
        for (i, name) in names.iter().enumerate() {
            let next = &names[(i + 1) % names.len()];
            let mut cmd = Command::new(exe);
            cmd.args(["demo", "service", "--name", name, "--next-name", next])
                .arg("--ring")
                .arg(names.len().to_string())
                .env("PEEPS_DUMP_DIR", &self.dumps)
                .env_remove("PEEPS_DASHBOARD")
                .env_remove("PEEPS_WATCHDOG");
            if let Some(ingest) = ingest {
                cmd.env("PEEPS_DASHBOARD", ingest.to_string());
            }
            if self.args.healthy {
                cmd.arg("--healthy");
            }
            if i + 1 == names.len() {
                cmd.arg("--kick");
            }
            let child = children::spawn(name, cmd, self.group)?;
            self.group.get_or_insert(child.pid());
            self.children.push(child);
        }
        let deadline = Instant::now() + START_TIMEOUT;
        let mut addrs = Vec::new();
        for c in &mut self.children[first..] {
            addrs.push(c.expect("LISTEN ", deadline)?);
        }
        let ring = &mut self.children[first..];
        for i in 0..ring.len() {
            let next = &addrs[(i + 1) % addrs.len()];
            ring[i].tell(next)?;
        }
        for c in ring.iter_mut() {
            c.expect("READY ", deadline)?;
        }
        Ok(addrs)
    }

    fn say_what_runs(&self, dashboard: Option<&Dashboard>, addrs: &[String]) {
        let names = names(self.args.processes);
        let n = names.len();
        let how = if dashboard.is_some() {
            "pushing to a dashboard"
        } else {
            "dumping on SIGUSR1"
        };
        println!("peeps demo: {n} processes calling each other over roam on 127.0.0.1, {how}");
        let ring = &self.children[self.children.len() - n..];
        if let (Some(d), Some(server)) = (dashboard, self.children.first()) {
            println!("  {:<10} pid {:<7} {}", "dashboard", server.pid(), d.url);
        }
        for (i, c) in ring.iter().enumerate() {
            let next = &names[(i + 1) % n];
            println!(
                "  {:<10} pid {:<7} serves Ring on {}, calls {next}",
                c.name,
                c.pid(),
                addrs[i]
            );
        }
        let (first, last) = (&names[0], &names[n - 1]);
        if self.args.healthy {
            println!(
                "healthy control: {last} keeps 8 callers calling {first}'s Ring.start, round the \
                 same ring, but {first} lets its lock \"ledger\" go before calling on: nothing \
                 can deadlock."
            );
        } else {
            let mut story = format!(
                "{last} calls {first}'s Ring.start: {first} takes its lock \"ledger\" and calls {}'s Ring.relay",
                names[1]
            );
            for i in 1..n - 1 {
                story.push_str(&format!(
                    ", {} calls {}'s Ring.relay",
                    names[i],
                    names[i + 1]
                ));
            }
            story.push_str(&format!(
                ", {last} calls {first}'s Ring.settle, which needs \"ledger\" too."
            ));
            println!("{story}");
        }
        if dashboard.is_none() {
            let pids: Vec<String> = ring.iter().map(|c| c.pid().to_string()).collect();
            println!(
                "dump them with `kill -USR1 {}`, then `peeps analyze {}/*.json`",
                pids.join(" "),
                self.dumps.display()
            );
        }
    }

    /// Asks the dashboard until it reports a deadlock, prints it, then runs
    /// until stopped.
    fn wait_for_deadlock(&mut self, dashboard: &Dashboard) -> anyhow::Result<Exit> {
        println!("waiting for the dashboard to find the deadlock...");
        let started = Instant::now();
        let deadline = started + Duration::from_secs(self.args.timeout);
        loop {
            if signals::stopped() {
                return Ok(Exit::Ok);
            }
            self.check_children()?;
            let report = http::get_json(dashboard.http, "/api/deadlocks")?;
            if let Some(text) = deadlock_text(&report) {
                println!();
                println!("{}", text.trim_end());
                println!();
                println!(
                    "The dashboard found it in {:.1} s: see it at {}",
                    started.elapsed().as_secs_f64(),
                    dashboard.url
                );
                println!(
                    "Ctrl-C stops the demo and its {} processes.",
                    self.children.len()
                );
                return self.wait_for_stop();
            }
            if Instant::now() >= deadline {
                bail!(
                    "the dashboard reported no deadlock in {} s (see {})",
                    self.args.timeout,
                    dashboard.url
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// Runs the healthy control until stopped, saying every few seconds how
    /// many calls were answered and that no deadlock is reported.
    fn watch_healthy(&mut self, dashboard: Option<&Dashboard>) -> anyhow::Result<Exit> {
        if let Some(d) = dashboard {
            println!("see it at {} (Ctrl-C stops the demo)", d.url);
        }
        let started = Instant::now();
        let mut next_say = started + HEALTHY_EVERY;
        let mut answered = String::from("0");
        loop {
            if signals::stopped() {
                return Ok(Exit::Ok);
            }
            self.check_children()?;
            if let Some(kicker) = self.children.last_mut() {
                for line in kicker.drain() {
                    if let Some(n) = line.strip_prefix("LOAD ") {
                        answered = n.trim().to_owned();
                    }
                }
            }
            if Instant::now() >= next_say {
                next_say += HEALTHY_EVERY;
                let verdict = match dashboard {
                    Some(d) => {
                        let report = http::get_json(d.http, "/api/deadlocks")?;
                        if let Some(text) = deadlock_text(&report) {
                            println!("{}", text.trim_end());
                            bail!("the healthy control deadlocked");
                        }
                        "the dashboard reports no deadlock"
                    }
                    None => "no dashboard asked",
                };
                println!(
                    "  {:>5.1} s: {answered} calls answered, {verdict}",
                    started.elapsed().as_secs_f64()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_for_stop(&mut self) -> anyhow::Result<Exit> {
        while !signals::stopped() {
            self.check_children()?;
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(Exit::Ok)
    }

    /// Fails when a child has ended: none should before the demo stops.
    fn check_children(&mut self) -> anyhow::Result<()> {
        for c in &mut self.children {
            if let Some(status) = c.exited() {
                bail!("{} ended ({status}){}", c.name, c.stderr_tail());
            }
        }
        Ok(())
    }

    fn stop(&mut self) {
        children::stop_all(&mut self.children, self.group, GRACE);
    }
}

/// The text of the report's first deadlock, cross-process ones first.
fn deadlock_text(report: &serde_json::Value) -> Option<String> {
    let deadlocks = report.get("deadlocks")?.as_array()?;
    let cross =
        |d: &&serde_json::Value| d.get("cross_process") == Some(&serde_json::Value::Bool(true));
    let d = deadlocks.iter().find(cross).or_else(|| deadlocks.first())?;
    Some(d.get("text")?.as_str()?.to_owned())
}

/// Ctrl-C, SIGTERM and SIGHUP set a flag the demo's loops read.
mod signals {
    use super::*;
    use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};

    static STOP: AtomicBool = AtomicBool::new(false);

    extern "C" fn on_signal(_: nix::libc::c_int) {
        STOP.store(true, Ordering::SeqCst);
    }

    /// Installs the handler.
    pub(super) fn install() -> anyhow::Result<()> {
        let action = SigAction::new(
            SigHandler::Handler(on_signal),
            SaFlags::SA_RESTART,
            SigSet::empty(),
        );
        for sig in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
            // SAFETY: the handler only stores to an atomic, which is
            // async-signal-safe.
            unsafe { sigaction(sig, &action) }.with_context(|| format!("cannot handle {sig}"))?;
        }
        Ok(())
    }

    /// True once a stop signal arrived.
    pub(super) fn stopped() -> bool {
        STOP.load(Ordering::SeqCst)
    }
}
