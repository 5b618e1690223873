// The peeps UI: findings first (findings.ts), the wait graph beside them
// (graph/), a node's details on demand (details.ts). It follows
// /api/events and refetches on every change, keeping the user's zoom,
// selection, focus and search across updates.
import './style.css';
import {
  fetchDumps,
  fetchGraph,
  fetchHistory,
  fetchProcesses,
  fetchRecording,
  fetchReport,
  followEvents,
  uidOf,
  type DumpInfo,
  type GraphResponse,
  type NodeHistory,
  type NodeRef,
  type ProcessInfo,
  type Recording,
  type Report,
  type Scope,
  type ViewOf,
} from './api';
import { DetailsView, indexGraph, type GraphIndex } from './details';
import { byId, h, replace } from './dom';
import { deadlockKey, deadlockNodes, FindingsView, stepNodes } from './findings';
import { clock, count } from './format';
import { foldFutures } from './fold';
import { EDGE_STYLE, edgeId, GraphView, NODE_STYLE } from './graph';
import { TimeBar } from './timebar';

interface State {
  scope: Scope;
  process: string | null;
  selected: string | null;
  /** The focused finding's key and the nodes it names. */
  focused: { key: string; nodes: NodeRef[] } | null;
  search: string;
  /** Futures drawn inside their tasks (the default) or as nodes. */
  futures: boolean;
  processes: ProcessInfo[];
  graph: GraphResponse | null;
  report: Report | null;
  index: GraphIndex | null;
  error: string | null;
  live: boolean;
  updatedAt: number | null;
  seq: number | null;
  /** The recorded instant shown (ms since the epoch), or null: the latest. */
  at: number | null;
  recording: Recording | null;
  /** The dump opened (its process key), or null: the live view. */
  dump: string | null;
  /** Every dump the server holds, apart from the live processes. */
  dumps: DumpInfo[];
}

const state: State = {
  scope: 'blocked',
  process: null,
  selected: null,
  focused: null,
  search: '',
  futures: false,
  processes: [],
  graph: null,
  report: null,
  index: null,
  error: null,
  live: false,
  updatedAt: null,
  seq: null,
  at: null,
  recording: null,
  dump: null,
  dumps: [],
};

const el = {
  status: byId('status'),
  scopeBlocked: byId<HTMLButtonElement>('scope-blocked'),
  scopeAll: byId<HTMLButtonElement>('scope-all'),
  process: byId<HTMLSelectElement>('process-filter'),
  search: byId<HTMLInputElement>('search'),
  searchCount: byId('search-count'),
  fit: byId<HTMLButtonElement>('fit'),
  futures: byId<HTMLInputElement>('show-futures'),
  clearFocus: byId<HTMLButtonElement>('clear-focus'),
  findings: byId('findings'),
  processList: byId('process-list'),
  dumpList: byId('dump-list'),
  dumpBanner: byId('dump-banner'),
  graph: byId('graph'),
  graphNote: byId('graph-note'),
  details: byId('details'),
  legend: byId('legend'),
  stats: byId('stats'),
  timebar: byId('timebar'),
};

const graph = new GraphView(el.graph, { onSelect: (uid) => select(uid, false) });
const details = new DetailsView(el.details, { onSelect: (uid) => select(uid, true), onClose: () => select(null, false) });
const timebar = new TimeBar(el.timebar, {
  onChange: (at) => {
    state.at = at;
    writeHash();
    void refresh();
  },
});
const findings = new FindingsView(el.findings, {
  onFocus: (key, nodes) => void focus(key, nodes),
  onSelectNode: (ref) => void selectRef(ref),
});

// ---- rendering ------------------------------------------------------------

/** A pushing process that disconnected (a dump's own process is not: it is a picture). */
function isGone(p: ProcessInfo): boolean {
  return p.stale && state.dump === null;
}

/** The view the answers come from: the dump opened, a recorded instant, or live. */
function viewOf(): ViewOf {
  if (state.dump !== null) return { dump: state.dump };
  return state.at !== null ? { at: state.at } : null;
}

let lastReportJson = '';

function renderFindings(force = false): void {
  const json = JSON.stringify([state.report, state.error, state.focused?.key, state.processes.map((p) => [p.key, p.name, p.stale])]);
  if (!force && json === lastReportJson) return;
  lastReportJson = json;
  findings.render(state.report, { processes: new Map(state.processes.map((p) => [p.key, p])), focused: state.focused?.key ?? null }, state.error);
}

