// The wait graph's elements: ids, labels and sizes of the nodes, edges and
// process groups made from an /api/graph answer, and the key that tells a
// structural change from a change of states.
import type { GraphEdge, GraphNode, GraphResponse, ProcessInfo } from '../api';
import { truncate } from '../format';

export function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

export const GROUP_PREFIX = 'process:';

export function groupId(processKey: string): string {
  return GROUP_PREFIX + processKey;
}

export function edgeId(e: GraphEdge): string {
  return `${e.from}|${e.kind}|${e.to}`;
}

/** The label of a node: its name, then its kind and state. */
export function nodeLabel(n: GraphNode, big: boolean): string {
  const name = truncate(n.name, big ? 32 : 48);
  if (big) return name;
  const parts: string[] = [n.kind];
  if (n.state) parts.push(n.since ? `${n.state} ${n.since}` : n.state);
  return `${name}\n${parts.join(' · ')}`;
}

export function edgeLabel(e: GraphEdge, big: boolean): string {
  if (big) return '';
  const a = e.attrs ?? {};
  if (e.kind === 'waits_on') {
    const op = typeof a.op === 'string' ? a.op : '';
    const via = Array.isArray(a.via) && a.via.length ? ` (in ${truncate(String(a.via[a.via.length - 1]), 24)})` : '';
    return op + via;
  }
  if (e.kind === 'held_by') {
    const as = typeof a.as === 'string' ? a.as : '';
    return a.confirmed === false ? `${as}?` : as;
  }
  return '';
}

export function nodeSize(n: GraphNode, big: boolean): { w: number; h: number; tw: number } {
  const label = truncate(n.name, big ? 32 : 48);
  const chars = Math.max(label.length, big ? 0 : 18);
  const w = Math.min(300, Math.max(70, chars * 7 + 28));
  const h = big ? 30 : n.kind === 'future' ? 40 : 46;
  return { w, h, tw: w - 14 };
}

export function groupLabel(p: ProcessInfo | undefined, key: string): string {
  if (!p) return key;
  const what = isGone(p) ? ' · STALE (disconnected)' : p.source === 'dump' ? ' · dump' : '';
  return `${p.name} · pid ${p.pid}${what}`;
}

/** A pushing process that disconnected (a dump is stale by nature, not gone). */
export function isGone(p: ProcessInfo): boolean {
  return p.stale && p.source === 'push';
}

/** Stable over updates that change only states and attributes. */
export function structureKey(g: GraphResponse): string {
  const parts: string[] = [];
  for (const n of g.nodes) parts.push(n.uid);
  parts.sort();
  const edges = g.edges.map(edgeId).sort();
  return `${parts.join(',')}#${edges.join(',')}`;
}
