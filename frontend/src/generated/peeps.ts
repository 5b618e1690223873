/* Generated from docs/schema.json by frontend/scripts/gen-types.mjs: do not edit.
 * The Rust types in peeps-graph are the source of truth. */

/**
 * What an edge means. See DESIGN.md §3.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "EdgeKind".
 */
export type EdgeKind = 'needs' | 'waits_on' | 'held_by' | 'calls' | 'spawned';
/**
 * What a node is. The kinds are fixed by the schema; see DESIGN.md §3.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "NodeKind".
 */
export type NodeKind =
  | 'task'
  | 'future'
  | 'mutex'
  | 'rwlock'
  | 'semaphore'
  | 'channel'
  | 'notify'
  | 'request'
  | 'handler'
  | 'thread';
/**
 * Where a process's latest snapshot came from.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "Source".
 */
export type Source = 'push' | 'dump';
/**
 * What an event is. On the wire its snake_case name.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "EventKind".
 */
export type EventKind =
  | 'spawn'
  | 'end'
  | 'wait'
  | 'acquire'
  | 'release'
  | 'send'
  | 'recv'
  | 'close'
  | 'notify'
  | 'join'
  | 'call_start'
  | 'call_end';
/**
 * What peeps last saw of a hold. See the module documentation.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "Evidence".
 */
export type Evidence =
  'made' | 'acquired' | 'used' | 'shared' | 'spawned' | 'in_message' | 'received' | 'returned';
/**
 * The operation a pending wait waits for.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "Op".
 */
export type Op =
  | 'lock'
  | 'read'
  | 'write'
  | 'acquire'
  | 'send'
  | 'recv'
  | 'notified'
  | 'changed'
  | 'barrier'
  | 'init'
  | 'closed'
  | 'call'
  | 'join';
/**
 * How sure a deadlock is (DESIGN.md §4).
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "Certainty".
 */
export type Certainty = 'certain' | 'probable';
/**
 * What kind of potential deadlock.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "PotentialKind".
 */
export type PotentialKind = 'inversion' | 'read_reentered' | 'permit_reacquired';
/**
 * How a lock was held, or taken.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "LockMode".
 */
export type LockMode = 'write' | 'read' | 'read_recursive' | 'permit';

/**
 * The wire format of peeps: a snapshot (schema peeps/1: one process at one instant, as dumped, pushed and served at /api/snapshots/{key}), the analysis report (peeps analyze --json, /api/deadlocks), and the other answers of the HTTP API (docs/api.md).
 */
export interface Peeps {
  change?: Change;
  dumps?: DumpInfo[];
  error?: ApiError;
  graph?: GraphResponse;
  history?: NodeHistory;
  processes?: ProcessInfo[];
  recording?: Recording;
  report?: Report;
  snapshot?: Snapshot;
  status?: Status;
}
/**
 * The data of a `change` event of `/api/events`: the server has a new
 * view; fetch again.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "Change".
 */
export interface Change {
  /**
   * The latest store change the new view includes.
   */
  seq: number;
}
/**
 * One dump, as `/api/dumps` lists it: a process at one past instant,
 * analysed on its own and never part of the live view.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "DumpInfo".
 */
export interface DumpInfo {
  /**
   * `age_ms` in words (`3 h 5 min`).
   */
  age: string;
  /**
   * How long ago it was captured, in ms (now − `captured_at_ms`).
   */
  age_ms: number;
  /**
   * When the dump was captured, ms since the Unix epoch.
   */
  captured_at_ms: number;
  /**
   * How many deadlocks its own analysis found (then, not now).
   */
  deadlocks: number;
  /**
   * How many edges it has.
   */
  edges: number;
  /**
   * The file it was read from.
   */
  file: string;
  /**
   * The process's key (`dump=KEY` serves this dump's graph and report).
   */
  key: string;
  /**
   * The process's name.
   */
  name: string;
  /**
   * How many nodes it has.
   */
  nodes: number;
  /**
   * Its pid.
   */
  pid: number;
  /**
   * When the process started, ms since the Unix epoch.
   */
  started_at_ms: number;
}
/**
 * Every error answer (status 400, 404, 405 or 500).
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "ApiError".
 */
export interface ApiError {
  /**
   * What went wrong, in words.
   */
  error: string;
}
/**
 * `/api/graph`: the merged graph of every process (or of one), in the
 * requested scope.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "GraphResponse".
 */
export interface GraphResponse {
  /**
   * Its edges; both ends are among `nodes`.
   */
  edges: GraphEdge[];
  /**
   * Its nodes.
   */
  nodes: GraphNode[];
  /**
   * The processes whose nodes it shows (every process, unfiltered).
   */
  processes: ProcessInfo[];
  /**
   * The latest store change the graph includes.
   */
  seq: number;
}
/**
 * An edge of the merged graph; both ends are `uid`s.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "GraphEdge".
 */
