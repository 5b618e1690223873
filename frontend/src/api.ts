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
import type { GraphResponse, NodeHistory, ProcessInfo, Recording, Report } from './generated/peeps';

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

/** `?at=MS` for a recorded instant, nothing for the latest view. */
function atQuery(at: number | null): string {
  return at === null ? '' : `?at=${at}`;
}

export function fetchProcesses(at: number | null = null, signal?: AbortSignal): Promise<ProcessInfo[]> {
  return getJson(`api/processes${atQuery(at)}`, signal);
}

export function fetchGraph(scope: Scope, process: string | null, at: number | null = null, signal?: AbortSignal): Promise<GraphResponse> {
  const q = new URLSearchParams({ scope });
  if (process) q.set('process', process);
  if (at !== null) q.set('at', String(at));
  return getJson(`api/graph?${q}`, signal);
}

export function fetchReport(at: number | null = null, signal?: AbortSignal): Promise<Report> {
  return getJson(`api/deadlocks${atQuery(at)}`, signal);
}

/** The instants the server recorded. */
export function fetchRecording(signal?: AbortSignal): Promise<Recording> {
  return getJson('api/recording', signal);
}

/** What node `uid`'s process recorded about it (at a recorded instant, or now). */
export function fetchHistory(uid: string, at: number | null = null, signal?: AbortSignal): Promise<NodeHistory> {
  const q = new URLSearchParams({ node: uid });
  if (at !== null) q.set('at', String(at));
  return getJson(`api/history?${q}`, signal);
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
