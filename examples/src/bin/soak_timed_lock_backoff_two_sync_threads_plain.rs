//! Healthy, under steady load: the textbook cure for a lock-order
//! inversion in synchronous code, a timed lock with back-off. Two legacy
//! `std::thread` jobs share two `peeps::sync::blocking::Mutex`es
//! (parking_lot style): `ledger-sync` `lock()`s the ledger, works 3 ms,
//! then `try_lock_for(600 ms)` the journal; `journal-sync` `lock()`s the
//! journal, works 3 ms, then `try_lock_for(600 ms)` the ledger. When the
//! timed lock gives up, the job lets its first lock go, backs off a few
//! ms (different for each job) and starts over; it never waits for good.
//! So now and then each job holds one lock and waits, for at most 600 ms,
//! for the other's: a cycle of waits that both timeouts break, every time.
//! Async code watches: a plain reporter sends the round counts every
//! 100 ms to a plain logger over an `mpsc`. Nothing annotated or named.
//!
//! Nothing can hang (every wait of the cycle is timed). Expected, in every
//! dump: no deadlock, nothing stuck forever, no potential deadlock (a
//! timed lock orders nothing).

use examples::{park, ready_when};
use peeps::sync::blocking::Mutex;
use peeps::sync::mpsc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Ledger {
    entries: u64,
}

#[derive(Default)]
struct Journal {
    lines: u64,
}

#[derive(Default)]
struct Counts {
    rounds: AtomicU64,
    backoffs: AtomicU64,
}

fn ledger_sync(ledger: &Mutex<Ledger>, journal: &Mutex<Journal>, counts: &Counts) -> ! {
    loop {
        let mut l = ledger.lock();
        std::thread::sleep(Duration::from_millis(3));
        match journal.try_lock_for(Duration::from_millis(600)) {
            Some(mut j) => {
                l.entries += 1;
                j.lines += 1;
                counts.rounds.fetch_add(1, Ordering::Relaxed);
                drop(j);
                drop(l);
                std::thread::sleep(Duration::from_millis(2));
            }
            None => {
                drop(l);
                counts.backoffs.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }
}

fn journal_sync(ledger: &Mutex<Ledger>, journal: &Mutex<Journal>, counts: &Counts) -> ! {
    loop {
        let mut j = journal.lock();
        std::thread::sleep(Duration::from_millis(3));
        match ledger.try_lock_for(Duration::from_millis(600)) {
            Some(mut l) => {
                j.lines += 1;
                l.entries += 1;
                counts.rounds.fetch_add(1, Ordering::Relaxed);
                drop(l);
                drop(j);
                std::thread::sleep(Duration::from_millis(2));
            }
            None => {
                drop(j);
                counts.backoffs.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(9));
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_timed_lock_backoff_two_sync_threads_plain");
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let journal = Arc::new(Mutex::new(Journal::default()));
    let counts = Arc::new(Counts::default());

    {
        let (ledger, journal, counts) = (ledger.clone(), journal.clone(), counts.clone());
        std::thread::Builder::new()
            .name("ledger-sync".into())
            .spawn(move || ledger_sync(&ledger, &journal, &counts))
            .expect("spawn ledger-sync");
    }
    {
        let (ledger, journal, counts) = (ledger.clone(), journal.clone(), counts.clone());
        std::thread::Builder::new()
            .name("journal-sync".into())
            .spawn(move || journal_sync(&ledger, &journal, &counts))
            .expect("spawn journal-sync");
    }

    let (tx, mut rx) = mpsc::channel::<(u64, u64)>(8);
    let c = counts.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tick.tick().await;
            let now = (
                c.rounds.load(Ordering::Relaxed),
                c.backoffs.load(Ordering::Relaxed),
            );
            if tx.send(now).await.is_err() {
                return;
            }
        }
    });
    tokio::spawn(async move {
        let mut last = (0, 0);
        while let Some(now) = rx.recv().await {
            last = now;
        }
        let _ = last;
    });

    // Ready once the jobs have both made progress and backed off.
    ready_when(move |_| {
        counts.rounds.load(Ordering::Relaxed) >= 20 && counts.backoffs.load(Ordering::Relaxed) >= 2
    });
    park().await
}
