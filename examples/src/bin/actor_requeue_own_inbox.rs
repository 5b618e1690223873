//! Deadlock: an actor re-queues a failed message into its own full
//! bounded inbox.
//!
//! `mailer` keeps a sender of its own inbox `mail-queue` (capacity 1) to
//! retry mail that failed. `main` queues two mails and waits for the
//! mailer to finish. The first delivery fails; while the mailer handles
//! it, the second mail fills the queue, and the retry's `send().await`
//! waits for room that only the mailer's next `recv` would make.
//!
//! Expected: one `certain` deadlock of the single task `mailer`, waiting
//! to send on channel `mail-queue` whose receiver it holds; `main`, joining
//! it, is stuck behind.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

struct Mail {
    to: &'static str,
    attempts: u32,
}

#[peeps::instrument]
async fn deliver(mut queue: mpsc::Receiver<Mail>, retry: mpsc::Sender<Mail>) {
    while let Some(mut mail) = queue.recv().await {
        mail.attempts += 1;
        // The first attempt of every delivery fails (the server is busy).
        if mail.attempts < 2 {
            if retry.send(mail).await.is_err() {
                return;
            }
            continue;
        }
        println!("delivered to {} after {} attempts", mail.to, mail.attempts);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("actor_requeue_own_inbox");
    let (queue, inbox) = mpsc::channel_named("mail-queue", 1);
    let mailer = peeps::spawn_named("mailer", deliver(inbox, queue.clone()));
    for to in ["ops@example.com", "dev@example.com"] {
        queue
            .send(Mail { to, attempts: 0 })
            .await
            .expect("the mailer is alive");
    }
    drop(queue);

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "mail-queue", "send")
            && waited_on_for(g, NodeKind::Task, "mailer", "join")
    });
    mailer.await.expect("the mailer does not panic");
}
