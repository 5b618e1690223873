// Layout of the wait graph by ELK (elkjs, the Eclipse Layout Kernel), in a
// web worker so the page stays responsive while a large graph is placed.
//
// Processes are ELK compound nodes; every edge is given at the root with
// `hierarchyHandling: INCLUDE_CHILDREN`, so edges across processes are laid
// out with the rest. Layered (Sugiyama) layout, top to bottom: a wait
// chain reads downwards, task → future → resource → holder.
import ELK from 'elkjs/lib/elk-api.js';
import type { ElkExtendedEdge, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api.js';
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';

export interface LayoutNode {
  id: string;
  parent: string | null;
  width: number;
  height: number;
}

export interface LayoutGroup {
  id: string;
  /** Room at the top for the group's label. */
  labelHeight: number;
  /** The label's width: the group is at least this wide. */
  labelWidth: number;
}

export interface LayoutEdge {
  id: string;
  source: string;
  target: string;
}

export interface Point {
  x: number;
  y: number;
}

/** Centres of the nodes, in one coordinate space (cytoscape's model). */
export type Positions = Map<string, Point>;

export interface Placement {
  positions: Positions;
  /** The bend points ELK routed each edge through (absolute), when it bends. */
  routes: Map<string, Point[]>;
}

/**
 * The most nodes given to ELK. Its layered layout takes seconds from about
 * a thousand nodes up (measured: ~10 s for 5,000 in headless Chromium on 2
 * cores); larger graphs get layout.ts's quick layout.
 */
export const LARGE = 1200;

/** Above this many nodes ELK is asked for a cheaper, less polished pass. */
const CHEAP = 300;

/** A layout that takes longer than this is abandoned (the quick layout takes over). */
const TIMEOUT_MS = 20_000;

let elk: { engine: InstanceType<typeof ELK>; failed: Promise<never> } | null = null;

/** The ELK engine and its worker; `failed` rejects when the worker dies. */
function engine(): { engine: InstanceType<typeof ELK>; failed: Promise<never> } {
  if (elk) return elk;
  let fail: (e: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {}); // Observed by each layout's race; never unhandled.
  const engine = new ELK({
    workerUrl: elkWorkerUrl,
    workerFactory: (url?: string) => {
      const w = new Worker(url!);
      // A worker that throws (e.g. a stack overflow on a very deep graph)
      // never answers: fail the pending layout instead of hanging.
      w.addEventListener('error', (ev) => {
        ev.preventDefault();
        fail(new Error(`ELK worker: ${ev.message}`));
      });
      return w;
    },
  });
  elk = { engine, failed };
  return elk;
}

/** Drops the worker, so the next layout starts a fresh one. */
function reset(): void {
  try {
    elk?.engine.terminateWorker();
  } catch {
    // Already gone.
  }
  elk = null;
}

function rootOptions(nodeCount: number): LayoutOptions {
  const large = nodeCount > CHEAP;
  return {
    'elk.algorithm': 'layered',
    'elk.direction': 'DOWN',
    'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
    'elk.separateConnectedComponents': 'true',
    'elk.spacing.componentComponent': '36',
    'elk.spacing.nodeNode': '22',
    'elk.layered.spacing.nodeNodeBetweenLayers': '46',
    'elk.layered.spacing.edgeNodeBetweenLayers': '14',
    'elk.layered.cycleBreaking.strategy': 'DEPTH_FIRST',
    'elk.layered.nodePlacement.strategy': large ? 'SIMPLE' : 'BRANDES_KOEPF',
    'elk.layered.thoroughness': large ? '1' : '7',
    'elk.layered.compaction.postCompaction.strategy': large ? 'NONE' : 'EDGE_LENGTH',
    'elk.aspectRatio': '1.6',
    'elk.edgeRouting': 'POLYLINE',
  };
}

/**
 * Places `nodes` (inside their `groups`) and returns each node's centre.
 * Groups get no position: cytoscape sizes a compound node around its
 * children.
 */
export async function layout(groups: LayoutGroup[], nodes: LayoutNode[], edges: LayoutEdge[]): Promise<Placement> {
  const byGroup = new Map<string, ElkNode>();
  const root: ElkNode = { id: '__root', layoutOptions: rootOptions(nodes.length), children: [], edges: [] };
  for (const g of groups) {
    const n: ElkNode = {
      id: g.id,
      layoutOptions: {
        'elk.padding': `[top=${g.labelHeight + GROUP_PADDING},left=${GROUP_PADDING},bottom=${GROUP_PADDING},right=${GROUP_PADDING}]`,
        'elk.nodeSize.constraints': 'MINIMUM_SIZE',
        'elk.nodeSize.minimum': `(${Math.ceil(g.labelWidth)}, 40)`,
      },
      children: [],
    };
    byGroup.set(g.id, n);
    root.children!.push(n);
  }
  const known = new Set<string>();
  for (const n of nodes) {
    known.add(n.id);
    const container = (n.parent && byGroup.get(n.parent)) || root;
    container.children!.push({ id: n.id, width: n.width, height: n.height });
  }
  const elkEdges: ElkExtendedEdge[] = [];
  for (const e of edges) {
    if (known.has(e.source) && known.has(e.target) && e.source !== e.target) {
      elkEdges.push({ id: e.id, sources: [e.source], targets: [e.target] });
    }
  }
  root.edges = elkEdges;

  const e = engine();
  let timer = 0;
  let placed: ElkNode;
  try {
    placed = await Promise.race([
      e.engine.layout(root),
      e.failed,
      new Promise<never>((_, reject) => {
        timer = window.setTimeout(() => reject(new Error(`ELK took over ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    reset();
    throw err;
  } finally {
    window.clearTimeout(timer);
  }

  const positions: Positions = new Map();
  const offsets = new Map<string, Point>([[placed.id, { x: 0, y: 0 }]]);
  const walk = (n: ElkNode, ox: number, oy: number) => {
    for (const c of n.children ?? []) {
      const x = ox + (c.x ?? 0);
      const y = oy + (c.y ?? 0);
      if (!known.has(c.id)) {
        offsets.set(c.id, { x, y });
        walk(c, x, y);
      } else positions.set(c.id, { x: x + (c.width ?? 0) / 2, y: y + (c.height ?? 0) / 2 });
    }
  };
  walk(placed, 0, 0);

  // Edge coordinates are relative to the edge's container (elkjs sets
  // `container` on each edge it places).
  const routes = new Map<string, Point[]>();
  for (const e of (placed.edges ?? []) as (ElkExtendedEdge & { container?: string })[]) {
    const o = offsets.get(e.container ?? placed.id) ?? { x: 0, y: 0 };
    const bends = (e.sections ?? []).flatMap((s) => s.bendPoints ?? []);
    if (bends.length) routes.set(e.id, bends.map((p) => ({ x: p.x + o.x, y: p.y + o.y })));
  }
  return { positions, routes };
}

/** Room between a group's border and its nodes (cytoscape's compound padding too). */
export const GROUP_PADDING = 16;
