// The HTTP API of `peeps serve` (DESIGN.md §6, docs/api.md).
//
// Every type of the wire format — the snapshot, the report and the
// server's own envelopes (a process entry, the merged graph, an event, an
// error) — is generated from the Rust types (src/generated/peeps.ts, from
// docs/schema.json): nothing here is written by hand.
import type { Change } from './generated/peeps';

export type {
  ApiError,
  BlockingPoll,
  Certainty,
  Change,
  Deadlock,
  DumpInfo,
  EdgeKind,
  GraphEdge,
  GraphNode,
  GraphResponse,
  LongWait,
  NodeHistory,
  NodeKind,
  NodeRef,
  Op,
  PotentialDeadlock,
  ProcessInfo,
  Recording,
  Report,
  Snapshot,
  Step,
  StuckForever,
  TimelineEntry,
} from './generated/peeps';
import type { DumpInfo, GraphResponse, NodeHistory, ProcessInfo, Recording, Report } from './generated/peeps';

export type Scope = 'blocked' | 'all';

/** The global name of a node: `<process key>:<id>`, as `GraphNode.uid`. */
export function uidOf(ref: { process: string; id: number }): string {
  return `${ref.process}:${ref.id}`;
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) {
    throw new Error(`${path}: HTTP ${res.status} ${res.statusText}`);
  }
  return (await res.json()) as T;
}

/**
 * Which view an answer comes from: the live one (`null`), a recorded
 * instant (`{ at }`, ms since the epoch), or one dump on its own
 * (`{ dump }`, its process key).
 */
export type ViewOf = { at: number } | { dump: string } | null;

/** The query parameters naming `view`. */
function viewParams(view: ViewOf, q = new URLSearchParams()): URLSearchParams {
  if (view && 'at' in view) q.set('at', String(view.at));
  if (view && 'dump' in view) q.set('dump', view.dump);
  return q;
}

function withQuery(path: string, q: URLSearchParams): string {
  const text = q.toString();
  return text ? `${path}?${text}` : path;
}

export function fetchProcesses(view: ViewOf = null, signal?: AbortSignal): Promise<ProcessInfo[]> {
  return getJson(withQuery('api/processes', viewParams(view)), signal);
}

export function fetchGraph(scope: Scope, process: string | null, view: ViewOf = null, signal?: AbortSignal): Promise<GraphResponse> {
  const q = new URLSearchParams({ scope });
  if (process) q.set('process', process);
  return getJson(withQuery('api/graph', viewParams(view, q)), signal);
}

export function fetchReport(view: ViewOf = null, signal?: AbortSignal): Promise<Report> {
  return getJson(withQuery('api/deadlocks', viewParams(view)), signal);
}

/** Every dump, with its age: pictures of the past, apart from the live processes. */
export function fetchDumps(signal?: AbortSignal): Promise<DumpInfo[]> {
  return getJson('api/dumps', signal);
}

/** The instants the server recorded. */
export function fetchRecording(signal?: AbortSignal): Promise<Recording> {
  return getJson('api/recording', signal);
}

/** What node `uid`'s process recorded about it (in `view`). */
export function fetchHistory(uid: string, view: ViewOf = null, signal?: AbortSignal): Promise<NodeHistory> {
  return getJson(withQuery('api/history', viewParams(view, new URLSearchParams({ node: uid }))), signal);
}

/** Follows `GET /api/events`; calls `onChange` with each new `seq`. */
export function followEvents(onChange: (seq: number) => void, onStatus: (live: boolean) => void): EventSource {
  const es = new EventSource('api/events');
  es.addEventListener('change', (ev) => {
    let seq = NaN;
    try {
      seq = Number((JSON.parse((ev as MessageEvent<string>).data) as Change).seq);
    } catch {
      // A malformed event still means something changed.
    }
    onChange(seq);
  });
  es.addEventListener('open', () => onStatus(true));
  es.addEventListener('error', () => onStatus(es.readyState === EventSource.OPEN));
  return es;
}