export interface GraphEdge {
  /**
   * Its attributes, as in the snapshot.
   */
  attrs: {
    [k: string]: unknown | undefined;
  };
  /**
   * Its ends are in different processes.
   */
  cross_process: boolean;
  /**
   * The `uid` of its source.
   */
  from: string;
  /**
   * What the edge says.
   */
  kind: EdgeKind;
  /**
   * `since_ms` in words (`5.0 s`), as the report says durations.
   */
  since?: string | null;
  /**
   * How many ms before capture it appeared.
   */
  since_ms?: number | null;
  /**
   * The `uid` of its target.
   */
  to: string;
}
/**
 * A node of the merged graph: a snapshot node with its global name.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "GraphNode".
 */
export interface GraphNode {
  /**
   * Its attributes, as in the snapshot.
   */
  attrs: {
    [k: string]: unknown | undefined;
  };
  /**
   * The node's id in its process.
   */
  id: number;
  /**
   * What the node is.
   */
  kind: NodeKind;
  /**
   * Where it was made (`file:line:col`), when known.
   */
  location?: string | null;
  /**
   * Its name.
   */
  name: string;
  /**
   * The process key.
   */
  process: string;
  /**
   * `since_ms` in words (`5.0 s`), as the report says durations.
   */
  since?: string | null;
  /**
   * How many ms before capture it entered that state.
   */
  since_ms?: number | null;
  /**
   * Its state (`polling`, `pending`, `done`, `held`, ...), when it has one.
   */
  state?: string | null;
  /**
   * `<process key>:<id>`, unique across processes.
   */
  uid: string;
}
/**
 * One process, as `/api/processes` lists it.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "ProcessInfo".
 */
export interface ProcessInfo {
  /**
   * How many edges its latest snapshot has.
   */
  edges: number;
  /**
   * The process's key: unique per process lifetime.
   */
  key: string;
  /**
   * When the server last heard from it, ms since the Unix epoch.
   */
  last_seen_ms: number;
  /**
   * Its name (`peeps::init_named`, or the executable's).
   */
  name: string;
  /**
   * How many nodes its latest snapshot has.
   */
  nodes: number;
  /**
   * Its pid.
   */
  pid: number;
  /**
   * Where its latest snapshot came from: `push` (a recording served
   * with `--replay` may say `dump`; live dumps are in `/api/dumps`).
   */
  source: Source;
  /**
   * The process disconnected: its graph is the last one seen. It is
   * forgotten after `--stale-after`.
   */
  stale: boolean;
  /**
   * When it started, ms since the Unix epoch.
   */
  started_at_ms: number;
}
/**
 * `/api/history?node=UID`: what one node's process recorded about it,
 * oldest first, in words.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "NodeHistory".
 */
export interface NodeHistory {
  /**
   * The events concerning it, as the task that acted or the node acted
   * on.
   */
  entries: TimelineEntry[];
  /**
   * Its process's snapshot carries a history (its recorder was on).
   */
  recorded: boolean;
  /**
   * The node asked about.
   */
  uid: string;
}
/**
 * One recorded event, in words.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "TimelineEntry".
 */
export interface TimelineEntry {
  /**
   * The line of the user's call, when known (`file:line:col`).
   */
  at?: string | null;
  /**
   * What happened.
   */
  kind: EventKind;
  /**
   * The node it concerns, when any.
   */
  node?: NodeRef | null;
  /**
   * The key of the process it happened in.
   */
  process: string;
  /**
   * When, in ms since that process started.
   */
  t_ms: number;
  /**
   * The task that did it, when known.
   */
  task?: NodeRef | null;
  /**
   * The event in words, without its time.
   */
  text: string;
  /**
   * `t_ms` as printed: seconds with milliseconds (`12.301 s`).
   */
  time: string;
}
/**
 * A node named across processes: `(process key, id)`, with what a person
 * needs to recognise it.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "NodeRef".
 */
export interface NodeRef {
  /**
   * The node's id in that process.
   */
  id: number;
  /**
   * What the node is.
   */
  kind: NodeKind;
  /**
   * Where the node was made (`file:line:col`), when known.
   */
  location?: string | null;
  /**
   * The node's name.
   */
  name: string;
  /**
   * The process's key (`Process::key`): unique per process lifetime.
   */
  process: string;
}
/**
 * `/api/recording`: the instants the server can show the graph at.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "Recording".
 */
export interface Recording {
  /**
   * Their size in bytes.
   */
  bytes: number;
  /**
   * The directory recorded to (`--record`) or replayed, if any.
   */
  dir?: string | null;
  /**
   * The capture times of the snapshots kept, ms since the Unix epoch,
   * oldest first (evenly thinned to at most 5000): pass one as `at=` to
   * `/api/graph`, `/api/deadlocks`, `/api/processes` and `/api/history`.
   */
  instants: number[];
  /**
   * The budget (`--record-bytes`, less when `--max-memory` needs the
   * room): past it, the oldest go.
   */
  max_bytes: number;
  /**
   * The server serves a recording (`peeps serve --replay DIR`): nothing
   * new comes in.
   */
  replay: boolean;
  /**
   * How many snapshots are kept.
   */
  snapshots: number;
}
/**
 * Everything the analysis found. Each list is ranked by duration, longest
 * first.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "Report".
 */
