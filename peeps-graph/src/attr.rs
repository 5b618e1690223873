//! Attribute names that carry meaning, and their fixed values.
//!
//! Writers (peeps-runtime, peeps-sync, peeps-roam) and readers (the analysis,
//! the UI) both name attributes through these constants, so a name is
//! spelled in one place.

// ---- futures and tasks -------------------------------------------------

/// Futures, tasks: how many times the node was polled.
pub const POLLS: &str = "polls";
/// Futures, tasks: total time spent inside polls, in ns. Estimated: each
/// poll adds its time by the coarse ms tick (0 or whole ms for a short
/// poll: right on average over many polls), one poll in 64 its exact time.
pub const POLL_NS_TOTAL: &str = "poll_ns_total";
/// Futures, tasks: the longest poll seen, in ns (the coarse clock for every
/// poll, so a long poll is never missed; sampled polls exactly).
pub const POLL_NS_MAX: &str = "poll_ns_max";
/// Futures, tasks: while a poll runs, how many ms before capture it started.
pub const POLLING_SINCE_MS: &str = "polling_since_ms";
/// Tasks: `true` when spawned through peeps (waker accounting is exact),
/// `false` for a plain tokio task or a `block_on` root seen from inside.
pub const TRACKED: &str = "tracked";
/// Tracked tasks: the task was woken since its last poll returned `Pending`.
/// A plain tokio task whose waker peeps reads: it is queued to run
/// (tokio's `NOTIFIED`), so woken since its latest poll began.
pub const WOKEN: &str = "woken";
/// Tracked tasks: how many clones of the task's waker are alive. A
/// thread's `block_on` root: how many clones of its waker (tokio's
/// parked-thread one) are alive besides `block_on`'s own, when peeps can
/// count them. A plain tokio task: how many clones of its waker (tokio's
/// task waker) are alive, plus one while it runs or is queued to run, when
/// peeps can count them; a `spawn_blocking` closure driving its waits with
/// `Handle::block_on` has its thread's count, as a `block_on` root.
pub const WAKER_CLONES: &str = "waker_clones";
/// Tracked tasks whose poll ran an executor of its own (a `block_on` in a
/// `Drop` or a sync helper) with waits on instrumented resources: how
/// many clones of that executor's waker are alive besides the executor's
/// own references, when peeps can count them (an `Arc` waker). More than
/// the task's waits polled with a foreign waker (`foreign_waker`) means
/// something peeps cannot see (the timer of a `timeout` around the wait)
/// may wake the executor.
pub const NESTED_WAKER_CLONES: &str = "nested_waker_clones";
/// Tracked tasks: how many of those clones instrumented waits handed to
/// resources. `waker_clones > waker_clones_accounted` means something peeps
/// cannot see (a timer, a socket, an uninstrumented future) may wake it.
pub const WAKER_CLONES_ACCOUNTED: &str = "waker_clones_accounted";
/// A thread's `block_on` root whose waker peeps cannot count: the call
/// sites (`file:line:col`, as a wait's [`AT`]) where a wait of its own,
/// pending across a wake, was dropped while no other wait of it completed
/// since: something peeps cannot see (a socket, a timer in the same
/// `select!`) won that race. A wait made at one of these sites may end
/// without its resource. [`RACED_ANY`] stands for every site. Absent when
/// none raced.
pub const RACED_AT: &str = "raced_at";
/// In [`RACED_AT`]: more sites raced than are kept, so every wait of the
/// root may lose such a race.
pub const RACED_ANY: &str = "*";
/// A thread's `block_on` root whose OS thread is busy when the snapshot
/// is taken: it runs, or is blocked in a call no `block_on` parks in (a
/// sleep, a read): the root is inside a poll doing something else than
/// its waits (a blocking read beside a pinned wait), so it is not
/// waiting, whatever its waits show.
pub const THREAD_BUSY: &str = "thread_busy";
/// A thread's `block_on` root whose waker peeps cannot count (a
/// current-thread runtime's): its OS thread is parked in its runtime's
/// I/O driver (`epoll_wait`) with this timeout, in ms: a timer of that
/// runtime is due then, which may be the root's own (an `interval` in the
/// same `select!`). Absent when the thread parks with no timeout, or
/// elsewhere.
pub const TIMER_DUE_MS: &str = "timer_due_ms";
/// Tasks: tokio's task id, when the task runs on tokio.
pub const TOKIO_TASK_ID: &str = "tokio_task_id";
/// Threads, and tasks of `spawn_blocking`: `true` when the node runs on a
/// thread peeps cannot see into (one of the census's `unseen_threads`: not
/// the main thread, nor a thread peeps accounts for). Absent otherwise.
pub const UNSEEN_THREAD: &str = "unseen_thread";
/// Tasks, threads: the run of a `#[peeps::test]` the task belongs to (an
/// id unique within the process): the test body's own task, and every task
/// spawned while that test's runtime ran. Absent outside any such test.
pub const TEST_SCOPE: &str = "test_scope";

// ---- threads (`ThreadInfo::attrs`) ---------------------------------------

