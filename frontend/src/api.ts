// The HTTP API of `peeps serve` (DESIGN.md §6, docs/api.md).
//
// The snapshot and report types are generated from the Rust types
// (src/generated/peeps.ts, from docs/schema.json). The server's own envelope
// types — a process entry and a merged-graph node/edge, which add a global
// `uid` and the process key to the generated Node and Edge — live in
// peeps-dump and are not in the schema yet; they are written here, once,
// in terms of the generated types.
import type { Edge, Node, Report } from './generated/peeps';

export type {
  BlockingPoll,
  Certainty,
  Deadlock,
  EdgeKind,
  LongWait,
  NodeKind,
  NodeRef,
  Report,
  Snapshot,
  Step,
  StuckForever,
} from './generated/peeps';

/** One entry of `GET /api/processes`. */
export interface ProcessInfo {
  key: string;
  name: string;
  pid: number;
  started_at_ms: number;
  last_seen_ms: number;
  /** The process disconnected (or its dump is old): its graph is the last one seen. */
  stale: boolean;
  source: 'push' | 'dump';
  nodes: number;
  edges: number;
}

/** A node of the merged graph: a snapshot node plus its global name. */
export interface GraphNode extends Node {
  /** `<process key>:<id>`, unique across processes. */
  uid: string;
  /** The process key. */
  process: string;
}

/** An edge of the merged graph; both ends are `uid`s. */
export interface GraphEdge extends Omit<Edge, 'from' | 'to'> {
  from: string;
  to: string;
  cross_process: boolean;
}

/** `GET /api/graph`. */
export interface GraphResponse {
  seq: number;
  processes: ProcessInfo[];
  nodes: GraphNode[];
  edges: GraphEdge[];
}

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

export function fetchProcesses(signal?: AbortSignal): Promise<ProcessInfo[]> {
  return getJson('api/processes', signal);
}

export function fetchGraph(scope: Scope, process: string | null, signal?: AbortSignal): Promise<GraphResponse> {
  const q = new URLSearchParams({ scope });
  if (process) q.set('process', process);
  return getJson(`api/graph?${q}`, signal);
}

export function fetchReport(signal?: AbortSignal): Promise<Report> {
  return getJson('api/deadlocks', signal);
}

/** Follows `GET /api/events`; calls `onChange` with each new `seq`. */
export function followEvents(onChange: (seq: number) => void, onStatus: (live: boolean) => void): EventSource {
  const es = new EventSource('api/events');
  es.addEventListener('change', (ev) => {
    let seq = NaN;
    try {
      seq = Number((JSON.parse((ev as MessageEvent<string>).data) as { seq: number }).seq);
    } catch {
      // A malformed event still means something changed.
    }
    onChange(seq);
  });
  es.addEventListener('open', () => onStatus(true));
  es.addEventListener('error', () => onStatus(es.readyState === EventSource.OPEN));
  return es;
}