export interface Report {
  /**
   * Polls running longer than the threshold.
   */
  blocking_polls: BlockingPoll[];
  /**
   * Sets of tasks that can never make progress, around a cycle.
   */
  deadlocks: Deadlock[];
  /**
   * What each process has learned of its lock order, and what it could
   * not keep.
   */
  lock_order?: LearnedOrder[];
  /**
   * Tasks blocked longer than the threshold, not deadlocked.
   */
  long_waits: LongWait[];
  /**
   * Cycles in the order the processes take their locks: deadlocks that
   * have not happened (see `docs/lock-order.md`).
   */
  potential_deadlocks?: PotentialDeadlock[];
  /**
   * Blocked tasks that hold no waker clone.
   */
  stuck_forever: StuckForever[];
}
/**
 * A poll running longer than the threshold: it blocks a runtime thread.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "BlockingPoll".
 */
export interface BlockingPoll {
  /**
   * The instrumented blocking lock the poll is parked on, or what an
   * executor nested in the poll (`block_on`) waits for, if any.
   */
  parked_on?: NodeRef | null;
  /**
   * The futures being polled inside it, outermost first; the last is the
   * innermost instrumented future inside the poll.
   */
  path: NodeRef[];
  /**
   * `polling_ms` in words.
   */
  polling?: string;
  /**
   * How long the poll has been running.
   */
  polling_ms: number;
  /**
   * The task (or `block_on` thread) being polled.
   */
  task: NodeRef;
  /**
   * The finding in words, as printed.
   */
  text: string;
  /**
   * The thread it runs on, when the snapshot says.
   */
  thread?: ThreadRef | null;
}
/**
 * The OS thread a blocking poll runs on.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "ThreadRef".
 */
export interface ThreadRef {
  /**
   * The frames present in at least half the samples, innermost first:
   * where the poll spends its time.
   */
  dominant_frames?: FrameShare[];
  /**
   * The thread's name.
   */
  name: string;
  /**
   * How many stack samples `stack` and `dominant_frames` come from.
   */
  samples?: number;
  /**
   * Its stack, innermost frame first, when the sampler took one.
   */
  stack: string[];
  /**
   * Why the stack is missing or holds only the innermost frame.
   */
  stack_unavailable?: string | null;
  /**
   * The OS thread id.
   */
  tid: number;
}
/**
 * A frame and the number of samples it appears in.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "FrameShare".
 */
export interface FrameShare {
  /**
   * The frame, `name (file:line)`.
   */
  frame: string;
  /**
   * How many samples it appears in.
   */
  samples: number;
}
/**
 * A set of tasks that can never make progress, around a cycle.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "Deadlock".
 */
export interface Deadlock {
  /**
   * Tasks stuck behind it, each with the step it waits through.
   */
  behind: Step[];
  /**
   * `certain` or `probable`.
   */
  certainty: Certainty;
  /**
   * Its tasks are in more than one process.
   */
  cross_process: boolean;
  /**
   * The cycle, one step per task, back to the first.
   */
  cycle: Step[];
  /**
   * Found only because nothing in its process can run again: every task
   * and thread there is pending, and nothing but their own waits holds
   * their wakers (so no way out peeps cannot name can be taken).
   */
  nothing_runs?: boolean;
  /**
   * Members of the deadlock the written cycle does not pass through
   * (another cycle of the same strongly connected group), one step each.
   */
  others?: Step[];
  /**
   * The resources its tasks wait on (joined tasks excluded).
   */
  resources: NodeRef[];
  /**
   * Its tasks: the cycle's first, in cycle order.
   */
  tasks: NodeRef[];
  /**
   * The deadlock in words, as printed.
   */
  text: string;
  /**
   * How it formed: the recorded events among its tasks and resources,
   * oldest first (empty when the snapshots carry no history).
   */
  timeline?: TimelineEntry[];
  /**
   * Events of that span left out of `timeline` (`peeps history` has
   * them).
   */
  timeline_omitted?: number;
}
/**
 * One step of a wait chain: `task` (through the futures of `path`) waits
 * on `waits_on`, which `held_by` must release.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "Step".
 */
