//! The fixed twin of `tui_awaits_skills_list_behind_full_events`
//! (openai/codex#36750, "In-process app-server can deadlock during
//! automatic skills refresh"). Before the fix: The TUI's
//! event loop, on `main`'s thread, renders the app-server's events from a
//! bounded queue; at a turn's start it refreshes the skills list, awaiting
//! `skills_list()` inline, and reads no events meanwhile. The in-process
//! app-server (a `tokio::spawn`ed task) streams a turn's
//! `AgentMessageDelta`s into that queue, files the skills request it
//! received, and answers it only after it has queued the turn's
//! `TurnCompleted`. With the queue full, the app-server waits for the TUI
//! to read, and the TUI waits for the answer the app-server holds.
//!
//! The fix: the TUI runs the refresh in a task of its own, which hands the
//! list back as an app event, and keeps reading the app-server's events
//! meanwhile. Otherwise as the deadlocked program.
//!
//! Expected, in every dump: nothing false (no deadlock, nothing stuck
//! forever, no potential deadlock).

use examples::{park, ready_when};
use peeps::sync::{mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

enum ServerEvent {
    AgentMessageDelta(u64, u64),
    TurnCompleted(u64),
}

struct SkillsListRequest {
    reply: oneshot::Sender<Vec<String>>,
}

#[derive(Clone)]
struct AppServerClient {
    requests: mpsc::Sender<SkillsListRequest>,
}

impl AppServerClient {
    async fn skills_list(&self) -> Vec<String> {
        let (reply, answer) = oneshot::channel_named("skills-list-reply");
        self.requests
            .send(SkillsListRequest { reply })
            .await
            .expect("the app-server runs");
        answer.await.expect("the app-server answers")
    }
}

async fn run_app_server(
    mut requests: mpsc::Receiver<SkillsListRequest>,
    events: mpsc::Sender<ServerEvent>,
) {
    let mut pending: Vec<oneshot::Sender<Vec<String>>> = Vec::new();
    for turn in 0u64.. {
        // A turn streams its deltas as fast as the model produces them.
        let deltas = if turn < 3 { 8 } else { 64 };
        for n in 0..deltas {
            while let Ok(request) = requests.try_recv() {
                pending.push(request.reply);
            }
            if events
                .send(ServerEvent::AgentMessageDelta(turn, n))
                .await
                .is_err()
            {
                return;
            }
            if n % 8 == 0 {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
        if events.send(ServerEvent::TurnCompleted(turn)).await.is_err() {
            return;
        }
        // The skills refresh is answered once the turn is out.
        for reply in pending.drain(..) {
            let _ = reply.send(vec!["review".into(), "test".into()]);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("tui_refreshes_skills_in_background");
    let (event_tx, mut events) = mpsc::channel_named("app-server-events", 16);
    let (request_tx, request_rx) = mpsc::channel_named("app-server-requests", 8);
    tokio::spawn(run_app_server(request_rx, event_tx));
    let app_server = AppServerClient {
        requests: request_tx,
    };
    let (app_tx, mut app_events) = mpsc::unbounded_channel_named::<Vec<String>>("app-events");
    let turns = Arc::new(AtomicU64::new(0));
    let done = turns.clone();
    ready_when(move |_| done.load(Ordering::Relaxed) >= 5);
    // The TUI's event loop.
    let mut transcript = String::new();
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(ServerEvent::AgentMessageDelta(_turn, n)) => {
                    if n == 0 {
                        // Automatic skills refresh at a turn's start, in the background.
                        let client = app_server.clone();
                        let app_tx = app_tx.clone();
                        tokio::spawn(async move {
                            let skills = client.skills_list().await;
                            let _ = app_tx.send(skills);
                        });
                    }
                    transcript.push('.');
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                Some(ServerEvent::TurnCompleted(turn)) => {
                    println!("turn {turn} completed ({} deltas)", transcript.len());
                    transcript.clear();
                    turns.fetch_add(1, Ordering::Relaxed);
                }
                None => break,
            },
            Some(skills) = app_events.recv() => {
                println!("{} skills", skills.len());
            }
        }
    }
    park().await
}
