// Snapshots (schema peeps/1) made up for the browser tests: a large
// process for the 5,000-node render, and one whose names are HTML.
// Written into the server's --dumps directory, they are read by the real
// server like any dump a program wrote on SIGUSR1.

/** A process with `tasks` tasks, 5 nodes each: a task awaits a future that
 * awaits another, which waits on a resource held by the next task of its
 * chain; every task also has an idle notify. */
export function bigSnapshot({ tasks = 1000, chain = 10, pid = 90001, name = 'big-service', now = Date.now() } = {}) {
  const key = `${pid}-${now}000000`;
  const nodes = [];
  const edges = [];
  let id = 1;
  const kinds = ['mutex', 'channel', 'semaphore', 'rwlock'];
  const taskIds = [];
  for (let t = 0; t < tasks; t++) {
    const task = id++;
    taskIds.push(task);
    nodes.push({ id: task, kind: 'task', name: `worker-${t}`, location: `src/worker.rs:${10 + (t % 50)}:5`, state: 'pending', since_ms: 2000 + t,
      attrs: { polls: 3, tracked: true, woken: false, waker_clones: 1, waker_clones_accounted: 1 } });
    const outer = id++;
    nodes.push({ id: outer, kind: 'future', name: `handle_job`, location: 'src/worker.rs:80:1', state: 'pending', since_ms: 2000 + t, attrs: { polls: 3 } });
    edges.push({ from: task, to: outer, kind: 'needs', since_ms: 2000 + t });
    const inner = id++;
    nodes.push({ id: inner, kind: 'future', name: `fetch_row`, location: 'src/db.rs:12:1', state: 'pending', since_ms: 2000 + t, attrs: { polls: 2 } });
    edges.push({ from: outer, to: inner, kind: 'needs', since_ms: 2000 + t });
    const kind = kinds[t % kinds.length];
    const res = id++;
    const attrs = kind === 'channel' ? { flavor: 'mpsc', capacity: 16, len: 16, senders: 1, receivers: 1 } : { holders: 1, waiters: 1 };
    nodes.push({ id: res, kind, name: `${kind}-${t}`, location: `src/state.rs:${t % 200}:9`, state: kind === 'channel' ? 'open' : 'held', since_ms: 2500, attrs });
    edges.push({ from: inner, to: res, kind: 'waits_on', since_ms: 2000 + t, attrs: { op: kind === 'channel' ? 'send' : 'lock' } });
    const spare = id++;
    nodes.push({ id: spare, kind: 'notify', name: `shutdown-${t}`, location: 'src/main.rs:5:1', state: 'open', since_ms: 9000, attrs: {} });
  }
  // Within each run of `chain` tasks, resource t is held by task t+1: wait
  // chains `chain` tasks long, the last one waiting on a free resource.
  for (let t = 0; t < tasks; t++) {
    const res = taskIds[t] + 3;
    const holder = taskIds[t + 1];
    if ((t + 1) % chain === 0 || holder === undefined) continue;
    edges.push({ from: res, to: holder, kind: 'held_by', since_ms: 2500, attrs: { as: nodes[res - 1].kind === 'channel' ? 'receiver' : 'guard' } });
  }
  return { schema: 'peeps/1', process: { name, pid, key, started_at_ms: now - 60000 }, captured_at_ms: now, nodes, edges, threads: [] };
}

/** A process whose task and lock names are HTML: they must show as text. */
export function hostileSnapshot({ pid = 90002, now = Date.now() } = {}) {
  const key = `${pid}-${now}000000`;
  const evil = '<img src=x onerror=alert(1)>';
  return {
    schema: 'peeps/1',
    process: { name: '<b>evil</b><script>alert(2)</script>', pid, key, started_at_ms: now - 60000 },
    captured_at_ms: now,
    nodes: [
      { id: 1, kind: 'task', name: evil, location: 'src/<svg onload=alert(3)>.rs:1:1', state: 'pending', since_ms: 5000,
        attrs: { tracked: true, woken: false, waker_clones: 1, waker_clones_accounted: 1, note: '<iframe src=javascript:alert(4)>' } },
      { id: 2, kind: 'task', name: '"><script>alert(5)</script>', location: 'src/x.rs:2:1', state: 'pending', since_ms: 5000,
        attrs: { tracked: true, woken: false, waker_clones: 1, waker_clones_accounted: 1 } },
      { id: 3, kind: 'mutex', name: '<u>lock-a</u>', location: 'src/x.rs:3:1', state: 'held', since_ms: 5000, attrs: { holders: 1, waiters: 1 } },
      { id: 4, kind: 'mutex', name: '&lt;lock-b&gt;', location: 'src/x.rs:4:1', state: 'held', since_ms: 5000, attrs: { holders: 1, waiters: 1 } },
    ],
    edges: [
      { from: 1, to: 4, kind: 'waits_on', since_ms: 5000, attrs: { op: 'lock' } },
      { from: 4, to: 2, kind: 'held_by', since_ms: 5000, attrs: { as: 'guard' } },
      { from: 2, to: 3, kind: 'waits_on', since_ms: 5000, attrs: { op: 'lock' } },
      { from: 3, to: 1, kind: 'held_by', since_ms: 5000, attrs: { as: 'guard' } },
    ],
    threads: [],
  };
}