export interface Step {
  /**
   * How it is held: `guard`, `read_guard`, `permit`, `sender`,
   * `receiver`, `initialiser`, `notifier`; none for a join or an RPC.
   */
  as?: string | null;
  /**
   * Where the wait was made (`file:line:col` of the `lock()`, `recv()`,
   * ... call), when known.
   */
  at?: string | null;
  /**
   * The wait is queued behind `held_by`'s, which must be served first:
   * a read behind a writer queued ahead of it on a write-preferring
   * rwlock, or an acquire behind one queued ahead of it on a fair
   * semaphore (while permits are free).
   */
  behind_writer?: boolean;
  /**
   * The channel carrying the handle in an unread message: `held_by`
   * holds that channel's receiver and must read the message first.
   */
  carrier?: NodeRef | null;
  /**
   * False when the holder rests on a guess: a move peeps saw into it
   * (at spawn, in a message, through a join) that it may have passed on
   * since, the handle not being in its own state.
   */
  confirmed: boolean;
  /**
   * What peeps saw of the hold (see `peeps_graph::Evidence`): none for
   * a guard or permit bound to its task, a join or an RPC.
   */
  evidence?: Evidence | null;
  /**
   * The lock every use peeps saw of a shared handle was made under:
   * `held_by` holds it, and whoever uses the handle next must take it
   * first (a receiver shared by workers as `Arc<Mutex<Receiver>>`). A
   * guess: the step is unconfirmed.
   */
  guarded_by?: NodeRef | null;
  /**
   * The lock was handed to this future (or task) of the holder, which
   * it no longer polls: the hand-off never completes.
   */
  handed_to?: NodeRef | null;
  /**
   * Where the hold released was taken (`file:line:col` of the call),
   * when known.
   */
  held_at?: string | null;
  /**
   * The task that must act to release it: the holder, the joined task,
   * or the task running the remote handler.
   */
  held_by: NodeRef;
  /**
   * The handle was found in the holder's own state at the snapshot.
   */
  in_state?: boolean;
  /**
   * The handle is kept in `guarded_by`'s value (put there, as the lock
   * was made or under a write guard), not only used under it.
   */
  kept?: boolean;
  /**
   * The operation waited for (`lock`, `recv`, `join`, ...), when known.
   */
  op?: Op | null;
  /**
   * The futures inside the task, outermost first, down to the one that
   * waits. Empty when the task itself waits.
   */
  path: NodeRef[];
  /**
   * How the holder came to have it, said in parentheses after the
   * holder: `moved in at spawn`, `received in a message`, `made there,
   * still in its state`, with why it is a guess when it is one.
   */
  release_note?: string | null;
  /**
   * What comes before the holder in the step's release line: `held
   * since src/main.rs:31 by`, `read-locked by`, `sender probably held
   * by`, `behind the queued writer`, `queued behind the acquire of`,
   * `handled by`; none for a join.
   */
  release_words?: string | null;
  /**
   * The hold was taken by this future of the holder, which it no longer
   * polls (it will never release it).
   */
  taken_in?: NodeRef | null;
  /**
   * The waiting task (or `block_on` thread).
   */
  task: NodeRef;
  /**
   * For an RPC request: the handler serving it.
   */
  via?: NodeRef | null;
  /**
   * What follows the resource in the step's line: `to finish` (a join),
   * `to be closed`, `to change`, or nothing.
   */
  wait_after?: string;
  /**
   * What comes between the task and the resource in the step's line:
   * `waits at src/main.rs:25 to lock`, `waits to receive from`, `waits
   * for` (a join).
   */
  wait_words?: string;
  /**
   * `waited_ms` in words (`5.0 s`).
   */
  waited?: string | null;
  /**
   * How long the wait has lasted, when known.
   */
  waited_ms?: number | null;
  /**
   * The resource waited on (for a join, the joined task; for an RPC, the
   * request).
   */
  waits_on: NodeRef;
}
/**
 * What one process has learned of its lock order: how much, and what it
 * could not keep (its bounds reached).
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "LearnedOrder".
 */
export interface LearnedOrder {
  /**
   * How many classes of locks it has taken.
   */
  classes: number;
  /**
   * What it did not record.
   */
  dropped: OrderDrops;
  /**
   * How many order edges it has learned.
   */
  edges: number;
  /**
   * What it did not record, in words (`lock order not recorded: ...`),
   * when it dropped anything.
   */
  note?: string | null;
  /**
   * The process's key.
   */
  process: string;
}
/**
 * What the runtime did not record, because a bound was reached; each a
 * count since the process started.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "OrderDrops".
 */
export interface OrderDrops {
  /**
   * Locks whose class was not recorded: the class table was full.
   */
  classes?: number;
  /**
   * Locks an order edge was seen between and could not list: the
   * budget of listed locks was spent (each such edge meets any lock of
   * its classes).
   */
  edge_locks?: number;
  /**
   * Order edges not recorded: the edge table was full.
   */
  edges?: number;
  /**
   * Acquisitions not followed: the task already held as many locks as
   * peeps follows per task.
   */
  held?: number;
}
/**
 * A task blocked longer than the threshold on something that is not a
 * deadlock: a stall.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "LongWait".
 */
export interface LongWait {
  /**
   * Where the wait was made, when known, as in [`Step`].
   */
  at?: string | null;
  /**
   * The tasks that could release it (empty when that is outside peeps'
   * view, e.g. a `notify`).
   */
  held_by: NodeRef[];
  /**
   * The operation waited for.
   */
  op?: Op | null;
  /**
   * The futures inside it down to the one that waits.
   */
  path: NodeRef[];
  /**
   * The waiting task.
   */
  task: NodeRef;
  /**
   * The long wait in words, as printed.
   */
  text: string;
  /**
   * What follows the resource in its line, as in [`Step`].
   */
  wait_after?: string;
  /**
   * What comes between the task and the resource in its line, as in
   * [`Step`].
   */
  wait_words?: string;
  /**
   * `waited_ms` in words.
   */
  waited?: string;
  /**
   * How long it has waited.
   */
  waited_ms: number;
  /**
   * What it waits on.
   */
  waits_on: NodeRef;
}
/**
 * A deadlock that has not happened: paths the process took at different
 * times that, run at the same time, can deadlock.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "PotentialDeadlock".
 */
