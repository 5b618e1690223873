// Folding futures into their tasks. A person reads sets of tasks waiting on
// resources (DESIGN.md §4: "keep futures as the path inside a task, not as
// extra cycle members"), so by default the graph draws each wait from the
// task whose future waits, and the futures stay in the details panel. A
// toggle shows them.
import type { GraphEdge, GraphNode, GraphResponse } from './api';

/**
 * The graph with every future that belongs to a task (through `needs`
 * edges) removed, its edges moved to that task. A future no task awaits
 * stays. Edge attrs gain `via`: the folded futures' names, outermost first.
 */
export function foldFutures(g: GraphResponse): GraphResponse {
  const byUid = new Map(g.nodes.map((n) => [n.uid, n]));
  const parentOf = new Map<string, string>();
  for (const e of g.edges) {
    if (e.kind === 'needs' && byUid.get(e.to)?.kind === 'future') parentOf.set(e.to, e.from);
  }
  // The root (a non-future) above each future, and the futures on the way.
  const rootOf = new Map<string, { root: string; path: string[] } | null>();
  const resolve = (uid: string): { root: string; path: string[] } | null => {
    if (rootOf.has(uid)) return rootOf.get(uid)!;
    rootOf.set(uid, null); // Breaks a (malformed) needs cycle.
    const parent = parentOf.get(uid);
    let r: { root: string; path: string[] } | null = null;
    if (parent !== undefined) {
      const p = byUid.get(parent);
      if (p && p.kind !== 'future') r = { root: parent, path: [uid] };
      else if (p) {
        const up = resolve(parent);
        if (up) r = { root: up.root, path: [...up.path, uid] };
      }
    }
    rootOf.set(uid, r);
    return r;
  };
  const folded = new Set<string>();
  for (const n of g.nodes) if (n.kind === 'future' && resolve(n.uid)) folded.add(n.uid);
  if (folded.size === 0) return g;

  const nodes: GraphNode[] = g.nodes.filter((n) => !folded.has(n.uid));
  const edges: GraphEdge[] = [];
  for (const e of g.edges) {
    if (e.kind === 'needs' && folded.has(e.to)) continue;
    const from = folded.has(e.from) ? rootOf.get(e.from)! : null;
    const to = folded.has(e.to) ? rootOf.get(e.to)! : null;
    if (!from && !to) {
      edges.push(e);
      continue;
    }
    const a = from ? from.root : e.from;
    const b = to ? to.root : e.to;
    if (a === b) continue;
    const via = (from ?? to)!.path.map((u) => byUid.get(u)?.name ?? u);
    edges.push({ ...e, from: a, to: b, attrs: { ...(e.attrs ?? {}), via } });
  }
  return { ...g, nodes, edges };
}