/// Threads: how many stack samples `stack` and [`DOMINANT_FRAMES`] come
/// from (samples of the current poll, taken within the last second).
pub const SAMPLES: &str = "samples";
/// Threads: the frames present in at least half the samples, innermost
/// first, each `{ "frame": "name (file:line)", "samples": n }`: where a
/// spinning or blocked thread spends its time. Absent with one sample.
pub const DOMINANT_FRAMES: &str = "dominant_frames";
/// In a [`DOMINANT_FRAMES`] entry: the frame, as in `stack`.
pub const FRAME: &str = "frame";
/// Threads: why `stack` is empty or holds only the innermost frame, with a
/// hint when there is one (e.g. build with frame pointers, the thread did
/// not answer SIGPROF, the thread never polled anything instrumented).
pub const STACK_UNAVAILABLE: &str = "stack_unavailable";

// ---- resources ---------------------------------------------------------

/// Locks, semaphores: `true` for a blocking (parking_lot) primitive: a poll
/// waiting on it parks its worker thread.
pub const BLOCKING: &str = "blocking";
/// Locks: how many guards are held (readers count one each).
pub const HOLDERS: &str = "holders";
/// Locks, semaphores, channels: how many waits are pending on it.
pub const WAITERS: &str = "waiters";
/// RwLocks: how many read guards are held.
pub const READERS: &str = "readers";
/// Semaphores: the number of permits it was made with, plus those added.
pub const PERMITS: &str = "permits";
/// Semaphores: permits available now.
pub const AVAILABLE: &str = "available";
/// Channels: `mpsc` | `mpsc_unbounded` | `oneshot` | `broadcast` | `watch`
/// (see [`flavor`]).
pub const FLAVOR: &str = "flavor";
/// The values of [`FLAVOR`].
pub mod flavor {
    /// A bounded `mpsc` channel.
    pub const MPSC: &str = "mpsc";
    /// An unbounded `mpsc` channel.
    pub const MPSC_UNBOUNDED: &str = "mpsc_unbounded";
    /// A `oneshot` channel.
    pub const ONESHOT: &str = "oneshot";
    /// A `broadcast` channel: each receiver has its own queue.
    pub const BROADCAST: &str = "broadcast";
    /// A `watch` channel: one value, seen by every receiver.
    pub const WATCH: &str = "watch";
}
/// Channels: capacity (bounded flavors).
pub const CAPACITY: &str = "capacity";
/// Channels: messages queued now.
pub const LEN: &str = "len";
/// Bounded channels: slots reserved by live permits (`reserve`), not yet
/// used: no room for a send while `len + reserved` reaches the capacity.
pub const RESERVED: &str = "reserved";
/// Channels: live sender handles.
pub const SENDERS: &str = "senders";
/// Channels: live receiver handles.
pub const RECEIVERS: &str = "receivers";
/// Channels: messages sent so far.
pub const SENT: &str = "sent";
/// Channels: messages received so far.
pub const RECEIVED: &str = "received";
/// Channels: closed by the receiver, or every sender gone.
pub const CLOSED: &str = "closed";
/// Channels: ms before capture of the last send.
pub const LAST_SEND_MS: &str = "last_send_ms";
/// Channels: ms before capture of the last receive.
pub const LAST_RECV_MS: &str = "last_recv_ms";

// ---- RPC ---------------------------------------------------------------

/// Requests, handlers: the RPC method name.
pub const METHOD: &str = "method";
/// Requests: the call id, unique across processes (`<process key>/<n>`).
pub const CALL_ID: &str = "call_id";
/// Requests: the peer called, as the RPC stack names it.
pub const PEER: &str = "peer";
/// Handlers: the `call_id` of the request this handler serves.
pub const CALLER_CALL_ID: &str = "caller_call_id";
/// Requests, handlers: the connection the call travels on, as the RPC
/// integration names it (e.g. `b (127.0.0.1:4100)`).
pub const CONNECTION: &str = "connection";
/// Requests, handlers: how many ms the connection has been open.
pub const CONNECTION_AGE_MS: &str = "connection_age_ms";
/// Requests, handlers: calls in flight on the connection now, both ways.
pub const CONNECTION_IN_FLIGHT: &str = "connection_in_flight";
/// Requests, handlers: `false` once the connection is known to be closed.
pub const CONNECTION_OPEN: &str = "connection_open";

// ---- edges -------------------------------------------------------------