export interface PotentialDeadlock {
  /**
   * What kind.
   */
  kind: PotentialKind;
  /**
   * The locks of the cycle, in the order of its steps.
   */
  locks: LockRef[];
  /**
   * The semaphores in the cycle: it needs each one's permits all held.
   */
  needs_exhausted?: LockRef[];
  /**
   * The rwlocks whose queued writers the cycle needs: it closes only
   * through two reads of each, which wait for each other only behind a
   * writer.
   */
  needs_writer?: LockRef[];
  /**
   * The process's key.
   */
  process: string;
  /**
   * The cycle: one step per order edge, each step's `acquired` the next
   * step's `held`, back to the first. One step for a lock taken again.
   */
  steps: OrderStep[];
  /**
   * The potential deadlock in words, as printed.
   */
  text: string;
}
/**
 * A lock, or a class of locks, as a potential deadlock names it.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "LockRef".
 */
export interface LockRef {
  /**
   * A `peeps::sync::blocking` (parking_lot) lock.
   */
  blocking?: boolean;
  /**
   * Its class's id in its process's `lock_order`.
   */
  class: number;
  /**
   * `mutex`, `rwlock` or `semaphore`.
   */
  kind: NodeKind;
  /**
   * Where the class's first lock was made (`file:line:col`).
   */
  location?: string | null;
  /**
   * The one lock meant (its node id), when the cycle goes through locks
   * of one class; none when it stands for its whole class.
   */
  lock?: number | null;
  /**
   * The lock's name (its construction site when it was given none).
   */
  name: string;
}
/**
 * One order edge of a potential deadlock: `task` took `acquired` while it
 * held `held`.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "OrderStep".
 */
export interface OrderStep {
  /**
   * The lock it took then.
   */
  acquired: LockRef;
  /**
   * How it took it.
   */
  acquired_as: LockMode;
  /**
   * Where it took it, when known.
   */
  acquired_at?: string | null;
  /**
   * The gates of this step's order edge held exclusively every time it
   * was seen (see [`crate::lock_order::OrderGate`]; those held shared
   * are not listed). No lock is on every step, held exclusively on
   * one, or the cycle would not be reported.
   */
  gates?: LockRef[];
  /**
   * The lock it held.
   */
  held: LockRef;
  /**
   * How it held it.
   */
  held_as: LockMode;
  /**
   * Where it took it (`file:line:col`), when known.
   */
  held_at?: string | null;
  /**
   * `since_ms` in words.
   */
  since: string;
  /**
   * How many ms before the snapshot it happened.
   */
  since_ms: number;
  /**
   * The task (or thread) that did, the first time (it may have finished).
   */
  task: NodeRef;
  /**
   * The `#[peeps::test]` run the task belonged to, if any.
   */
  test_scope?: number | null;
}
/**
 * A pending task that holds no clone of its waker (and has no
 * instrumented wait that could hand it one): nothing can ever wake it. A
 * leak, such as a future that returns `Pending` without keeping the waker.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "StuckForever".
 */
export interface StuckForever {
  /**
   * Tasks stuck behind it, each with the step it waits through.
   */
  behind: Step[];
  /**
   * Stuck because nothing in its process can run again (it waits on
   * something only a task or thread there could end, and every one of
   * them waits with nothing else to wake it), not because it holds no
   * waker.
   */
  nothing_runs?: boolean;
  /**
   * `stuck_ms` in words.
   */
  stuck?: string;
  /**
   * How long it has been pending.
   */
  stuck_ms: number;
  /**
   * The task.
   */
  task: NodeRef;
  /**
   * The finding in words, as printed.
   */
  text: string;
  /**
   * What it waits on, when `nothing_runs`.
   */
  waits?: StuckWait[];
}
/**
 * One wait of a task stuck forever because nothing in its process can
 * run again.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "StuckWait".
 */
export interface StuckWait {
  /**
   * Where the wait was made, when known, as in [`Step`].
   */
  at?: string | null;
  /**
   * The operation waited for.
   */
  op?: Op | null;
  /**
   * The futures inside the task down to the one that waits.
   */
  path: NodeRef[];
  /**
   * What follows the resource in its line, as in [`Step`].
   */
  wait_after?: string;
  /**
   * What comes between the task and the resource in its line, as in
   * [`Step`].
   */
  wait_words: string;
  /**
   * How long it has waited.
   */
  waited_ms: number;
  /**
   * What it waits on.
   */
  waits_on: NodeRef;
}
/**
 * One process at one instant.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "Snapshot".
 */
export interface Snapshot {
  /**
   * Wall-clock time of the capture, in milliseconds since the Unix epoch.
   */
  captured_at_ms: number;
  /**
   * Who waits on whom. Both ends name nodes of this snapshot.
   */
  edges: Edge[];
  /**
   * How it got here: the recorded events that concern what is blocked,
   * and the latest ones (see [`crate::history`]). Absent when the
   * recorder is off (`PEEPS_HISTORY=0`) or in older dumps.
   */
  history?: History | null;
  /**
   * The order in which the process has taken its locks, learned since it
   * started (see `docs/lock-order.md`): absent when it took no
   * instrumented lock, or in dumps older than this field.
   */
  lock_order?: LockOrder | null;
  /**
   * Every live node: futures, tasks, resources, requests, handlers, threads.
   */
  nodes: Node[];
  /**
   * The process this snapshot was taken in.
   */
  process: Process;
  /**
   * Always [`SCHEMA`] (`"peeps/1"`).
   */
  schema: string;
  /**
   * The tokio tasks alive in the process's runtimes, and how many of
   * them peeps cannot see into (see [`TaskCensus`]). Absent when peeps
   * saw no runtime (no peeps task, no `#[peeps::test]` body, no
   * instrumented plain task), or in older dumps.
   */
  tasks?: TaskCensus | null;
  /**
   * The runtime's OS threads, with what each is polling.
   */
  threads?: ThreadInfo[];
}
/**
 * A directed relation between two nodes of one snapshot.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "Edge".
 */