function renderStatus(): void {
  const parts = [
    h('span', { class: `dot ${state.error ? 'down' : state.live ? 'live' : 'idle'}` }),
    state.error ? 'server unreachable' : state.recording?.replay ? 'replay' : state.live ? 'live' : 'connecting…',
    state.dump !== null ? h('span', { class: 'badge dump', data: { testid: 'viewing-dump' } }, 'showing a dump') : null,
    state.at !== null ? h('span', { class: 'badge past', data: { testid: 'past' } }, `as it was at ${clock(state.at)}`) : null,
    state.updatedAt ? h('span', { class: 'muted' }, ` · updated ${clock(state.updatedAt)}`) : null,
  ];
  replace(el.status, ...parts);
  el.status.dataset.seq = state.seq == null ? '' : String(state.seq);
}

let lastProcessesJson = '';

function renderProcesses(): void {
  const json = JSON.stringify([state.processes, state.process]);
  if (json === lastProcessesJson) return;
  lastProcessesJson = json;
  const sorted = [...state.processes].sort((a, b) => Number(a.stale) - Number(b.stale) || a.name.localeCompare(b.name) || a.pid - b.pid);
  replace(
    el.process,
    h('option', { attrs: { value: '' } }, `All processes (${sorted.length})`),
    ...sorted.map((p) => {
      const o = h('option', { attrs: { value: p.key } }, `${p.name} (pid ${p.pid})${isGone(p) ? ' — stale' : state.dump !== null ? ' — dump' : ''}`);
      if (p.key === state.process) o.selected = true;
      return o;
    }),
  );
  el.process.value = state.process ?? '';
  // Opened on a dump, the list of live processes is not this view's.
  if (state.dump !== null) {
    replace(el.processList);
    return;
  }
  replace(
    el.processList,
    sorted.length ? h('h2', null, `Processes (${sorted.length})`) : null,
    h(
      'ul',
      null,
      ...sorted.map((p) =>
        h(
          'li',
          { class: isGone(p) ? 'stale' : '', data: { key: p.key, testid: 'process', stale: String(p.stale) } },
          h('span', { class: `dot ${isGone(p) ? 'down' : 'live'}` }),
          h('span', { class: 'name' }, p.name),
          h('span', { class: 'muted' }, ` pid ${p.pid} · ${count(p.nodes, 'node', 'nodes')}`),
          isGone(p)
            ? h('span', { class: 'badge stale', title: 'This process stopped reporting: its graph is the last one it sent.' }, `stale · last seen ${clock(p.last_seen_ms)}`)
            : h('span', { class: 'badge live' }, 'live'),
        ),
      ),
    ),
  );
}

/** `3 h 5 min` → `3 h`: an age at a glance (the title has it whole). */
function roughAge(age: string): string {
  const m = /^(\d+(?:\.\d)?) (ms|s|min|h)\b/.exec(age);
  return m ? `${m[1]} ${m[2]}` : age;
}

let lastDumpsJson = '';

/** The dumps, apart from the live processes: each with its age; a click opens it. */
function renderDumps(): void {
  const json = JSON.stringify([state.dumps.map((d) => [d.key, d.name, d.pid, roughAge(d.age), d.deadlocks, d.nodes]), state.dump]);
  if (json === lastDumpsJson) return;
  lastDumpsJson = json;
  const sorted = [...state.dumps].sort((a, b) => b.captured_at_ms - a.captured_at_ms);
  replace(
    el.dumpList,
    sorted.length ? h('h2', null, `Dumps (${sorted.length})`) : null,
    sorted.length ? h('p', { class: 'muted note' }, 'Pictures of the past, read from the dump directory: never counted as live.') : null,
    h(
      'ul',
      null,
      ...sorted.map((d) => {
        const open = d.key === state.dump;
        const li = h(
          'li',
          { class: open ? 'open' : '', data: { key: d.key, testid: 'dump' }, attrs: { title: `${d.file}, captured ${d.age} ago` } },
          h('span', { class: 'dot idle' }),
          h(
            'button',
            { class: 'link', data: { testid: 'open-dump' }, attrs: { type: 'button', 'aria-pressed': String(open) } },
            d.name,
          ),
          h('span', { class: 'muted' }, ` pid ${d.pid} · ${count(d.nodes, 'node', 'nodes')}`),
          h('span', { class: 'badge dump', data: { testid: 'dump-age' } }, `dump · ${roughAge(d.age)} old`),
          d.deadlocks ? h('span', { class: 'badge stale' }, count(d.deadlocks, 'deadlock', 'deadlocks')) : null,
        );
        li.querySelector('button')?.addEventListener('click', () => openDump(open ? null : d.key));
        return li;
      }),
    ),
  );
}

