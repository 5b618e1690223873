//! Deadlock: sqlx's most reported hang — inside a transaction, one query
//! is run on `&pool` instead of `&mut *tx`, and the pool has a single
//! connection (`max_connections(1)`, as SQLite setups and test pools have;
//! the nested-checkout hang of sqlx#818, graph-node#1620, aiopg#113).
//!
//! A small sqlx-like pool: a `Semaphore` of `sqlite-pool` slots, the idle
//! connections in a `std::sync::Mutex<Vec<Conn>>`, each checked-out
//! `PoolConnection` carrying its owned permit and pushing its connection
//! back on drop; `Transaction` owns a `PoolConnection`. The `create-order`
//! handler begins a transaction, inserts the order through it, then reads
//! the user's balance with `pool.fetch_one(..)`: a second checkout, while
//! its transaction keeps the only connection. `main` awaits the handler.
//!
//! Expected: one `certain` deadlock of `create-order` with itself: it
//! waits on semaphore `sqlite-pool`, whose only permit it holds (inside its
//! transaction, in its own state); `main` behind, joining it.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{OwnedSemaphorePermit, Semaphore};
use std::sync::{Arc, Mutex as StdMutex};

struct Conn {
    id: usize,
    statements: u64,
}

struct PoolInner {
    slots: Arc<Semaphore>,
    idle: StdMutex<Vec<Conn>>,
}

#[derive(Clone)]
struct Pool(Arc<PoolInner>);

struct PoolConnection {
    conn: Option<Conn>,
    pool: Pool,
    _permit: OwnedSemaphorePermit,
}

impl Drop for PoolConnection {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.0.idle.lock().unwrap().push(conn);
        }
    }
}

impl PoolConnection {
    async fn execute(&mut self, sql: &str) -> u64 {
        tokio::task::yield_now().await;
        let conn = self.conn.as_mut().expect("checked out");
        conn.statements += 1;
        println!("conn {}: {sql}", conn.id);
        conn.statements
    }
}

struct Transaction {
    conn: PoolConnection,
}

impl Transaction {
    async fn execute(&mut self, sql: &str) -> u64 {
        self.conn.execute(sql).await
    }

    async fn commit(mut self) {
        self.conn.execute("COMMIT").await;
    }
}

impl Pool {
    fn connect(max_connections: usize) -> Pool {
        let idle = (0..max_connections)
            .map(|id| Conn { id, statements: 0 })
            .collect();
        Pool(Arc::new(PoolInner {
            slots: Arc::new(Semaphore::new(max_connections).named("sqlite-pool")),
            idle: StdMutex::new(idle),
        }))
    }

    async fn acquire(&self) -> PoolConnection {
        let permit = self
            .0
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("pool closed");
        let conn = self.0.idle.lock().unwrap().pop();
        PoolConnection {
            conn,
            pool: self.clone(),
            _permit: permit,
        }
    }

    async fn begin(&self) -> Transaction {
        let mut conn = self.acquire().await;
        conn.execute("BEGIN").await;
        Transaction { conn }
    }

    async fn fetch_one(&self, sql: &str) -> u64 {
        let mut conn = self.acquire().await;
        conn.execute(sql).await
    }
}

async fn create_order(pool: Pool, user: u64, total: u64) -> u64 {
    let mut tx = pool.begin().await;
    let order = tx
        .execute(&format!(
            "INSERT INTO orders (user, total) VALUES ({user}, {total})"
        ))
        .await;
    // The bug: `&pool`, not `&mut *tx`.
    let balance = pool
        .fetch_one(&format!("SELECT balance FROM users WHERE id = {user}"))
        .await;
    tx.execute(&format!(
        "UPDATE users SET balance = {} WHERE id = {user}",
        balance - total
    ))
    .await;
    tx.commit().await;
    order
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("sqlx_pool_query_inside_transaction");
    let pool = Pool::connect(1);
    ready_when(|g| waited_on(g, NodeKind::Semaphore, "sqlite-pool"));
    let order = peeps::spawn_named("create-order", create_order(pool, 7, 30)).await;
    println!("order {order:?}");
    park().await
}