export interface Edge {
  /**
   * Edge attributes: `as` and `confirmed` on `held_by`.
   */
  attrs?: {
    [k: string]: unknown | undefined;
  };
  /**
   * The waiting or holding side's node id (see [`EdgeKind`] for direction).
   */
  from: number;
  /**
   * What the edge means.
   */
  kind: EdgeKind;
  /**
   * How many ms before `captured_at_ms` the edge appeared.
   */
  since_ms?: number | null;
  /**
   * The other end's node id.
   */
  to: number;
}
/**
 * The events of one snapshot's process, oldest first.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "History".
 */
export interface History {
  /**
   * The events kept, in the order they happened.
   */
  events: Event[];
  /**
   * How many of those were no longer in memory at the capture: written
   * over when a thread's ring was full, or dropped when a thread had no
   * ring. The rest are in memory; `events` is the part of them kept.
   */
  lost: number;
  /**
   * Nodes the events name that the snapshot's `nodes` lack (they are
   * gone), with what the recorder knows of them.
   */
  nodes?: HistoryNode[];
  /**
   * How many events each thread's ring holds (`PEEPS_HISTORY`).
   */
  per_thread: number;
  /**
   * How many events the process recorded since it started.
   */
  recorded: number;
}
/**
 * One recorded event.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "Event".
 */
export interface Event {
  /**
   * `acquire` and `release`: how it is held (`guard`, `read_guard`,
   * `permit`, `initialiser`).
   */
  as?: string | null;
  /**
   * The line of the user's call (`file:line:col`): the `lock()`,
   * `send()`, `spawn` ...; for `release`, where the hold was taken.
   */
  at?: string | null;
  /**
   * `send` and `recv`: how many messages, when not one.
   */
  count?: number | null;
  /**
   * `end`: `true` when the task's future completed, `false` when it was
   * dropped before (aborted, cancelled, its runtime shut down).
   */
  finished?: boolean | null;
  /**
   * What happened.
   */
  kind: EventKind;
  /**
   * The node it concerns: the lock, semaphore, channel, `Notify` or RPC
   * request; for `spawn` the task spawned, for `join` the task joined.
   * Absent for `end`.
   */
  node?: number | null;
  /**
   * `wait`: what for (`lock`, `recv`, `join`, ...).
   */
  op?: Op | null;
  /**
   * When, in ms since the process started (`process.started_at_ms`).
   */
  t_ms: number;
  /**
   * The task (or `block_on` thread) that did it; for `spawn`, the
   * spawning task. Absent when unknown.
   */
  task?: number | null;
  /**
   * `acquire`: how long the task waited for it, when it waited.
   */
  waited_ms?: number | null;
}
/**
 * A node an event names that the snapshot no longer has.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "HistoryNode".
 */
export interface HistoryNode {
  /**
   * Its id in the process.
   */
  id: number;
  /**
   * What it was, when known.
   */
  kind?: NodeKind | null;
  /**
   * Where it was made (`file:line:col`), when known.
   */
  location?: string | null;
  /**
   * Its name, when known (a task named by a string literal, a plain
   * tokio task).
   */
  name?: string | null;
}
/**
 * The order graph a process has learned so far.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "LockOrder".
 */
export interface LockOrder {
  /**
   * Every class of lock taken so far, by id.
   */
  classes: LockClass[];
  /**
   * What was not recorded, because a bound was reached.
   */
  dropped?: OrderDrops;
  /**
   * Every order edge learned so far: one lock held while another was
   * taken.
   */
  edges: OrderEdge[];
}
/**
 * A class of locks: all the locks with one name, or made at one site.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "LockClass".
 */
export interface LockClass {
  /**
   * The locks are `peeps::sync::blocking` (parking_lot) locks.
   */
  blocking?: boolean;
  /**
   * The class's id in this process (what [`OrderEdge::from`] and
   * [`OrderEdge::to`] name).
   */
  id: number;
  /**
   * `mutex`, `rwlock` or `semaphore`.
   */
  kind: NodeKind;
  /**
   * Where the first lock of the class was made (`file:line:col`).
   */
  location?: string | null;
  /**
   * The locks' name (`.named(..)`), or their construction site
   * (`file:line`).
   */
  name: string;
  /**
   * The class is a lock's given name (not its construction site).
   */
  named?: boolean;
  /**
   * Some lock of the class was taken for writing (an rwlock's `write`):
   * a writer may queue between two readers.
   */
  written?: boolean;
}
/**
 * One lock held while another was taken.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "OrderEdge".
 */