/** Says plainly, above the findings, that a dump is shown, with the way back. */
function renderDumpBanner(): void {
  const d = state.dumps.find((x) => x.key === state.dump);
  el.dumpBanner.hidden = !d;
  if (!d) {
    replace(el.dumpBanner);
    return;
  }
  const back = h('button', { data: { testid: 'back-to-live' }, attrs: { type: 'button' } }, 'Back to live');
  back.addEventListener('click', () => openDump(null));
  replace(
    el.dumpBanner,
    h('strong', null, `Dump of ${d.name} (pid ${d.pid}), captured ${d.age} ago`),
    h('span', { class: 'muted' }, ` at ${clock(d.captured_at_ms)} · ${d.file}`),
    h('p', null, 'A picture of the past, not the live system: its findings are what was stuck then.'),
    back,
  );
}

function renderLegend(): void {
  const nodes = Object.entries(NODE_STYLE)
    .filter(([, s]) => s.label)
    .map(([k, s]) => h('li', null, h('span', { class: `swatch k-${k}` }), s.label));
  const edges = Object.entries(EDGE_STYLE).map(([k, s]) => h('li', null, h('span', { class: `line e-${k}` }), s.label));
  replace(
    el.legend,
    h('ul', null, ...nodes),
    h(
      'ul',
      null,
      ...edges,
      h('li', null, h('span', { class: 'line e-cross' }), 'across processes'),
      h('li', null, h('span', { class: 'line e-dl' }), 'deadlock cycle'),
      h('li', null, h('span', { class: 'swatch bp' }), 'blocking poll'),
    ),
  );
}

function renderStats(): void {
  const s = graph.lastStats;
  if (!s) return;
  el.stats.textContent = `${count(s.nodes, 'node', 'nodes')}, ${count(s.edges, 'edge', 'edges')}${s.layoutMs ? ` · layout ${s.layoutMs} ms` : ''}`;
}

function renderGraphNote(): void {
  const g = state.graph;
  let note = '';
  if (g && g.nodes.length === 0) {
    note =
      state.scope === 'blocked'
        ? state.processes.length
          ? 'Nothing is blocked. Choose “All nodes” to see every task and resource.'
          : 'No process yet.'
        : 'This graph is empty.';
  }
  el.graphNote.textContent = note;
  el.graphNote.hidden = !note;
}

/** Which nodes and edges every deadlock names, drawn red in the graph. */
function deadlockMarks(): { nodes: Set<string>; edges: Set<string> } {
  const nodes = new Set<string>();
  for (const d of state.report?.deadlocks ?? []) {
    for (const r of deadlockNodes(d)) nodes.add(uidOf(r));
  }
  return { nodes, edges: edgesAmong(nodes) };
}

function edgesAmong(nodes: Set<string>): Set<string> {
  const edges = new Set<string>();
  for (const e of shown?.edges ?? []) {
    if (e.kind !== 'spawned' && nodes.has(e.from) && nodes.has(e.to)) edges.add(edgeId(e));
  }
  return edges;
}

/** Re-resolves the focused finding against the latest report. */
function refocus(fit: boolean): void {
  const f = state.focused;
  if (!f) {
    graph.setHighlight(null, false);
    el.clearFocus.hidden = true;
    return;
  }
  const r = state.report;
  if (r && f.key.startsWith('deadlock:')) {
    const d = r.deadlocks.find((x) => deadlockKey(x) === f.key);
    if (d) f.nodes = deadlockNodes(d);
  } else if (r && f.key.startsWith('stuck:')) {
    const s = r.stuck_forever.find((x) => `stuck:${uidOf(x.task)}` === f.key);
    if (s) f.nodes = [s.task, ...s.behind.flatMap(stepNodes)];
  }
  const nodes = new Set(f.nodes.map(uidOf));
  graph.setHighlight({ nodes, edges: edgesAmong(nodes) }, fit);
  el.clearFocus.hidden = false;
}

// ---- actions --------------------------------------------------------------

function select(uid: string | null, center: boolean): void {
  state.selected = uid;
  graph.select(uid, center);
  showDetails();
}

/** The last node history fetched, by node, instant and view. */
let nodeHistory: { key: string; data: NodeHistory | null } | null = null;