/** Two tasks deadlocked on two mutexes, captured `ageMs` ago: an old dump. */
export function oldDeadlockSnapshot({ pid = 90005, name = 'old-bank', ageMs = 3 * 3600_000, now = Date.now() } = {}) {
  const at = now - ageMs;
  const task = (id, n) => ({ id, kind: 'task', name: n, location: `src/bank.rs:${30 + id}:5`, state: 'pending', since_ms: 5000,
    attrs: { tracked: true, woken: false, polls: 2, waker_clones: 1, waker_clones_accounted: 1 } });
  const mutex = (id, n) => ({ id, kind: 'mutex', name: n, location: `src/bank.rs:${id}:15`, state: 'held', since_ms: 5000, attrs: { holders: 1, waiters: 1 } });
  return {
    schema: 'peeps/1',
    process: { name, pid, key: `${pid}-${at}000000`, started_at_ms: at - 60000 },
    captured_at_ms: at,
    nodes: [task(1, 'transfer-a'), task(2, 'transfer-b'), mutex(11, 'acct-1'), mutex(12, 'acct-2')],
    edges: [
      { from: 1, to: 12, kind: 'waits_on', since_ms: 5000, attrs: { op: 'lock' } },
      { from: 12, to: 2, kind: 'held_by', since_ms: 5000, attrs: { as: 'guard' } },
      { from: 2, to: 11, kind: 'waits_on', since_ms: 5000, attrs: { op: 'lock' } },
      { from: 11, to: 1, kind: 'held_by', since_ms: 5000, attrs: { as: 'guard' } },
    ],
    threads: [],
  };
}

/**
 * Two processes deadlocked through RPC (as peeps-graph's tests/merge.rs
 * builds it): a's "client" holds "cache" and calls b's "fetch"; b's
 * "fetch-handler" calls a's "lookup"; a's "lookup-handler" waits on "cache".
 */
export function crossProcessPair({ now = Date.now() } = {}) {
  const task = (id, name) => ({ id, kind: 'task', name, location: `src/${name}.rs:1:1`, state: 'pending', since_ms: 5000,
    attrs: { tracked: true, woken: false, polls: 3, waker_clones: 1, waker_clones_accounted: 1 } });
  const snap = (name, pid, nodes, edges) => ({
    schema: 'peeps/1',
    process: { name, pid, key: `${pid}-${now}000000`, started_at_ms: now - 60000 },
    captured_at_ms: now,
    nodes,
    edges: edges.map(([from, to, kind, attrs]) => ({ from, to, kind, since_ms: 5000, attrs: attrs ?? {} })),
    threads: [],
  });
  const a = snap('frontend-svc', 91001, [
    task(1, 'client'),
    { id: 2, kind: 'mutex', name: 'cache', location: 'src/cache.rs:2:1', state: 'held', since_ms: 5000, attrs: { holders: 1, waiters: 1 } },
    { id: 3, kind: 'request', name: 'fetch', location: 'src/fetch.rs:3:1', since_ms: 5000, attrs: { method: 'fetch', call_id: 'a/1' } },
    task(4, 'lookup-handler'),
    { id: 5, kind: 'handler', name: 'lookup', location: 'src/lookup.rs:5:1', since_ms: 5000, attrs: { method: 'lookup', caller_call_id: 'b/1' } },
  ], [
    [2, 1, 'held_by', { as: 'guard' }],
    [1, 3, 'waits_on', { op: 'call' }],
    [5, 4, 'held_by'],
    [4, 2, 'waits_on', { op: 'lock' }],
  ]);
  const b = snap('backend-svc', 91002, [
    task(1, 'fetch-handler'),
    { id: 2, kind: 'handler', name: 'fetch', location: 'src/fetch.rs:9:1', since_ms: 5000, attrs: { method: 'fetch', caller_call_id: 'a/1' } },
    { id: 3, kind: 'request', name: 'lookup', location: 'src/lookup.rs:3:1', since_ms: 5000, attrs: { method: 'lookup', call_id: 'b/1' } },
  ], [
    [2, 1, 'held_by'],
    [1, 3, 'waits_on', { op: 'call' }],
  ]);
  return [a, b];
}

