//! Healthy, under steady load: request/reply actors with timeouts, the
//! usual handle-struct shape. An `AccountsHandle` wraps an `mpsc::Sender`
//! (capacity 8) of commands carrying a `oneshot` reply; its plain actor
//! answers from its own `HashMap`, but for every fifth command first
//! asks a plain `RiskHandle` actor (the same shape) under a 600 ms
//! `timeout`; the risk actor pauses 700 ms on every seventh request, so
//! some of those time out and its late `reply.send` finds the receiver
//! gone. Eight plain clients call `accounts.get(..)` under a 500 ms
//! `timeout`, retrying after 5 ms on a timeout, each holding its own
//! `Mutex` of client state (one per client) across the call; a plain
//! metrics task locks every client's state in turn every 30 ms. Nothing
//! annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::timeout;

enum RiskCmd {
    Score(u64, oneshot::Sender<u32>),
}

#[derive(Clone)]
struct RiskHandle {
    tx: mpsc::Sender<RiskCmd>,
}

impl RiskHandle {
    fn start() -> Self {
        let (tx, mut rx) = mpsc::channel(8);
        tokio::spawn(async move {
            let mut n = 0u64;
            while let Some(RiskCmd::Score(account, reply)) = rx.recv().await {
                n += 1;
                if n.is_multiple_of(7) {
                    tokio::time::sleep(Duration::from_millis(700)).await;
                }
                let _ = reply.send((account % 100) as u32);
            }
        });
        RiskHandle { tx }
    }

    async fn score(&self, account: u64) -> Option<u32> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(RiskCmd::Score(account, reply)).await.ok()?;
        timeout(Duration::from_millis(600), answer).await.ok()?.ok()
    }
}

enum AccountsCmd {
    Get(u64, oneshot::Sender<(i64, Option<u32>)>),
    Deposit(u64, i64),
}

#[derive(Clone)]
struct AccountsHandle {
    tx: mpsc::Sender<AccountsCmd>,
}

impl AccountsHandle {
    fn start(risk: RiskHandle) -> Self {
        let (tx, mut rx) = mpsc::channel(8);
        tokio::spawn(async move {
            let mut balances: HashMap<u64, i64> = HashMap::new();
            let mut n = 0u64;
            while let Some(cmd) = rx.recv().await {
                match cmd {
                    AccountsCmd::Get(account, reply) => {
                        n += 1;
                        let score = if n.is_multiple_of(5) {
                            risk.score(account).await
                        } else {
                            None
                        };
                        let balance = balances.get(&account).copied().unwrap_or(0);
                        let _ = reply.send((balance, score));
                    }
                    AccountsCmd::Deposit(account, amount) => {
                        *balances.entry(account).or_default() += amount;
                    }
                }
            }
        });
        AccountsHandle { tx }
    }

    async fn get(&self, account: u64) -> Option<(i64, Option<u32>)> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(AccountsCmd::Get(account, reply)).await.ok()?;
        answer.await.ok()
    }

    async fn deposit(&self, account: u64, amount: i64) {
        let _ = self.tx.send(AccountsCmd::Deposit(account, amount)).await;
    }
}

#[derive(Default)]
struct ClientState {
    calls: u64,
    timeouts: u64,
    last_balance: i64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_actor_chain_reply_timeouts_client_locks_plain");
    let accounts = AccountsHandle::start(RiskHandle::start());
    let answered = Arc::new(AtomicU64::new(0));
    let timeouts = Arc::new(AtomicU64::new(0));
    let mut states = Vec::new();

    for c in 0..8u64 {
        let state = Arc::new(Mutex::new(ClientState::default()));
        states.push(state.clone());
        let (accounts, answered, timeouts) = (accounts.clone(), answered.clone(), timeouts.clone());
        tokio::spawn(async move {
            for n in 0u64.. {
                tokio::time::sleep(Duration::from_millis(3 + c)).await;
                let mut st = state.lock().await;
                st.calls += 1;
                if n.is_multiple_of(4) {
                    accounts.deposit(c, 10).await;
                }
                match timeout(Duration::from_millis(500), accounts.get(c)).await {
                    Ok(Some((balance, _score))) => {
                        st.last_balance = balance;
                        answered.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(None) => return,
                    Err(_) => {
                        st.timeouts += 1;
                        timeouts.fetch_add(1, Ordering::Relaxed);
                        drop(st);
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
            }
        });
    }

    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(30)).await;
            for s in &states {
                let s = s.lock().await;
                let _ = (s.calls, s.timeouts, s.last_balance);
            }
        }
    });

    ready_when(move |_| answered.load(Ordering::Relaxed) >= 100);
    let _ = timeouts;
    park().await
}