/// `held_by`: how the holder holds the resource; one of the `AS_*` values.
pub const AS: &str = "as";
/// `held_by` value of [`AS`]: a mutex or write guard.
pub const AS_GUARD: &str = "guard";
/// `held_by` value of [`AS`]: a read guard.
pub const AS_READ_GUARD: &str = "read_guard";
/// `held_by` value of [`AS`]: a semaphore permit.
pub const AS_PERMIT: &str = "permit";
/// `held_by` value of [`AS`]: a channel's sending endpoint.
pub const AS_SENDER: &str = "sender";
/// `held_by` value of [`AS`]: a channel's receiving endpoint.
pub const AS_RECEIVER: &str = "receiver";
/// `held_by` value of [`AS`]: a once cell being initialised, held by the
/// task running its initialiser (every other `get_or_init` waits for it).
pub const AS_INITIALISER: &str = "initialiser";
/// `held_by` value of [`AS`]: a task (or thread) seen to notify a
/// `Notify`, which may notify it again (a guess: anyone holding the
/// `Notify` may).
pub const AS_NOTIFIER: &str = "notifier";
/// Notify: how many distinct tasks or threads were seen to notify it; more
/// than its `notifier` edges when one ended or was not kept.
pub const NOTIFIERS: &str = "notifiers";
/// Mutex, rwlock, semaphore, channel: the id of the last task seen to let
/// go of a guard, permit or channel end of it that peeps last saw with
/// another task, with no move it saw in between: its handles travel
/// through memory peeps does not read (a pool's list of connections to
/// close, a map on the heap), so a find of one in a task's state may be
/// the bytes it was moved out of.
pub const MOVED_UNSEEN: &str = "moved_unseen";
/// `held_by` of a channel end with evidence `shared`: the id of the lock
/// (a mutex, an rwlock's write side) every use peeps saw of it was made
/// under, exclusively (a receiver shared by workers as
/// `Arc<Mutex<Receiver>>`): whoever uses it next must take that lock first.
pub const GUARDED_BY: &str = "guarded_by";
/// `held_by` value of [`AS`]: an RPC handler, held by the task running it.
pub const AS_HANDLER: &str = "handler";
/// `held_by`: `false` when the attribution is not certain (an endpoint its
/// task never used, an owned guard that may have moved). Absent means true.
pub const CONFIRMED: &str = "confirmed";
/// `waits_on`, `held_by`: the source line (`file:line:col`) of the call
/// that made the wait (`lock()`, `recv()`, ...) or took the hold, when
/// known.
pub const AT: &str = "at";
/// Futures: `true` when the future was polled inside a peeps task with a
/// combinator's waker (`FuturesUnordered`, `buffer_unordered`, ...) and
/// counts its own waker clones (`waker_clones`, `waker_clones_accounted`).
pub const SUB_WAKER: &str = "sub_waker";
/// Futures with [`SUB_WAKER`]: which combinator's wakers it was given (an
/// opaque number; futures of one combinator share it). `waits_on` (op
/// `join`): the waits of one root that share one clone of its waker (the
/// tasks of one tokio `JoinSet`, whose set keeps the clone), an opaque
/// number they share.
pub const WAKER_GROUP: &str = "waker_group";
/// `held_by`: the id of the future inside the holder task that took the
/// hold (absent: the task itself, or unknown).
pub const BY: &str = "by";
/// `waits_on`: the number of its task's poll in which the wait was last
/// polled, for a wait polled with its task's own waker. Below the task's
/// `polls`, the task has stopped polling it: the wait is abandoned.
pub const POLLED_IN: &str = "polled_in";
/// `waits_on`: `true` when the wait was polled inside a peeps task with a
/// waker peeps does not count (a no-op waker, a combinator polling a plain
/// future): whatever it wakes is not the task, as far as peeps can prove.
pub const FOREIGN_WAKER: &str = "foreign_waker";
/// `waits_on`: `true` for a wait made by a blocking call (`blocking_lock`,
/// `blocking_recv`, …): its thread is parked in it until it ends, so a
/// poll that made it cannot return to any other wait.
pub const BLOCKING_CALL: &str = "blocking_call";
/// `waits_on` with [`BLOCKING_CALL`]: the OS thread id (Linux tid) parked in
/// the call; `thread` nodes: the OS thread whose `block_on` the node stands
/// for. A task parked on the thread of a `thread` node holds that root's
/// poll up: the thread is in the task's poll (a current-thread runtime's
/// one thread). Absent off Linux.
pub const OS_THREAD: &str = "os_thread";
/// `waits_on` with [`BLOCKING_CALL`]: `true` when the call gives up by
/// itself at a deadline (`try_lock_for`, `try_write_for`): the wait ends
/// whatever the holder does, so no deadlock rests on it. Absent otherwise.
pub const TIMED: &str = "timed";
/// `waits_on`: the wait's place in its resource's queue (a number that
/// rises with each new wait on that resource): the lowest queued first.
pub const QUEUED: &str = "queued";
/// `held_by`: what peeps last saw of the hold, a [`crate::Evidence`] word
/// (`made`, `used`, `shared`, `spawned`, `in_message`, `received`,
/// `returned`). Absent means `acquired`: a guard or permit bound to the
/// task that took it.
pub const EVIDENCE: &str = "evidence";
/// `held_by`: `true` when the snapshot found the endpoint, owned guard or
/// owned permit inside the holder task's own state (its pinned future).
pub const IN_STATE: &str = "in_state";
/// `held_by` of evidence `received`: the id of the channel whose message
/// brought the handle to its holder. Once the holder waits to receive from
/// that channel again, the message was handled: the handle's bytes left in
/// its state no longer show it kept the handle.
pub const FROM: &str = "from";
/// `waits_on`: the operation waited for, one of [`Op`](crate::Op)'s names
/// (`lock`, `read`, `write`, `acquire`, `send`, `recv`, `notified`, `join`,
/// `call`, ...).
pub const OP: &str = "op";