/**
 * Two snapshots of one process, for a recording: `early` (a task waiting on
 * a lock another task holds, nothing deadlocked) and `late` (the two
 * transfers of docs/example-dump.json deadlocked), each with the history
 * its recorder kept, `late` captured `gapMs` after `early`.
 */
export function recordingPair({ pid = 90004, now = Date.now(), gapMs = 5000 } = {}) {
  const key = `${pid}-${now}000000`;
  const process = { name: 'bank-replay', pid, key, started_at_ms: now - 10_000 };
  const t = (ms) => ms - process.started_at_ms;
  const early = {
    schema: 'peeps/1',
    process,
    captured_at_ms: now - gapMs,
    nodes: [
      { id: 21, kind: 'task', name: 'early-waiter', location: 'src/early.rs:5:5', state: 'pending', since_ms: 2000, attrs: { tracked: true, waker_clones: 1, waker_clones_accounted: 1 } },
      { id: 22, kind: 'mutex', name: 'early-lock', location: 'src/early.rs:2:15', state: 'held', attrs: { holders: 1, waiters: 1 } },
      { id: 23, kind: 'task', name: 'early-holder', location: 'src/early.rs:9:5', state: 'pending', since_ms: 2500, attrs: { tracked: true, waker_clones: 2, waker_clones_accounted: 0 } },
    ],
    edges: [
      { from: 21, to: 22, kind: 'waits_on', since_ms: 2000, attrs: { op: 'lock', at: 'src/early.rs:6:20' } },
      { from: 22, to: 23, kind: 'held_by', since_ms: 2500, attrs: { as: 'guard', at: 'src/early.rs:10:20' } },
    ],
    threads: [],
    history: {
      events: [
        { t_ms: t(now - gapMs - 2600), kind: 'spawn', node: 23, at: 'src/early.rs:9:5' },
        { t_ms: t(now - gapMs - 2500), kind: 'acquire', task: 23, node: 22, at: 'src/early.rs:10:20', as: 'guard' },
        { t_ms: t(now - gapMs - 2100), kind: 'spawn', node: 21, at: 'src/early.rs:5:5' },
        { t_ms: t(now - gapMs - 2000), kind: 'wait', task: 21, node: 22, at: 'src/early.rs:6:20', op: 'lock' },
      ],
      recorded: 4,
      lost: 0,
      per_thread: 8192,
    },
  };
  const since = 1000;
  const late = {
    schema: 'peeps/1',
    process,
    captured_at_ms: now,
    nodes: [
      { id: 1, kind: 'task', name: 'transfer-a', location: 'src/bank.rs:31:5', state: 'pending', since_ms: since, attrs: { tracked: true, waker_clones: 1, waker_clones_accounted: 1 } },
      { id: 2, kind: 'task', name: 'transfer-b', location: 'src/bank.rs:40:5', state: 'pending', since_ms: since, attrs: { tracked: true, waker_clones: 1, waker_clones_accounted: 1 } },
      { id: 11, kind: 'mutex', name: 'acct-1', location: 'src/bank.rs:11:15', state: 'held', attrs: { holders: 1, waiters: 1 } },
      { id: 12, kind: 'mutex', name: 'acct-2', location: 'src/bank.rs:12:15', state: 'held', attrs: { holders: 1, waiters: 1 } },
    ],
    edges: [
      { from: 11, to: 1, kind: 'held_by', since_ms: since + 9, attrs: { as: 'guard', at: 'src/bank.rs:21:27' } },
      { from: 12, to: 2, kind: 'held_by', since_ms: since + 7, attrs: { as: 'guard', at: 'src/bank.rs:21:27' } },
      { from: 1, to: 12, kind: 'waits_on', since_ms: since, attrs: { op: 'lock', at: 'src/bank.rs:22:27' } },
      { from: 2, to: 11, kind: 'waits_on', since_ms: since, attrs: { op: 'lock', at: 'src/bank.rs:22:27' } },
    ],
    threads: [],
    history: {
      events: [
        { t_ms: t(now - since - 9), kind: 'acquire', task: 1, node: 11, at: 'src/bank.rs:21:27', as: 'guard' },
        { t_ms: t(now - since - 7), kind: 'acquire', task: 2, node: 12, at: 'src/bank.rs:21:27', as: 'guard' },
        { t_ms: t(now - since), kind: 'wait', task: 1, node: 12, at: 'src/bank.rs:22:27', op: 'lock' },
        { t_ms: t(now - since), kind: 'wait', task: 2, node: 11, at: 'src/bank.rs:22:27', op: 'lock' },
      ],
      recorded: 4,
      lost: 0,
      per_thread: 8192,
    },
  };
  return { key, early, late };
}
