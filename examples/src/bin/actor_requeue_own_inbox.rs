//! Deadlock: an actor re-queues into its own full bounded inbox.
//!
//! `mailer` keeps a sender of its own inbox `mail-queue` (capacity 2) to
//! retry mail that failed: on a failure it puts the mail back and queues
//! a bounce notice for the author. `main` queues two mails, drops its
//! sender and waits for the mailer to finish. The first delivery fails;
//! the mail goes back in the slot its receipt freed, and the notice's
//! `send().await` waits for room that only the mailer's next `recv`
//! would make.
//!
//! Expected: one `certain` deadlock of the single task `mailer`, waiting
//! to send on channel `mail-queue` whose receiver it holds; `main`, joining
//! it, is stuck behind.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

enum Mail {
    Message { to: &'static str, attempts: u32 },
    Bounce { to: &'static str },
}

#[peeps::instrument]
async fn deliver(mut queue: mpsc::Receiver<Mail>, retry: mpsc::Sender<Mail>) {
    while let Some(mail) = queue.recv().await {
        match mail {
            // The first attempt of every delivery fails (the server is busy).
            Mail::Message { to, attempts: 0 } => {
                let again = Mail::Message { to, attempts: 1 };
                if retry.send(again).await.is_err()
                    || retry.send(Mail::Bounce { to }).await.is_err()
                {
                    return;
                }
            }
            Mail::Message { to, attempts } => {
                println!("delivered to {to} after {attempts} retries")
            }
            Mail::Bounce { to } => println!("told {to} of a delay"),
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("actor_requeue_own_inbox");
    let (queue, inbox) = mpsc::channel_named("mail-queue", 2);
    for to in ["ops@example.com", "dev@example.com"] {
        queue
            .send(Mail::Message { to, attempts: 0 })
            .await
            .expect("the inbox has room");
    }
    let mailer = peeps::spawn_named("mailer", deliver(inbox, queue.clone()));
    drop(queue);

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "mail-queue", "send")
            && waited_on_for(g, NodeKind::Task, "mailer", "join")
    });
    mailer.await.expect("the mailer does not panic");
}
