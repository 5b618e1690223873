//! Deadlock from a bug report: versatica/mediasoup#1605 ("Rust, deadlock
//! problem caused by 'paused' and 'producer_paused' in 'consumer.rs'").
//! A `Consumer` keeps two `parking_lot` mutexes, `paused` and
//! `producer_paused`. The worker's channel runs the consumer's
//! notification handler on the worker thread: on `ProducerResume` it
//! locks `producer_paused`, then `paused`. `Consumer::resume()`, run in a
//! `tokio::spawn`ed task, sends its request to the worker, awaits the
//! answer, then locks `paused`, then `producer_paused`. With
//! `tokio::spawn(producer.resume()); tokio::spawn(consumer.resume());`
//! the two run at once, in opposite orders.
//!
//! Written as the crate is: the notification handler on a `std::thread`
//! named `mediasoup-worker` (producer pause/resume notifications as a
//! flapping producer sends them), `resume()`/`pause()` of the consumer in
//! a plain `tokio::spawn` task, the two locks
//! `peeps::sync::blocking::Mutex`es named after the fields.
//!
//! Expected: one `certain` deadlock of `thread mediasoup-worker` (waiting
//! for `paused`, holding `producer-paused`) and the plain task (waiting
//! for `producer-paused`, holding `paused`; a blocking poll, parked on
//! `producer-paused`); and one potential deadlock, true: the two orders.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::blocking::Mutex;
use std::sync::Arc;
use std::time::Duration;

struct Inner {
    paused: Mutex<bool>,
    producer_paused: Mutex<bool>,
    handler_calls: Mutex<u64>,
}

#[derive(Clone)]
struct Consumer {
    inner: Arc<Inner>,
}

enum Notification {
    ProducerPause,
    ProducerResume,
}

impl Consumer {
    /// The notification handler the consumer registers with the worker's
    /// channel; called on the worker thread.
    fn on_notification(&self, notification: Notification) {
        let inner = &self.inner;
        match notification {
            Notification::ProducerPause => {
                let mut producer_paused = inner.producer_paused.lock();
                let was_paused = *inner.paused.lock() || *producer_paused;
                *producer_paused = true;
                if !was_paused {
                    *inner.handler_calls.lock() += 1;
                }
            }
            Notification::ProducerResume => {
                let mut producer_paused = inner.producer_paused.lock();
                let paused = *inner.paused.lock();
                *producer_paused = false;
                if !paused {
                    *inner.handler_calls.lock() += 1;
                }
            }
        }
    }

    /// The request to the worker: a round trip the task awaits.
    async fn request(&self, _method: &str) {
        tokio::task::yield_now().await;
    }

    async fn pause(&self) {
        self.request("consumer.pause").await;
        let mut paused = self.inner.paused.lock();
        *paused = true;
    }

    async fn resume(&self) {
        self.request("consumer.resume").await;
        let mut paused = self.inner.paused.lock();
        let was_paused = *paused || *self.inner.producer_paused.lock();
        *paused = false;
        if was_paused {
            *self.inner.handler_calls.lock() += 1;
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("consumer_resume_vs_producer_resume_notification");
    let consumer = Consumer {
        inner: Arc::new(Inner {
            paused: Mutex::new(false).named("paused"),
            producer_paused: Mutex::new(false).named("producer-paused"),
            handler_calls: Mutex::new(0).named("handler-calls"),
        }),
    };
    let worker_consumer = consumer.clone();
    std::thread::Builder::new()
        .name("mediasoup-worker".into())
        .spawn(move || {
            for n in 0u64.. {
                let notification = if n % 2 == 0 {
                    Notification::ProducerPause
                } else {
                    Notification::ProducerResume
                };
                worker_consumer.on_notification(notification);
                if n % 16 == 0 {
                    std::thread::sleep(Duration::from_micros(200));
                }
            }
        })
        .expect("spawn the worker thread");
    tokio::spawn(async move {
        for n in 0u64.. {
            if n % 4 == 0 {
                consumer.pause().await;
            }
            consumer.resume().await;
            if n % 16 == 0 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    });
    ready_when(|g| {
        waited_on(g, NodeKind::Mutex, "paused") && waited_on(g, NodeKind::Mutex, "producer-paused")
    });
    park().await
}
