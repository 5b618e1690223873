//! Deadlock from a bug report: openai/codex#36750 ("In-process
//! app-server can deadlock during automatic skills refresh"). The TUI's
//! event loop, on `main`'s thread, renders the app-server's events from a
//! bounded queue; at a turn's start it refreshes the skills list, awaiting
//! `skills_list()` inline, and reads no events meanwhile. The in-process
//! app-server (a `tokio::spawn`ed task) streams a turn's
//! `AgentMessageDelta`s into that queue, files the skills request it
//! received, and answers it only after it has queued the turn's
//! `TurnCompleted`. With the queue full, the app-server waits for the TUI
//! to read, and the TUI waits for the answer the app-server holds.
//!
//! The queue is `peeps::sync::mpsc` `app-server-events` (16 slots), the
//! requests `app-server-requests`, each answer a `peeps::sync::oneshot`
//! `skills-list-reply`; plain `tokio::spawn`, no annotation.
//!
//! Expected: one `probable` deadlock of `thread main` (the TUI, awaiting
//! `skills-list-reply`, whose sender is in the app-server's state) and the
//! plain app-server task (sending into full `app-server-events`, whose
//! receiver `main` holds).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::time::Duration;

enum ServerEvent {
    AgentMessageDelta(u64, u64),
    TurnCompleted(u64),
}

struct SkillsListRequest {
    reply: oneshot::Sender<Vec<String>>,
}

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
    peeps::install_sigusr1("tui_awaits_skills_list_behind_full_events");
    let (event_tx, mut events) = mpsc::channel_named("app-server-events", 16);
    let (request_tx, request_rx) = mpsc::channel_named("app-server-requests", 8);
    tokio::spawn(run_app_server(request_rx, event_tx));
    let app_server = AppServerClient {
        requests: request_tx,
    };
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "app-server-events", "send")
            && waited_on_for(g, NodeKind::Channel, "skills-list-reply", "recv")
    });
    // The TUI's event loop.
    let mut transcript = String::new();
    while let Some(event) = events.recv().await {
        match event {
            ServerEvent::AgentMessageDelta(turn, n) => {
                if n == 0 {
                    // Automatic skills refresh at a turn's start.
                    let skills = app_server.skills_list().await;
                    println!("turn {turn}: {} skills", skills.len());
                }
                transcript.push('.');
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            ServerEvent::TurnCompleted(turn) => {
                println!("turn {turn} completed ({} deltas)", transcript.len());
                transcript.clear();
            }
        }
    }
    park().await
}
