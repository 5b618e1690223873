//! Deadlock from a bug report: pop-os/cosmic-term#818 ("Revert \"bound
//! the event channel to prevent unbounded RSS growth\""), the deadlock
//! #806 brought in. #806 bounded the channel that carries alacritty's
//! terminal events to the app (1024 messages). alacritty's `EventLoop`
//! thread (`PTY reader`) parses the shell's output with the terminal's
//! `FairMutex` held, and sends its events (`Wakeup`, `Title`, ...)
//! through the `EventProxy` before it lets the lock go. The app reads the
//! channel in an iced subscription, which forwards each event into the
//! runtime's own bounded message channel; the app's `update`, on the main
//! thread, handles a `TermEvent` with `Terminal::update`, which locks the
//! terminal (src/terminal.rs:760). Under a flood of output (`yes | head
//! -c 1G`): the PTY thread, holding the terminal, blocks sending into the
//! full event channel; the subscription blocks forwarding into the full
//! message channel; `update` blocks on the terminal's lock.
//!
//! Written as cosmic-term and iced do it: the subscription (a plain
//! `tokio::spawn` task, iced's executor) makes the event channel and
//! hands its sender to the app in a message; the app clones it into the
//! terminal's `EventProxy`, moved into a `std::thread` named
//! `PTY reader` that sends with `blocking_send` from under the lock (a
//! `peeps::sync::blocking::Mutex` named `term`); `main`'s thread runs the
//! app's update loop over `app-messages`, pacing its redraws.
//!
//! Expected: one `probable` deadlock (the subscription is a plain task) of
//! three: `thread main` waiting for `term` (held by `thread PTY reader`),
//! `thread PTY reader` waiting to send into `term-events` (its receiver
//! with the subscription task), the subscription waiting to send into
//! `app-messages` (its receiver with `thread main`).

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::blocking::Mutex;
use peeps::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug)]
enum Event {
    Wakeup,
    Title(String),
}

#[derive(Default)]
struct Term {
    lines: u64,
    damaged: bool,
}

/// cosmic-term's `EventProxy`: alacritty calls it from the PTY thread.
#[derive(Clone)]
struct EventProxy(mpsc::Sender<(u32, Event)>);

impl EventProxy {
    fn send_event(&self, event: Event) {
        let _ = self.0.blocking_send((1, event));
    }
}

enum Message {
    TermEventTx(mpsc::Sender<(u32, Event)>),
    TermEvent(u32, Event),
}

/// alacritty's `EventLoop::pty_read`: parses a chunk with the terminal
/// locked, then queues a redraw, the lock still held.
fn pty_event_loop(term: Arc<Mutex<Term>>, proxy: EventProxy) {
    for chunk in 0u64.. {
        let mut terminal = term.lock();
        terminal.lines += 64;
        terminal.damaged = true;
        if chunk % 8 == 0 {
            proxy.send_event(Event::Title(format!("yes ({chunk})")));
        }
        proxy.send_event(Event::Wakeup);
        drop(terminal);
        std::thread::sleep(Duration::from_millis(1));
    }
}

struct Terminal {
    term: Arc<Mutex<Term>>,
    shown_lines: u64,
}

impl Terminal {
    fn update(&mut self) {
        let mut term = self.term.lock();
        self.shown_lines = term.lines;
        term.damaged = false;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("pty_reader_holds_term_across_full_events");
    let (output, mut messages) = mpsc::channel_named::<Message>("app-messages", 4);
    // The terminal-events subscription, run by iced's executor.
    tokio::spawn(async move {
        let (event_tx, mut event_rx) = mpsc::channel_named("term-events", 8);
        let _ = output.send(Message::TermEventTx(event_tx)).await;
        while let Some((id, event)) = event_rx.recv().await {
            let _ = output.send(Message::TermEvent(id, event)).await;
        }
    });
    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "term", "lock")
            && waited_on_for(g, NodeKind::Channel, "term-events", "send")
            && waited_on_for(g, NodeKind::Channel, "app-messages", "send")
    });
    let mut terminal: Option<Terminal> = None;
    let mut event_tx_opt = None;
    let mut title = String::new();
    while let Some(message) = messages.recv().await {
        match message {
            Message::TermEventTx(event_tx) => {
                let term = Arc::new(Mutex::new(Term::default()).named("term"));
                let proxy = EventProxy(event_tx.clone());
                event_tx_opt = Some(event_tx);
                let pty_term = term.clone();
                std::thread::Builder::new()
                    .name("PTY reader".into())
                    .spawn(move || pty_event_loop(pty_term, proxy))
                    .expect("spawn the PTY thread");
                terminal = Some(Terminal {
                    term,
                    shown_lines: 0,
                });
            }
            Message::TermEvent(id, Event::Title(t)) => title = format!("{id}: {t}"),
            Message::TermEvent(_, Event::Wakeup) => {
                if let Some(terminal) = terminal.as_mut() {
                    terminal.update();
                }
                // The redraw, paced by the compositor's frames.
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        }
    }
    println!("{title} {}", event_tx_opt.is_some());
}
