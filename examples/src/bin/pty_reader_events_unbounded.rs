//! The fix of pop-os/cosmic-term#818: the revert of #806, the terminal
//! events back on an unbounded channel. The twin of
//! `pty_reader_events_unbounded`: the `PTY reader` thread
//! still sends from under the terminal's lock, but the send never waits;
//! the subscription still waits, now and then, for room in the runtime's
//! `app-messages` while the app's update loop redraws.
//!
//! Expected: no deadlock, nothing stuck, no potential deadlock.

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
struct EventProxy(mpsc::UnboundedSender<(u32, Event)>);

impl EventProxy {
    fn send_event(&self, event: Event) {
        let _ = self.0.send((1, event));
    }
}

enum Message {
    TermEventTx(mpsc::UnboundedSender<(u32, Event)>),
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
    peeps::install_sigusr1("pty_reader_events_unbounded");
    let (output, mut messages) = mpsc::channel_named::<Message>("app-messages", 4);
    // The terminal-events subscription, run by iced's executor.
    tokio::spawn(async move {
        let (event_tx, mut event_rx) = mpsc::unbounded_channel_named("term-events");
        let _ = output.send(Message::TermEventTx(event_tx)).await;
        while let Some((id, event)) = event_rx.recv().await {
            let _ = output.send(Message::TermEvent(id, event)).await;
        }
    });
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "app-messages", "send"));
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