export interface OrderEdge {
  /**
   * How the other was taken.
   */
  acquired: LockMode;
  /**
   * Its wait can be given up: an acquisition of the taken lock at the
   * example's site, the held one held, was seen dropped while it waited
   * (under a timeout, in a `select!` branch that lost), and no other
   * site was seen making the edge. No cycle through it hangs for good,
   * so none is reported (see `docs/lock-order.md`, "Waits given up").
   */
  bounded?: boolean;
  /**
   * The first time it was seen.
   */
  example: OrderExample;
  /**
   * The class of the lock held.
   */
  from: number;
  /**
   * For two locks of one class: the lock held (its node id). An edge
   * between two classes has none: it stands for every lock of each.
   */
  from_lock?: number | null;
  /**
   * Its gates: the locks held every time the edge was seen, each taken
   * before the held lock and held until the other was taken (at most
   * [`MAX_GATES`], the first taken, an exclusive one in place of the
   * last shared one), each exclusively or shared. Empty
   * when none was.
   */
  gates?: OrderGate[];
  /**
   * How the held lock was held.
   */
  held: LockMode;
  /**
   * The locks it was seen holding (node ids, ascending), at most
   * [`MAX_EDGE_LOCKS`]. A cycle through a class closes only where a
   * lock one edge took is one the next edge held (see
   * `docs/lock-order.md`, "Locks of one class: instances"). Empty in
   * older dumps: any lock of the class.
   */
  held_locks?: number[];
  /**
   * It was seen holding more locks than `held_locks` could list (or
   * the budget of listed locks was spent): any.
   */
  more_held?: boolean;
  /**
   * It was seen taking more locks than `taken_locks` could list: any.
   */
  more_taken?: boolean;
  /**
   * The locks it was seen taking (node ids, ascending), at most
   * [`MAX_EDGE_LOCKS`]; empty in older dumps: any.
   */
  taken_locks?: number[];
  /**
   * The class of the lock taken.
   */
  to: number;
  /**
   * For two locks of one class: the lock taken. Equal to `from_lock`
   * when a task took a lock it already held (a second read, a second
   * permit).
   */
  to_lock?: number | null;
}
/**
 * Who took the two locks of an order edge, where, and when (the first
 * time).
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "OrderExample".
 */
export interface OrderExample {
  /**
   * Where the other was taken, when known.
   */
  acquired_at?: string | null;
  /**
   * The lock taken (node id).
   */
  acquired_lock: number;
  /**
   * The taken lock's name then.
   */
  acquired_name: string;
  /**
   * Where the held lock was taken (`file:line:col`), when known.
   */
  held_at?: string | null;
  /**
   * The lock held (node id).
   */
  held_lock: number;
  /**
   * The held lock's name then.
   */
  held_name: string;
  /**
   * How many ms before `captured_at_ms` it happened.
   */
  since_ms: number;
  /**
   * The task (or thread) that did: its node id (it may be gone by now).
   */
  task: number;
  /**
   * `task` or `thread`.
   */
  task_kind: NodeKind;
  /**
   * Its name then.
   */
  task_name: string;
  /**
   * The `#[peeps::test]` run the task belonged to, if any.
   */
  test_scope?: number | null;
}
/**
 * A lock held around every observation of an order edge: exclusively (a
 * mutex, an rwlock's write or upgradable guard, a permit that took all
 * its semaphore's permits) or shared (a read, a permit of some). Two
 * paths that both hold it, one of them exclusively, cannot run at once,
 * so a cycle whose every edge has it, one edge at least exclusively,
 * cannot deadlock (see `docs/lock-order.md`, "Gate locks").
 *
 * A gate is one lock, not its class: two locks of one class (per-shard
 * gates made at one site) do not keep each other's holders apart.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "OrderGate".
 */
export interface OrderGate {
  /**
   * The lock's class (a [`LockClass::id`]).
   */
  class: number;
  /**
   * The lock (its node id).
   */
  lock: number;
  /**
   * Held shared (a read, a permit of some) in one observation at least:
   * it keeps this edge's path apart only from paths holding it
   * exclusively.
   */
  shared?: boolean;
}
/**
 * One live future, task or resource.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "Node".
 */
export interface Node {
  /**
   * Kind-specific attributes; the meaningful names are in [`crate::attr`].
   */
  attrs?: {
    [k: string]: unknown | undefined;
  };
  /**
   * Unique within the process.
   */
  id: number;
  /**
   * What the node is.
   */
  kind: NodeKind;
  /**
   * Where in the source the node was made: `file:line:col`.
   */
  location?: string | null;
  /**
   * The name given in code, or the construction site when none was given.
   */
  name: string;
  /**
   * How many ms before `captured_at_ms` the node entered `state`.
   */
  since_ms?: number | null;
  /**
   * Futures and tasks: `polling`, `pending` or `done`. Resources: `held`,
   * `free`, `closed`, `open`.
   */
  state?: string | null;
}
/**
 * The process a snapshot describes.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "Process".
 */
