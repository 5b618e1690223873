//! Scenario programs for peeps: known deadlocks and healthy controls.
//!
//! Each scenario is a binary under `src/bin/`, runnable by name
//! (`cargo run -p peeps-examples --bin lock_order_inversion`). Every one
//! installs the SIGUSR1 dump, prints `READY <pid>` on its own line once it is
//! stuck (or, for a control, once it runs steadily), then parks or keeps
//! working. `kill -USR1 <pid>` writes `<PEEPS_DUMP_DIR>/<pid>.json`, and
//! `peeps analyze` on that file says what is wrong (or that nothing is).
//!
//! # The scenarios
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `lock_order_inversion` | certain deadlock, 2 tasks, 2 mutexes, 1 task behind |
//! | `lock_cycle_nested` | certain deadlock, 3 tasks through nested fns, 3 mutexes |
//! | `relock_held_mutex` | certain deadlock of one task with itself |
//! | `blocking_relock_in_place` | certain deadlock: 1 task (a task holding a tokio mutex takes it again with `block_in_place(\|\| lock.blocking_lock())`, its poll parked) |
//! | `blocking_guard_across_select` | certain deadlock of `main`'s thread with itself (tokio#4588: a blocking guard held across an `.await` by one `select!` branch, the other locking it), a blocking poll |
//! | `rwlock_read_then_write` | certain deadlock of one task with its own read guard |
//! | `rwlock_readers_cycle` | certain deadlock, a writer and two readers |
//! | `semaphore_cycle` | certain deadlock, 2 tasks, 2 semaphores |
//! | `join_holding_lock` | certain deadlock: a join and a lock |
//! | `channel_actors_full` | certain deadlock, 2 actors sending into full inboxes |
//! | `recv_own_sender` | certain deadlock: a receive only the receiver could end; `main` behind |
//! | `recv_own_sender_unused` | the same, the sender never used: certain, found in the task's state; `main` behind |
//! | `channel_actors_natural` | certain deadlock, 2 actors whose inboxes `main` made and moved in at spawn; `main` behind |
//! | `oneshot_handshake_natural` | certain deadlock, 2 tasks, 2 oneshots made in `main` and moved in at spawn; `main` behind |
//! | `actor_ring_made_in_main` | certain deadlock, a ring of 3 actors built in `main` sending into full inboxes; `main` behind |
//! | `coordinator_forgot_drop` | certain deadlock: a collector's receive and its coordinator's join, the sender found in the coordinator's state; `main` behind |
//! | `oneshot_rx_to_child` | certain deadlock: a child's oneshot receive and its parent's join; `main` behind |
//! | `reply_sender_pending_map` | probable deadlock: a client's reply sender filed in the server's map (on its heap), and a mutex; `main` behind |
//! | `pool_owned_permits` | certain deadlock, 3 queries each holding a pooled connection (an owned permit) and asking for another |
//! | `oneshot_via_job_behind` | certain deadlock of 2 tasks over 2 mutexes; behind it a requester whose reply sender the worker received in a job, and `main` |
//! | `oneshot_via_job_unread` | the same, the job still unread: the requester's reply sender is in a message on `jobs`, read by the worker |
//! | `oneshot_cycle` | certain deadlock, 2 tasks, 2 oneshots, each waiting for a hello or its own hello's close |
//! | `blocking_lock_inversion` | certain deadlock of parking_lot locks, 2 blocking polls |
//! | `untracked_lock_inversion` | probable deadlock of 2 tasks spawned with `tokio::spawn` |
//! | `lock_order_potential` | no deadlock; one potential deadlock: the two transfers of `lock_order_inversion` run a while apart |
//! | `contended_pipeline` | no deadlock |
//! | `lock_across_sleep` | no deadlock; long waits behind the sleeping holder |
//! | `select_timeout` | no deadlock; a long wait |
//! | `idle_subscribers` | no deadlock, no long wait |
//! | `request_reply_slow`, `permits_moved_to_workers`, `producer_made_in_main` | no deadlock (endpoints and permits moved to other tasks) |
//! | `producer_made_in_task` | no deadlock (as `producer_made_in_main`, the channel made in a task that awaits the consumer) |
//! | `sender_moved_to_thread` | no deadlock (a sender moved into a `std::thread` that sends an hour later) |
//! | `senders_kept_in_vec` | no deadlock (senders in a `Vec` and a field of a service whose task sends on a timer) |
//! | `oneshot_dropped_by_timer` | no deadlock (a oneshot sender kept in a `select!` whose timer branch drops it) |
//! | `shared_sender_in_state` | no deadlock (one sender shared through an `Arc` by several tasks) |
//! | `blocking_sleep` | a blocking poll in `compress_chunk` |
//!
//! ## One task, many waits
//!
//! Futures driven by combinators inside one task, futures a task no longer
//! polls (futurelock), a read behind a queued writer, and a receive left
//! registered by a `select!`.
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `futures_unordered_permits` | certain deadlock of one task with itself: queries in a `FuturesUnordered` each holding a permit and waiting for another |
//! | `futures_unordered_timer` | no deadlock (the same queries hold their permits across a timer; one waits for a permit) |
//! | `futures_unordered_socket` | no deadlock (the same queries hold their permits while they read a silent TCP socket on 127.0.0.1; one waits for a permit) |
//! | `futures_unordered_plain_blocks` | no deadlock, nothing stuck forever (plain async blocks in a `FuturesUnordered`: one holds a permit across a timer, one waits for it) |
//! | `buffer_unordered_permits`, `buffered_permits` | as `futures_unordered_permits`, the queries run by `buffer_unordered` / `buffered` |
//! | `buffer_unordered_timer`, `buffered_timer` | no deadlock, as `futures_unordered_timer` |
//! | `join_all_permits`, `join_all_many_permits` | as `futures_unordered_permits`, the queries run by `join_all` of 2 (polled with the task's waker) and of 40 (a `FuturesOrdered` inside) |
//! | `join_all_timer`, `join_all_many_timer` | no deadlock, as `futures_unordered_timer` |
//! | `tokio_select_inversion`, `tokio_join_inversion`, `futures_select_inversion`, `futures_join_inversion` | certain deadlock of one task with itself: a lock-order inversion between two branches of a `select!` / `join!` (tokio's, futures') |
//! | `tokio_select_timer`, `futures_select_timer` | no deadlock (the same `select!` with a timer branch) |
//! | `tokio_join_timeout`, `futures_join_timeout` | no deadlock (the same `join!`, one branch under a timeout) |
//! | `join_set_inversion` | probable deadlock of 2 tasks of a tokio `JoinSet` (plain tokio tasks) over 2 mutexes; the coordinator draining the set behind it |
//! | `join_set_timer` | no deadlock (a `JoinSet` task holds a lock across a timer, another waits for it) |
//! | `stream_map_cycle` | certain deadlock: a task receiving from a tokio-stream `StreamMap` of receivers, and the task holding their senders, which awaits it |
//! | `stream_map_timer` | no deadlock (the same `StreamMap` with a heartbeat timer stream) |
//! | `futurelock_handed` | certain deadlock of one task (futurelock): the mutex handed to its future `discover`, pinned outside a `select!` and no longer polled |
//! | `futurelock_taken` | certain deadlock of one task: the mutex's guard taken by its future `flush`, abandoned after a `select!` |
//! | `futurelock_taken_same_poll` | the same, the future polled in the very poll it was abandoned in, its channel's sender with a task on a timer (missed today: a bug) |
//! | `futurelock_polled_timer` | no deadlock (a pinned future polled again in every iteration of a `select!` loop with a ticker) |
//! | `futurelock_dropped` | no deadlock (the future dropped with the `select!` it lost; the lock taken later) |
//! | `futurelock_repolled` | no deadlock (the lock handed to a pinned future its task polls again after a timer; another task waits behind it) |
//! | `rwlock_read_behind_writer` | certain deadlock, 2 tasks: a second read of a task holding a read, behind the writer queued since |
//! | `stale_recv_registration` | certain deadlock of one task relocking a mutex after a `select!` left its receive registered in the same poll (missed today: a bug) |
//! | `stale_recv_after_yield` | the same, a yield in between: certain deadlock of one task |
//! | `stale_recv_now_or_never` | the same, the receive polled once through `now_or_never` (missed today: a bug) |
//!
//! ## Ordinary application code
//!
//! Code written the way most tokio code is, `peeps::sync` used as a
//! drop-in: common bugs, and the everyday patterns that must not look
//! like one.
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `guard_held_across_send` | certain deadlock, 2 tasks: a `MutexGuard` held across a send into a full bounded channel whose consumer needs the mutex |
//! | `match_scrutinee_guard` | certain deadlock of one task: the guard of a `match` scrutinee alive while an arm locks the mutex again |
//! | `actors_call_each_other` | certain deadlock, 2 actors each awaiting the reply to a request unread in the other's inbox; `main` behind |
//! | `semaphore_nested_acquire` | certain deadlock, 3 tasks each holding a borrowed permit and asking for a second |
//! | `join_all_holding_lock` | certain deadlock, a task awaiting `join_all` of the tasks it spawned while holding the lock they need, and those 3 tasks |
//! | `actor_requeue_own_inbox` | certain deadlock of one actor re-queueing a failed mail and a bounce notice into its own full inbox; `main` behind |
//! | `guard_held_across_send_tokio_spawn` | as `guard_held_across_send`, the tasks started with `tokio::spawn`: probable deadlock (each end used from the state of its task's instrumented future) |
//! | `lock_held_calling_actor` | certain deadlock, 2 tasks: a lock held while awaiting the reply of an actor that needs the lock |
//! | `once_cell_reentrant_init` | certain deadlock of one task: a `OnceCell`'s initialiser calling `get_or_init` on the same cell |
//! | `shutdown_never_sent` | certain deadlock: a supervisor joining its first worker before sending the `broadcast` shutdown it waits for; 2 workers and `main` behind |
//! | `worker_pool_shared_receiver` | no deadlock (workers sharing an `Arc<Mutex<Receiver>>`, the producer asleep) |
//! | `actor_config_select` | no deadlock (an actor in `select!` on a `watch` config and its inbox) |
//! | `shutdown_broadcast_joinset` | no deadlock (a `broadcast` shutdown, a `JoinSet` drained while workers flush to a slow writer) |
//! | `rate_limiter_refill` | no deadlock (permits spent with `forget()`, refilled by a task on a timer) |
//! | `batching_server_timeout` | no deadlock (a reply awaited under `timeout` from a server answering in batches) |
//! | `pipeline_three_stages` | no deadlock (three stages over bounded channels, the source asleep) |
//! | `notify_idle_workers` | no deadlock (workers idle on a `Notify`) |
//! | `cache_readers_writer` | no deadlock (readers hold a cache's read guard across a slow call, a writer and a reader queued) |
//! | `producer_tokio_spawned` | no deadlock (a producer started with `tokio::spawn`, its sender moved in) |
//! | `handler_per_request` | no deadlock (a server hands each request's reply sender to a `peeps::spawn` handler) |
//! | `handler_per_request_tokio_spawn` | the same with `tokio::spawn`: no deadlock |
//! | `reply_from_spawn_blocking` | the same with `spawn_blocking`: no deadlock |
//! | `once_cell_slow_init` | no deadlock (2 tasks wait on a `OnceCell` whose first caller loads slowly) |
//! | `once_cell_join_same_task` | no deadlock (one task joins two `get_or_init` calls of one cell: the second waits beside the first's slow load, in a plain tokio task and in a peeps task) |
//! | `pool_over_channel` | no deadlock (a connection pool in a bounded channel, every connection out on a slow query, a third query waiting) |
//! | `acquire_many_behind_small_jobs` | no deadlock (`acquire_many` waiting for permits held across slow work) |
//! | `acquire_beyond_permits` | no deadlock: a long wait (`acquire_many(8)` on a semaphore of 5 permits, none held: only `add_permits` can let it through) |
//! | `actor_self_handle_ticker` | no deadlock (an actor keeping a sender of its own inbox, in `select!` with a ticker) |
//! | `sender_handed_on_after_use`, `sender_handed_on_after_use_tokio_spawn` | no deadlock (a task uses a sender, then hands it to an instrumented worker started with `tokio::spawn`, which sends an hour later, and waits for a lock the consumer holds) |
//! | `sender_handed_on_after_use_async_block` | the same, the worker an uninstrumented `async move` block: no deadlock |
//!
//! ## Plain `tokio::spawn` tasks
//!
//! Ordinary programs whose tasks are started with plain `tokio::spawn`
//! (or a tokio `JoinSet`), their bodies `#[peeps::instrument] async fn`s,
//! some inside `async move` blocks.
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `server_handler_lock_tokio_spawn` | no deadlock (a handler per request holds a shared lock across a slow call, two more wait for it, every client waits on its reply) |
//! | `actor_select_ticker_tokio_spawn` | no deadlock (`actor_self_handle_ticker` started with `tokio::spawn`) |
//! | `call_actor_under_timeout_tokio_spawn` | no deadlock (a lock held while awaiting, under a timeout, an actor that needs the lock) |
//! | `worker_pool_joinset_tokio_spawn` | no deadlock (a dispatcher feeding slow `JoinSet` workers through bounded inboxes, the results sender cloned into each) |
//! | `shutdown_watch_tokio_spawn` | no deadlock (a `watch` shutdown, workers flushing into a slow writer) |
//! | `pipeline_async_blocks_tokio_spawn` | no deadlock (three stages as `async move` blocks, the last slow) |
//! | `supervisor_restart_tokio_spawn` | no deadlock (a failed worker's inbox handed back through its `JoinHandle` to the next, slow worker) |
//! | `sender_relayed_in_message_tokio_spawn` | no deadlock (a sender used, sent to a hub in a message, used by the hub, moved into an `async move` block calling a publisher on a timer) |
//! | `lock_channel_ring_tokio_spawn` | probable deadlock, 3 tasks: a mutex held across sends into a bounded channel, whose reader sends into another, whose reader needs the mutex |
//! | `actors_call_each_other_tokio_spawn` | probable deadlock, 2 actors as in `actors_call_each_other`; `main` behind |
//! | `rwlock_pool_inversion_tokio_spawn` | probable deadlock, 2 `JoinSet` tasks: a connection permit and an `RwLock` in opposite orders |
//! | `batcher_lock_across_timeout_tokio_spawn` | no deadlock (a lock held while waiting, under a timeout, on a channel whose producer needs the lock) |
//! | `connection_limit_tokio_spawn` | no deadlock (tokio's connection limit: an owned permit held across the accept and moved into an `async move` handler on a timer; the acceptor waits for a permit: no potential deadlock either) |
//! | `collector_forgot_drop_tokio_spawn` | probable deadlock of 1 task with itself: a collector that forgot to drop its sender waits on `results` |
//! | `main_joins_worker_forgot_drop_jobs_tokio_spawn` | deadlock of `thread main` (awaiting a plain worker's tokio `JoinHandle`, read from the worker's cell) and the worker (receiving from `jobs`, whose sender `main` forgot to drop) |
//! | `soak_main_joins_plain_worker_fed_by_ticker` | in every dump: nothing false (`main` awaits a plain worker's tokio `JoinHandle`, read from the worker's cell; the worker receives `jobs` from a `ticker` task that sends one every 700 ms) |
//!
//! ## Everyday healthy shapes (second hunt)
//!
//! Healthy programs in shapes the sections above do not cover, about half
//! with `peeps::spawn_named`, half with plain `tokio::spawn` and
//! `#[peeps::instrument]` bodies.
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `watch_config_reload` | no deadlock (readers copy a `watch` config out of a brief `borrow()`, record it under a mutex, wait for the next change) |
//! | `broadcast_lagging_subscribers_tokio_spawn` | no deadlock (a `broadcast` fan-out, two slow subscribers lagged, a fast one waiting) |
//! | `rwlock_read_then_upgrade` | no deadlock (a cache miss: read guard dropped, write taken and held across a slow load, two lookups wait) |
//! | `condvar_notify_mutex_tokio_spawn` | no deadlock (a `Notify` enabled before checking a `Mutex` queue, awaited after the guard drops) |
//! | `barrier_slow_party` | no deadlock (three shards at a `Barrier`, the fourth still loading on a timer) |
//! | `joinset_abort_holder_tokio_spawn` | no deadlock (a `JoinSet` task aborted while holding a lock; the next worker holds it, the last waits) |
//! | `router_pending_replies` | no deadlock (a router actor files callers' oneshot senders in a `HashMap`, answers them on the backend's message) |
//! | `reply_channel_in_message_tokio_spawn` | no deadlock (channels of channels: a reply channel's sender sent to a worker reporting on a timer) |
//! | `pool_permit_and_vec` | no deadlock (a pool of owned permits and a `Mutex<Vec<Conn>>`, connections returned on drop, two queries wait) |
//! | `nested_locks_one_order_tokio_spawn` | no deadlock, no potential deadlock (three mutexes nested in one order by six tasks) |
//! | `opposite_orders_not_nested` | no deadlock, no potential deadlock (two mutexes taken in opposite orders, never one while holding the other) |
//! | `timeout_lock_while_held_tokio_spawn` | no deadlock (a lock awaited under `timeout` while its holder sleeps) |
//! | `select_loop_receivers` | no deadlock (a `select!` loop over two mpsc receivers, a `broadcast` and a `watch` shutdown) |
//! | `transfers_under_gate_lock_tokio_spawn` | no deadlock, no potential deadlock (two accounts locked in opposite orders, always under one gate lock) |
//!
//! ## Everyday deadlocks and healthy shapes (third hunt)
//!
//! Deadlocks as bug reports show them, and healthy programs beside them,
//! about half with `peeps::spawn_named`, half with plain `tokio::spawn`.
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `watch_ref_held_across_send` | certain deadlock of one task with its own `watch::Ref`, kept in a `let` across a `send` on that watch (tokio#4246), a blocking poll; a `changed` waiter behind (missed today: a bug) |
//! | `permit_held_joining_child_tokio_spawn` | probable deadlock: a plain tokio task holding the only permit of `encoders` joins a child that asks for one |
//! | `guard_across_notified_tokio_spawn` | probable deadlock: a mutex guard held across `notified()`, the notifier locking that mutex first (missed today: a bug) |
//! | `barrier_party_holds_lock` | probable deadlock: a `Barrier` of 2, one party holding a mutex across `wait()`, the other locking it first (missed today: a bug) |
//! | `rwlock_writer_between_reader_and_sender` | certain deadlock, 3 tasks: a reader awaiting a message, a queued writer, the message's sender reading behind the writer |
//! | `reserve_slot_awaiting_consumer_tokio_spawn` | probable deadlock, 3 tasks: the only slot of `frames` reserved while awaiting what the receiver hands out after a message that cannot enter (missed today: a bug) |
//! | `worker_pool_lookup_behind_full_queue` | certain deadlock of a dispatcher sending into a full worker inbox and that worker awaiting its lookup reply; the other worker behind |
//! | `cache_miss_relock_if_let` | no deadlock, no potential deadlock (a `Mutex<HashMap>` cache: the `if let` guard dropped before a slow fetch, locked again to insert) |
//! | `try_acquire_backoff_tokio_spawn` | no deadlock, no potential deadlock (`try_acquire` with backoff beside acquirers, every permit held across slow work) |
//! | `reserve_then_send_backpressure` | no deadlock, no potential deadlock (`reserve` then `Permit::send` at once, a slow consumer) |
//! | `flusher_lock_across_sleep_tokio_spawn` | no deadlock, no potential deadlock (a flusher holding a mutex across a timer, handlers waiting for it) |
//! | `joinset_select_shutdown_tokio_spawn` | no deadlock, no potential deadlock (`JoinSet::join_next()` in a `select!` against a `broadcast` shutdown not sent; crawlers contend for a lock held across a slow fetch) |
//!
//! ## Everyday deadlocks and healthy shapes (fourth hunt)
//!
//! About half without any peeps annotation at all (plain `tokio::spawn`
//! of `async move` blocks, `#[tokio::main]`, only `tokio::sync` swapped
//! for `peeps::sync`), where the honest answer may be weaker: a deadlock
//! where peeps can prove it, else the long waits naming who holds what.
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `join_handle_under_lock_plain` | no deadlock (a tokio `JoinHandle` awaited under a lock is invisible); at a short threshold a long wait on `registry`, held by the joining task |
//! | `rwlock_read_then_write_helper_plain` | probable deadlock of one plain task: `write()` in a helper fn while its own read guard lives |
//! | `semaphore_second_permit_helper_plain` | probable deadlock, 3 plain tasks each holding a permit of `db-pool` and asking for a second in a helper fn |
//! | `blocking_lock_in_spawn_blocking` | certain deadlock of `exporter` (awaiting the `spawn_blocking` closure's `JoinHandle`, seen in the closure's task cell) and the closure (its `blocking_lock()` on `metrics`, held by `exporter`) |
//! | `guard_across_broadcast_recv` | certain deadlock, 2 tasks: a mutex guard held across a `broadcast` receive whose only sender locks that mutex first |
//! | `once_cell_init_locks_held_mutex_plain` | probable deadlock of one plain task: a `OnceCell` initialiser locking the mutex its caller holds |
//! | `try_lock_then_lock_inversion_plain` | probable deadlock, 2 plain tasks: a lock-order inversion, one first lock taken with `try_lock` |
//! | `guard_across_full_send_plain` | no deadlock (both channel ends moved into uninstrumented blocks: the receiver's holder is not confirmed); at a short threshold two long waits: the consumer's lock of `sequence`, held by the producer, and the producer's send into full `events` |
//! | `downgraded_guard_joining_writer` | certain deadlock, 2 tasks: a write guard downgraded to a read guard, held while joining a child that needs the write lock |
//! | `once_cell_init_behind_waiter_lock` | certain deadlock, 2 tasks: a `OnceCell` initialiser waiting for a mutex whose holder waits for the cell's value |
//! | `singleflight_watch_plain` | no deadlock, no potential deadlock (request coalescing: followers await a `watch` the first caller publishes after a slow fetch) |
//! | `lock_across_spawn_blocking_plain` | no deadlock, no potential deadlock (a guard held across `spawn_blocking` work that does not need it); at a short threshold two long waits on `index` |
//! | `consumer_locks_while_processing` | no deadlock, no potential deadlock (a consumer holding a lock while processing, the producer sending under it with room); a long wait of `producer` |
//! | `owned_permit_into_async_block` | no deadlock, nothing stuck forever (owned permits moved into uninstrumented `async move` handlers on timers) |
//! | `owned_guard_into_async_block` | no deadlock, nothing stuck forever (a `lock_owned` guard moved into an uninstrumented `async move` block on a timer) |
//! | `owned_guard_moved_then_relock` | no deadlock, nothing stuck forever (a `lock_owned` guard written through, moved into an uninstrumented `async move` block on a timer, the mutex locked again in the same scope) |
//! | `owned_permits_unrolled_into_async_blocks` | no deadlock, nothing stuck forever (owned permits logged, then moved into uninstrumented `async move` uploads on timers, a third awaited in the same scope; the spawn is in a plain helper fn: the uploads are tasks peeps cannot see into) |
//! | `owned_guard_moved_then_relock_plain` | the same as `owned_guard_moved_then_relock` with no peeps annotation but `peeps::spawn_named`: no deadlock, nothing stuck forever (a certain deadlock before the task census) |
//! | `owned_guard_kept_then_relock_plain` | certain deadlock: `editor` waits on `document`, held by `editor` (a `lock_owned` guard kept after awaiting a plain task that finished; no peeps annotation but `peeps::spawn_named`) |
//! | `sender_moved_after_use_plain` | no deadlock, nothing stuck forever (a pump primes its channel with one send, moves the sender into a plain `tokio::spawn` ticker on a timer, and receives; no peeps annotation but `peeps::spawn_named`; a certain deadlock before the task census) |
//! | `lock_orders_one_thread_plain` | no deadlock, no potential deadlock (plain tasks on one thread: a lock held across a timer by one task orders nothing another task takes) |
//! | `fan_in_clone_then_move_async_blocks` | no deadlock, nothing stuck forever (a sender cloned into one uninstrumented `async move` producer, the original moved into another on a timer) |
//! | `owned_guard_to_worker_awaiting_relocker` | one deadlock of 2 tasks (a `lock_owned` guard handed to an instrumented fn under plain `tokio::spawn` that waits on a oneshot the spawner sends only after it relocks) |
//! | `permit_via_helper_to_named_worker` | certain deadlock of 2 tasks (an owned permit handed through a plain helper fn to a `peeps::spawn_named` worker waiting on a oneshot; the spawner acquires again before it sends) (a miss today: a bug; the spawn scan reads the sender's mark in stale stack bytes) |
//! | `joinset_sender_clones_on_timers` | no deadlock, nothing stuck forever (sender clones moved into plain `JoinSet` blocks on timers, the original dropped) |
//! | `owned_guard_into_spawn_blocking_relock` | no deadlock, nothing stuck forever (a `lock_owned` guard written through, moved into a `spawn_blocking` save, the mutex locked again in the same scope) |
//! | `permit_into_std_thread_reacquire` | no deadlock, nothing stuck forever (the only owned permit logged, moved into a `std::thread`, acquired again in the same scope) |
//! | `sender_via_helper_to_instrumented_worker` | no deadlock, nothing stuck forever (senders handed through a plain helper fn to instrumented producers under `tokio::spawn`, on timers) |
//! | `joinset_worker_clone_original_kept` | certain deadlock of 1 task (a clone handed to an instrumented `JoinSet` worker that finished; the collector keeps the original and receives) |
//! | `sender_taken_from_arc_state_plain` | no deadlock, nothing stuck forever (a sender stored in `Arc`'d state, taken out by a plain `async move` block on a timer) |
//! | `oneshot_rx_via_helper_reply_on_timer` | no deadlock, nothing stuck forever (a oneshot receiver handed through a plain helper fn to a `peeps::spawn_named` waiter; the sender kept, sent after a timer) |
//! | `joinset_owned_guard_worker_awaits_spawner` | probable deadlock of 2 tasks (a `lock_owned` guard and a receiver handed to an instrumented `JoinSet` worker; the spawner relocks before it sends) |
//! | `auditor_spawned_while_done_pending` | no deadlock, nothing stuck forever (a sender handed to an uninstrumented `async move` job on a timer; holding a lock, the spawner starts through a plain helper fn a `peeps::spawn_named` auditor that needs it) |
//! | `job_helper_then_auditor_under_lock` | no deadlock, nothing stuck forever (the same, the job's sender made under the lock and handed over through a plain helper fn) |
//! | `gate_across_sleep_tokio_spawn` | no deadlock, no potential deadlock (accounts locked in either order under a `transfers` gate held across a plain sleep, plain tasks resumed on another worker) |
//! | `gate_across_reply_wait_tokio_spawn` | no deadlock, no potential deadlock (the same, the gate held across an instrumented oneshot reply wait) |
//! | `join_branches_lock_each_tokio_spawn` | no deadlock, no potential deadlock (two `join!`s of plain blocks, each locking one cache across a fetch, in opposite orders) |
//! | `lock_across_sleep_inversion_tokio_spawn` | no deadlock; one potential deadlock of `sessions` and `metrics` (one taken across a plain sleep after which the task resumed on another worker) |
//! | `rwlock_reads_opposite_one_written_tokio_spawn` | no deadlock, no potential deadlock (two rwlocks read in opposite orders, only one ever written) |
//! | `rwlock_reads_opposite_both_written_tokio_spawn` | no deadlock; one potential deadlock of `routes` and `limits`, needing a writer queued on each |
//! | `blocking_index_in_spawn_blocking_inversion` | no deadlock; one potential deadlock of `catalog` (tokio) and `index` (blocking), one order taken in `spawn_blocking` |
//! | `try_lock_backoff_relock_tokio_spawn` | no deadlock, no potential deadlock (`try_lock` with a back-off that retakes both locks in the other task's order) |
//! | `accounts_locked_by_index_tokio_spawn` | no deadlock, no potential deadlock (per-account locks of one class always taken lowest index first, by concurrent tellers on four workers) |
//! | `permit_cache_stats_spawn_blocking_tokio_spawn` | no deadlock, no potential deadlock (a permit, a tokio mutex, a blocking mutex, always in that order; the blocking mutex alone in `spawn_blocking`) |
//! | `owned_guard_handed_off_then_lock_tokio_spawn` | no deadlock, no potential deadlock (a `lock_owned` guard handed to a plain save job before the uploader locks `index`; a reindexer locks `index` then the document) |
//! | `settlement_then_session_moves_tokio_spawn` | no deadlock, no potential deadlock (a settlement holds ten accounts, more than peeps follows, and lets them go on another worker; a client lets `session` go on that worker before it takes `journal`; an auditor takes `journal` then `session`) |
//! | `hedged_replicas_select_tokio_spawn` | no deadlock, no potential deadlock (two `select!`s over both replicas, each branch holding its connection until its answer, preferring opposite replicas) |
//! | `hedged_replicas_select_instrumented` | no deadlock, no potential deadlock (the same, `ask` instrumented: the branches are sibling futures) |
//! | `upload_slot_released_elsewhere_tokio_spawn` | no deadlock, no potential deadlock (two plain tasks hold permits on one worker; one lets its permit go on the other worker, moves back and locks `ledger`; a reconciler takes a permit under `ledger`) |
//!
//! ## Hangs the way services have them, and their healthy twins (sixth hunt)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `pool_join_before_closing_jobs` | certain deadlock, 4 tasks: a pool's shutdown joins its workers (`join_all`) before dropping the job sender; one worker receives under the shared receiver's lock, two wait for it; `main` behind |
//! | `pool_shutdown_takes_jobs_sender` | no deadlock, nothing stuck forever, no potential deadlock (the twin: the sender taken out of an `Option` and dropped before `join_all`; one worker on a slow job) |
//! | `shutdown_joins_workers_under_stats_lock` | certain deadlock, 2 tasks: a supervisor holds `stats` while it joins its `select!` actors after a `watch` shutdown, each locking `stats` on the way out; 2 workers and `main` behind |
//! | `shutdown_grace_period_under_stats_lock` | no deadlock, nothing stuck forever, no potential deadlock (the twin: the workers joined under `tokio::time::timeout`); at a short threshold three long waits on `stats`, held by `supervisor` |
//! | `actor_calls_back_into_caller_tokio_spawn` | probable deadlock of 2 plain tasks: request/response actors (handles, bounded inboxes, oneshot replies), the actor called calling back into its caller, which awaits it before reading its inbox; `main` behind |
//! | `actor_callback_answered_by_helper_tokio_spawn` | no deadlock, nothing stuck forever, no potential deadlock (the twin: the caller awaits the answer in a helper task and keeps reading its inbox) |
//! | `read_guard_across_refresh_reply_tokio_spawn` | probable deadlock of 2 plain tasks: a handler keeps a read guard of `token` while it awaits a oneshot reply from the refresher, which waits to write `token`; a second handler's read behind the queued writer is behind it |
//! | `refresh_reply_after_read_guard_tokio_spawn` | no deadlock, nothing stuck forever, no potential deadlock (the twin: a temporary read guard, dropped before the request; the refresher writes across a slow fetch); at a short threshold a long wait on `token` |
//! | `blocking_writer_joined_before_close` | certain deadlock of 2 tasks: an async task awaits the `JoinHandle` of a `spawn_blocking` writer parked in `blocking_recv` on a channel whose sender it never dropped (the `JoinHandle` keeps the task's waker in the writer's task cell, known from its blocking call) |
//! | `blocking_writer_slow_behind_full_channel` | no deadlock, nothing stuck forever, no potential deadlock (the twin: the sender dropped, the blocking writer sleeping on each line); at a short threshold a long wait of `importer` sending into full `lines` |
//! | `blocking_writer_sleeps_while_joined` | no deadlock, nothing stuck forever, no potential deadlock (the twin: the sender dropped, `importer` awaiting the blocking writer, which sleeps on its first line); at a short threshold a long wait of `importer` for the writer's task |
//!
//! ## Handles used, then moved where peeps cannot see, and their twins (seventh hunt)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `owned_guard_into_spawn_blocking_unannotated` | no deadlock, nothing stuck forever (a `lock_owned` guard written through, moved into a `spawn_blocking` save on a long sleep; the editor, `peeps::spawn_named` with no other annotation, locks again) (a false alarm until the census counted threads) |
//! | `owned_guard_kept_past_spawn_blocking_unannotated` | certain deadlock once tokio's idle blocking thread is gone (10 s; a long wait until then): `editor` waits on `document`, held by `editor` (the twin: the guard kept, a copy saved by `spawn_blocking`) |
//! | `sender_to_thread_via_helper_current_thread` | no deadlock, nothing stuck forever (current-thread: a pump sends once, hands its sender to a plain helper fn that starts a `std::thread` ticker on a long sleep, and receives) (a false alarm until the census counted threads) |
//! | `sender_kept_thread_helper_current_thread` | certain deadlock: `pump` waits on `ticks` to receive, its sender held by `pump` (the twin: a clone to the thread, the original kept) |
//! | `permits_into_joinset_from_main` | no deadlock, nothing stuck forever (the `#[tokio::main]` body moves owned permits, logged, into `JoinSet` uploads on timers and waits for a third); at a short threshold a long wait of `main` on `uploads` |
//! | `permit_kept_past_joinset_in_main` | probable deadlock of `main`'s thread with itself on `uploads` (the twin: the permit kept past a joined `JoinSet` job) (a miss today: a bug) |
//! | `owned_guard_parked_in_sessions_janitor_thread` | no deadlock, nothing stuck forever (current-thread: a `lock_owned` guard parked in a session in an `Arc<std::sync::Mutex<Vec<_>>>` that a janitor `std::thread` clears after an hour; the checkout locks again) (a false alarm until the census counted threads) |
//! | `owned_guard_parked_in_sessions_never_expired` | certain deadlock: `checkout` waits on `cart`, held by `checkout` (the twin: no janitor) |
//! | `sender_kept_with_heartbeat_tokio_spawn` | no deadlock, no long wait: a pump keeps its sender and receives forever while an unrelated plain heartbeat runs (the census: its use proves nothing; a receive is no stall) |
//! | `owned_guard_kept_with_heartbeat_current_thread` | no deadlock; at a short threshold a long wait of `editor` on `document` whose guard "was last seen with task editor" (current-thread: a `lock_owned` guard kept, relocked, while an unrelated plain heartbeat runs: the census) |
//! | `sender_used_then_moved_from_main_current_thread` | no deadlock, nothing stuck forever (the current-thread `main` body sends, moves its sender into a plain ticker on a timer, and receives) |
//! | `sender_used_kept_in_main_current_thread` | probable deadlock of `thread main` with itself on `events` (the twin: `main` keeps its sender, used on its stack, and receives forever; nothing was said until a thread's use from its stack was proof) |
//! | `coordinator_kept_sender_metrics` | no deadlock; at a short threshold a long wait of `coordinator` on `results` whose sender "was last seen with task coordinator" (a coordinator keeps its own sender while summing its plain workers' results, beside a plain metrics loop: the census) |
//! | `coordinator_dropped_sender_metrics` | no deadlock, nothing stuck forever, no long wait (the twin: the coordinator drops its sender) |
//! | `read_guard_across_join_ctrl_c` | certain deadlock: `reloader` joins `refresher`, which waits to write `config`, read-held by `reloader` (beside a plain `ctrl_c` waiter: a guard and a join stay proof) |
//! | `read_guard_dropped_before_join_ctrl_c` | no deadlock, nothing stuck forever, no long wait (the twin: the read guard is let go before the join) |
//! | `lock_across_reply_heartbeat` | no deadlock; at a short threshold long waits of `api` on `balance` (its sender last seen with `ledger`) and of `ledger` on `accounts` held by `api` (a lock held across a oneshot reply from an actor that needs it, beside a plain heartbeat: the census) |
//! | `lock_released_before_reply_heartbeat` | no deadlock, nothing stuck forever, no long wait (the twin: `api` asks before it locks) |
//! | `nested_permit_health_server_tokio_spawn` | probable deadlock of two plain handlers (`tokio task N`) on semaphore `db-conns`, each holding one permit and acquiring a second (beside a plain health server and prober) |
//! | `acquire_many_health_server_tokio_spawn` | no deadlock, nothing stuck forever, no long wait (the twin: `acquire_many(2)` at once) |
//! | `actors_full_inboxes_ctrl_c` | no deadlock; at a short threshold long waits of `crawler` and `indexer`, each sending into the other's full inbox (beside a plain `ctrl_c` waiter: the census) |
//! | `actors_try_send_ctrl_c` | no deadlock, nothing stuck forever, no long wait (the twin: `try_send` on a timer) |
//! | `guard_across_send_metrics_tokio_spawn` | no deadlock; at a short threshold long waits of ingest (`tokio task N`) sending into `events` and of the indexer (`tokio task N`) on `stats`, held by ingest (a guard held across a send to the consumer that needs it, plain tasks beside a plain metrics loop) |
//! | `guard_dropped_before_send_metrics_tokio_spawn` | no deadlock, nothing stuck forever, no long wait (the twin: the guard is let go before the send) |
//! | `join_under_lock_ctrl_c_tokio_spawn` | no deadlock; at a short threshold a long wait of the runner (`tokio task N`) on `jobs`, held by the scheduler (`tokio task N`) (a tokio `JoinHandle` awaited under a lock the runner needs: the join is not peeps') |
//! | `join_after_unlock_ctrl_c_tokio_spawn` | no deadlock, nothing stuck forever, no long wait (the twin: the lock is let go before the join) |
//! | `sender_to_metrics_runtime` | no deadlock, nothing stuck forever (a pump moves its used sender into an hourly flush on a dedicated `metrics` runtime, which runs a plain metrics loop, and receives) (a false alarm until the census counted threads) |
//! | `sender_kept_beside_metrics_runtime` | no deadlock; at a short threshold a long wait of `pump` on `ticks` whose sender "was last seen with task pump" (the twin: the pump keeps its sender beside a plain metrics loop on a dedicated runtime: the census) (a certain deadlock until the census counted threads: the metrics runtime's thread is unseen) |
//! | `sync_bridge_std_thread` | certain deadlock of `client` and `thread sync-worker` on `requests` and `replies` (a `std::thread` worker parked in `blocking_send` of a reply the client, sending all its requests first, never reads) |
//! | `sync_bridge_spawn_blocking` | the same with a `spawn_blocking` worker (`tokio task N`) |
//! | `sync_bridge_replies_read_std_thread` | no deadlock, nothing stuck forever (the twin: replies read by a task of their own; the worker parked in `blocking_recv`, the client on a timer) |
//! | `sync_bridge_replies_read_spawn_blocking` | the same with a `spawn_blocking` worker |
//! | `owned_permit_reacquired_health_server` | no deadlock; at a short threshold a long wait of `uploader` on `upload-slots` whose permit "was last seen with task uploader" (an `acquire_owned` permit held while acquiring again from the same pool of 1, beside a plain health server and prober: the census) |
//! | `owned_permit_passed_down_health_server` | no deadlock, nothing stuck forever, no long wait (the twin: the helper works under the same permit) |
//! | `owned_guard_across_join_heartbeat` | no deadlock; at a short threshold a long wait of `job-runner` on `jobs` whose guard "was last seen with task scheduler" (a `lock_owned` guard held across the join of a runner that needs it, beside a plain heartbeat: the census; a join is no stall) |
//! | `owned_guard_dropped_before_join_heartbeat` | no deadlock, nothing stuck forever, no long wait (the twin: the owned guard is dropped before the join) |
//! | `reply_in_unread_job_heartbeat` | no deadlock; at a short threshold long waits of `client` on `value` (its sender in an unread job on `jobs`, whose receiver was last seen with `worker`) and of `worker` on `cache`, held by `client` (a lock held while awaiting a reply the worker reads only after taking that lock, beside a plain heartbeat: the census) |
//! | `reply_after_unlock_job_heartbeat` | no deadlock, nothing stuck forever, no long wait (the twin: the reply is awaited before the lock) |
//! | `read_guard_join_behind_hot_reload` | probable deadlock of `handler` (joins `fetch`), `fetch` (reads `config` behind a queued writer) and the plain hot-reload task (`tokio task N`, writes `config`, read-held by `handler`) (current-thread: the background task is part of it) |
//! | `read_copied_before_join_hot_reload` | no deadlock, nothing stuck forever, no long wait (the twin: the read guard is let go before the join) |
//!
//! ## Healthy programs under steady load, dumped many times, and deadlocked twins (hunt10)
//!
//! Each healthy one runs traffic forever; its test dumps it 9 times, 300 ms
//! apart, and every dump must be healthy.
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `soak_tcp_kv_server` | in every dump: no deadlock, nothing stuck forever, no potential deadlock (a TCP key-value server on 127.0.0.1, plain per-connection handlers, four in-process clients, a snapshotter keeping `store` across a slow write); long waits on `store` |
//! | `soak_worker_pool_oneshot` | in every dump: nothing false (three plain workers share a full bounded `jobs` through a `job-queue` mutex, oneshot replies, every fourth job slow); long waits sending into `jobs` |
//! | `soak_pipeline_watch_reload` | in every dump: nothing false (four plain stages over bounded channels, one slow, a `watch` reload and an `RwLock` write every 200 ms); long waits sending into `raw` |
//! | `soak_semaphore_jobs_broadcast` | in every dump: nothing false (owned permits of `job-slots` moved into plain jobs on timers, a `broadcast` shutdown never sent); long waits on `job-slots` |
//! | `soak_notify_batcher` | in every dump: nothing false (a `Notify`-driven batcher, a slow flush under `sink`); long waits on `sink` |
//! | `soak_cache_rwlock_refresh` | in every dump: nothing false (six plain readers of `prices`, an instrumented `refresher` writing across a slow rebuild); long waits on `prices` |
//! | `soak_blocking_bridge` | in every dump: nothing false (a `std::thread` `blocking_send`s into `lines`, a slow consumer parses in `spawn_blocking` under a blocking mutex); long waits on `lines` |
//! | `soak_actor_select_instrumented` | in every dump: nothing false (a `select!` actor with slow compactions on a ticker, five clients with oneshot replies, all `peeps::spawn_named`) |
//! | `soak_two_locks_one_order` | in every dump: nothing false, no potential deadlock (tellers take `accounts` then `journal`, an auditor keeps `journal` across a slow check); long waits on `journal` |
//! | `soak_tcp_kv_server_snapshot_inversion` | in every dump once hung: probable deadlock of two plain tasks (a `SET` handler holding `store`, the snapshotter holding `journal`), the three other handlers behind it; no potential deadlock (the snapshotter's order never completes); ping/pong keep running |
//! | `soak_worker_pool_guard_across_send` | in every dump once hung: certain deadlock of the worker keeping `stats` across its send into full `results` and `reporter`, the two other workers behind it (all `peeps::spawn_named`; ping/pong keep running) |
//! | `soak_notify_batcher_guard_across_notified` | in every dump once hung: probable deadlock of the batcher (keeping `pending` across `notified()`) and the plain producers, each seen to notify `pushed` before (a guess: anyone holding it may notify it) |
//! | `soak_router_pending_map_backend` | in every dump: nothing false (all `peeps::spawn_named`: a router files reply senders in a shared `std::sync::Mutex<HashMap>` after an `.await` that keeps the call in its state; a backend on a 1.2 s ticker answers); a long wait of `api` on `reply`, its sender received by `router`, which is back at `router-inbox` (a certain deadlock in 7 of 9 dumps before the handled-message rule) |
//! | `soak_router_answers_on_next_call` | in every dump once hung: a long wait of `api` on `reply`, its sender received by `router` in a message from `router-inbox`, which it waits on again (the twin, a real deadlock: the last sender kept until the next call; peeps cannot tell it from the filed one, a limit) |
//! | `soak_std_locks_in_async` | in every dump: nothing false, no potential deadlock (a blocking `metrics` mutex bumped under an async `sessions` held across a short `.await`, reporters taking them one at a time, a blocking `RwLock` config; plain and `peeps::spawn_named` handlers) |
//! | `soak_joinset_fanout_permits` | in every dump: nothing false (three instrumented frontends fan out to `JoinSet` fetches holding owned permits of `backend-conns` across their calls); long waits on `backend-conns` |
//! | `soak_lease_parked_in_shared_map` | in every dump: nothing false (all `peeps::spawn_named`: a checkout parks each owned permit of `licences`, a pool of 1, in a shared `std::sync::Mutex<Vec>` after an `.await` that keeps it in its state, and acquires again; a reaper on a 1.2 s ticker frees them); a long wait on `licences` |
//! | `soak_hub_subscribers_in_shared_list` | in every dump: nothing false, no long wait (all `peeps::spawn_named`: a hub files subscribers' events senders in a shared `std::sync::Mutex<Vec>` after an `.await` that keeps the subscription in its state; a publisher on a 1.2 s ticker sends to the list) |
//! | `soak_mux_client_tcp_pending_map` | in every dump: nothing false (all `peeps::spawn_named`: four callers file `reply` senders, borrowed by `is_closed()` first, in a shared `std::sync::Mutex<HashMap>` and await them; a writer task and a reader task on one real TCP connection to a server answering after 100-1500 ms); a long wait on `reply` past the threshold says its sender was found in the caller's state while the caller waits on that channel (certain self-deadlocks of each caller before the filed-away rule) |
//! | `soak_mux_client_tcp_pending_map_no_borrow` | in every dump: nothing false (as `soak_mux_client_tcp_pending_map`, the `reply` sender moved into the map without a borrow first); a long wait, if any, only on `reply`, saying why its sender is unplaced |
//! | `soak_mux_writer_task_tcp` | in every dump: nothing false (all `peeps::spawn_named`: callers send `Call`s with `reply` senders to a writer task that files them in a shared `std::sync::Mutex<HashMap>` and writes to one real TCP connection; a reader task completes them, answers 100-1500 ms late); no long wait (a receive is no stall); a long wait, if any, only on `reply`, saying why its sender is unplaced |
//! | `soak_registry_resubscribe_select` | in every dump: nothing false (all `peeps::spawn_named`: subscribers resubscribe every five events, a `select!` hub files their `events` senders in a shared `std::sync::Mutex<Vec>` and prunes closed ones on a ticker, a publisher sends to the list every 250 ms); long waits to send on `events` |
//! | `soak_mux_writer_task_tcp_one_caller` | in every dump: nothing false (as `soak_mux_writer_task_tcp`, one sequential caller; a certain deadlock of `mux-writer` and `caller` before the handled-message rule); a long wait on `reply` says its sender was received by `mux-writer`, back at `calls` |
//! | `soak_pool_idle_conns_owned_permits` | in every dump: nothing false (all `peeps::spawn_named`: six workers share a pool of three TCP connections, each carrying an owned permit of `pool-slots`, checked in to a shared `std::sync::Mutex<Vec>`; checkout `select!`s a new permit or `conn-returned`; the server answers 100-1500 ms late); long waits on `pool-slots` |
//! | `soak_mux_sharded_async_current_thread` | in every dump: nothing false (current-thread, all `peeps::spawn_named`: a `select!` dispatcher files `reply` senders in a hand-sharded map of async mutexes `pending-0`..`pending-3` and completes them from `backend-call` tasks answering 100-1500 ms late); a long wait, if any, only on `reply`, saying why its sender is unplaced |
//! | `soak_mux_reader_holds_pending_awaits_ack` | in every dump once hung: certain deadlock of `caller` (waits to lock `pending`, held by `mux-reader`) and `mux-reader` (waits to receive on `acks`, its sender with `caller`): the reader keeps the pending map locked while it awaits the caller's ack; `backend` behind it; `metrics` keeps ticking |
//! | `soak_registry_publish_under_lock_unsubscribe` | in every dump once hung: certain deadlock of `publisher` (waits to send on full `events`, receiver with `subscriber-1`) and `subscriber-1` (waits to lock `subscribers`, held by `publisher`): the publisher sends under the registry lock, a leaving subscriber locks it to unsubscribe; `subscriber-2` and `subscriber-3` behind it (their senders used only under `subscribers`); `metrics` keeps ticking |
//! | `soak_mux_client_tcp_partly_moved_call` | in every dump: nothing false; a long wait on `reply` says its sender was found in the caller's state (as `soak_mux_client_tcp_pending_map_no_borrow`, each caller moving the `reply` sender out of a call struct it keeps across the awaits for its start time; certain self-deadlocks of each caller before the filed-away rule) |
//! | `soak_mux_streams_senders_in_map` | in every dump: nothing false (all `peeps::spawn_named`: four callers move their `stream` mpsc senders into a shared `std::sync::Mutex<HashMap>` and receive chunks slowly, the first 600-1200 ms late; a reader task routes TCP frames to clones of them with `send().await` and closes a stream by removing its sender); long waits to send on `stream` |
//! | `soak_chat_server_peers_map` | in every dump: nothing false, no long wait (tokio's chat server, all `peeps::spawn_named`: each connection files its unbounded `peer` sender in a shared `std::sync::Mutex<HashMap>` and `select!`s between it and the socket; four chatters reconnect every ten lines) |
//! | `soak_pool_retry_after_broken_conn` | in every dump: nothing false (all `peeps::spawn_named`: three workers share two connections carrying owned permits of `pool-slots`; a broken one is handed to a shared `retiring` list and, in the same scope, a fresh permit is awaited; a closer on a 400 ms ticker frees them); long waits on `pool-slots` (in some runs one dump in nine says a certain deadlock: a bug, its test ignored) |
//! | `soak_txn_row_guards_in_shared_map` | in every dump: nothing false (all `peeps::spawn_named`: `begin` tasks take `lock_owned` of `row-0`/`row-1`, file the owned guard in a shared `std::sync::Mutex<HashMap>` transaction table and end; a commit drops it); long waits on the rows |
//! | `soak_service_registry_cloned_senders` | in every dump: nothing false, no long wait (all `peeps::spawn_named`: three services file their `svc-inbox` senders in a shared `std::sync::Mutex<HashMap>` and sit idle between queries; four clients send on clones looked up there, with `answer` oneshots) |
//! | `soak_mux_writer_task_tcp_logged_call` | in every dump: nothing false; a long wait on `reply` says its sender was received by `mux-writer`, back at `calls` (as `soak_mux_writer_task_tcp`, each caller logging its `Call` by reference before sending it) |
//! | `soak_registry_subscribe_logged` | in every dump: nothing false (as `soak_registry_resubscribe_select`, each subscriber logging its `Subscribe` by reference before sending it); long waits to send on `events` |
//! | `soak_mux_streams_sender_borrowed` | in every dump: nothing false (as `soak_mux_streams_senders_in_map`, each `stream` sender borrowed by `is_closed()` before it is filed); long waits to send on `stream` (certain self-deadlocks of callers waiting for their first chunk before the filed-away rule) |
//! | `soak_pool_retry_single_conn` | in every dump: nothing false (as `soak_pool_retry_after_broken_conn` with a single connection: a worker retires it to the shared list and awaits the only permit in the same scope, the other workers waiting for it too); long waits on `pool-slots` |
//! | `soak_mux_writer_task_tcp_current_thread` | in every dump: nothing false (as `soak_mux_writer_task_tcp`, on a current-thread runtime); a long wait, if any, only on `reply`, saying why its sender is unplaced |
//! | `soak_timeout_lock_retry` | in every dump: nothing false (searchers, two `peeps::spawn_named` and two plain, lock `index` under `timeout(350 ms)` and retry; a compactor holds it 600 ms every 200 ms); long waits on `index` |
//! | `soak_select_shared_receiver_reload` | in every dump: nothing false (current-thread: three workers `select!` between a `reload` watch and `jobs-rx.lock().await.recv()`; a dispatcher sends every 400 ms, the reload drops the pending waits every 1.1 s); long waits on `jobs-rx` |
//! | `soak_cancel_token_respawn` | in every dump: nothing false (a hand-rolled cancellation token, an `AtomicBool` and a `Notify` `cancel`; five workers `select!` it against a permit of `slots` held 300 ms; a supervisor cancels, joins with a deadline and respawns every 900 ms); long waits on `slots` |
//! | `soak_joinset_abort_respawn` | in every dump: nothing false (a supervisor's `JoinSet` of uploaders holding an owned permit of `db-conns` and a `lock_owned` guard of `ledger`, `abort_all` every 700 ms and respawned; an auditor locks `ledger`); long waits on `db-conns` or `ledger` |
//! | `soak_buffer_unordered_fetch_permits` | in every dump: nothing false (three crawlers, one plain, `buffer_unordered(6)` fetches each holding an owned permit of `http-conns` (3) across 100-600 ms); long waits on `http-conns` |
//! | `soak_owned_guard_flush_handoff` | in every dump: nothing false (two writers hand each `lock_owned` guard of `journal` to a flush task, `peeps::spawn_named` from an instrumented fn or plain `tokio::spawn` from a plain fn, and lock again; a plain reader); long waits on `journal` |
//! | `soak_permit_through_pipeline` | in every dump: nothing false (`ingress` takes an owned permit of `inflight` per request and it travels in messages through `parse`, `enrich` (two plain workers behind `enrich-rx`) and `store`, where it is dropped); long waits on `inflight` |
//! | `soak_rate_limiter_refill` | in every dump: nothing false (current-thread: `rate-limit` starts empty, a refiller adds 3 permits every 250 ms; clients, some plain, take and `forget()` one, a bulk client `acquire_many(4)`); long waits on `rate-limit`, whose permits nobody holds |
//! | `soak_acquire_many_io_budget` | in every dump: nothing false (compactors `acquire_many(6)` of `disk-io` (8) for 400 ms, readers take 1, a checkpointer's `acquire_many_owned(4)` goes to a plain `tokio::spawn` writer it joins); long waits on `disk-io` |
//! | `soak_broadcast_lagging_book` | in every dump: nothing false (a feed broadcasts on `quotes` every 5 ms; three subscribers apply to `book`, a plain analytics one lags; a snapshotter holds `book` 400 ms); long waits on `book` |
//! | `soak_watch_config_readers` | in every dump: nothing false (current-thread: an admin `send_modify`s `config` every 400 ms; handlers, half plain, `borrow()` it per request and read `routes`; two watchers `changed()` then write `routes` 180 ms; a `wait_for` gate) |
//! | `soak_notify_flusher_durable_ack` | in every dump: nothing false (producers, half plain, push to `buffer`, `notify_one` `flush-now` past four records and wait on an enabled `flushed.notified()`; the flusher waits on `flush-now` under a 200 ms timeout, writes under `disk` 250 ms and `notify_waiters`) |
//! | `soak_oncecell_token_refresh` | in every dump: nothing false (requests, half plain, `get_or_init` the `token` `OnceCell` cloned out of `token-slot`; the first fetches for 500 ms under `auth-conn`; a rotator puts a fresh cell every 1.5 s) |
//! | `soak_single_flight_broadcast` | in every dump: nothing false (a `Mutex<HashMap>` `inflight` of broadcast senders: a leader files a clone, fetches under an owned permit of `origin` 300-600 ms and sends; followers, half plain, subscribe and wait) |
//! | `soak_single_flight_oneshot_waiters` | in every dump: nothing false (a `std::sync::Mutex<HashMap<key, Vec<oneshot::Sender>>>`: followers, half plain, push a `loaded` sender and await; the leader fetches under `origin` (1) 300-600 ms and answers them all) |
//! | `soak_blocking_workers_bridge` | in every dump: nothing false (a `std::thread` `blocking_send`s on `samples`; a router feeds two `spawn_blocking` workers over `work-N` (`blocking_recv`, `blocking_send` on `results`); a collector locks `store` with `block_in_place(blocking_lock)`, a reporter holds it 300 ms) |
//! | `soak_graceful_shutdown_generations` | in every dump: nothing false (a supervisor runs generations: a plain feeder, four workers `select!` a `shutdown` watch against `queue-rx.lock().await.recv()`, jobs under `db` (2); after 1.2 s it flips `shutdown`, the workers drain, it joins with a deadline); long waits on `db` or `queue-rx` |
//! | `soak_timeout_send_load_shed` | in every dump: nothing false (current-thread: six ingest handlers, half plain, `timeout(250 ms, send)` on `events` (4) and shed; the consumer `select!`s `recv` against a flush timer and stalls under `segment`; a compactor holds `segment` 300 ms) |
//! | `soak_abort_named_workers_owned_permits` | in every dump: nothing false (three clients each race two `peeps::spawn_named` attempts holding an owned permit of `replica-conns` and a `lock_owned` guard of `conn-stats`, answering on a `hedge` oneshot; the loser is aborted by its `JoinHandle`) |
//! | `soak_mpsc_reserve_then_fetch` | in every dump: nothing false (four fetchers, half plain, `reserve()` a slot of `items` (2), fetch 100-400 ms and `permit.send`; the indexer receives: the queue is empty and fully reserved at once) |
//! | `soak_transfer_timeout_backoff` | in every dump: nothing false (four `peeps::spawn_named` tellers, two `a`->`b` and two `b`->`a`, take the second lock under `timeout(150 ms)` and back off; a lock-order inversion that cannot hang) |
//! | `soak_oneshot_closed_cancel_aware` | in every dump: nothing false (callers, half plain, send requests with `answer` oneshots and await under `timeout(400 ms)`; a dispatcher spawns plain and named handlers that `select!` `reply.closed()` against a `backend` permit held 150-550 ms) |
//! | `soak_barrier_phased_workers` | in every dump: nothing false (four workers, half plain, compute 50-450 ms, some lock `grid`, meet at `step-barrier`; the leader sends `step` on a watch, an observer holds `grid` 300 ms per step) |
//! | `soak_pool_handoff_waiters_timeout` | in every dump: nothing false (a pool of `pool-slots` (2) whose connections carry owned permits; a checkout queues a `handoff` oneshot in a `std::sync::Mutex<VecDeque>` and waits under `timeout(300 ms)`; check-in hands the connection to the first live waiter; workers half plain) |
//! | `soak_leader_step_down_notify` | in every dump: nothing false (three candidates, one plain: the `leadership` owned guard's holder waits on `step-down` under a 900 ms timeout; followers time out on `leadership` after 250 ms and `notify_one` it) |
//! | `soak_transfer_timeout_backoff_plain` | in every dump: nothing false (as `soak_transfer_timeout_backoff`, the tellers plain tasks) |
//! | `soak_transfer_timeout_backoff_current_thread` | in every dump: nothing false (as `soak_transfer_timeout_backoff`, current-thread) |
//! | `soak_accounts_locked_in_id_order` | in every dump: nothing false (six tellers, half plain, lock two of `account-0`..`account-5`, made in one loop, lowest id first; an auditor locks all six in order) |
//! | `soak_try_lock_second_skip` | in every dump: nothing false (handlers, half plain, hold `sessions` and `try_lock` `stats`, skipping when busy; a flusher locks `stats` then `sessions`: both orders, but one never waits) |
//! | `soak_db_permits_and_cache_lock` | in every dump: nothing false (three handlers, one plain, take a permit of `db-pool` (8) then `cache`; a refresher takes `cache` then a permit: both orders, but the handlers never hold all permits); the inversion said as a potential deadlock that needs `db-pool` with no permit left, a latent one |
//! | `soak_one_task_both_orders` | in every dump: nothing false (only `maintenance` ever holds both `index` and `wal`, in both orders one after the other; readers, half plain, and appenders take one) |
//! | `soak_gate_semaphore_both_orders` | in every dump: nothing false (a migrator and a backfiller take `users`/`orders` in opposite orders, each only while holding the single permit of the `maintenance-window` semaphore; handlers, half plain, take one table) |
//! | `soak_nested_calls_one_limiter` | in every dump: nothing false (handlers, one plain, hold a permit of `http-limit` (10) while a nested call takes another; a poller takes one; at most 7 held); the nested permit said as a potential deadlock once every permit is held by a task waiting for another, a latent one |
//! | `soak_owned_permits_into_spawn_blocking` | in every dump: nothing false (two uploaders, from a plain and an instrumented fn, move each owned permit of `cpu-slots` (2) into a `spawn_blocking` resize and a `resized` oneshot to a plain waiter); long waits on `cpu-slots` |
//! | `soak_single_flight_oneshot_waiters_current_thread` | in every dump: nothing false (as `soak_single_flight_oneshot_waiters`, current-thread) |
//! | `soak_joinset_abort_respawn_current_thread` | in every dump: nothing false (as `soak_joinset_abort_respawn`, current-thread); long waits on `db-conns` or `ledger` |
//! | `soak_select_pinned_upload_disabled_branch` | in every dump: nothing false (a batcher's pinned upload future, locking `bucket` for 200 ms, sits in a `select!` branch enabled only after five records; records every 40 ms; listers, one plain, lock `bucket`) |
//! | `soak_gate_semaphore_plain_spawn_both_orders` | in every dump: nothing false (plain `tokio::spawn` jobs of uninstrumented fns take `users`/`orders` in opposite orders, each only under the single permit of `maintenance-gate`, held across sleeps; plain handlers take one table); both order edges gated by `maintenance-gate` |
//! | `soak_gate_acquire_all_permits_both_orders` | in every dump: nothing false (`vacuum` and `analyze` take `schema`/`stats` in opposite orders holding all four permits of `db-slots` (`acquire_many(4)`); queries, one plain, take one permit and one lock); both order edges gated by `db-slots` |
//! | `soak_transfer_select_backoff_plain` | in every dump: nothing false (four plain tellers, two `a`->`b` and two `b`->`a`, race the second lock against a 150 ms sleep in a `select!` and back off) |
//! | `soak_gate_try_acquire_skip_both_orders` | in every dump: nothing false (`compactor` and `checkpointer` `try_acquire` the single permit of `maintenance-window`, skipping the round when busy, then take `segments`/`manifest` in opposite orders; writers, one plain, take one); both order edges gated by `maintenance-window` |
//!
//! ## Deadlocks modelled on bug reports (hunt13)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `sqlx_pool_query_inside_transaction` | certain deadlock of `create-order` with itself on `sqlite-pool` (sqlx: a query on `&pool` inside a transaction, one connection; the owned permit inside the transaction's connection, in its state); `main` behind |
//! | `shutdown_awaits_writer_sender_in_self` | certain deadlock of `app` (joining `audit-writer` in `shutdown(self)`) and `audit-writer` (receiving on `audit-lines`, whose sender is still a field of `self`); `main` behind |
//! | `shutdown_drains_handles_under_registry_write` | certain deadlock of `supervisor` (joining handles drained from the registry under its write lock) and `worker-1` (deregistering: write of `registry`); `worker-2` behind |
//! | `watch_borrow_across_reply_in_main` | probable deadlock of `thread main` (a `watch::Ref` of `config` kept across the await of `reload-reply`) and `config-manager` (its `send` on `config`, a blocking poll) (a miss today: a bug) |
//! | `crawler_permit_held_joining_children` | certain deadlock of `crawl /a`, `crawl /b` (each holding a permit of `fetch-slots` of 2, joining its first child) and `crawl /a/1`, `crawl /b/1` (waiting for a permit); the two other children behind |
//!
//! ## Lock order: gate permits and waits given up (hunt14)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `timeout_site_and_untimed_site_inversion` | one potential deadlock: `reconcile` took `ledger` then `cache` (no timeout, at startup), `flusher` took `cache` then `ledger`; the posters' `timeout(100 ms)` waits for `cache`, given up at another site, do not hide it |
//! | `timeout_helper_optional_deadline_inversion` | one potential deadlock: `reconcile` took `ledger` then `cache`, `flusher` `cache` then `ledger` (one `lock_within(m, deadline)` helper: the posters' waits with a deadline are given up, `reconcile`'s has none) (a miss today: a bug) |
//! | `inversion_under_semaphore_of_two` | one potential deadlock: `migrator` took `users` then `orders`, `backfiller` `orders` then `users`, each under a permit of `maintenance-slots` (2): no gate |
//! | `timeout_never_fired_inversion` | one potential deadlock: `teller-ab` took `a` then `b` (under a 5 s timeout that never fired), `teller-ba` took `b` then `a` |
//! | `deadlock_select_shutdown_never_sent` | certain deadlock of `mover` (waits to lock `b` in a `select!` against `shutdown`), `flusher` (waits to lock `a`) and `supervisor` (the `shutdown` sender's owner, joining `flusher`) |
//! | `once_cell_init_awaits_task_reading_cell` | certain deadlock of `handler` (running `api-client`'s initialiser, which awaits `refresher-ready`) and `token-refresher` (spawned by the initialiser, waiting for `api-client`) |
//! | `buffered_stream_body_locks` | certain deadlock of `ingest` with itself on `db` (futurelock: a `buffered` stream's future handed the lock, the loop body locking it) (a miss today: a bug) |
//! | `broadcast_subscribe_after_request` | certain deadlock of `pricer` (subscribed to broadcast `quotes` after its request was answered) and `quote-service` (receiving on `quote-requests`, whose sender is with `pricer`) |
//! | `while_let_guard_recv_requeue` | certain deadlock of one worker with itself (a `while let` scrutinee's guard of `job-queue` alive while the body sends into full `crawl-jobs`, whose receiver is behind that guard); the two other workers behind (a miss today: a bug) |
//! | `client_callback_calls_client_from_reader` | certain deadlock of `redis-conn` with itself (a push callback run on the connection task calls the client: `get-reply`'s sender in an unread message on `commands`); `server` behind |
//! | `server_concurrency_limit_loopback_call` | certain deadlock of `router` (waiting on `in-flight`, a limit of 1, its permit moved into the handler) and `handler /dashboard` (awaiting the `response` of its loopback call, received by `router`); `main` behind |
//! | `dashmap_style_get_then_insert_blocking` | certain deadlock of `login` with itself on blocking rwlock `sessions` (a `match` on `read().get(..)` whose arm calls `write()`), a blocking poll |
//! | `join_workers_before_draining_results` | certain deadlock of `collector` (joining `resize-1` before draining `thumbnails`) and `resize-1` (sending into full `thumbnails`); `resize-2` and `resize-3` behind |
//! | `notify_waiters_before_notified` | probable deadlock of `producer` (awaiting `acks`) and `consumer` (a lost wake-up: `notified()` on `batch-ready` after the producer's `notify_waiters()`) |
//! | `block_on_in_drop_relocks_registry` | certain deadlock of `reaper` with itself on `registry` (`futures::executor::block_on(lock())` in a `Drop` run under the guard), a blocking poll parked on `registry` |
//! | `semaphore_fifo_second_permit_behind_bulk` | certain deadlock of `upload-part` (a second `acquire()` queued behind a bulk `acquire_many(3)`, 2 permits free) and `compaction` (the bulk acquire, waiting for `upload-part`'s permit) |
//! | `watch_wait_for_under_lock_tokio_spawn` | probable deadlock of 2 plain tasks: a handler holding `db` while it `wait_for`s the `schema-status` watch, and the migration task (holding its sender) waiting to lock `db` |
//! | `actor_ring_unbounded_tokio_spawn` | probable deadlock of 3 plain actors on unbounded inboxes, each awaiting the next's reply (`stock-reply`, `price-reply` received; `tier-reply` unread on `orders-inbox`); `main` behind |
//! | `soak_job_runner_exclusive_bulk` | in every dump: nothing false (4 small jobs hold one permit of `runner-slots` across I/O sleeps; `vacuum` takes all 4 with `acquire_many(4)` every 100 ms, small acquires queued behind it with permits free) |
//! | `soak_rate_limiter_acquire_many_varying_plain` | in every dump: nothing false (5 plain clients take `acquire_many(n)` of `bandwidth` (8), n from 1 to 8, across their transfers) |
//! | `soak_bulk_acquire_timeout_gives_up` | in every dump: nothing false (workers take a second permit of `buffers` under their first, queued behind `snapshot`'s `acquire_many(3)` under an 80 ms timeout that gives up); one potential deadlock, true: the nested acquire of `buffers` |
//! | `owned_permit_second_behind_bulk` | deadlock of `ingest` (a second `acquire_owned()` of `segments` queued behind a bulk `acquire_many(3)`, 2 permits free, holding an owned permit) and `rebalance` (the bulk acquire, waiting for `ingest`'s owned permit) |
//! | `bulk_acquire_waits_on_permit_holder_behind_mutex` | certain deadlock of `catalog-writer` (holding `catalog`, its `acquire()` of `io-slots` queued behind `compaction`'s `acquire_many(3)`, 2 permits free), `compaction` (waiting for `reader`'s permit) and `reader` (waiting for `catalog`) |
//!
//! ## Deadlocks from bug reports, and their fixed twins (hunt16)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `watch_two_borrows_behind_send_replace` | certain deadlock of `api-status` (a second `borrow()` of watch `p2p-status` in one expression, behind the queued writer, its first read held) and `p2p-connections` (its `send_replace`, waiting for that read); both blocking polls (fedimint#9085) |
//! | `watch_status_copied_out_send_replace` | no deadlock, nothing stuck forever, no potential deadlock (the twin: each `borrow()` copied out in its own statement) |
//! | `forwarders_reserve_before_recv` | certain deadlock of `tailer` (sending into full `lines-c`), `forwarder-c` (reserving a slot of `shipments`, both reserved) and `forwarder-a`, `forwarder-b` (holding those slots, receiving on their quiet inboxes); `shipper` behind (tower#408, tokio#2358) |
//! | `forwarders_recv_then_reserve` | no deadlock, nothing stuck forever, no potential deadlock (the twin: a slot reserved only with a line in hand) |
//! | `router_stopped_keeps_receiver` | certain deadlock of `app` (its second stop's `stop-ack`, the sender unread on `router-requests`, received by `router`) and `router` (joining `app` after leaving its loop, its receiver kept); `main` behind (ockam#3105) |
//! | `router_stopped_closes_receiver` | no deadlock, nothing stuck forever, no potential deadlock (the twin: the router closes its receiver on leaving its loop) |
//! | `wal_read_guard_into_completion` | certain deadlock of `thread wal-reader` (a second read of blocking rwlock `shared-wal` in a completion run under its first, behind the queued writer) and `thread wal-writer` (its write, waiting for that read) (turso#3132) |
//! | `wal_read_guard_dropped_before_read` | no deadlock, nothing stuck forever, no potential deadlock (the twin: the read guard let go before the frame read begins) |
//!
//! ## Deadlocks from bug reports, and their fixed twins (hunt17)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `docs_actor_blocking_send_to_subscriber` | certain deadlock of `subscriber` (awaiting `get-one-reply`, its sender in an unread action on `sync-actions`) and `thread sync-actor` (the store's actor thread, parked in `blocking_send` of an event into full `doc-events`) (n0-computer/iroh-docs#81) |
//! | `docs_actor_try_send_to_subscriber` | no deadlock, nothing stuck forever, no potential deadlock (the twin: the actor hands events over with `try_send`) |
//! | `crawler_update_awaits_peer_set_tokio_spawn` | probable deadlock of 2 plain tasks: the crawler awaiting `peers-reply` (its sender unread on `peer-requests`) and the peer set, ready only after a handshake, receiving on `new-peers`, whose sender the crawler keeps (ZcashFoundation/zebra#3288) |
//! | `crawler_update_in_own_task_tokio_spawn` | no deadlock, nothing stuck forever, no potential deadlock (the twin: each update in a task of its own) |
//! | `select_all_lock_then_block_in_place_relock` | certain deadlock of `scout` with itself on `transports`: a `block_in_place(\|\| Handle::current().block_on(lock()))` behind the lock handed to its own pending `connect_peer` in a `select_all`; a blocking poll parked on `transports` (tokio-rs/tokio#7892, eclipse-zenoh/zenoh#2409) |
//! | `select_all_lock_then_async_relock` | no deadlock, nothing stuck forever, no potential deadlock (the twin: the handler awaits the lock) |
//! | `block_on_bridge_handoff_in_blocking_pool` | no deadlock peeps can prove (truly one: the `block_on` bridge's result handed back through `spawn_blocking` with the only blocking thread parked in `blocking_recv`); at a short threshold a long wait of the caller on `block-on-result` (delta-io/delta-kernel-rs#3202) (a miss today: a bug) |
//! | `block_on_bridge_sends_from_task` | no deadlock, nothing stuck forever, no potential deadlock (the twin: the bridge's task sends the result itself) |
//!
//! ## Everyday healthy services, plain `tokio::spawn` (hunt18)
//!
//! Healthy programs written the commonest way: `#[tokio::main]`, plain
//! `tokio::spawn` of `async move` blocks, no peeps annotation, only
//! `tokio::sync` swapped for `peeps::sync`; each dumped 9 times.
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `soak_join_all_fetch_limiter_plain` | in every dump: nothing false (two crawlers, each `join_all` of 8 plain blocks taking a permit of their own `fetch-limit` (3) around a 300-700 ms fetch) |
//! | `soak_batch_lookup_config_read_plain` | in every dump: nothing false (three handlers run batch lookups with `buffer_unordered(4)`, each keeping a read of `config` across a 100-400 ms query; a reloader writes `config` every 250 ms) |
//! | `soak_appstate_default_fields_db_pool` | in every dump: nothing false (a `#[derive(Default)]` struct of two unnamed mutexes `users` and `orders`: signups take `users` then `db-pool` (2), checkouts `db-pool` then `orders`; two locks, made at one site) |
//! | `soak_checkpoint_rwlock_gate_both_orders` | in every dump: nothing false (writers take `wal` then `memtable` under a read of `checkpoint`; the checkpointer `memtable` then `wal` under its write) |
//! | `soak_vacuum_all_permits_gate_vs_queries` | in every dump: nothing false (queries take `schema` then `stats` under one permit of `db-slots` (4); a vacuum `stats` then `schema` under all four) |
//! | `soak_per_key_locks_outer_rwlock_plain` | in every dump: nothing false (a cache of per-key `entry` mutexes in an `RwLock` map `entries`: the map's guard let go before the entry is locked; an evictor `try_lock`s entries under the map's write) |
//! | `soak_conn_pool_semaphore_vec_plain` | in every dump: nothing false (a pool of `pool-slots` (3) and `pool-idle`, a connection put back on drop with `try_lock` or through `pool-returns`; a health checker pings idle ones under both) |
//! | `idle_tcp_server_after_burst` | in every dump: nothing false (a mini-redis-shaped server on 127.0.0.1 idle after four clients' burst: `main` on accept, handlers on their sockets and the `shutdown` broadcast, a stats task on `events`, a purge task on `expirations`) |
//! | `soak_actor_handles_generations_plain` | in every dump: nothing false (the tutorial's actor behind a cloned `Handle`, `kv-reply` oneshots; each generation ends when `main` drops its handle and joins the clients and the actor) |
//! | `soak_spawn_blocking_index_writer_plain` | in every dump: nothing false (indexers and searchers lock a blocking `index` only in `spawn_blocking`; searchers keep a read of `catalog` across it; an admin writes `catalog`) |
//! | `soak_per_key_cache_batch_get_plain` | in every dump: nothing false (multi-gets as `join_all` of per-key `entry` mutexes, each kept across a 300-600 ms revalidation, in each request's key order: `[3, 7]`, `[7, 3]`, ...) |
//!
//! ## Everyday healthy services, and deadlocks from bug reports (hunt19)
//!
//! Healthy programs written the commonest way (`#[tokio::main]`, plain
//! `tokio::spawn`, no peeps annotation, only `tokio::sync` swapped for
//! `peeps::sync`), each dumped 9 times; deadlocks from bug reports, each
//! with its fixed twin.
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `soak_profile_join_two_caches_plain` | in every dump: nothing false (handlers `join!` two read-through cache loads, `load_user` locking `users` and `load_orders` locking `orders` across a miss's fetch, in both orders) (a false potential deadlock today: a bug) |
//! | `soak_generic_cache_two_instances_plain` | in every dump: nothing false (one generic `Cached<T>`, an `RwLock` value and a `refreshing` mutex made in `new()`, for both `token` and `config`: handlers keep a read of `config` while they get a `token`; a refresh takes `refreshing` then `value`) |
//! | `soak_notify_shutdown_joinset_generations_plain` | in every dump: nothing false (a `Notify` shutdown, enabled before the flag check, of a `JoinSet` of workers sharing a `Mutex<Receiver>`, jobs under a `db` semaphore, restarted in generations) |
//! | `soak_actor_reply_timeout_session_lock_plain` | in every dump: nothing false (callers keep their own session `Mutex` across an actor call that `select!`s its oneshot reply against a 120 ms sleep; the actor answers in 10-200 ms) |
//! | `soak_batch_writer_swap_vec_plain` | in every dump: nothing false (a batch writer: `mem::take` of `buffer`, the write under `file`, a failed batch put back under `file`; producers `notify_one` past 32 records) |
//! | `soak_owned_permit_gate_both_orders_plain` | in every dump: nothing false (`users`/`orders` in opposite orders, each only under the single permit of `maintenance`, taken with `acquire_owned` and kept in a local) |
//! | `soak_chat_rooms_members_outbox_plain` | in every dump: nothing false (rooms and members built by `new()`, many instances: `state` -> `members` -> each `outbox`) |
//! | `soak_spawn_blocking_progress_blocking_send_plain` | in every dump: nothing false (`spawn_blocking` jobs holding owned permits of `cpu` `blocking_send` progress and `blocking_lock` `results`; handlers lock `status` then `results`) |
//! | `dispatcher_pushes_into_busy_worker` | certain deadlock of `dispatcher` (sending into a busy worker's full `worker-N-tasks`) and that `worker-N` (sending its `TaskRequest` into full `dispatcher-inbox`); `submitter` and the other worker behind (chroma-core/chroma#5283) |
//! | `dispatcher_queues_until_worker_asks` | in every dump: nothing false (the twin: tasks queue in the dispatcher until a worker asks) |
//! | `renderer_sender_kept_in_tool_registry` | deadlock of `turn` (joining `renderer`) and `renderer` (receiving on `events`, a sender clone kept in the tool registry `turn` holds); `main` behind (macanderson/stella#960) (a miss today, not even a long wait: a bug) |
//! | `registry_detaches_events_before_join` | in every dump: nothing false (the twin: the registry drops its senders before the join) |
//! | `subscription_drop_locks_before_receiver` | certain deadlock of `watcher` (a subscriber's `Drop` write-locking blocking `subscribers` before its receiver is dropped), a blocking poll, and `thread writer` (reading `subscribers`, sending into full `events`) (spacejam/sled#1152) |
//! | `subscription_drops_receiver_first` | in every dump: nothing false (the twin: the receiver dropped before the write) |
//! | `pool_put_back_relocks_in_guard_drop` | certain deadlock of `holder` with itself on blocking mutex `pool-internals` (a guard bounced by a timed-out waiter dropped under the lock, its `Drop` relocking), a blocking poll (djc/bb8#154) |
//! | `pool_put_back_outside_lock` | in every dump: nothing false (the twin: the bounced guard gives its connection up first) |
//! | `soak_static_event_bus_oncelock` | in every dump: nothing false (all `peeps::spawn_named`: the `event-log` task sends itself `Started` on `event-bus`, publishes the sender in a `static OnceLock` and reads it; handlers of a TCP echo server publish only a request slower than 5 s, a reloader every 10 minutes) |
//! | `soak_localset_stats_flusher_plain` | in every dump: nothing false (current-thread `LocalSet`: `main` sends `Started` on `events`, moves the sender into a `spawn_local` flusher that sends every 60 s, and reads `events`; `spawn_local` TCP handlers and clients) |
//! | `soak_appstate_audit_log_in_main` | in every dump: nothing false (`main` sends `Boot` on `audit`, keeps the sender in an `Arc<AppState>` and reads `audit`; `#[peeps::instrument]` handlers under plain `tokio::spawn` audit only failed logins) |
//! | `soak_supervisor_swaps_actor_sender` | in every dump: nothing false (all `peeps::spawn_named`: a `supervisor` writes each generation's `kv-inbox` sender into `current-inbox` (an `RwLock`) and joins `kv-actor`; a malformed call crashes three generations; clients then idle 10 minutes) |
//! | `soak_cache_locked_placeholder_plain` | in every dump: nothing false (a read-through cache: a missing key's new slot locked under `entries`' write lock, filled holding only the slot; the loader peeks at the parent key under a read and a `try_lock`; an evictor write-locks `entries`) |
//! | `soak_tcp_chat_paced_writers_plain` | in every dump: nothing false (a TCP chat: readers relay each line to every bounded outbox with `sessions` locked; paced writer tasks `select!` their outbox and a `broadcast` of notices; a janitor locks `sessions`) |
//! | `soak_pool_struct_kept_until_shutdown` | in every dump: nothing false (`main` keeps a `Pool` of `jobs` sender and `peeps::spawn_named` workers sharing `jobs-rx`, awaits the acceptor's `JoinHandle`; clients idle after a burst) |
//! | `soak_render_spawn_blocking_font_cache_plain` | in every dump: nothing false (handlers hold a document's async mutex across a `spawn_blocking` render locking blocking `fonts`, then write blocking `stats`; a `std::thread` holds `fonts` 80 ms every 300 ms) |
//! | `soak_many_conns_state_lock_across_flush_plain` | in every dump: nothing false (1000 plain connection tasks each hold their state's mutex across a 20-29 ms flush, then count it under `metrics`; a reporter locks `metrics`, then a sample of 20 states) |
//!
//! ## Deadlocks from bug reports, and their fixed twins (hunt20)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `thread_aggregation_rereads_room_state_tokio_spawn` | probable deadlock of 2 plain tasks on `room-state`: the sync task's second read (`find_event`, inside a loop over threads that keeps its first read), behind the queued write of the back-pagination task, which waits for that first read; one potential deadlock, the recursive read (matrix-org/matrix-rust-sdk#6869) |
//! | `thread_aggregation_reads_per_lookup_tokio_spawn` | in every dump: nothing false (the twin: a short read per lookup) |
//! | `consumer_resume_vs_producer_resume_notification` | certain deadlock of `thread mediasoup-worker` (the `ProducerResume` handler: `producer-paused` then `paused`) and a plain task (`Consumer::resume()`: `paused` then `producer-paused`), parking_lot locks; that task's poll a blocking poll parked on `producer-paused` (versatica/mediasoup#1605) |
//! | `consumer_resume_notification_same_order` | in every dump: nothing false (the twin: the handler lets `paused` go before it locks `producer-paused`) |
//! | `tui_awaits_skills_list_behind_full_events` | probable deadlock of `thread main` (the TUI awaiting `skills-list-reply` inline, reading no events) and the plain app-server task (sending `TurnCompleted` into full `app-server-events`, the reply sender filed until the turn is out) (a miss today, only a long wait of the app-server: a bug) (openai/codex#36750) |
//! | `tui_refreshes_skills_in_background` | in every dump: nothing false (the twin: the refresh in a task of its own, events read meanwhile) |
//! | `entity_worker_calls_own_handle` | probable deadlock of the plain worker with itself (awaiting `get-identity-reply`, its sender in an unread request on its own `entity-mailbox`); `thread main` behind (a miss today, not even a long wait: a bug) (build-trust/ockam#1853) |
//! | `entity_worker_spawns_own_handle_call` | in every dump: nothing false (the twin: the call spawned in a task of its own) |
//! | `soak_shutdown_sender_in_mutex` | in every dump: nothing false (a server parks its shutdown oneshot sender in a `Mutex<Option<_>>` and awaits the receiver: a long wait at most; sessions register their outbox senders in a `RwLock<HashMap>`) |
//!
//! ## Everyday healthy services hunted for false alarms (hunt22)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `soak_tcp_proxy_conn_limit_owned_permits_plain` | in every dump: nothing false (a TCP proxy whose accept loop takes an owned `conn-limit` permit (4) before it accepts and moves it into a plain connection task running `copy_bidirectional`; four idle connections keep every permit, a fifth client waits in the backlog) |
//! | `soak_sharded_kv_router_forwards_reply` | in every dump: nothing false (all `peeps::spawn_named`: `kv-router` forwards each command, its `oneshot` reply sender inside, into the `shard-inbox` of the shard owning the key; a TCP line server and a compactor call through the router; clients idle after a burst) |
//! | `soak_dataloader_recv_many_window_plain` | in every dump: nothing false (a DataLoader: `recv_many` on `loads`, a 3 ms `timeout_at` window for stragglers, one query per batch under `db-pool` (2), answers on oneshots; handlers `join_all` 5 loads every 150 ms, a report takes `acquire_many(2)`) |
//! | `soak_db_writer_thread_blocking_recv_plain` | in every dump: nothing false (an embedded database: a `db-writer` `std::thread` parked in `blocking_recv` on `writes` (its sender in an `Arc<AppState>`), reads on `spawn_blocking` under blocking `db-conn`; `#[peeps::instrument]` handlers under plain `tokio::spawn`, `main` accepting) |
//! | `soak_work_stealing_try_lock_victims` | in every dump: nothing false (work-stealing `peeps::spawn_named` workers hold their own `run-queue-N` while they `try_lock` every other queue; idle on a `work-ready` `Notify`) |
//! | `soak_drain_acquire_all_inflight_restart_plain` | in every dump: nothing false (a graceful drain: `shutdown` (`watch`) sent, then `acquire_many` of every `inflight` permit; a new generation on a new port published on `endpoint` (`watch`); clients reconnect and idle; `main` waits for ctrl-c) |
//! | `soak_broadcast_invalidation_local_caches` | in every dump: nothing false (`peeps::spawn_named` actors `select!` an `invalidations` `broadcast` and their `api-inbox`; a miss reads `db` (an `RwLock`) under the actor's `local-cache` mutex; an updater writes `db`, then publishes) |
//! | `soak_subsystems_ready_oneshots_ctrl_c` | in every dump: nothing false (subsystems report readiness on `ready` oneshots (`try_join_all`) and run until a `watch` shutdown; `main` `select!`s ctrl-c and a `FuturesUnordered` of their join handles) |
//! | `soak_circuit_breaker_retry_timeout_plain` | in every dump: nothing false (a client library: `backend-slots` (3) and `idle-conns`, a 60 ms timeout per attempt, retries with backoff, a `breaker` `RwLock` whose half-open probe is a `try_lock` of `half-open-probe` held across the call; a flaky backend on 127.0.0.1) |
//! | `soak_log_shipper_restart_watch_sink` | in every dump: nothing false (all `peeps::spawn_named`: a `log-supervisor` restarts a crashed `log-shipper`, sends a line on the new `log-lines` sender, moves it into the `log-sink` `watch` with `send_replace`, and joins the shipper; producers clone the sender from the watch) |
//!
//! ## Deadlocks from bug reports, and their fixed twins (hunt23)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `segment_pruning_holds_permit_for_blocks_tokio_spawn` | probable deadlock of 2 plain segment tasks on `pruning-semaphore`, each keeping the owned permit it was spawned with and acquiring another for its blocks (a miss today, two long waits: a bug) (datafuselabs/databend#8210) |
//! | `segment_pruning_drops_permit_before_blocks_tokio_spawn` | in every dump: nothing false (the twin: the segment's permit let go before its blocks are pruned, #8226) |
//! | `pty_reader_holds_term_across_full_events` | probable deadlock of `thread main` (update loop, waiting for `term`), `thread PTY reader` (holding `term`, `blocking_send` into full `term-events`) and the plain subscription task (forwarding into full `app-messages`) (a miss today, three long waits: a bug) (pop-os/cosmic-term#818) |
//! | `pty_reader_events_unbounded` | in every dump: nothing false (the twin: `term-events` unbounded again) |
//! | `scale_actor_vs_linkdef_put_tokio_spawn` | probable deadlock of 2 plain handler tasks: a scale holding `actors`' write and reading `links`, a link put holding `links`' write and reading `actors` (wasmCloud/wasmCloud#813) |
//! | `linkdef_put_drops_links_before_actors_tokio_spawn` | in every dump: nothing false (the twin: the link put lets `links` go before it reads `actors`) |
//!
//! ## Deadlocks from bug reports, and their fixed twins (hunt24)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `domain_worker_select_feeds_own_full_channel` | certain deadlock of `domain-worker` with itself: its `select!` import branch sends into the full `block-info`, whose receiver only another branch of the same loop reads; `main` behind, joining it (autonomys/subspace#1316) |
//! | `domain_worker_processor_in_own_task` | in every dump: nothing false (the twin: the blocks received and processed by `domain-block-processor`, #1324) |
//! | `latency_awareness_read_then_write_blocking` | certain deadlock of `thread main` with its own read guard of the blocking `node-avgs`, parked in `write()` (a `match` scrutinee's guard), a blocking poll; the plain latency updater behind it, parked reading (scylladb/scylla-rust-driver#696) |
//! | `latency_awareness_read_dropped_before_write` | in every dump: nothing false (the twin: the read dropped before the write) |
//! | `link_locked_across_send_packet_tokio_spawn` | probable deadlock of `thread main` (holding `in-link`, waiting for `transport-handler` in `send_packet`) and the plain link-check task (holding `transport-handler`, waiting for `in-link`) (BeechatNetworkSystemsLtd/Reticulum-rs#12) |
//! | `link_dropped_before_send_packet_tokio_spawn` | in every dump: nothing false (the twin: the link let go before `send_packet`) |
//!
//! ## Handles parked and moved in everyday healthy services (hunt25)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `soak_supervisor_recycles_worker_mailbox_from_join` | in every dump: nothing false (all `peeps::spawn_named`: a `supervisor` recycles its `worker` every 25 jobs, the worker returning its `jobs` receiver from its task and the supervisor respawning on the one its `JoinHandle` gives back; clients call with `oneshot` replies every 300 ms) |
//! | `soak_hub_hands_out_feed_receivers_plain` | in every dump: nothing false (a `peeps::spawn_named` `hub` makes each `topic-feed`, files the sender in its topic table and replies with the receiver on a `subscribe-reply` oneshot; plain subscribers read their feeds, one an `audit` feed nobody publishes to; plain publishers every 200 ms) |
//! | `soak_shutdown_registry_stop_oneshots_restart` | in every dump: nothing false (subsystems register `stop` oneshots whose senders are `Option`s in a `stop-registry` mutex; a `health-monitor` takes the indexer's out, fires it, joins and respawns every 700 ms; the `coordinator` waits on `shutdown-requested` (`Notify`), `main` on ctrl-c) |
//! | `soak_hash_thread_pool_round_robin_plain` | in every dump: nothing false (three `std::thread` hashers parked in `blocking_recv` on their `hash-jobs` (senders in a round-robin pool `Vec` in an `Arc`), answering on oneshots and `blocking_send`ing counts into `hash-stats`; `#[peeps::instrument]` handlers under plain `tokio::spawn`) |
//! | `soak_localset_sessions_rc_registry_directory` | in every dump: nothing false (a `LocalSet` on a current-thread runtime: `#[peeps::instrument]` sessions under `spawn_local` file their `session-outbox` senders in an `Rc<RefCell<HashMap>>`, a heartbeat clones them out every 200 ms; sessions look users up in a `peeps::spawn_named` `directory`) |
//! | `soak_reply_through_three_stage_pipeline` | in every dump: nothing false (`peeps::spawn_named` `decode`, `enrich` (reads `user-directory`) and `persist` (locks `journal`) pass each request's `ingest-reply` oneshot sender along in differently shaped messages; `#[peeps::instrument]` callers under plain `tokio::spawn`) |
//! | `soak_conn_registry_reaper_close_oneshots_plain` | in every dump: nothing false (a TCP chat server: plain connection tasks register their `conn-outbox` sender and an `Option` of their `close` oneshot sender in the `conn-registry` mutex; a `reaper` takes and fires the `close` of quiet ones; quiet clients reconnect again and again) |
//! | `soak_discovery_broadcast_announces_senders` | in every dump: nothing false (services announce `Announce { inbox: Sender }` on an `announcements` `broadcast` every 400 ms; a `gateway` keeps the latest sender per service and forwards requests with their oneshot reply; `orders` retires every 40 queries and a new generation announces itself) |
//! | `soak_tenant_locks_on_demand_owned_guards_id_order` | in every dump: nothing false (per-tenant mutexes, all named `tenant`, made on demand in a `tenant-index` `RwLock`; transfers hold `limits` (read) and take both tenants' `lock_owned` in id order, moving the guards into an `apply-transfer` task; an auditor locks all in id order and sums on `spawn_blocking`) |
//!
//! ## Handles kept in locks in everyday healthy services (hunt27)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `soak_reconnecting_client_swaps_outbox_plain` | in every dump: nothing false (a `conn-supervisor` writes each connection's `conn-outbox` sender into `outbox-slot` (an `RwLock`) and joins the plain connection task; the echo server hangs up every 20 lines; plain callers clone the sender per call, then idle) |
//! | `soak_shutdown_trigger_swapped_per_generation` | in every dump: nothing false (`main` puts each generation's `server-stop` oneshot sender in `shutdown-trigger` (a `Mutex<Option<_>>`) and joins `server`; `admin` takes and fires it on two restarts; a `ctrl-c` task would too) |
//! | `soak_rpc_pending_map_reader_answers_plain` | in every dump: nothing false (an RPC multiplexer: plain callers file `rpc-reply` oneshot senders in `pending` (a `Mutex<HashMap>`) and send through `rpc-writer`; `rpc-reader` takes them out and answers out-of-order responses; 60 ms timeouts remove entries) |
//! | `soak_state_sender_used_under_lock_rotated` | in every dump: nothing false (handlers `state.lock().await.audit.send(..).await` into `audit-events`; a `log-rotator` spawns a new `audit-writer`, `mem::replace`s the sender in `app-state` and joins the old writer) |
//! | `soak_thread_worker_takes_receiver_from_slot_plain` | in every dump: nothing false (a `std::thread` resizer takes `resize-jobs`' receiver from `jobs-rx-slot` (a blocking `Mutex<Option<_>>`), `blocking_recv`s 25 jobs, puts it back and signals `resizer-exited`; `resizer-manager` starts the next; plain handlers) |
//! | `soak_subscriber_list_read_locked_publisher_plain` | in every dump: nothing false (a `quote-publisher` awaits each send into the `quote-feed` senders kept in `subscribers` (an `RwLock<Vec<_>>`) under the read; plain subscribers push theirs under a write, some leave; a `janitor` prunes closed ones) |
//! | `soak_lazy_workers_started_on_first_use` | in every dump: nothing false (lazily started workers: the first caller makes the inbox, spawns the worker and stores the sender in `thumbnailer-slot` / `indexer-slot`; the thumbnailer ends after 200 ms idle and is restarted on its closed sender) |
//! | `soak_supervisor_inits_each_actor_generation` | in every dump: nothing false (all `peeps::spawn_named`: a `supervisor` sends `Load` on each new `store-inbox`, stores the sender in `store-handle` and joins `session-store`; a corrupt id crashes generations; the newest has had only its `Load`) |
//! | `soak_gpu_lease_slot_released_by_timer` | in every dump: nothing false (all `peeps::spawn_named`: three render workers keep an owned permit of `gpu-leases` (2) in their `gpu-lease` slot (`Mutex<Option<_>>`) across jobs; a `lease-timer` per lease takes it out after 120 ms; the third waits) |
//! | `soak_config_reload_swaps_watch_sender_plain` | in every dump: nothing false (a `config-reloader` `send_replace`s under a read of `config-tx` (a blocking `RwLock<watch::Sender>`) and writes a fresh `config` sender there on a schema change; plain workers `select!` `changed()` and `worker-jobs`, resubscribing from the lock) |
//!
//! ## Deadlocks from bug reports, and their fixed twins (hunt26)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `payload_service_clears_cache_under_borrow_tokio_spawn` | certain deadlock of the plain payload builder service task with its own read guard of watch `cached-payload` (an `if let` scrutinee's `Ref` alive through its `send(None)`), a blocking poll of a plain task (paradigmxyz/reth#22971) |
//! | `payload_service_checks_cache_then_clears_tokio_spawn` | in every dump: nothing false (the twin: `borrow().as_ref().is_some_and(..)`, the `Ref` gone before the send) |
//! | `gateway_shutdown_notified_rebuilt_each_turn_tokio_spawn` | probable deadlock of `thread main` (joining the plain gateway task, keeping `inbound`'s sender, the notifier of `shutdown`) and the gateway (its `select!` waiting on notify `shutdown`, whose `notify_waiters` it missed while answering a message, and on `inbound`) (octos-org/octos#927) (missed today: the plain `JoinHandle` await is not seen) |
//! | `gateway_shutdown_notified_enabled_once_tokio_spawn` | in every dump: nothing false (the twin: the `Notified` pinned and enabled once, before a latch check) |
//! | `rwlock_write_future_kept_after_select` | certain deadlock of `thread main` with itself on rwlock `LOCK` (futurelock: the lock handed to a pinned `write()` future that lost a `select!`, while `main` awaits a second) (tokio-rs/tokio#6450) (missed today: a `block_on` root is untracked) |
//! | `rwlock_write_future_dropped_after_select` | in every dump: nothing false (the twin: the losing future dropped with its scope) |
//!
//! ## Deadlocks from bug reports, and their fixed twins (hunt28)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `audit_status_vs_clear_targets_tokio_spawn` | probable deadlock of two plain tasks: the status poll (read of rwlock `stream_cancellers`, waiting to lock mutex `registry`) and the config reload (`registry` held, waiting to write `stream_cancellers`) (rustfs/rustfs#4421) |
//! | `audit_status_then_clear_targets_same_order_tokio_spawn` | in every dump: nothing false (the twin: `registry` always locked first) |
//! | `mqtt_eventloop_subscribes_into_own_full_requests` | certain deadlock of `thread main` with itself on channel `requests` (it awaits `subscribe` into the full channel only its own event loop polls), the plain publisher behind it (bytebeamio/rumqtt#263) (missed today: the receiver is out of sight while a plain task runs) |
//! | `mqtt_subscribe_from_own_task_on_connack` | in every dump: nothing false (the twin: the subscribe sent from a task of its own) |
//! | `http_channel_send_under_tx_read_tokio_spawn` | probable deadlock of `thread main` (the agent loop, waiting to write rwlock `tx` in `shutdown()`) and the plain webhook tasks (read guards of `tx`, waiting to send on the full `incoming-messages`, whose receiver `main` holds) (nearai/ironclaw#869) (missed today: the receiver is out of sight while plain tasks run) |
//! | `http_channel_clones_sender_before_send_tokio_spawn` | in every dump: nothing false (the twin: the sender cloned out of `tx` before the send) |
//!
//! ## Everyday healthy services hunted for false alarms (hunt29)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `soak_tcp_line_server_user_table_db_actor_plain` | in every dump: nothing false (a TCP line server on 127.0.0.1: plain per-connection handlers share `Arc<AppState>` with `users` (`RwLock<HashMap>`), `metrics` (`Mutex`) and the `db-writes` sender of a `db-writer` actor that fsyncs on `spawn_blocking` and acks on `db-ack` oneshots; clients stay connected and quiet) |
//! | `soak_batcher_window_or_64_oneshot_callers` | in every dump: nothing false (a `batcher` `select!`s `batch-requests` and a 50 ms `sleep_until`, flushing at 64 into `store` and answering `batch-reply` oneshots; `#[peeps::instrument]` callers in a `JoinSet`, then a trickle) |
//! | `soak_tenant_token_buckets_ticker_refill` | in every dump: nothing false (per-tenant `tenant-tokens` semaphores in a `RwLock<HashMap>`, refilled by a `refill-ticker` every 40 ms; plain requests `acquire` and `forget`; the noisy tenant holds `tenant-stats` while waiting for a token) |
//! | `soak_profile_cache_per_key_oncecell_loader_plain` | in every dump: nothing false (per-key `profile-cell` `OnceCell`s made under the `profile-cells` mutex and `get_or_init`ed outside it by a loader asking `profile-db` (150-400 ms `spawn_blocking` queries); 8 plain lookups per key wait on each cell; an `evictor`) |
//! | `soak_pubsub_topics_lagging_resubscribe` | in every dump: nothing false (a hub keeps per-topic `topic-feed` broadcast senders (capacity 16) in `topics` (`RwLock<HashMap>`); named publishers burst 300 prices; slow plain subscribers get `Lagged`, count it in `lag-stats` and resubscribe through the hub) |
//! | `soak_graceful_shutdown_watch_notify_drain_inboxes` | in every dump: nothing false (`service-manager` fills four workers' `worker-inbox`es, sends `true` on watch `shutdown`, awaits `all-drained` (`notify_one` by the last worker out after draining) and starts a second generation, which waits on its inboxes and `shutdown` (sender kept across ctrl-c)) |
//! | `soak_batch_pool_shared_receiver_joinset_collector` | in every dump: nothing false (each 1.5 s `dispatcher` starts 4 `JoinSet` workers sharing `jobs-rx` (`rx.lock().await.recv().await`), sends 40 jobs, drops the sender and awaits `join_next`; workers hash on `spawn_blocking` and send to `results`, read by a `collector`) |
//! | `soak_bank_registry_transfers_id_order_thread_auditor` | in every dump: nothing false (`#[peeps::instrument]` transfers read-lock `accounts` and lock two `account` mutexes lower id first, sending into `ledger-entries` under both; an `auditor` `std::thread` `blocking_read`s `accounts` and `blocking_lock`s every account in id order; an opener write-locks `accounts`) |
//! | `soak_retry_backoff_holding_upstream_permit_plain` | in every dump: nothing false (plain clients take one of 3 `upstream-slots` permits and retry a flaky `payments-upstream` actor (down 600 ms of every 1.5 s, `upstream-health` mutex, 100 ms reply `timeout`) with 10-160 ms backoff while holding it; the others wait on the semaphore) |
//! | `soak_log_pipeline_thread_source_slow_sink` | in every dump: nothing false (a `tailer` `std::thread` `blocking_send`s 1,500 lines into `raw-lines` (4), a plain `#[peeps::instrument]` `parse` sends into `records` (4), a `shipper` `recv_many`s 8 and uploads for 60 ms: both channels full, both senders waiting, through every dump) |
//! | `soak_settings_cache_init_under_write_lock` | in every dump: nothing false (per-tenant `settings-cell` `OnceCell`s in `settings-cells` (`RwLock<HashMap>`): a miss inserts and `get_or_init`s under the write lock, the `#[peeps::instrument]` loader asking `settings-db` (`spawn_blocking`, 80-200 ms) on a `settings-row` oneshot; lookups from a `JoinSet` burst, `tenant-onboarding` and a `legacy-api` `std::thread` `block_on`ing on the `Handle`) |
//! | `soak_session_primes_own_outbox_then_registers` | in every dump: nothing false (all `peeps::spawn_named`: each `session-N` sends a `Snapshot` on its own `session-events` sender, files the sender in `sessions` (`Mutex<HashMap>`) and loops on its receiver; a `notifier` forwards `admin`'s notice (every 10 minutes) to all; two sessions join after the first notice) (today: a false certain self-deadlock of each late session) |
//! | `soak_device_actor_kicks_itself_then_registers` | in every dump: nothing false (all `peeps::spawn_named`: each `device-N` queues `Cmd::Connect` on its own unbounded `device-cmds` sender, files a `DeviceHandle` holding it in `devices` (`RwLock<HashMap>`) and handles its inbox; a `poller` sends `Read` with `device-reading` oneshots every 10 minutes; two devices start after its first round) (today: a false certain self-deadlock of each late device) |
//! | `soak_edit_lease_manager_waits_for_expiring_lease` | in every dump: nothing false (all `peeps::spawn_named`: a `lease-manager` actor `acquire_owned`s a document's one-permit `edit-seat`, files it in a `Lease` in `leases` (`Mutex<HashMap>`) and answers on `open-reply`; a second editor of doc 0 makes it wait about 6 s until `lease-reaper` drops the idle lease (a long wait)) |
//! | `soak_session_primes_own_outbox_registers_clone` | in every dump: nothing false (the twin of `soak_session_primes_own_outbox_then_registers`: each session files a clone of its primed `session-events` sender in `sessions` and drops its own) |
//!
//! ## Plain tasks held up sending, locking, acquiring, in healthy services (hunt30)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `soak_import_progress_timeout_summary_plain` | in every dump: nothing false (a plain importer sends six `progress` events (capacity 2, drained by `main` only afterwards) each under a 2 s `timeout`, then `Done` on `job-status`, whose sender `main` used (`Queued`) before moving it in; `main` reads `job-status`) |
//! | `soak_audit_send_deadline_select_server_plain` | in every dump: nothing false (a plain query server sends each `audit` record (capacity 1) in a `select!` against a 1.5 s `sleep`, then answers the `query-reply` oneshot; `main` asks three queries in a row, then drains `audit`) |
//! | `soak_stats_lock_held_sending_batch_timeout_plain` | in every dump: nothing false (a plain batcher holds `batch-stats` while sending into `batches` (capacity 1) under a 2 s `timeout`; the `uploader` ticks every 500 ms, locks `batch-stats`, then drains `batches`) (today: a false probable deadlock of the two) |
//! | `soak_rpc_server_full_responses_interval_drain_plain` | in every dump: nothing false (a plain server answers `requests` into `responses` (capacity 2); `main` takes one response per 500 ms `interval` tick) |
//! | `soak_pipeline_stage_done_after_slow_consumer_plain` | in every dump: nothing false (`main` sends a `Job` with a `job-done` oneshot to a plain stage that forwards 8 items into `items` (capacity 2), drained 400 ms per item by the `writer`, and then answers) |
//! | `soak_startup_gate_sender_in_shared_slot_plain` | in every dump: nothing false (`main` sends `Warming` on `cache-ready`, files the sender in a `std::sync::Mutex<Option<_>>` slot the `cache-warmer` takes it from after 1.5 s to send `Ready`; three plain ingesters wait on the full `events`, which `main` drains only after `Ready`) |
//! | `soak_config_write_lock_held_notify_timeout_plain` | in every dump: nothing false (a plain reloader holds `config` (`RwLock`) for write while sending into `config-changes` (capacity 1) under a 1.5 s `timeout`; `main` read-locks `config` every 300 ms, then drains) (today, in some dumps: a false probable deadlock of the two) |
//! | `soak_export_slots_held_sending_to_slow_main_plain` | in every dump: nothing false (eight plain exports loop: take one of two `export-slots` permits and send two rows into `export-rows` (capacity 1); `main` keeps the sender, collects 16 rows 300 ms each, then awaits the `auditor`'s `round-summary`) |
//! | `soak_tcp_line_server_registry_broadcast_plain` | in every dump: nothing false (a plain TCP line server (`SET`/`GET`/`SAY`) whose connection tasks `select!` lines against `kv-events` (broadcast), lock `kv`, hold `conns` (read) while writing to every `conn-writer`; five in-process clients reconnect) |
//! | `soak_child_cat_lines_collector_lock` | in every dump: nothing false (`cat` under `tokio::process` fed by the `feeder`, its stdout read line by line by the `parser` into `readings` (capacity 4); the `collector` appends to a `tokio::fs::File` holding `report`; `main` locks `report` every 250 ms) |
//! | `soak_udp_echo_pending_oneshots_reaper` | in every dump: nothing false (six `caller`s file `udp-reply` senders in `pending` (Mutex map) and await them without timeout; the `udp-receiver` answers from UDP datagrams echoed 20-800 ms later, the `reaper` drops senders older than 1 s) |
//! | `soak_file_tailer_hash_slots_spawn_blocking_plain` | in every dump: nothing false (a plain tailer reads a file the `appender` writes (`tokio::fs`), hashes each chunk in `JoinSet::spawn_blocking` holding an owned `hash-slots` permit (2), stores digests under `digests`) |
//! | `soak_uds_shared_writer_mutex_slow_client_plain` | in every dump: nothing false (over a Unix socket, plain handlers (one `inflight` permit each, 6) hold `uds-writer` across a 4 KiB `write_all` to a client that reads a response per 15 ms) |
//! | `soak_graceful_shutdown_watch_conns_mid_read` | in every dump: nothing false (every 1.5 s `main` sends `true` on `shutdown` (watch) while `conn`s `select!` their next line against it, and waits on `shutdown-complete` until all dropped their senders; clients reconnect to the next generation) |
//! | `soak_read_line_reader_notifies_window_sender` | in every dump: nothing false (the `sender` holds `window` while waiting on `acked` (Notify) that a plain reader fires from `read_line`; `window-stats` locks `window` every 200 ms) |
//! | `soak_duplex_codec_credits_acks_back` | in every dump: nothing false (an `encoder` writes records into a `tokio::io::duplex` pipe under `credits` (forgotten permits the `credit-reader` adds back from the pipe); the plain decoder sends `acks` (capacity 2) to the `ack-tracker`, which checkpoints under `progress`) |
//! | `soak_thread_socket_reader_blocking_send_slow_drain` | in every dump: nothing false (a `std::thread` reads a TCP socket with blocking reads and `blocking_send`s into `frames` (capacity 8), drained one per 20 ms tick by the `drain` into `store`; the `feed` writes as fast as it can) |
//! | `soak_interval_flusher_lock_slow_tcp_peer_plain` | in every dump: nothing false (a plain flusher locks `samples` every 100 ms and, holding it, writes them to a TCP collector that reads 512 bytes per 4 ms; four `producer`s wait for `samples`) |
//! | `soak_main_select_socket_jobs_worker` | in every dump: nothing false (`main` `select!`s its socket's next line against `results` (capacity 4) and sends each job into `jobs` (capacity 4); the `worker` answers each job after 20 ms; a `client` sends a job a second) |
//! | `soak_net_thread_own_runtime_select_socket_commands` | in every dump: nothing false (a `net` `std::thread` `block_on`s its own current-thread runtime, `select!`ing its socket against `commands`, and sends each line into `events`; the `app` answers each `TICK` event (one per 700 ms from the `push-server`) with a `PING` command) |
//! | `soak_main_current_thread_select_tick_results_worker` | in every dump: nothing false (a current-thread `main` `select!`s a 700 ms interval against `results` (capacity 4) and sends a job into `jobs` (capacity 4) on each tick; the `worker` (`peeps::spawn_named`) answers each job after 10 ms; `main` has lost the race to its timer at that call before, `raced_at`) |
//! | `soak_localset_main_hands_events_sender_to_local_reader` | in every dump: nothing false (`main`, in `LocalSet::run_until`, sends `Connected` on `events` (capacity 16), moves the sender into a plain `spawn_local` reader of a socket fed a `QUOTE` line every 600 ms, and receives events) |
//!
//! ## Deadlocks from bug reports not yet covered, and their fixed twins (hunt31)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `watcher_blocking_lock_broadcaster_starves_workers_tokio_spawn` | certain deadlock on mutex `broadcaster` and rwlock `worktree-app`: a `spawn_blocking` watcher holding `worktree-app` waits for `broadcaster`, handed to a plain IRC task that no worker can run, both workers parked in handlers reading `worktree-app` (gitbutlerapp/gitbutler#12992; missed today: a bug) |
//! | `watcher_spawns_broadcaster_send_tokio_spawn` | in every dump: nothing false (the twin: the watcher spawns the send and lets `worktree-app` go) |
//! | `lsp_config_pulls_wedge_reader_behind_full_queue_main` | probable deadlock of `thread main` with itself: tower-lsp's `read_input` waits to send on the full `server_tasks` while its four handlers await `workspace/configuration` replies only `read_input` delivers (bitwisecook/tcl-lsp#1334; missed today: a bug) |
//! | `lsp_config_pulls_bounded_by_timeout_main` | in every dump: nothing false (the twin, #1342: the pull under a 10 s timeout) |
//! | `conductor_reads_exhausted_by_zome_calls_tokio_spawn` | probable deadlock of 96 plain tasks on rwlock `conductor` (32 readers at most) and the oneshots `get_links respond`: zome calls hold every read while their routed-to-self `get_links` events wait for one (holochain/holochain#567; missed today: a bug) |
//! | `conductor_cell_cloned_before_zome_call_tokio_spawn` | in every dump: nothing false (the twin: the cell cloned under a short read) |
//!
//! ## Accidental deadlocks in new shapes, and their twins (hunt33)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `rebalance_event_asks_coordinator_behind_full_assignments` | certain deadlock of `worker-1` (on `Rebalanced` from `cluster-events`, awaits `epoch-reply`, its sender unread on `coordinator-requests`) and `coordinator` (sending into its full `assignments-1`); `worker-2` behind |
//! | `rebalance_coordinator_spawns_assignment_pushes` | in every dump: nothing false (the twin: the coordinator pushes shards from `push-assignments` tasks, so it answers `current_epoch` while they wait on full inboxes) |
//! | `fetch_permit_held_across_resolver_lookup_tokio_spawn` | probable deadlock of the plain `resolver` (waiting on `outbound`, a `Semaphore` of 2) and the two plain fetchers holding its permits (each awaiting its `resolved` reply); the third fetcher behind (today, in most runs: no deadlock, or the third fetcher put in the cycle, as the holder of `resolve-requests`' receiver, found in stale bytes of a fetcher's future) |
//! | `fetch_resolves_before_taking_permit_tokio_spawn` | in every dump: nothing false (the twin: resolve first, then take an `outbound` permit for the download) |
//! | `plan_cache_init_asks_billing_actor_reading_cache` | probable deadlock of the first plain handler (initialising the `plan` `OnceCell`, awaiting `plan-reply`) and `billing` (to answer, waiting on that cell's initialisation); the second handler behind |
//! | `plan_cache_init_billing_actor_peeks_cache` | in every dump: nothing false (the twin: the actor peeks with `OnceCell::get`; cells evicted every 700 ms) |
//! | `session_close_awaits_outbound_closed_own_sender` | certain deadlock of `session` (awaiting `outbound.closed()`, holding that sender) and `conn-writer` (receiving on `outbound` until every sender is gone) |
//! | `session_close_sends_goodbye_then_awaits_closed` | in every dump: nothing false (the twin: a `Goodbye` frame ends the paced writer, then `closed()` is awaited; three looping TCP clients) |
//!
//! ## Plain `tokio::spawn` tasks whose wakers peeps counts (hunt34)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `soak_session_lock_reply_select_deadline_plain` | in every dump: nothing false (plain handlers hold `sessions` while awaiting a `profile-reply` oneshot in a `select!` beside a 400 ms sleep; the plain resolver locks `sessions` every third lookup) |
//! | `soak_tcp_conn_state_lock_select_commands_plain` | in every dump: nothing false (plain TCP handlers hold `conn-state` across a `select!` of their socket's next line and `conn-commands`; a plain `stats` task locks each `conn-state` before sending it a command) |
//! | `soak_route_table_read_select_notify_tokio_mpsc_plain` | in every dump: nothing false (a plain router holds a read of `routes` across `select!` of `config.changed()` and a `tokio::sync::Notify`, its loader write-locks before sending; a plain auditor holds `audit-log` across a `tokio::sync::mpsc` recv and `flush-orders`) |
//! | `soak_joinset_jobs_abort_handles_deadline_plain` | in every dump: nothing false (`JoinSet` jobs hold `ledger` awaiting a `quote` from a plain pricer that reads `ledger`; the supervisor aborts each job past 250 ms through its kept `AbortHandle`) |
//! | `soak_retry_send_holding_outbox_lock_timeout_plain` | in every dump: nothing false (a plain shipper holds `outbox` while sending into `uplink` (capacity 1) under a 150 ms timeout, three attempts with backoff; the uplink task locks `outbox` before each receive) |
//! | `import_main_feeds_jobs_worker_full_progress_plain` | certain deadlock of `thread main` (sending on the full `import-jobs`, whose receiver it moved into the plain worker) and the plain worker (sending on the full `import-progress`, read by `main` only after feeding) |
//! | `soak_import_main_reserves_jobs_or_reads_progress_plain` | in every dump: nothing false (the twin: `main` `select!`s `import-jobs.reserve()` against `import-progress.recv()`) |
//! | `registry_write_held_across_placement_query_plain` | certain deadlock of the plain admin (holding `registry` for write, awaiting `placement-reply`) and the plain placement actor (read-locking `registry` to answer) |
//! | `soak_registry_placement_asked_before_write_lock_plain` | in every dump: nothing false (the twin: the admin asks placement, then write-locks `registry` to apply the answer; three plain request tasks ask too) |
//! | `db_permit_then_cache_vs_cache_then_permit_plain` | certain deadlock of the plain request task (holding a `db-conns` permit, a pool of 1, locking `cache`) and the plain refresher (holding `cache`, acquiring `db-conns`) |
//! | `soak_db_permit_then_cache_both_tasks_plain` | in every dump: nothing false (the twin: the refresher takes `db-conns` before `cache`; two request tasks) |
//! | `soak_transfers_timed_second_lock_backoff_plain` | in every dump: nothing false (two plain tellers lock `checking` and `savings` in opposite orders, the second under a 300 ms timeout, and back off: each waits on a guard the other holds, beside its timer) |
//!
//! ## Deadlocks from bug reports in new shapes, and their fixed twins (hunt35b)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `sync_lookup_block_on_starves_resolver_current_thread` | certain deadlock of `thread main` (a current-thread runtime's `main` `futures::executor::block_on`s a lookup, parked on `lookup-reply`, tokio#2376) and the plain resolver, woken by the request but never polled (missed today: a bug) |
//! | `soak_sync_lookup_awaited_resolver_current_thread` | in every dump: nothing false (the twin: the lookup awaited, every 150 ms) |
//! | `nested_spawn_blocking_exhausts_pool` | certain deadlock of the two `spawn_blocking` importers each parked on its `digest`, whose sender is in a hashing closure queued behind them (`max_blocking_threads(2)`, graph-node#2354) (missed today: a bug) |
//! | `soak_spawn_blocking_hashes_inline` | in every dump: nothing false (the twin: no nested `spawn_blocking`) |
//! | `main_joins_workers_before_watch_shutdown` | probable deadlock of `thread main` (awaiting the first plain worker's `JoinHandle`) and the workers (waiting on `shutdown`, a `watch` whose sender `main` made and sends only after the joins) |
//! | `soak_main_sends_watch_shutdown_then_joins` | in every dump: nothing false (the twin: `true` sent, then the joins; generations) |
//! | `audit_sender_kept_in_watch_config` | deadlock of `thread main` (awaiting the plain audit writer) and the writer (receiving on `audit`, whose last sender is in the value of the `config` watch `main` keeps) (missed today: a bug) |
//! | `soak_audit_sender_outside_watch_config` | in every dump: nothing false (the twin: `config` carries no sender; generations) |
//! | `reserved_slot_held_joining_sender_child` | certain deadlock of `thread main` (holding the only slot of `uploads` by `reserve`, awaiting a plain child) and the child (sending on `uploads`); the uploader behind |
//! | `soak_reserve_after_joining_sender_child` | in every dump: nothing false (the twin: the child joined before the slot is reserved) |
//! | `barrier_party_returns_early_on_error` | two plain shard loaders stuck forever at `shards-loaded` (a `Barrier` of 3 whose third party returned its error first) (missed today: a bug) |
//! | `soak_barrier_party_arrives_then_reports_error` | in every dump: nothing false (the twin: a failed shard still arrives at the barrier) |
//! | `key_update_std_guard_across_fetch_current_thread` | certain deadlock of a plain handler (a blocking lock of `verifier`) and `thread main` (holding `verifier` across an `.await` on a current-thread runtime, never polled again, firebase-auth#22) |
//! | `soak_key_update_guard_after_fetch_current_thread` | in every dump: nothing false (the twin: the keys fetched before `verifier` is locked) |
//! | `service_stop_joins_under_write_guard_joinset_main` | certain deadlock of `thread main` (draining a tokio `JoinSet` of plain workers with `join_next`, holding `service` for write, rustdesk#622) and the workers (waiting to read `service`) |
//! | `soak_service_stop_drops_write_guard_before_join` | in every dump: nothing false (the twin: the write guard dropped before the `JoinSet` is drained) |
//!
//! ## JoinHandles, current-thread loops, lock orders, graceful shutdown (hunt35a)
//!
//! Healthy programs written the commonest way (plain `tokio::spawn`, no
//! peeps annotation, nothing named), each dumped 9 times.
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `soak_main_awaits_worker_handles_in_order_plain` | in every dump: nothing false (`main` awaits three plain workers' tokio `JoinHandle`s in order (`for h in handles`): one receives jobs from a plain ticker every 15 ms, one reads a TCP socket fed every 30 ms, one sleeps 40 ms; all lock one `Mutex` of totals) |
//! | `soak_supervisor_join_all_broadcast_drain_plain` | in every dump: nothing false (a plain supervisor runs generations: four plain workers with their own inboxes fed every 10 ms by a plain feeder, `join_all` of their handles, then the feeder's; a controller sends a `broadcast` shutdown every 1.2 s, the workers `close()` and drain; jobs under a `Semaphore` (2) and a `Mutex`) |
//! | `soak_supervisor_select_handle_then_rejoin_plain` | in every dump: nothing false (a plain supervisor `select!`s `&mut sup.handle` (a `JoinHandle` kept in a struct) against a 100 ms sleep, locks `stats`, and after 900 ms sends a `oneshot` stop and awaits the same handle again; the worker `select!`s the stop against its inbox fed every 10 ms) |
//! | `soak_deadline_abort_while_reaper_joins_plain` | in every dump: nothing false (a plain dispatcher spawns a fetch every 40 ms (a permit of a `Semaphore` (4), a request with a `oneshot` reply to a backend answering from spawned `async move` blocks in 50-600 ms), keeps its `AbortHandle` with a 300 ms deadline and hands the `JoinHandle` to a plain reaper that awaits each) |
//! | `soak_current_thread_main_select_accept_events_tick` | in every dump: nothing false (current-thread `main` `select!`s `accept()` on 127.0.0.1, an `mpsc` of events from plain per-connection handlers and a 100 ms tick that locks `sessions` (`Mutex<HashMap>`); plain clients reconnect every three lines) |
//! | `soak_db_thread_runtime_per_key_cache_plain` | in every dump: nothing false (a `std::thread` with its own current-thread runtime answers lookups (`mpsc` with `oneshot` replies) in 10-60 ms; six plain request tasks use a `Mutex<HashMap<_, Arc<Mutex<_>>>>` cache, the map's guard dropped before the entry is locked across the lookup; an evictor clears it; `main` awaits the handles in order) |
//! | `soak_fanout_permits_locks_one_order_plain` | in every dump: nothing false (a plain dispatcher moves an owned permit of a `Semaphore` (3) into a plain job every 10 ms; jobs lock `index` then `stats`, then read `config` (`RwLock`) across a sleep; two readers hold reads of `config` concurrently, an admin writes it; a compactor nests `index` then `stats` too; `main` `select!`s the dispatcher's handle against a 1 s sleep) |
//! | `soak_service_struct_handles_watch_shutdown_plain` | in every dump: nothing false (a `Service` struct owns its jobs sender, a `watch` shutdown and its plain workers' and flusher's `JoinHandle`s; workers share an `Arc<Mutex<Receiver>>` (guard let go per statement); `stop()` drops the sender, flips the watch, awaits each handle; generations of 700 ms) |
//! | `soak_main_select_worker_handle_interval_commands_plain` | in every dump: nothing false (`main` keeps a plain worker's command sender and loops on `select!` of `&mut worker` (its `JoinHandle`) against a 25 ms `interval` that sends `Tick`s and, every 40th, a `Flush` with a `oneshot` reply) |
//! | `soak_supervisor_deadline_abort_reaper_reports_plain` | in every dump: nothing false (per round a plain supervisor spawns a job waiting for a third item on its inbox (the supervisor keeps the sender), hands its `JoinHandle` to a plain reaper that reports on `reports`, `select!`s `reports.recv()` against a 120 ms deadline and then `abort()`s the job) |
//! | `soak_backend_spawned_responders_ledger_lock_plain` | in every dump: nothing false (three plain clients hold `ledger` while awaiting a `oneshot` reply; the plain backend moves each reply sender into a plain `async move` responder that answers 20-80 ms later; a plain auditor locks `ledger` every 50 ms) |
//! | `soak_current_thread_cron_dispatch_results_plain` | in every dump: nothing false (current-thread `main` sends a first job at startup, then `select!`s `results.recv()` against a 20 s `interval` that sends a job to a plain worker, which answers in 10 ms; dumped before the first tick) |
//! | `soak_main_cron_dispatch_results_plain` | in every dump: nothing false (the same on the multi-thread runtime) |
//! | `soak_thread_runtime_select_quiet_socket_commands_plain` | in every dump: nothing false (a `std::thread` `block_on`s its own current-thread runtime, `select!`ing its TCP line against `commands` from a plain app task, sending each line as an event; a push every 15 s, the first at once) |
//! | `soak_thread_runtime_select_socket_before_first_push_plain` | in every dump: nothing false (the same, the server's first push after 15 s) |
//! | `soak_current_thread_main_select_worker_handle_interval_plain` | in every dump: nothing false (`soak_main_select_worker_handle_interval_commands_plain` on a current-thread runtime) |
//! | `soak_current_thread_server_keeps_stats_sender_accepts` | in every dump: nothing false (current-thread `main` keeps (and has used) the original `stats` sender, `select!`ing `accept()` against `stats.recv()`; a `std::thread` client connects every 8 s) |
//! | `soak_wal_thread_runtime_flush_tick_acks_plain` | in every dump: nothing false (a `std::thread` `block_on`s its own current-thread runtime, acks that the log is open, then `select!`s `records.recv()` against a 10 s flush `interval` that acks on `acks`; a plain writer sends a batch and waits for the ack; dumped before the first flush) |
//! | `soak_named_jobs_abort_handles_deadline` | in every dump: nothing false (`soak_joinset_jobs_abort_handles_deadline_plain` with detached `peeps::spawn_named` jobs aborted through kept tokio `AbortHandle`s past their 250 ms deadline; nothing else named) |
//!
//! ## Everyday shapes: combinators, select loops, timeouts, permits, bridges, shutdown (hunt36a)
//!
//! Healthy programs written the way ordinary tokio services are, mostly
//! plain `tokio::spawn` and nothing named, each dumped 9 times.
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `soak_futures_unordered_order_lines_lock_per_item_plain` | in every dump: nothing false (a plain worker keeps up to 8 order lines in flight in a `FuturesUnordered` (`select!` of `recv()` while there is room against `next()` while not empty), each line locking a `Mutex` of stock, sleeping 5-35 ms, locking a `Mutex` of stats; a second worker drives each order's `FuturesUnordered` to the end; a reporter nests stock then stats) |
//! | `soak_buffer_unordered_join_all_price_cache_plain` | in every dump: nothing false (plain tasks run `buffer_unordered(4)` and `join_all` of price fetches that read an `RwLock<HashMap>` cache and, on a miss, hold one of 3 `Semaphore` permits across a 5-25 ms sleep (400 ms for every 13th id), then write the price in; an invalidator write-locks the cache every 45 ms) |
//! | `soak_select_biased_idle_reset_pinned_upload_plain` | in every dump: nothing false (three plain session writers loop on a `biased` `select!`: events from an `mpsc` (bursts, then 500 ms pauses), an idle `Sleep` pinned outside the loop and `reset` on every event, a 1 s heartbeat locking `stats`, and a boxed upload future kept across turns (`&mut upload`, `if uploading`) holding the store `Mutex` across a 3 ms write; a reporter locks the store every 30 ms) |
//! | `soak_timeout_write_lock_gives_up_behind_readers_plain` | in every dump: nothing false (four plain readers hold an `RwLock` read across 15-45 ms of streaming; a compactor tries `timeout(8 ms, table.write())` every 10 ms and skips on a timeout; handlers try `timeout(10 ms, sessions.lock())` while a janitor holds the `Mutex` across a 25 ms sweep) |
//! | `soak_group_commit_acks_queued_notify_enabled_plain` | in every dump: nothing false (six plain writers push a record with a `oneshot` ack sender into a `Mutex<VecDeque>` and `notify_one`, then await the ack; the plain committer makes and `enable()`s `notified()` before checking the queue, waits out a 600 ms group window, fsyncs under a `Mutex` and acks the batch) |
//! | `soak_io_budget_leases_dropped_by_workers_plain` | in every dump: nothing false (a plain scheduler `acquire_many_owned(1..=4)` of a `Semaphore` (8) per job, stores the `OwnedSemaphorePermit` in a `Job` sent to plain workers that drop it when done; requests `try_acquire_owned` and on `NoPermits` queue to an overflow task that `acquire_owned`s; a maintenance task `acquire_many(8)`s for a 400 ms compaction every second) |
//! | `soak_broadcast_lagged_resync_reserve_forward_plain` | in every dump: nothing false (a plain feed write-locks an `RwLock` book and publishes a tick on a `broadcast` (16) every 2 ms; four plain subscribers of different speeds handle `Lagged` by re-reading the book, and forward every fourth tick with `reserve().await` then `Permit::send` into an `mpsc` (4) a sink drains with `recv_many` every 15 ms) |
//! | `soak_watch_config_reload_borrow_and_update_many_plain` | in every dump: nothing false (a plain reloader `send_modify`s a `watch` config every 700 ms; six plain workers `select!` `changed()` (then `borrow_and_update().clone()`) against a 10 ms interval that reads `borrow()` and locks a `Mutex` of stats; two followers take 0-60 ms per version; per-request tasks `wait_for` the next version) |
//! | `soak_one_worker_runtime_localset_sessions_plain` | in every dump: nothing false (on a multi-thread runtime with one worker thread, `main` runs a `LocalSet`: four `spawn_local` sessions share an `Rc<RefCell<HashMap>>` and read frames from `mpsc`s fed by plain sources, locking an `Arc<Mutex>` of totals a plain auditor holds across 5 ms every 30 ms; `main` loops on a `oneshot` ping a plain task answers in 600 ms) |
//! | `soak_legacy_blocking_worker_block_on_restarted_plain` | in every dump: nothing false (a plain supervisor, the only sender of `commands`, sends a start-up command and awaits a sync plugin in `spawn_blocking` that polls commands with `handle.block_on(select! { recv(), 700 ms sleep })`, calls a plain store actor with `block_on` (`oneshot` reply under a `timeout`) and `blocking_lock`s the state; after 2 idle polls it hands the `Receiver` back through its `JoinHandle` and is started again (a cycle of waits the poll timer breaks)) |
//! | `soak_thread_pool_blocking_recv_results_select_tick_plain` | in every dump: nothing false (three `std::thread` workers loop on `blocking_recv` of their own job `mpsc`, `blocking_lock` a `Mutex` of stats and `blocking_send` results; the plain dispatcher (keeping the job senders) `select!`s `results.recv()` against a 900 ms interval that `try_send`s a batch; between batches all wait (a cycle of waits the dispatcher's timer breaks), a reporter locking the stats once a second) |
//! | `soak_rwlock_map_read_miss_write_recheck_plain` | in every dump: nothing false (a session cache `RwLock<HashMap<_, Arc<RwLock<Session>>>>`: twelve plain requests read and clone the entry out, on a miss load outside any lock and re-check under the write lock (`entry().or_insert_with`), then write-lock the session alone; a refresher write-locks each session from a snapshot; an evictor write-locks the map every 60 ms) |
//! | `soak_fx_two_generic_ledgers_accounts_index_order_plain` | in every dump: nothing false (plain transfers lock two of a `Vec<Mutex<Account>>` lower index first; an interest task locks all eight in index order into a `Vec` of guards held across 300 ms every second; a plain FX task nests two instances of a generic `Ledger<C>` (EUR then USD `entries`, then each `totals`), bookers lock one ledger's `entries` then `totals`) |
//! | `soak_tcp_counter_server_conn_limit_state_mutex_plain` | in every dump: nothing false (a TCP counter server on 127.0.0.1: the plain accept loop takes an owned permit of a connection-limit `Semaphore` (3) before `accept()` and moves it into a plain connection task that answers lines under a shared `Mutex<HashMap>`; eight plain clients send 15 requests each, idle 400 ms and reconnect; a stats task holds the map across 5 ms every 50 ms) |
//! | `soak_actor_chain_reply_timeouts_client_locks_plain` | in every dump: nothing false (eight plain clients call an accounts actor (`mpsc` + `oneshot` handle) under a 500 ms `timeout` while holding their own state `Mutex`; the actor asks a risk actor under a 600 ms `timeout` every fifth call, and the risk actor pauses 700 ms on every seventh; a metrics task locks every client state every 30 ms) |
//! | `soak_cancel_token_watch_child_notify_joinset_generations_plain` | in every dump: nothing false (each 1.5 s generation a plain supervisor spawns four `JoinSet` workers `select!`ing a hand-rolled token (a `watch` `wait_for`, or a child of an `AtomicBool` and a `Notify` enabled before the check) against a shared `Mutex<Receiver>` of jobs (bursts, then 500 ms quiet), then cancels and drains with `join_next`) |
//! | `soak_reserve_owned_slots_filled_by_spawned_fetches_plain` | in every dump: nothing false (a plain crawler `reserve_owned()`s a slot of `pages` (4) and moves the `OwnedPermit` into a plain fetch task that holds an owned `Semaphore` (4) permit across a 5-40 ms download, locks host stats and `permit.send`s the page; the indexer write-locks an `RwLock` per page and pauses 500 ms every 25th, so the crawler waits on `reserve_owned`) |
//! | `soak_current_thread_main_debouncer_biased_reset_flush_plain` | in every dump: nothing false (current-thread `main` loops on a `biased` `select!` of a pinned, never-notified shutdown `Notified`, events from two plain watchers (a burst of changes, then a `Sync` carrying a `oneshot` sender they await) and a pinned 400 ms debounce `Sleep` `reset` per change (enabled while anything is pending), which locks the index, sends the batch to a plain builder and answers the `Sync`s: while the watchers wait, `main` waits on events only they could send, a cycle its timer breaks) |
//!
//! ## Deadlocks from bug reports of tokio projects, and their fixed twins (hunt36b)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `lease_expired_callback_joins_own_keepalive_plain` | certain deadlock of the plain keepalive task with itself: the lease-expiry callback, run in the keepalive task, awaits the keepalive's own `JoinHandle` (apache/horaedb#941) (missed today: a bug) |
//! | `soak_lease_expired_callback_signals_keepalive_stop_plain` | in every dump: nothing false (the twin: the callback only signals the stop; `main` releases leases and awaits the handle) |
//! | `pending_request_outlives_cancelled_reader_plain` | certain deadlock of the plain request task with itself: it awaits `response`, whose sender sits in the `pending` map of its own `Arc`-shared router after the cancelled reader returned without `fail_all()` (atusy/kakehashi#366) (missed today: a bug) |
//! | `soak_cancelled_reader_fails_pending_requests_plain` | in every dump: nothing false (the twin: the reader fails every pending request when cancelled; generations) |
//! | `tenant_delete_shutdown_under_tenants_read_plain` | certain deadlock of three plain tasks on rwlock `TENANTS`: a DELETE holding a read while it joins the tenant's size task, the size task reading behind the queued writer, a POST writing (neondatabase/neon#5285) |
//! | `soak_tenant_delete_shutdown_outside_tenants_lock_plain` | in every dump: nothing false (the twin: the tenant shut down with no `TENANTS` guard held; tenants created and deleted in a loop) |
//! | `shutdown_wait_all_exit_misses_last_waiter_plain` | `thread main` stuck forever on notify `notify-exit`: `wait_all_exit()` checked the count of live `Waiter`s before creating its `Notified`, and the last plain connection task's `notify_waiters()` fell in between (containerd/ttrpc-rust#227) (missed today: a bug) |
//! | `soak_shutdown_wait_all_exit_enables_notified_first_plain` | in every dump: nothing false (the twin: the `Notified` enabled before the count is checked; generations) |
//! | `subtask_waits_holding_only_job_permit_plain` | deadlock of the plain `build` job (holding the only `jobs` permit, waiting on `subtask-done`) and the plain scheduler (holding the injected `lint` job with that sender, waiting on `jobs`); `thread main` behind on `task-done` (jdx/mise#8967) |
//! | `soak_subtask_releases_job_permit_while_waiting_plain` | in every dump: nothing false (the twin: the permit let go while the sub-task runs, #8976) |
//! | `pubsub_join_after_quit_keeps_message_sender_plain` | deadlock of `thread main` (awaiting the plain subscriber's `JoinHandle` after `quit()`, its client still holding the `messages` broadcast sender) and the subscriber (receiving on `messages`) (aembke/fred.rs#116) (missed today: a bug) |
//! | `soak_pubsub_quit_closes_message_streams_plain` | in every dump: nothing false (the twin: `quit()` replaces the `messages` sender, ending every stream, #120; generations) |
//! | `token_file_if_let_read_then_write_plain` | deadlock of a plain request task with itself on rwlock `token-file`: the scrutinee's read guard alive in the branch that writes (kube's `if let`/`else`, written as a `match`: edition 2024 drops an `if let` scrutinee before `else`); the other two requests behind (kube-rs/kube#830) |
//! | `soak_token_file_single_lock_reload_plain` | in every dump: nothing false (the twin: one lock for the check and the reload; the token expires every 100 ms) |
//!
//! ## Blocking in async code and everyday services, healthy (hunt37)
//!
//! Healthy programs written the way ordinary tokio users write them: blocking
//! sections that end (`std::thread::sleep`, the `blocking` locks, `spawn_blocking`,
//! `block_in_place`, timed blocking locks) and everyday services, each dumped 9 times.
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `soak_timed_lock_backoff_two_sync_threads_plain` | in every dump: nothing false (two `std::thread` jobs each `lock()` one of two `blocking::Mutex`es and `try_lock_for(600 ms)` the other, opposite orders, letting the first go and backing off when it gives up: a cycle of waits both timeouts break) (a false certain deadlock until a timed blocking lock's wait was `timed`) |
//! | `soak_handler_timed_cache_write_vs_blocking_indexer_plain` | in every dump: nothing false (plain handlers hold the async sessions `Mutex` and `try_write_for(600 ms)` a `blocking::RwLock` cache, skipping on a timeout; a `spawn_blocking` indexer reads the cache and `blocking_lock()`s the sessions: a cycle the handler's timed lock breaks) (a false certain deadlock until a timed blocking lock's wait was `timed`) |
//! | `soak_uploader_timed_read_vs_snapshot_writer_blocking_send_named` | in every dump: nothing false (a `std::thread` snapshotter holds a `blocking::RwLock` write while it `blocking_send`s chunks into a channel of 1; the `peeps::spawn_named` uploader tags each chunk if it can `try_read_for(500 ms)` the state: a cycle the timed read breaks) (a false certain deadlock until a timed blocking lock's wait was `timed`) |
//! | `soak_block_in_place_recv_batches_and_lock_plain` | in every dump: nothing false (a plain importer `blocking_recv()`s batches and `lock()`s a `blocking::Mutex` of totals inside `block_in_place`, then locks an async log; four plain handlers lock the log then the totals; two workers) |
//! | `soak_current_thread_spawn_blocking_jobs_report_progress_plain` | in every dump: nothing false (current-thread `main` keeps three `spawn_blocking` jobs in a `JoinSet`, each `blocking_send`ing progress into a channel of 1 and `blocking_lock()`ing async stats; `main` `select!`s `recv()` against `join_next()`) |
//! | `soak_parking_lot_routes_read_in_handlers_writer_thread_plain` | in every dump: nothing false (eight plain handlers `read()` a `blocking::RwLock` of routes, then lock async counters across 2 ms; a `std::thread` writer holds `write()` across 8 ms every 60 ms; a refresher upgrades an `upgradable_read()`; two workers) |
//! | `soak_two_workers_both_in_blocking_sections_plain` | in every dump: nothing false (two plain compactors hold a `blocking::Mutex` across a 40 ms `std::thread::sleep` every 150 ms, so both workers of the runtime are taken at once; a flusher holds an async memtable lock across `recv()`, six writers wait for it) |
//! | `soak_spawn_blocking_db_worker_replies_audit_blocking_send_plain` | in every dump: nothing false (a `spawn_blocking` database worker `blocking_recv()`s queries, `blocking_lock()`s async stats, answers on a `oneshot` and `blocking_send`s audit lines into a channel of 1 a slow plain auditor drains; six plain clients await answers under their session locks) |
//! | `soak_batching_actor_self_scheduled_flush_replies_plain` | in every dump: nothing false (an actor keeps its own inbox sender, files `oneshot` replies and answers them on a `Flush` a plain delay task it spawned sends 250 ms later; six plain clients await replies under their session locks) |
//! | `soak_worker_pool_shared_receiver_lock_held_across_recv_plain` | in every dump: nothing false (four plain workers take jobs with `rx.lock().await.recv().await` from an `Arc<Mutex<Receiver>>`; the dispatcher sends 12 jobs into a channel of 4 and `join_all`s their `oneshot` replies, then pauses 400 ms) |
//! | `soak_pipeline_slow_sink_stage_holds_stats_across_send_plain` | in every dump: nothing false (reader, parser, 40 ms sink over channels of 8 and 2; the parser holds a stats `Mutex` across its full `send`, a reporter waits for it) |
//! | `soak_broadcast_chat_rooms_lagging_member_rejoins_plain` | in every dump: nothing false (a poster `send`s on a `broadcast` under a history lock every 3 ms; fast members forward into `mpsc` outboxes, a slow one lags and reads the history, a churner re-subscribes every 700 ms) |
//! | `soak_watch_reload_waits_for_worker_acks_plain` | in every dump: nothing false (a reloader write-locks routes, publishes a `watch` version and waits for five acks on an `mpsc` of 2; plain workers `select!` `changed()` against a 5 ms tick that reads routes and locks counters) |
//! | `soak_joinset_fanout_permit_before_spawn_results_lock_plain` | in every dump: nothing false (coordinators spawn 16 fetches per batch into a `JoinSet` under a `Semaphore` of 3, one `acquire_owned()`ing before each spawn, one `acquire()`ing inside; fetches lock results then host counts; drained with `join_next`) |
//! | `soak_shutdown_generations_drop_tx_then_join_consumer_plain` | in every dump: nothing false (each generation `main` stops three plain producers by `broadcast`, joins them, `drop`s its own sender, then joins the consumer; a `Notify` wakes a flusher) |
//! | `soak_barrier_phases_slow_member_leader_compacts_plain` | in every dump: nothing false (four plain members step in `Barrier` phases (one takes 350 ms every fifth step); the leader write-locks the world and folds in the next values) |
//! | `soak_per_key_locks_sorted_by_name_transfers_plain` | in every dump: nothing false (per-wallet `Mutex`es made lazily in a `RwLock<HashMap>`; eight plain transfers lock two wallets sorted by name across 2 ms; an auditor locks all of them sorted, across 30 ms) |
//! | `soak_proxy_routes_then_certs_rwlocks_read_mostly_plain` | in every dump: nothing false (ten plain handlers read routes across 5 ms, then certs; writers write-lock routes, routes then certs, or certs alone) |
//! | `soak_flush_on_drop_executor_block_on_timeout_under_stats_named` | in every dump: nothing false (`peeps::spawn_named` recorders lock async stats and drop a `Batch` under them whose `Drop` flushes with `futures::executor::block_on(timeout(800 ms, tx.send(..)))` into a channel of 1; the shipper receives, then locks the stats: a cycle the flush's timeout breaks) (the timer's clone of the nested executor's waker, one more than its waits, says it may wake: `nested_waker_clones`) |
//! | `soak_block_in_place_block_on_timeout_poll_under_session_named` | in every dump: nothing false (a `peeps::spawn_named` client holds its async session lock across `block_in_place(|| handle.block_on(timeout(700 ms, events.recv())))`; the notifier locks the session before every fourth send: a cycle the timeout breaks; two workers) |
//! | `soak_many_connections_session_lock_across_await_then_stats_plain` | in every dump: nothing false (1500 plain connection tasks each hold their own session `Mutex` across a 20-60 ms `.await`, then lock global stats; a broadcaster clones sessions out of a registry `RwLock` and locks 64 of them in turn; two workers. peeps says `lock order not recorded: N acquisitions (a task held more locks than peeps follows, or more plain tasks held locks at once than it keeps lists for)`: more plain tasks hold locks than its table of 1024 slots keeps) |
//! | `soak_futures_unordered_fetches_record_std_mutex_metrics_named` | in every dump: nothing false (a `peeps::spawn_named` crawler's `biased` `select!` drives a `FuturesUnordered` of fetches that queue for an async cache lock, and records each page under a `std::sync::Mutex` a `std::thread` exporter holds 150 ms of every 300 ms, so its thread blocks inside its poll with its own fetches holding and awaiting the cache lock; two workers) |
//! | `soak_block_in_place_readers_writer_waits_on_sleeping_holder_plain` | in every dump: nothing false (four plain handlers read a `blocking::RwLock` of routes inside `block_in_place`; a `std::thread` rebuilder holds it for writing while it `blocking_lock()`s an async journal a plain appender holds across a 600 ms sleep; the cores `block_in_place` handed on run the appender; two workers). A false certain deadlock under stop 42's first starvation rule (threads parked inside `block_in_place` counted as workers), dropped before it landed |
//! | `soak_spawn_blocking_readers_writer_waits_on_sleeping_holder_plain` | in every dump: nothing false (three `spawn_blocking` exporters loop reading a `blocking::RwLock` of metrics; a `std::thread` sampler holds it for writing while it `blocking_lock()`s async settings a plain reloader holds across a 600 ms sleep; both workers stay free; two workers). A false certain deadlock under stop 42's first starvation rule (blocking-pool threads counted as workers), dropped before it landed |
//! | `soak_second_runtime_holder_writer_waits_workers_read_plain` | in every dump: nothing false (three plain handlers of the main runtime read a `blocking::RwLock` of routes in their polls; a `std::thread` rebuilder holds it for writing while it `blocking_lock()`s an async journal that a plain task of a second, current-thread runtime on a `std::thread` holds across a 600 ms sleep; two workers). A false certain deadlock under stop 42's first starvation rule (a task of an un-noted second runtime taken as starved by the first one's workers), dropped before it landed |
//! | `soak_local_set_holder_fed_by_thread_workers_read_plain` | in every dump: nothing false (a `spawn_local` batcher of a `LocalSet` in `main`'s `block_on` holds an async batch lock across `recv()` of a tick a `std::thread` sends every 600 ms; a `std::thread` flusher holds a `blocking::RwLock` index for writing while it `blocking_lock()`s the batch; three plain lookups read the index in their polls; two workers). A false certain deadlock under stop 42's first starvation rule (a `spawn_local` task taken as starved by the workers), dropped before it landed |
//! | `soak_current_thread_main_holds_ledger_task_parks_on_cache_timed_plain` | in every dump: nothing false (current-thread: `main` holds a `blocking::Mutex` ledger across a 200 ms sleep and async stats across 20 ms; a `std::thread` warmer holds a `blocking::Mutex` cache 350 ms of every 400 ms and tries the ledger with `try_lock_for(100 ms)`; a plain reader locks the cache in its poll) |
//! | `soak_two_workers_short_reads_writer_try_lock_deadline_plain` | in every dump: nothing false (four plain handlers read a `blocking::RwLock` of routes in their polls; a `std::thread` writer holds it for writing while it `try_lock()`s an async certificates lock (held by a plain renewer across a 300 ms sleep) in a loop, giving up after 40 ms; two workers) |
//! | `soak_two_runtimes_journal_runtime_uses_channel_workers_read_plain` | in every dump: nothing false (as `soak_second_runtime_holder_writer_waits_workers_read_plain`, but the second runtime's appender also sends on a `peeps::sync::mpsc` channel to an archiver that locks a `blocking::Mutex`; two workers) |
//! | `soak_block_in_place_locks_holder_spawn_blocking_waits_async_plain` | in every dump: nothing false (six plain workers take a `blocking::Mutex` index inside `block_in_place`; a `spawn_blocking` compactor holds it while it `blocking_lock()`s an async manifest a plain uploader holds across a 500 ms sleep; a ticker runs every 10 ms; two workers). A false certain deadlock under stop 42's first starvation rule (threads parked inside `block_in_place` counted as workers), dropped before it landed |
//! | `soak_spawn_blocking_jobs_short_blocking_mutex_async_holders_plain` | in every dump: nothing false (a plain dispatcher hands out a `spawn_blocking` job every 2 ms (16 slots), each taking a `blocking::Mutex` store for 1-3 ms; plain tasks hold an async session lock across 30 ms sleeps that four clients wait for; two workers) |
//! | `soak_actor_weak_self_sender_parks_gets_until_refresh_plain` | in every dump: nothing false (a plain cache actor keeps only a `WeakSender` to its `cache-inbox`, parks stale `Get`s' `reply` senders and `upgrade()`s the weak sender into a plain refresh task that sends `Refresh` 250 ms later; three plain clients `Get` and now and then `Put`) |
//! | `soak_subscription_forwarder_select_sender_closed_plain` | in every dump: nothing false (a hub spawns a plain forwarder per subscription that `select!`s `updates.closed()` against a `broadcast` `prices` and forwards into bounded `updates`; four plain subscribers read 10-30 updates, one slowly, drop the receiver and subscribe again) |
//! | `soak_tower_buffer_worker_inflight_permits_call_timeout_plain` | in every dump: nothing false (a tower-style `Buffer`: eight plain callers send requests with `reply` oneshots into `buffer` (4); one plain worker takes an owned permit of `in-flight` (3) per request and spawns the call, under `timeout(150 ms)`, as a plain task owning the permit) |
//! | `soak_pool_guard_drop_spawns_checkin_owned_permit_plain` | in every dump: nothing false (six plain workers use a pool of 3: `acquire_owned` of `pool-slots`, a connection from `pool-idle`; the guard's `Drop` `tokio::spawn`s a check-in that pushes under `pool-idle` then drops the permit; a health checker holds `pool-idle` across 10 ms pings) |
//! | `soak_adaptive_limit_forget_permits_add_back_plain` | in every dump: nothing false (six plain workers hold permits of `upstream-limit` (4) across calls; a plain controller every 900 ms `forget_permits` the free ones, `acquire_many`s and `forget()`s the rest, waits 400 ms and `add_permits(4)`); long waits on `upstream-limit`, whose permits nobody holds |
//! | `soak_semaphore_close_stops_generation_workers_plain` | in every dump: nothing false (generations of five plain workers taking permits of a fresh `job-gate` (2) and logging under `job-log`; a plain supervisor `close()`s the gate after 600 ms and awaits the workers' handles in order) |
//! | `soak_appstate_users_then_sessions_rwlocks_refresher_plain` | in every dump: nothing false, no potential deadlock (an `AppState` of `RwLock<HashMap>`s `users` and `sessions`, always in that order: eight plain handlers read both, two logins write `sessions`, a refresher on a 250 ms interval writes `users` across a 60 ms fetch and then `sessions`) |
//! | `soak_rwlock_rebuild_downgrade_publish_slow_consumer_plain` | in every dump: nothing false (a plain rebuilder write-locks `index`, `downgrade()`s the guard and keeps reading while it sends three notes into `changes` (1), read by a slow consumer; six readers and a compactor queue on `index`) |
//! | `soak_mapped_guards_field_held_across_io_plain` | in every dump: nothing false (plain handlers keep `MutexGuard::map`ped guards of `server` across 10 ms writes; a flusher keeps an `OwnedMutexGuard::map`ped guard of `outbox` across 60 ms; producers and a reporter wait) |
//! | `soak_telemetry_send_timeout_sheds_behind_slow_exporter_plain` | in every dump: nothing false (six plain handlers report into `telemetry` (8) with `send_timeout(20 ms)`, shedding on timeout; a plain exporter `recv_many`s and keeps `export-conn` across 120 ms uploads; a reconnector holds it 50 ms of every 300 ms) |
//! | `soak_for_each_concurrent_items_index_then_stats_plain` | in every dump: nothing false, no potential deadlock (one plain indexer runs `for_each_concurrent(4)` over documents, each keeping `index` across a 5 ms sleep and then taking `stats`; a compactor holds `index` 80 ms, a reporter `stats` 30 ms) |
//! | `soak_config_ledger_audit_subsets_one_order_instrumented` | in every dump: nothing false, no potential deadlock (`#[peeps::instrument]` helpers take subsets of `config` (an `RwLock`, read or written) → `ledger` → `audit`, always in that order; plain posters, viewers, a settler, a reloader and an archiver) |
//! | `soak_session_drop_spawns_unregister_swept_under_registry_plain` | in every dump: nothing false (a `Session`'s `Drop` `tokio::spawn`s a cleanup that takes `registry` and `session-stats`; a plain sweeper drops expired sessions under `registry` and keeps it 40 ms; four plain clients open, use and close sessions) |
//! | `soak_reserve_many_batches_then_fill_slow_sink_plain` | in every dump: nothing false (four plain producers `reserve_many(3)` slots of `rows` (6), then read rows under `source` and fill the slots; a plain sink writes under `sink-file`, held 50 ms of every 200 ms by a rotator) |
//! | `soak_owned_permits_split_to_subtask_merged_back_plain` | in every dump: nothing false (four plain jobs `acquire_many_owned(3)` of `cpu-budget` (6), `split(1)` one into a plain helper that returns it through its `JoinHandle`, and `merge` it back; a monitor takes one permit every 100 ms) |
//! | `soak_actor_call_chain_gateway_auth_store_full_inboxes_plain` | in every dump: nothing false (plain actors `gateway` → `auth` → `store` call each other synchronously through inboxes of 2 and oneshot replies, no timeouts, no cycle; eight plain clients keep `gateway-inbox` full; `store-data` held 60 ms of every 300 ms) |
//! | `soak_segment_lock_across_spawn_blocking_file_io_plain` | in every dump: nothing false (five plain writers keep `segment` while awaiting a `spawn_blocking` append + `sync_data` to a real file; a rotator renames segments in `spawn_blocking` under it; two readers stat the file) |
//! | `soak_handler_joinset_fanout_under_session_lock_backend_actor_plain` | in every dump: nothing false (six plain handlers keep their `session` lock while draining a `JoinSet` of three fetches, each a call to a plain `backend` actor through `backend-inbox` (4) with a oneshot reply; `backend-cache` held 40 ms of every 200 ms) |
//! | `soak_owned_frame_guards_sent_in_jobs_to_gpu_worker_plain` | in every dump: nothing false (four plain renderers `lock_owned()` one of two `frame`s and send the owned guard in a job into `gpu-jobs` (2), fire and forget, then may lock the same frame again; a plain GPU worker drops each guard after 12 ms) |
//! | `soak_actor_weak_self_sender_parks_gets_current_thread_plain` | in every dump: nothing false (as `soak_actor_weak_self_sender_parks_gets_until_refresh_plain`, on a current-thread runtime) |
//! | `soak_owned_frame_guards_sent_in_jobs_current_thread_plain` | in every dump: nothing false (as `soak_owned_frame_guards_sent_in_jobs_to_gpu_worker_plain`, on a current-thread runtime) |
//! | `soak_sharded_rwlocks_snapshot_reads_all_in_order_plain` | in every dump: nothing false, no potential deadlock (four `RwLock<HashMap>` shards of one class `shard`: a snapshotter read-locks all in index order across 20 ms, a rebalancer write-locks two different shards lower index first, plain writers and readers take one). (A first draft let the rebalancer lock one shard twice: peeps rightly said a certain deadlock of it with itself) |
//! | `soak_per_host_limits_redirect_legacy_to_canonical_plain` | in every dump: nothing false, no potential deadlock (per-host `Semaphore`s of 2, one class `host-conns`; ten plain fetchers; a fetch of a legacy host keeps its permit while it follows the redirect to its canonical host, never back) |
//! | `soak_proxy_conn_state_one_type_clients_then_routes_then_upstreams_plain` | in every dump: nothing false (12 client and 12 upstream `Conn`s of one type, one lock class: client handlers take their own client `state` then `routes`, a health checker `routes` then an upstream `state`; no lock is on both sides, so no cycle can close: each edge lists the locks it held and took, up to 256 a side; it was a false potential deadlock while an edge listed 8 pairs and met any lock past them) |
//! | `soak_join_plain_blocks_profile_and_stats_reporter_nested_plain` | FALSE ALARM today, in every dump: a potential deadlock `profiles` → `stats` → `profiles` (six plain handlers `tokio::join!` two plain async blocks, one keeping `profiles` across a 15 ms fetch, the other taking `stats` alone; a reporter takes `stats` then `profiles`; the handler never waits for `stats` while holding `profiles`: docs/lock-order.md's documented limit, plain blocks of one combinator are one context) |
//! | `soak_edit_leases_parked_in_std_map_then_stats_indexer_plain` | in every dump: nothing false, no potential deadlock (four plain editors `lock_owned()` a `doc`, park the guard in a `std::sync::Mutex<HashMap>` lease table, then take `edit-stats`; a reaper drops expired leases with no async lock; an indexer holds `edit-stats` while it locks each `doc`) |
//! | `soak_tokens_forgotten_then_stats_priority_holds_stats_for_token_plain` | in every dump: nothing false, no potential deadlock (five plain requests take a `tokens` permit and `forget()` it, then take `req-stats`; a priority task holds `req-stats` while it waits for a token; a refiller `add_permits(4)` every 50 ms) |
//! | `soak_localset_tasks_hold_profiles_sibling_takes_stats_reporter_nested_plain` | in every dump: nothing false, no potential deadlock (on a `LocalSet` on `main`'s thread, three `spawn_local` tasks keep `profiles` across 10 ms fetches and three take `stats` alone; a plain reporter takes `stats` then `profiles`) |
//! | `soak_handlers_panic_holding_cache_supervisor_respawns_named` | in every dump: nothing false, no potential deadlock (`peeps::spawn_named` handlers `panic!` with `cache` held on every seventh request and are respawned by supervisors awaiting their `JoinHandle`s; meters take `metrics` alone; a reporter takes `metrics` then `cache`) |
//! | `soak_timeout_safety_net_both_orders_rarely_contended_plain` | FALSE ALARM today, in every dump: a potential deadlock `orders` → `inventory` → `orders` (four plain handlers take `orders` then `inventory` under `timeout(300 ms)`, a restocker `inventory` then `orders` under `timeout(300 ms)`; every second acquisition is under a timeout, but the paths rarely meet, so no wait is ever seen given up and no edge is marked `bounded`) |
//! | `soak_many_plain_conns_hold_own_state_sweeper_registry_then_conns_plain` | in every dump: nothing false (1,500 plain handlers each keep their own `conn-state` across 100 ms long-polls and read `registry` holding nothing; an acceptor writes `registry`; a sweeper reads `registry` and locks five `conn-state`s under it; more plain tasks hold locks at once than peeps keeps lists for: `lock order not recorded: N acquisitions`. It was a false potential deadlock under load, `registry` (read) → `conn-state` → `registry`: a release on a thread whose list had been too full was taken for one of that thread's own, so a handler's hold left on another thread's list stayed there) |
//! | `soak_snapshot_reads_twelve_shards_then_stats_writer_stats_then_shard` | in every dump: nothing false, no potential deadlock (two snapshotters, plain and `peeps::spawn_named`, read-lock twelve `shard`s in order (more than the 8 locks peeps follows per context), let them go, then take `snap-stats`; six plain writers take `snap-stats` then one `shard`) |
//! | `soak_maintenance_write_guard_moved_into_compactor_both_orders_plain` | FALSE ALARM today, in every dump: a potential deadlock `index` → `data` → `index` (six plain handlers take `index` then `data` under a read of `maintenance-gate`; an admin task takes the gate with `write_owned()` and moves the write guard into a plain compactor it spawns and awaits, which takes `data` then `index`; the two orders never run at once; silent when the admin task compacts itself: a guard moved into a task is no gate there) |
//! | `soak_gate_held_by_admin_awaiting_spawned_compactor_both_orders_plain` | FALSE ALARM today, in every dump: a potential deadlock `index` → `data` → `index` (as `soak_maintenance_write_guard_moved_into_compactor_both_orders_plain`, but the admin task keeps the `maintenance-gate` write guard itself while it awaits the spawned compactor's `JoinHandle`: the gate is held by another task than the one taking the locks) |
//!
//! ## Receives left registered while their task waits elsewhere, sync-over-async closures, tasks awaiting their own handle, lock orders (hunt43)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `if_let_write_guard_across_task_manager_join` | a deadlock of `shutdown` (awaiting `task-manager`, holding `conductor` for write: a temporary of the `if let` scrutinee) and `task-manager` (reading `conductor`); `main` behind (holochain#526's shape) |
//! | `restart_command_awaits_own_handle` | a deadlock of `worker` alone, awaiting its own `JoinHandle`; `main` behind |
//! | `soak_accounts_sorted_via_trait_helper` | in every dump: nothing false (Healthy: per-account peeps mutexes (`account`, one class) taken by a `Transfer` trait's default method that always locks the lower id first (sorting the pair), from four `peeps::spawn_named` tellers and two plain `tokio::spawn` auditors that lock three accounts in sorted order through the same helper, each holding its guards across a short sleep) |
//! | `soak_biased_select_two_feeds_slow_upload_plain` | in every dump: nothing false (Healthy: a plain `tokio::spawn` uploader reads two feeds, each a peeps receiver wrapped as a stream through `poll_recv` (as tokio-stream's `ReceiverStream` does), in a `biased` `tokio::select!` that prefers `feed-busy`, and uploads each item for 500 ms (a `tokio::time::sleep`)) |
//! | `soak_block_in_place_block_on_lock_held_by_sleeper_plain` | in every dump: nothing false (Healthy: plain `tokio::spawn` request handlers call a sync legacy function inside `tokio::task::block_in_place`, which takes the peeps `config` `RwLock` for reading through `Handle::current().block_on`, and then locks `metrics` (a peeps mutex) the same way) |
//! | `soak_futures_unordered_replies_slow_process_plain` | in every dump: nothing false (Healthy: a plain `tokio::spawn` aggregator asks three `shard` actors (peeps tasks) for a partial result, each with a peeps oneshot reply (`shard-reply`), collects the replies in a `FuturesUnordered` and processes each as it comes for 600 ms (a `tokio::time::sleep`)) |
//! | `soak_guard_struct_drop_takes_blocking_audit` | in every dump: nothing false (Healthy: a `Session` struct keeps a peeps `sessions` mutex guard (an owned guard, `lock_owned`) for its life; its `Drop` writes an audit line under the `audit` blocking mutex (`peeps::sync::blocking::Mutex`) while the guard is still a field (sessions, then audit)) |
//! | `soak_pinned_stop_polled_between_jobs_plain` | in every dump: nothing false (Healthy: a plain `tokio::spawn` `crawler` pins its stop receiver (a peeps oneshot, `crawl-stop`) outside its loop and checks it between jobs with `now_or_never`; each job asks a `fetcher` actor (`peeps::spawn_named`, inbox `fetch-requests`) for a page and awaits the `page` oneshot reply, which comes after 600 ms) |
//! | `soak_restart_command_spawns_successor` | in every dump: nothing false (Healthy twin of `restart_command_awaits_own_handle`: on `Restart` a worker spawns its successor (handing it the inbox), files the successor's handle under its id, answers `restart-done` and returns; a `manager` sends work every 20 ms and a restart every 700 ms, and awaits the previous incarnation's `JoinHandle` (taken from the map under the std mutex, then awaited) after each restart) |
//! | `soak_select_stop_oneshot_handler_waits_busy_lock` | in every dump: nothing false (Healthy: generations of a `worker` (`peeps::spawn_named`) loop on a `biased` `tokio::select!` over `&mut stop` (a peeps oneshot) and its `jobs` inbox (capacity 8); each job locks `ledger`, which a `holder` task keeps for 800 ms at a time (a sleep under the guard)) |
//! | `soak_spawn_blocking_block_on_recv_sender_dropped` | in every dump: nothing false (Healthy twin of `spawn_blocking_block_on_recv_sender_kept`: the `importer` drops its `Import` state (and with it the `rows` sender) before awaiting the blocking writer, which drains `rows` with `Handle::block_on(rows.recv())` and writes each row for 40 ms (a `std::thread::sleep`)) |
//! | `soak_spawn_blocking_block_on_reply_beside_stop` | in every dump: nothing false (Healthy: an `exporter` (`peeps::spawn_named`) loops on a `biased` `tokio::select!` over `&mut stop` (a peeps oneshot, `exporter-stop`) and a 100 ms `interval`; on each tick it runs a sync encoder in `spawn_blocking` and awaits its `JoinHandle`) |
//! | `soak_streammap_feeds_slow_upload` | in every dump: nothing false (Healthy: a `peeps::spawn_named` uploader merges two feeds in a tokio-stream `StreamMap` (each a peeps receiver read through `poll_recv`, as tokio-stream's `ReceiverStream` does) and uploads each item for 700 ms (a `tokio::time::sleep`)) |
//! | `soak_take_task_manager_then_join` | in every dump: nothing false (Healthy twin of `if_let_write_guard_across_task_manager_join`: `shutdown` takes the handle in a `let` (the write guard dropped at the end of that statement), then awaits it; the task manager flushes after reading `conductor` and sleeping 300 ms under the read guard) |
//! | `soak_two_runtimes_cache_then_index_one_order` | in every dump: nothing false (Healthy: two runtimes share a peeps `cache` mutex and a peeps `index` `RwLock`, always taken cache first, then index) |
//! | `soak_uploader_holds_stats_feeds_registered` | in every dump: nothing false (Healthy: a `peeps::spawn_named` uploader reads three feeds, each a peeps receiver wrapped as a stream through `poll_recv` (as tokio-stream's `ReceiverStream` does), in a `biased` `tokio::select!`: `feed-events` first, then `feed-busy`, then `feed-rare`) |
//! | `soak_uploader_holds_stats_feeds_registered_plain` | in every dump: nothing false (Healthy: a plain `tokio::spawn` uploader reads three feeds, each a peeps receiver wrapped as a stream through `poll_recv` (as tokio-stream's `ReceiverStream` does), in a `biased` `tokio::select!`: `feed-events` first, then `feed-busy`, then `feed-rare`) |
//! | `spawn_blocking_block_on_recv_sender_kept` | a deadlock of `importer` (awaiting its `spawn_blocking` writer, keeping the `rows` sender) and the writer (`Handle::block_on(rows.recv())`); `main` behind |
//! | `spawn_blocking_first_block_on_recv_sender_kept` | as `spawn_blocking_block_on_recv_sender_kept`, the writer's first `block_on` the one that waits |
//!
//! ## Deadlocks from bug reports (numaflow, lychee, chroma, neon, permit leaks), sync-over-async bridges, a LocalSet, mixed actor inboxes, and their fixed twins (hunt42)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `config_guard_queued_in_job_applier_relocks` | a deadlock of `applier` alone over `tenant-config`, its guard inside an unread message on `jobs`; `scheduler` and `main` behind |
//! | `dispatcher_worker_task_request_full_inboxes` | a deadlock of `dispatcher` and one `worker-N` over `dispatcher-queue` and that worker's inbox (chroma PR #5283) |
//! | `drain_acquire_many_under_conns_lock` | a deadlock of `shutdown` (`acquire_many` on `in-flight` under `conns`) and the three handlers (locking `conns`, holding permits); `main` behind |
//! | `importer_joins_blocking_reader_before_draining` | a deadlock of `importer` (joining its `spawn_blocking` reader) and the reader (`blocking_send` on the full `rows`); `main` behind |
//! | `localset_render_lock_across_layout_reply` | a deadlock of the two `spawn_local` tasks over `ui-state` and `measured` |
//! | `pool_permits_forgotten_on_broken_conn` | stuck forever: the five queries at `db-pool`, whose permits were forgotten; nothing in the process can run again |
//! | `recursive_scan_holds_dir_permit_box_pin` | a deadlock of `crawler` alone over `open-dirs` (lychee PR #489's recursion keeps each level's permit); `main` behind |
//! | `reducer_awaits_window_tasks_keeps_message_tx` | a deadlock of `reduce-actor` (joining `reduce-window-0`) and `reduce-window-0` (receiving on `window-0`, whose sender the actor keeps; numaflow PR #3361); `reduce-window-1` and `main` behind |
//! | `session_asks_router_reply_queued_in_unbounded_inbox` | a deadlock of `router` (sending on the full `session-inbox`) and `session` (its `route` reply sender inside an unread message on `router-inbox`); `feeder` stuck forever (it pends for good); `main` behind |
//! | `spawn_blocking_block_on_relocks_index` | a deadlock of `indexer` (joining its `spawn_blocking` parser) and the parser (`Handle::block_on(index.lock())` on `symbol-index`, held by `indexer`); `main` behind |
//! | `spawn_blocking_futures_block_on_relocks_cache` | a deadlock of `renderer` (joining its `spawn_blocking` rasteriser) and the rasteriser (`futures::executor::block_on(cache.lock())` on `glyph-cache`, held by `renderer`) |
//! | `sync_thread_block_on_lock_replies_oneshot` | a deadlock of `indexer` (awaiting `resolved`) and thread `resolver` (`Handle::block_on(index.lock())` on `symbol-index`); `main` behind |
//! | `wal_sender_read_guard_cascade_behind_writer` | a deadlock of `wal-sender` (read guard kept across `acks`), `wal-acceptor` (write queued behind it) and `pageserver-conn` (read behind the queued writer; neon #12875); `main` behind |
//! | `soak_config_guard_in_job_reader_waits` | in every dump: nothing false (Healthy twin of `config_guard_queued_in_job_applier_relocks`: the `scheduler` takes `config.lock_owned()` and sends the `OwnedMutexGuard` inside a `Job::Migrate` to the `applier`, every 400 ms, forever; before it, a `Job::Reload` the applier handles with a 150 ms sleep and no lock) |
//! | `soak_dispatcher_task_requests_unbounded` | in every dump: nothing false (Healthy twin of `dispatcher_worker_task_request_full_inboxes` (chroma PR #5283, fixed): workers send their `TaskRequest`s on an unbounded peeps channel ("task-requests"); the `dispatcher` peeps task `select!`s over it and its bounded task queue ("dispatcher-queue", capacity 4, fed by a `submitter` every 20 ms), keeps pending tasks and idle workers in `VecDeque`s, and sends a task only to a worker that asked (its bounded inbox of 1 is then empty)) |
//! | `soak_drain_releases_conns_before_acquire_many` | in every dump: nothing false (Healthy twin of `drain_acquire_many_under_conns_lock`: the `shutdown` task marks the server closing under `conns`, drops the guard, then drains with `acquire_many(8)` on `in-flight`; once drained it reopens (the permits go back) and the next generation of three `handler-N` tasks starts) |
//! | `soak_guard_returned_in_send_error_retry_queue` | in every dump: nothing false (Healthy: a `scheduler` locks the `tenant-config` with `lock_owned()` and sends the `OwnedMutexGuard` inside a `Job` to this generation's `applier`; but the applier has already exited (its receiver dropped), so `send` fails and hands the job back in `SendError`) |
//! | `soak_importer_drains_then_joins_blocking_reader` | in every dump: nothing false (Healthy twin of `importer_joins_blocking_reader_before_draining`: the `importer` drains `rows` (capacity 16) first, handling each row for 5 ms (a sleep), and joins the `spawn_blocking` reader once the channel closes; the reader `blocking_send`s 200 rows per file, so it is mostly blocked on the full channel while the importer works) |
//! | `soak_joinset_select_shutdown_respawns` | in every dump: nothing false (Healthy: a `supervisor` peeps task keeps four `JoinSet` workers running: it loops on `tokio::select!` over `set.join_next()` (respawning each worker that finishes a 200-600 ms job, which reports on a bounded peeps `results` channel read by a `collector`) and a `watch` shutdown receiver whose sender `main` keeps for a shutdown that never comes) |
//! | `soak_localset_render_measures_after_unlock` | in every dump: nothing false (Healthy twin of `localset_render_lock_across_layout_reply`: the `render` `spawn_local` task copies the widget list out of `ui-state`, drops the guard, then asks `layout` to measure and awaits the `measured` oneshot; the `layout` `spawn_local` task holds `ui-state` across a 40 ms measurement (a sleep)) |
//! | `soak_lock_across_child_wait_and_fs_append` | in every dump: nothing false (Healthy: a `deployer` peeps task holds the `deploy` mutex while it runs a child process (`sleep 0.4` through `tokio::process::Command`, awaiting `status()`), and a `journal` task holds the `journal-file` mutex while it appends a line to a file with `tokio::fs` (`OpenOptions` + `write_all`, each a `spawn_blocking` inside tokio) and `sync_all`s it; a `status` task takes `deploy` then `journal-file` briefly every 50 ms, and the deployer takes `journal-file` under `deploy` (the same order) to log each run) |
//! | `soak_opposite_orders_second_is_try_lock` | in every dump: nothing false; no potential deadlock through the `try_lock`, at most `maintenance`'s own two orders (Healthy: `flusher` takes `buffer` then `stats`; `sampler` takes `stats` then only *tries* `buffer` (`try_lock`, skipping the sample when the buffer is busy) — the usual way to break an inversion) |
//! | `soak_opposite_orders_under_gate_lock` | in every dump: nothing false (Healthy: two tasks take the `accounts` and `ledger` mutexes in opposite orders, but each only while it holds the `txn-gate` mutex first (a coarse "one transaction at a time" lock added to fix exactly that inversion): `transfer` takes gate, accounts, ledger; `audit` takes gate, ledger, accounts) |
//! | `soak_owned_send_permits_handed_to_responders` | in every dump: nothing false (Healthy: per generation, a `dispatcher` peeps task makes a `results` channel and a `collector` task reading it, reserves three slots with `tx.clone().reserve_owned()` and hands each `OwnedPermit` (which owns a sender) to a `responder-N` peeps task that answers after 300-500 ms (`permit.send(..)`); it drops its own sender and awaits the collector, which ends once the last responder has sent) |
//! | `soak_permit_and_lock_opposite_orders_roomy_semaphore` | in every dump: nothing false; at most the potential deadlock through `upstream`, said with its condition (Healthy: an `ingest` task takes a permit of the `upstream` peeps `Semaphore` (64 permits: a generous concurrency cap) and then, still holding it, the `stats` mutex; a `reporter` task takes `stats` and, still holding it, a permit of `upstream` (to push the report)) |
//! | `soak_recursive_scan_releases_permit_before_descending` | in every dump: nothing false (Healthy twin of `recursive_scan_holds_dir_permit_box_pin`: the `scan` (async recursion through `Box::pin`) takes an `open-dirs` permit (a peeps `Semaphore` of 2) only while it lists the directory (a 40 ms sleep), collects the children, drops the permit, then recurses) |
//! | `soak_reducer_drops_message_tx_before_join` | in every dump: nothing false (Healthy twin of `reducer_awaits_window_tasks_keeps_message_tx` (numaflow-core PR #3361, fixed): the `reduce-actor` drops each `ActiveStream`'s `message_tx` before awaiting its `handle`) |
//! | `soak_session_asks_route_table_actor` | in every dump: nothing false (Healthy twin of `session_asks_router_reply_queued_in_unbounded_inbox`: the routing table is its own `route-table` actor (unbounded inbox "route-lookups"), so the `session`'s lookup never waits behind frames in the `router`'s unbounded inbox) |
//! | `soak_spawn_blocking_block_on_after_unlock` | in every dump: nothing false (Healthy twin of `spawn_blocking_block_on_relocks_index`: the `indexer` peeps task releases `symbol-index` before it awaits the `spawn_blocking` parse, whose sync parser takes the index with `Handle::block_on(index.lock())` per import and parses for 30 ms (a `std::thread::sleep`) under it; a `lookup` task locks the index every 20 ms and holds it across a 10 ms sleep) |
//! | `soak_wal_sender_copies_term_drops_guard` | in every dump: nothing false (Healthy twin of `wal_sender_read_guard_cascade_behind_writer` (neon #12875, fixed): the `wal-sender` copies what it needs out of `acquire_term()`'s read guard and drops it before streaming, taking a short read per batch) |
//!
//! ## `block_on` threads busy inside their poll, and more healthy programs woken from outside (hunt41)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `soak_block_in_place_compress_then_sends` | in every dump: nothing false (a `compressor` task (plain `tokio::spawn`) compresses a chunk inside `tokio::task::block_in_place` (a 300 ms CPU-bound stand-in, `std::thread::sleep`), then sends it to the `writer` peeps task over `chunks`, forever) |
//! | `soak_child_process_probe_loop_sends` | in every dump: nothing false (a `prober` peeps task runs a real child process (`sleep 0.3`) through `tokio::process::Command`, awaits its exit, and sends the result to a `reporter` task over `probes`, forever) |
//! | `soak_futures_block_on_thread_sender` | in every dump: nothing false (a `sensor` std::thread runs its loop under `futures::executor::block_on` (no tokio there): a 300 ms blocking read, then a send on the peeps channel `readings`; the `store` peeps task receives) |
//! | `main_collects_results_keeps_sender` | a deadlock of `main` alone over `results`, whose sender it keeps (`main` fans 4 jobs out to `worker` peeps tasks, each with a clone of the `results` sender, then collects with `while let Some(..) = rx.recv().await` but forgot to drop its own `results` sender) |
//! | `notify_never_notified_plain_main_joins` | stuck forever: a plain task at `flush-now`, `writer` and `main` behind; nothing in the process can run again (a `flusher` task waits on a peeps `Notify` ("flush-now") that nothing will ever notify (the code that would has been removed); the `writer` peeps task waits for its flush report on `reports`; `main` awaits the writer's `JoinHandle`) |
//! | `thread_block_on_waits_unnotified_resume` | stuck forever: the `uploader` thread at `resume` (MISSED today: the thread is not counted as a driver) (a `uploader` std::thread drives `Handle::block_on`: it waits on a peeps `Notify` ("resume") before each upload; the code that would notify it was removed) |
//! | `soak_joinset_workers_notified_by_peeps_dispatcher_thread_block_on` | in every dump: nothing false (`main` drains a `JoinSet` of 3 workers, (plain tasks), each waiting on the peeps `Notify` "work-ready") |
//! | `soak_main_polls_stop_between_blocking_reads` | in every dump: nothing false (`#[tokio::main]` reads a sensor synchronously (a blocking 300 ms read, `std::thread::sleep`, right in the async body) and sends each reading to the `writer` peeps task over `lines`) |
//! | `soak_main_polls_watch_stop_between_blocking_reads` | in every dump: nothing false (as `soak_main_polls_stop_between_blocking_reads`, but the stop signal is a peeps `watch` ("writer-state") whose sender the `writer` task keeps (it would publish `true` on a write error, never here): `main` pins one `changed()` future and polls it with `futures::poll!` between its blocking sensor reads (300 ms, `std::thread::sleep`), then sends each reading on `lines`) |
//! | `soak_main_select_commands_or_block_in_place_serial_read` | in every dump: nothing false (as `soak_main_select_commands_or_blocking_serial_read`, the read wrapped in `tokio::task::block_in_place` as tokio advises) |
//! | `soak_main_select_commands_or_blocking_serial_read` | in every dump: nothing false (`#[tokio::main]` talks to a serial device with a blocking read (1 s timeout, `std::thread::sleep` here) inside a `biased` `tokio::select!` that first checks the `commands` peeps channel (from the `uploader` task: "pause"/"resume" on backpressure, never sent here) and otherwise does the read in an `async` block) |
//! | `soak_main_spawns_all_then_pending_forever` | in every dump: nothing false (`#[tokio::main]` reads its config from a peeps oneshot (sent by a `loader` task), spawns a ticker (plain `tokio::spawn`, `tokio::time::interval` 300 ms, sends on `jobs`) and two `worker` peeps tasks sharing the `jobs` receiver behind a peeps `Mutex`, then parks forever in `std::future::pending()`) |
//! | `soak_main_thread_joins_runtime_thread` | in every dump: nothing false (`main` builds a multi-thread runtime and runs the app's `block_on` on a spawned `std::thread` ("app"), which it joins) |
//! | `soak_plain_task_select_commands_or_blocking_serial_read` | in every dump: nothing false (as `soak_main_select_commands_or_blocking_serial_read`, but the loop runs in a plain `tokio::spawn` task ("serial") that `main` awaits (its `JoinHandle`)) |
//! | `soak_scope_threads_block_on_ticker_and_consumer` | in every dump: nothing false (`main` runs `std::thread::scope` inside `spawn_blocking`: one scoped thread drives a ticker with `Handle::block_on` (sends on `ticks` every 300 ms, `tokio::time::sleep`), another drives the consumer with `Handle::block_on` (receives `ticks`)) |
//! | `soak_semaphore_refilled_by_plain_timer_task` | in every dump: nothing false (three `worker` peeps tasks each acquire a permit of the peeps `Semaphore` "api-quota" (0 permits at start) per call and `forget` it; a plain `tokio::spawn` refiller adds one permit every 300 ms with `add_permits`) |
//! | `soak_thread_block_on_checks_stop_between_blocking_reads` | in every dump: nothing false (a `reader` std::thread drives its loop with the runtime's `Handle::block_on`: a blocking 300 ms read (`std::thread::sleep`), then a send on `samples` to the `collector` peeps task; between reads it checks a peeps `Notify` ("reader-stop", pinned once, polled with `futures::poll!`)) |
//! | `soak_thread_start_hook_reports_sensor_notifies` | in every dump: nothing false (a runtime built by hand with one worker and an `on_thread_start` hook that reports each runtime thread on a peeps channel (`thread-events`, read by a `registry` task)) |
//! | `soak_udp_peer_thread_datagrams_forwarded` | in every dump: nothing false (a `peer` std::thread sends a UDP datagram to 127.0.0.1 every 300 ms (`std::net::UdpSocket`); a plain `tokio::spawn` listener receives them on a `tokio::net::UdpSocket` and forwards each on the peeps channel `datagrams` to the `decoder` peeps task) |
//!
//! ## A process where nothing can run again, and healthy programs idle on peeps waits woken from outside (hunt40)
//!
//! | binary | what peeps must say |
//! |---|---|
//! | `barrier_third_party_returns_early` | stuck forever: replica-0, replica-1, `main` behind (nothing in the process can run again; Hang: a `Barrier` of 3 whose third party returns early with an error) |
//! | `notify_waiters_lost_notifier_exited` | stuck forever: server, `main` behind (nothing in the process can run again; Hang: a lost `notify_waiters()` wake-up) |
//! | `results_sender_kept_in_app_state` | stuck forever: collector, `main` behind (nothing in the process can run again; Hang: a results sender kept in an `Arc<AppState>` while `main` awaits the collector) |
//! | `soak_barrier_last_party_after_sleep` | in every dump: nothing false (Healthy: three shard tasks meet at a peeps `Barrier` every round; the third sleeps 500 ms (`tokio::time::sleep`) before it arrives) |
//! | `soak_barrier_last_party_after_sleep_named` | in every dump: nothing false (Healthy (the shards are `peeps::spawn_named` tasks, so the census counts them): three shard tasks meet at a peeps `Barrier` every round; the third sleeps 500 ms (`tokio::time::sleep`) before it arrives) |
//! | `soak_ctrl_c_forwarded_to_notify` | in every dump: nothing false (Healthy: a service idle until Ctrl-C) |
//! | `soak_current_thread_ticker_feeds_workers` | in every dump: nothing false (Healthy: `soak_interval_ticker_feeds_workers` on a current-thread runtime: an interval ticker feeds two workers every 200 ms; `main` awaits the workers' `JoinHandle`s) |
//! | `soak_interval_ticker_feeds_workers` | in every dump: nothing false (Healthy: a `tokio::time::interval` ticker task feeds two workers over peeps channels every 200 ms; `main` awaits the workers' `JoinHandle`s) |
//! | `soak_localset_thread_ticker_sends` | in every dump: nothing false (Healthy: a `ui` `std::thread` runs a current-thread runtime with a `LocalSet` (for `!Send` state), where a plain `spawn_local` ticker sleeps 300 ms and sends a frame count on a peeps channel to the `renderer` task of the main runtime, forever; the thread's `block_on` awaits the ticker's `JoinHandle`) |
//! | `soak_localset_thread_ticker_sends_idle` | in every dump: nothing false (Healthy: a `ui` `std::thread` runs a current-thread runtime with a `LocalSet` (for `!Send` state), where a plain `spawn_local` ticker sleeps 2 s (a quiet UI) and sends a frame count on a peeps channel to the `renderer` task of the main runtime, forever; the thread's `block_on` awaits the ticker's `JoinHandle`) |
//! | `soak_main_joins_plain_timeout_recv` | in every dump: nothing false (Healthy: `main` awaits a plain `tokio::spawn` worker's `JoinHandle`; the worker waits on a peeps `recv` under `tokio::time::timeout` (2 s), counting idle periods; its sender is kept by a `reporter` task that waits on a peeps `Notify` nobody has notified yet, under a `timeout` of 1 s per try too) |
//! | `soak_main_localset_ticker_feeds_worker` | in every dump: nothing false (Healthy: `#[tokio::main]` runs its body in a `LocalSet` (`run_until`); a plain `spawn_local` ticker keeps `!Send` state and every 300 ms sends on a peeps channel to a `worker` peeps task; the body awaits the worker's `JoinHandle`) |
//! | `soak_notify_timer_guard_across_notified` | in every dump: nothing false (Healthy: a waiter holds a peeps `Mutex` guard across `notified()` on a peeps `Notify` that a timer task notifies every 250 ms (it never takes the mutex); a second task waits for the mutex) |
//! | `soak_second_runtime_thread_sends` | in every dump: nothing false (Healthy: a second (current-thread) runtime on a `std::thread` runs a `poller` peeps task that sleeps 300 ms and sends a sample into the main runtime's `aggregator` task, forever; the thread's `block_on` awaits the poller) |
//! | `soak_select_recv_sleep_timeout_loop` | in every dump: nothing false (Healthy: a session task loops on `tokio::select!` of a peeps `recv` and a 1 s `sleep` (an idle timeout per wait); nobody sends yet (the sender is kept by `main` for later)) |
//! | `soak_spawn_blocking_producer` | in every dump: nothing false (Healthy: a `spawn_blocking` producer sleeps 300 ms then `blocking_send`s a line on a peeps channel, forever; a plain consumer task waits on `recv`; `main` awaits the consumer's `JoinHandle`) |
//! | `soak_sync_callback_thread_block_on_app_send` | in every dump: nothing false (Healthy: a sync callback API (a C library's event thread, here a `std::thread` sleeping 300 ms per event) forwards each event into the async app with `handle.block_on(app.events.send(ev))`, through the app's shared state (`Arc<App>`, with the `events` sender)) |
//! | `soak_tcp_accept_client_workers` | in every dump: nothing false (Healthy: a TCP server on 127.0.0.1: an accept loop task, a handler task per connection reading a line and handing it to a worker over a peeps channel; a client task connects every 300 ms and sends a line) |
//! | `soak_thread_blocking_send_consumer` | in every dump: nothing false (Healthy: a `std::thread` sleeps 300 ms then `blocking_send`s a reading on a peeps channel, forever; a consumer task waits on `recv`; `main` awaits the consumer's `JoinHandle`) |
//! | `soak_thread_enter_blocking_send` | in every dump: nothing false (Healthy: a device-reader `std::thread` enters the runtime (`Handle::enter`, as threads that may spawn do) and, every 300 ms (a blocking read), `blocking_send`s a frame on a peeps channel to the `decoder` task) |
//! | `soak_thread_enter_spawns_app_deliveries` | in every dump: nothing false (Healthy: as `soak_thread_enter_spawns_deliveries`, but the watcher thread holds only the app's shared state (`Arc<App>`, which keeps the `fs-events` sender): it enters the runtime (`Handle::enter`) and for each event (every 300 ms) spawns a `deliver` peeps task that sends through `app.events`) |
//! | `soak_thread_enter_spawns_app_deliveries_idle` | in every dump: nothing false (Healthy: `soak_thread_enter_spawns_app_deliveries` with a quieter watcher: one file event every 2 s (the thread blocks in the OS between events, as an inotify or stdin reader does)) |
//! | `soak_thread_enter_spawns_deliveries` | in every dump: nothing false (Healthy: a file-watcher `std::thread` (blocking OS API, here a 300 ms sleep) enters the runtime (`Handle::enter`) so it can spawn, and for each event spawns a `deliver` peeps task that sends it to the `indexer` task over a peeps channel) |
//! | `soak_thread_handle_block_on_sleep_send` | in every dump: nothing false (Healthy: a `std::thread` drives the main runtime with `Handle::block_on`: it sleeps 300 ms (`tokio::time::sleep`) and sends a heartbeat on a peeps channel, forever) |
//! | `soak_thread_handle_spawns_control` | in every dump: nothing false (Healthy, the control of `soak_warmup_runtime_dropped_thread_handle_spawns` (no throwaway runtime at startup): a `watcher` `std::thread`, given the runtime's `Handle` and the app's shared state (`Arc<App>`, with the `events` sender), waits for a file event (a blocking OS call, here 300 ms) and hands each to the runtime with `handle.spawn(async move { ) |
//! | `soak_thread_own_runtime_block_on_sleep_send` | in every dump: nothing false (Healthy: a `std::thread` builds its own current-thread runtime and `block_on`s a loop that sleeps 300 ms and sends a metric on a peeps channel into the main runtime's `collector` task (no task spawned on the thread's runtime)) |
//! | `soak_warmup_runtime_dropped_reader_thread_app_send` | in every dump: nothing false (Healthy: at startup `main` warms its cache through a sync helper that builds a throwaway multi-thread runtime on a helper thread (two workers), runs a `warm` peeps task there and drops the runtime (its workers exit)) |
//! | `soak_warmup_runtime_dropped_sensor_thread_notifies` | in every dump: nothing false (Healthy: at startup `main` warms its cache through a sync helper that builds a throwaway multi-thread runtime on a helper thread (two workers), runs a `warm` peeps task there and drops the runtime (its workers exit)) |
//! | `soak_warmup_runtime_dropped_thread_handle_spawns` | in every dump: nothing false (Healthy: at startup `main` warms its cache through a sync helper that builds a throwaway multi-thread runtime on a helper thread (two workers), runs a `warm` peeps task there and drops the runtime (its workers exit)) |
//!
//! `examples/tests/scenarios.rs` runs each one and checks exactly that.
//!
//! This crate holds only what every scenario shares: saying READY when the
//! program's own graph shows the state the scenario is about, and parking.
//! The scenarios themselves use peeps exactly as a user would.

use peeps::graph::{EdgeKind, NodeKind, Snapshot};
use std::io::Write;
use std::time::Duration;

/// How often [`ready_when`] looks at the graph.
const LOOK_EVERY: Duration = Duration::from_millis(10);

/// Prints `READY <pid>` on its own line (flushed).
pub fn ready() {
    let mut out = std::io::stdout().lock();
    // A closed stdout (nobody waits for READY) is no reason to stop.
    let _ = writeln!(out, "READY {}", std::process::id());
    let _ = out.flush();
}

/// Prints `READY <pid>` once `stuck` holds for this process's graph.
///
/// Looks from a dedicated OS thread, not from the program's runtime, so it
/// also works when every runtime worker is wedged.
///
/// # Panics
///
/// When the OS refuses a new thread.
pub fn ready_when(stuck: impl Fn(&Snapshot) -> bool + Send + 'static) {
    std::thread::Builder::new()
        .name("scenario-ready".into())
        .spawn(move || {
            while !stuck(&peeps::snapshot()) {
                std::thread::sleep(LOOK_EVERY);
            }
            ready();
        })
        .expect("spawn the READY thread");
}

/// Waits once on a peeps receive from channel `name` that a thread of its
/// own completes only after a snapshot shows the wait: the caller's root
/// has then surely waited on a peeps primitive (peeps counts a `block_on`
/// thread's waker from its first such wait), however loaded the machine.
pub async fn wait_once_seen(name: &'static str) {
    let (tx, mut rx) = peeps::sync::mpsc::channel_named::<()>(name, 1);
    std::thread::Builder::new()
        .name("scenario-wait-once".into())
        .spawn(move || {
            while !waited_on_for(&peeps::snapshot(), NodeKind::Channel, name, "recv") {
                std::thread::sleep(LOOK_EVERY);
            }
            let _ = tx.blocking_send(());
        })
        .expect("spawn the wait-once thread");
    let _ = rx.recv().await;
}

/// Never completes: the scenario has done its part.
pub async fn park() -> ! {
    loop {
        std::future::pending::<()>().await;
    }
}

/// The node of `kind` named `name`, if the graph has one.
pub fn node<'a>(snap: &'a Snapshot, kind: NodeKind, name: &str) -> Option<&'a peeps::graph::Node> {
    snap.nodes.iter().find(|n| n.kind == kind && n.name == name)
}

/// How many `waits_on` edges end at a node of `kind` named `name` (every
/// such node: several channels may share a name).
pub fn waiters(snap: &Snapshot, kind: NodeKind, name: &str) -> usize {
    snap.edges
        .iter()
        .filter(|e| e.kind == EdgeKind::WaitsOn && is_named(snap, e.to, kind, name))
        .count()
}

/// Whether node `id` is of `kind` and named `name`.
fn is_named(snap: &Snapshot, id: peeps::graph::NodeId, kind: NodeKind, name: &str) -> bool {
    snap.nodes
        .iter()
        .any(|n| n.id == id && n.kind == kind && n.name == name)
}

/// Whether something waits on the node of `kind` named `name`.
pub fn waited_on(snap: &Snapshot, kind: NodeKind, name: &str) -> bool {
    waiters(snap, kind, name) > 0
}

/// Whether something waits to do `op` (`send`, `recv`, ...) on a node of
/// `kind` named `name`.
pub fn waited_on_for(snap: &Snapshot, kind: NodeKind, name: &str, op: &str) -> bool {
    snap.edges.iter().any(|e| {
        e.kind == EdgeKind::WaitsOn
            && e.attrs.get(peeps::graph::attr::OP).and_then(|v| v.as_str()) == Some(op)
            && is_named(snap, e.to, kind, name)
    })
}

/// The names of the nodes the node of `kind` named `name` is held by
/// (`held_by` edges: lock guards, permits, channel endpoints).
pub fn holders<'a>(snap: &'a Snapshot, kind: NodeKind, name: &str) -> Vec<&'a str> {
    let Some(resource) = node(snap, kind, name) else {
        return Vec::new();
    };
    snap.edges
        .iter()
        .filter(|e| e.kind == EdgeKind::HeldBy && e.from == resource.id)
        .filter_map(|e| snap.nodes.iter().find(|n| n.id == e.to))
        .map(|n| n.name.as_str())
        .collect()
}

/// The number attribute `key` of the node of `kind` named `name` (e.g. a
/// channel's `received`).
pub fn attr(snap: &Snapshot, kind: NodeKind, name: &str, key: &str) -> Option<u64> {
    node(snap, kind, name)?.attrs.get(key)?.as_u64()
}

/// Whether the future (or task) named `name` is inside a poll.
pub fn polling(snap: &Snapshot, name: &str) -> bool {
    snap.nodes
        .iter()
        .any(|n| n.name == name && n.state.as_deref() == Some("polling"))
}

/// The task a node belongs to: the node itself if it is a task, else the
/// task at the top of its chain of `needs` edges.
pub fn task_of<'a>(
    snap: &'a Snapshot,
    node: &'a peeps::graph::Node,
) -> Option<&'a peeps::graph::Node> {
    let mut at = node;
    // Bounded: a chain of `needs` edges is a path in a tree.
    for _ in 0..=snap.nodes.len() {
        if at.kind == NodeKind::Task {
            return Some(at);
        }
        let parent = snap
            .edges
            .iter()
            .find(|e| e.kind == EdgeKind::Needs && e.to == at.id)?;
        at = snap.nodes.iter().find(|n| n.id == parent.from)?;
    }
    None
}

/// How many waits on the node of `kind` named `name` their task no longer
/// polls: the wait was last polled in an earlier poll of its task than
/// the task's latest (`polled_in` below the task's `polls`), and the task
/// is not inside a poll now. A future pinned outside a `select!` that
/// lost is such a wait, once its task has been polled again.
pub fn abandoned_waits(snap: &Snapshot, kind: NodeKind, name: &str) -> usize {
    let Some(target) = node(snap, kind, name) else {
        return 0;
    };
    let number = |attrs: &peeps::graph::Attrs, key: &str| attrs.get(key).and_then(|v| v.as_u64());
    snap.edges
        .iter()
        .filter(|e| e.kind == EdgeKind::WaitsOn && e.to == target.id)
        .filter(|e| {
            let Some(polled_in) = number(&e.attrs, peeps::graph::attr::POLLED_IN) else {
                return false;
            };
            let Some(task) = snap
                .nodes
                .iter()
                .find(|n| n.id == e.from)
                .and_then(|waiter| task_of(snap, waiter))
            else {
                return false;
            };
            task.state.as_deref() == Some("pending")
                && number(&task.attrs, peeps::graph::attr::POLLS).is_some_and(|p| p > polled_in)
        })
        .count()
}