function showDetails(): void {
  const uid = state.selected;
  if (!uid || !state.index) {
    details.hide();
    return;
  }
  const key = `${uid}@${state.dump ?? state.at ?? 'latest'}#${state.seq ?? ''}`;
  if (nodeHistory?.key === key) {
    details.show(uid, state.index, nodeHistory.data);
    return;
  }
  details.show(uid, state.index, nodeHistory?.key.startsWith(`${uid}@`) ? nodeHistory.data : undefined);
  nodeHistory = { key, data: null };
  fetchHistory(uid, viewOf())
    .then((data) => {
      if (nodeHistory?.key !== key) return;
      nodeHistory.data = data;
      if (state.selected === uid && state.index) details.show(uid, state.index, data);
    })
    .catch(() => {
      // The details stay without a timeline; the next refresh tries again.
      if (nodeHistory?.key === key) nodeHistory = null;
    });
}

async function selectRef(ref: NodeRef): Promise<void> {
  const uid = uidOf(ref);
  // A folded future is not drawn but is in the data: its details still show.
  if (!graph.has(uid) && !state.index?.nodes.has(uid)) {
    // Not in this view: widen it (all processes, then all nodes).
    if (state.process && state.process !== ref.process) state.process = null;
    else if (state.scope === 'blocked') state.scope = 'all';
    syncControls();
    await refresh();
  }
  select(uid, true);
}

async function focus(key: string, nodes: NodeRef[]): Promise<void> {
  if (state.focused?.key === key) {
    // A second click re-centres.
    refocus(true);
    return;
  }
  state.focused = { key, nodes };
  if (state.process && nodes.some((n) => n.process !== state.process)) {
    state.process = null;
    syncControls();
    await refresh();
  }
  refocus(true);
  renderFindings(true);
}

function clearFocus(): void {
  state.focused = null;
  refocus(false);
  renderFindings(true);
}

/** The view's choices live in the URL hash (`#scope=all&process=KEY&q=text`), so a link or a reload keeps them. */
function readHash(): void {
  const q = new URLSearchParams(location.hash.slice(1));
  state.scope = q.get('scope') === 'all' ? 'all' : 'blocked';
  state.process = q.get('process') || null;
  state.dump = q.get('dump') || null;
  state.search = q.get('q') ?? '';
  state.futures = q.get('futures') === '1';
  const at = Number(q.get('at'));
  state.at = q.get('at') && Number.isFinite(at) ? at : null;
  el.search.value = state.search;
  el.futures.checked = state.futures;
}

function writeHash(): void {
  const q = new URLSearchParams();
  if (state.scope !== 'blocked') q.set('scope', state.scope);
  if (state.process) q.set('process', state.process);
  if (state.search) q.set('q', state.search);
  if (state.futures) q.set('futures', '1');
  if (state.at !== null) q.set('at', String(state.at));
  if (state.dump !== null) q.set('dump', state.dump);
  const hash = q.toString();
  if (hash !== location.hash.slice(1)) history.replaceState(null, '', hash ? `#${hash}` : location.pathname + location.search);
}

function syncControls(): void {
  writeHash();
  el.scopeBlocked.classList.toggle('on', state.scope === 'blocked');
  el.scopeAll.classList.toggle('on', state.scope === 'all');
  el.scopeBlocked.setAttribute('aria-pressed', String(state.scope === 'blocked'));
  el.scopeAll.setAttribute('aria-pressed', String(state.scope === 'all'));
  el.process.value = state.process ?? '';
}

// ---- data -----------------------------------------------------------------

/** The graph as drawn: `state.graph`, futures folded unless shown. */
let shown: GraphResponse | null = null;

async function draw(): Promise<void> {
  if (!state.graph) return;
  shown = state.futures ? state.graph : foldFutures(state.graph);
  await graph.update(shown);
  const marks = deadlockMarks();
  const polling = new Set((state.report?.blocking_polls ?? []).flatMap((p) => [p.task, ...p.path].map(uidOf)));
  graph.setDeadlocked(marks.nodes, marks.edges, polling);
  refocus(false);
  if (state.search) el.searchCount.textContent = searchLabel(graph.setSearch(state.search));
  graph.select(state.selected, false);
}

let inflight: Promise<void> | null = null;
let again = false;

/** Fetches everything and redraws; overlapping calls coalesce into one more. */
function refresh(): Promise<void> {
  if (inflight) {
    again = true;
    return inflight;
  }
  inflight = (async () => {
    try {
      do {
        again = false;
        await load();
      } while (again);
    } finally {
      inflight = null;
    }
  })();
  return inflight;
}