export interface Process {
  /**
   * The machine's host name, when the process could read it. Absent in
   * dumps older than this field.
   */
  host?: string | null;
  /**
   * Unique per process lifetime: `<pid>-<start time in ns since the epoch>`.
   */
  key: string;
  /**
   * The name given to `peeps::init_named`, or the executable's name.
   */
  name: string;
  /**
   * The OS process id.
   */
  pid: number;
  /**
   * Wall-clock start of the process (when peeps first ran), ms since the epoch.
   */
  started_at_ms: number;
}
/**
 * A process's tokio tasks and threads at snapshot time.
 *
 * A handle moved into a task peeps cannot see into (`tokio::spawn` of an
 * uninstrumented future) leaves no trace: the bytes it was moved out of
 * may stay in its old holder's state, and its old holder's uses stay on
 * record. While such a task is alive, what peeps last saw of a channel
 * end, an owned guard or an owned permit is no proof of who has it now
 * (docs/ownership.md).
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "TaskCensus".
 */
export interface TaskCensus {
  /**
   * Tasks alive in the runtimes peeps has seen (tokio's
   * `num_alive_tasks`, summed).
   */
  alive: number;
  /**
   * How many more threads peeps accounts for than are alive: the
   * workers of a noted runtime dropped since, behind which as many
   * unseen threads may hide. Absent in older dumps (not known).
   */
  overcounted_threads?: number | null;
  /**
   * Threads other than the main one that drive a runtime outside its
   * tasks (a `block_on`, a `LocalSet`, a spawn from a plain thread),
   * counted as seen, with no root in this snapshot: they run code peeps
   * cannot see. Absent in older dumps (not known).
   */
  rootless_drivers?: number | null;
  /**
   * The process's OS threads alive (0 where peeps cannot count them:
   * off Linux, or in older dumps).
   */
  threads?: number;
  /**
   * Of those, the ones peeps cannot see into: neither peeps tasks nor
   * plain tasks whose top-level future is instrumented (a plain task
   * seen waiting or holding something is one: a handle moved into it is
   * not found, and its wait may end). At least 1 when peeps knows more
   * tasks than the runtimes it counted have alive (it missed one).
   */
  unseen: number;
  /**
   * Of those, the ones peeps cannot see into: neither the main thread, a
   * worker of a multi-thread runtime peeps has seen, a `#[peeps::test]`
   * thread nor one of peeps' own (a `std::thread`, a `spawn_blocking`
   * thread, busy or idle, a runtime peeps has not seen). A handle moved
   * into a closure they run leaves no trace, as into an unseen task.
   */
  unseen_threads?: number;
}
/**
 * One OS thread of the program's runtime.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "ThreadInfo".
 */
export interface ThreadInfo {
  /**
   * Other facts about the thread (e.g. `stack_unavailable` with a reason).
   */
  attrs?: {
    [k: string]: unknown | undefined;
  };
  /**
   * The thread's name (`tokio-runtime-worker`, ...).
   */
  name: string;
  /**
   * The node this thread is polling right now, if any.
   */
  polling?: number | null;
  /**
   * How many ms before `captured_at_ms` the current poll started.
   */
  polling_since_ms?: number | null;
  /**
   * The thread's stack, innermost frame first, when the sampler took one.
   */
  stack?: string[];
  /**
   * The OS thread id (Linux tid).
   */
  tid: number;
}
/**
 * `/api/status`: what the server holds, and how it keeps up.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "Status".
 */
export interface Status {
  /**
   * The analyses of the live view.
   */
  analysis: AnalysisStatus;
  /**
   * Their bytes.
   */
  bytes_received: number;
  /**
   * Dumps held.
   */
  dumps: number;
  /**
   * Processes forgotten since start: stale for `--stale-after`, or to
   * make room within `--max-memory`.
   */
  forgotten: number;
  /**
   * Of them, the live ones (an open push connection feeds them).
   */
  live: number;
  /**
   * Memory, against `--max-memory`.
   */
  memory: MemoryStatus;
  /**
   * Processes in the live view, live and stale.
   */
  processes: number;
  /**
   * New processes and dumps refused since start for lack of room.
   */
  refused: number;
  /**
   * The latest store change the live view includes.
   */
  seq: number;
  /**
   * Pushed snapshots taken since start.
   */
  snapshots_received: number;
  /**
   * Of them, the stale ones.
   */
  stale: number;
}
/**
 * How long the analyses of the live view take (merge, analysis, scope).
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "AnalysisStatus".
 */
export interface AnalysisStatus {
  /**
   * How many have run (changes arriving together share one).
   */
  count: number;
  /**
   * The last one, in ms.
   */
  last_ms: number;
  /**
   * The longest, in ms.
   */
  max_ms: number;
  /**
   * Their mean, in ms.
   */
  mean_ms: number;
  /**
   * How many nodes the last one merged.
   */
  nodes: number;
}
/**
 * Memory, against the budget.
 *
 * This interface was referenced by `Peeps`'s JSON-Schema
 * via the `definition` "MemoryStatus".
 */
export interface MemoryStatus {
  /**
   * What the processes and dumps held count for (26 bytes per byte of
   * snapshot JSON: the JSON, its parsed form, the view; measured).
   */
  held_bytes: number;
  /**
   * The budget (`--max-memory`), in bytes.
   */
  max_bytes: number;
  /**
   * What the recording holds (it gets what the rest leaves, at most
   * `--record-bytes`).
   */
  recording_bytes: number;
  /**
   * The server's resident set size, where the system says it.
   */
  rss_bytes?: number | null;
}