/** Opens the dump of process `key` on its own, or (null) goes back to the live view. */
function openDump(key: string | null): void {
  state.dump = key;
  state.process = null;
  state.at = null;
  state.focused = null;
  state.selected = null;
  syncControls();
  void refresh();
}

async function load(): Promise<void> {
  const scope = state.scope;
  const process = state.process;
  let processes: ProcessInfo[];
  let g: GraphResponse;
  let report: Report;
  let recording: Recording | null;
  let dumps: DumpInfo[];
  try {
    dumps = await fetchDumps();
    // A dump that went (deleted, too old): back to the live view.
    if (state.dump !== null && !dumps.some((d) => d.key === state.dump)) {
      state.dump = null;
      syncControls();
    }
  } catch (e) {
    state.error = e instanceof Error ? e.message : String(e);
    renderStatus();
    renderFindings();
    return;
  }
  const at = state.at;
  const dump = state.dump;
  const view = viewOf();
  try {
    [processes, g, report, recording] = await Promise.all([
      fetchProcesses(view),
      fetchGraph(scope, process, view),
      fetchReport(view),
      fetchRecording().catch(() => null),
    ]);
  } catch (e) {
    state.error = e instanceof Error ? e.message : String(e);
    renderStatus();
    renderFindings();
    return;
  }
  if (scope !== state.scope || process !== state.process || at !== state.at || dump !== state.dump) {
    again = true; // The controls changed while loading.
    return;
  }
  state.error = null;
  state.recording = recording;
  state.processes = processes;
  state.dumps = dumps;
  state.report = report;
  state.graph = g;
  state.seq = g.seq;
  state.updatedAt = Date.now();
  state.index = indexGraph(g.nodes, g.edges, processes);
  if (state.process && !processes.some((p) => p.key === state.process)) state.process = null;

  renderStatus();
  // A dump is one instant: nothing to step through.
  timebar.update(dump === null ? recording : null, at, state.live);
  renderDumpBanner();
  renderProcesses();
  renderDumps();
  renderFindings();
  await draw();
  showDetails();
  renderGraphNote();
  renderStats();
  document.body.dataset.ready = 'true';
  document.body.dataset.seq = String(g.seq);
  document.body.dataset.at = at === null ? '' : String(at);
  document.body.dataset.dump = dump ?? '';
}

function searchLabel(n: number): string {
  return state.search ? count(n, 'match', 'matches') : '';
}

// ---- wiring ---------------------------------------------------------------

el.scopeBlocked.addEventListener('click', () => {
  if (state.scope === 'blocked') return;
  state.scope = 'blocked';
  syncControls();
  void refresh();
});
el.scopeAll.addEventListener('click', () => {
  if (state.scope === 'all') return;
  state.scope = 'all';
  syncControls();
  void refresh();
});
el.process.addEventListener('change', () => {
  state.process = el.process.value || null;
  writeHash();
  void refresh();
});
el.search.addEventListener('input', () => {
  state.search = el.search.value;
  writeHash();
  el.searchCount.textContent = searchLabel(graph.setSearch(state.search));
});
el.search.addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter') graph.focusMatches();
  if (ev.key === 'Escape') {
    el.search.value = '';
    state.search = '';
    writeHash();
    el.searchCount.textContent = '';
    graph.setSearch('');
  }
});
el.fit.addEventListener('click', () => graph.fit());
el.futures.addEventListener('change', () => {
  state.futures = el.futures.checked;
  writeHash();
  void draw();
});
el.clearFocus.addEventListener('click', () => clearFocus());
document.addEventListener('keydown', (ev) => {
  const typing = ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement;
  if (ev.key === '/' && !typing) {
    ev.preventDefault();
    el.search.focus();
  } else if (ev.key === 'Escape' && !typing) {
    if (state.selected) select(null, false);
    else if (state.focused) clearFocus();
  }
});

renderLegend();
readHash();
syncControls();
renderStatus();
renderFindings(true);

let pollTimer: number | null = null;
followEvents(
  () => void refresh(),
  (live) => {
    state.live = live;
    renderStatus();
    // Without the event stream, poll until it comes back.
    if (!live && pollTimer === null) pollTimer = window.setInterval(() => void refresh(), 3000);
    if (live && pollTimer !== null) {
      window.clearInterval(pollTimer);
      pollTimer = null;
      void refresh();
    }
  },
);
void refresh();
