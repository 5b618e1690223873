// The wait graph, drawn by cytoscape.js and placed by ELK (layout.ts).
//
// Nodes are styled by kind, edges by kind; edges across processes are drawn
// distinctly; each process is a compound node. Labels are drawn on the
// canvas, never as HTML. A live update that changes only states and
// attributes updates the elements in place; one that changes the structure
// is laid out again, keeping the user's zoom, pan and selection.
import cytoscape from 'cytoscape';
import type { Core, ElementDefinition, EventObject, NodeSingular, StylesheetJson } from 'cytoscape';
import type { GraphEdge, GraphNode, GraphResponse, ProcessInfo } from './api';
import { truncate } from './format';
import { GROUP_PADDING, LARGE, layout, type Placement, type Point } from './layout';

/** Kinds drawn with their own colour and shape, with a legend entry each. */
export const NODE_STYLE: Record<string, { shape: string; fill: string; border: string; label: string }> = {
  task: { shape: 'round-rectangle', fill: '#dbeafe', border: '#2563eb', label: 'task' },
  future: { shape: 'round-rectangle', fill: '#f1f5f9', border: '#94a3b8', label: 'future' },
  mutex: { shape: 'round-hexagon', fill: '#ffedd5', border: '#ea580c', label: 'mutex / rwlock' },
  rwlock: { shape: 'round-hexagon', fill: '#ffedd5', border: '#ea580c', label: '' },
  semaphore: { shape: 'round-octagon', fill: '#fef3c7', border: '#b45309', label: 'semaphore' },
  channel: { shape: 'barrel', fill: '#ccfbf1', border: '#0f766e', label: 'channel' },
  notify: { shape: 'rhomboid', fill: '#fce7f3', border: '#be185d', label: 'notify' },
  request: { shape: 'round-tag', fill: '#ede9fe', border: '#7c3aed', label: 'RPC request / handler' },
  handler: { shape: 'cut-rectangle', fill: '#ede9fe', border: '#7c3aed', label: '' },
  thread: { shape: 'rectangle', fill: '#e5e7eb', border: '#374151', label: 'thread' },
};

export const EDGE_STYLE: Record<string, { color: string; style: string; label: string }> = {
  needs: { color: '#94a3b8', style: 'solid', label: 'awaits (needs)' },
  waits_on: { color: '#ea580c', style: 'solid', label: 'waits on' },
  held_by: { color: '#2563eb', style: 'dashed', label: 'held by' },
  calls: { color: '#7c3aed', style: 'solid', label: 'calls (RPC)' },
  spawned: { color: '#cbd5e1', style: 'dotted', label: 'spawned' },
};

const DEADLOCK_RED = '#dc2626';
const CROSS = '#c026d3';

function stylesheet(): StylesheetJson {
  const s: StylesheetJson = [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
        'font-size': 12,
        color: '#0f172a',
        'text-valign': 'center',
        'text-halign': 'center',
        'text-wrap': 'wrap',
        'border-width': 1.5,
        'min-zoomed-font-size': 6,
      },
    },
    { selector: 'node[w]', style: { width: 'data(w)', height: 'data(h)', 'text-max-width': 'data(tw)' } },
    {
      selector: 'node.group',
      style: {
        shape: 'round-rectangle',
        'background-color': '#f8fafc',
        'background-opacity': 0.9,
        'border-color': '#94a3b8',
        'border-width': 1.5,
        label: 'data(label)',
        'text-valign': 'top',
        'text-halign': 'center',
        'text-margin-y': -4,
        'font-size': 13,
        'font-weight': 'bold',
        color: '#334155',
        padding: `${GROUP_PADDING}px`,
        'text-max-width': '600px',
        'text-wrap': 'ellipsis',
      },
    },
    {
      selector: 'node.group.box',
      style: {
        'z-index': 0,
        'z-index-compare': 'manual',
        events: 'no',
        'text-valign': 'top',
        'text-margin-y': -6,
        'font-size': 28,
        'min-zoomed-font-size': 0,
      },
    },
    { selector: 'node.big', style: { 'text-wrap': 'none', 'z-index': 10, 'z-index-compare': 'manual' } },
    { selector: 'edge.big', style: { 'curve-style': 'straight', 'z-index': 5, 'z-index-compare': 'manual' } },
    {
      selector: 'node.group.stale',
      style: { 'border-style': 'dashed', 'background-color': '#f1f5f9', color: '#64748b', opacity: 0.75 },
    },
    {
      selector: 'edge',
      style: {
        width: 1.6,
        'curve-style': 'bezier',
        'target-arrow-shape': 'triangle',
        'arrow-scale': 0.9,
        'font-size': 10,
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.85,
        'text-background-padding': '1px',
        color: '#475569',
        'min-zoomed-font-size': 8,
      },
    },
  ];
  for (const [kind, st] of Object.entries(NODE_STYLE)) {
    s.push({
      selector: `node.k-${kind}`,
      style: { shape: st.shape as never, 'background-color': st.fill, 'border-color': st.border },
    });
  }
  for (const [kind, st] of Object.entries(EDGE_STYLE)) {
    s.push({
      selector: `edge.k-${kind}`,
      style: {
        'line-color': st.color,
        'target-arrow-color': st.color,
        'line-style': st.style as never,
      },
    });
  }
  s.push(
    {
      selector: 'edge.routed',
      style: {
        'curve-style': 'round-segments',
        'edge-distances': 'node-position',
        'segment-distances': 'data(sd)' as never,
        'segment-weights': 'data(sw)' as never,
        ...({ 'segment-radius': 14 } as object),
      },
    },
    { selector: 'edge.k-waits_on', style: { width: 2.2, label: 'data(label)' } },
    { selector: 'edge.k-held_by', style: { width: 2, label: 'data(label)', 'line-dash-pattern': [7, 4] } },
    { selector: 'edge.k-calls', style: { width: 2.6 } },
    {
      selector: 'edge.cross',
      style: {
        width: 3.5,
        'line-style': 'dashed',
        'line-dash-pattern': [12, 5],
        'line-outline-width': 2,
        'line-outline-color': CROSS,
        'target-arrow-shape': 'triangle-backcurve',
        'arrow-scale': 1.3,
        'z-index': 20,
      },
    },
    { selector: 'node.s-pending', style: { 'border-width': 2 } },
    { selector: 'node.s-polling', style: { 'border-width': 2.5, 'border-style': 'double' } },
    { selector: 'node.s-done', style: { opacity: 0.6 } },
    { selector: 'node.k-future', style: { 'font-size': 11, color: '#334155' } },
    { selector: 'node.bp', style: { 'border-color': '#9333ea', 'border-width': 4, 'border-style': 'double' } },
    {
      selector: 'node.dl',
      style: { 'border-color': DEADLOCK_RED, 'border-width': 3.5, 'background-blacken': -0.05 },
    },
    {
      selector: 'edge.dl',
      style: {
        'line-color': DEADLOCK_RED,
        'target-arrow-color': DEADLOCK_RED,
        width: 3.5,
        'z-index': 30,
        color: DEADLOCK_RED,
      },
    },
    // A deadlock's edge across processes stays dashed and outlined.
    { selector: 'edge.dl.cross', style: { width: 4.5, 'line-style': 'dashed' } },
    { selector: '.faded', style: { opacity: 0.15, 'text-opacity': 0.3 } },
    { selector: 'node.group.faded', style: { opacity: 0.35 } },
    {
      selector: 'node.hl',
      style: {
        'underlay-color': '#f87171',
        'underlay-padding': 6,
        'underlay-opacity': 0.28,
        'underlay-shape': 'round-rectangle',
        'z-index': 40,
      },
    },
    { selector: 'edge.hl', style: { width: 4.5, 'z-index': 40 } },
    {
      selector: 'node.match',
      style: {
        'underlay-color': '#facc15',
        'underlay-padding': 8,
        'underlay-opacity': 0.7,
        'underlay-shape': 'round-rectangle',
      },
    },
    {
      selector: 'node:selected',
      style: {
        'overlay-color': '#0ea5e9',
        'overlay-padding': 6,
        'overlay-opacity': 0.25,
        'border-color': '#0369a1',
        'border-width': 3.5,
      },
    },
    { selector: 'node.group:selected', style: { 'overlay-opacity': 0, 'border-width': 1.5 } },
    { selector: 'edge:selected', style: { 'overlay-color': '#0ea5e9', 'overlay-opacity': 0.25 } },
  );
  return s;
}

/**
 * ELK's bend points as cytoscape segment weights and distances, which are
 * relative to the line between the two node centres
 * (`edge-distances: node-position`).
 */
function segments(s: Point, t: Point, bends: Point[]): { weights: number[]; distances: number[] } | null {
  const dx = t.x - s.x;
  const dy = t.y - s.y;
  const l2 = dx * dx + dy * dy;
  if (l2 < 1) return null;
  const l = Math.sqrt(l2);
  const nx = -dy / l;
  const ny = dx / l;
  const weights: number[] = [];
  const distances: number[] = [];
  for (const p of bends) {
    const px = p.x - s.x;
    const py = p.y - s.y;
    weights.push((px * dx + py * dy) / l2);
    distances.push(px * nx + py * ny);
  }
  return { weights, distances };
}

/**
 * The layout for graphs too large for ELK to place within seconds:
 * cytoscape's breadthfirst layout for each connected component, the
 * components packed in rows, lone nodes in a grid, process by process.
 */
function quickLayout(cy: Core, groupKeys: string[], flat: boolean): void {
  const GAP = 60;
  let originX = 0;
  for (const key of groupKeys) {
    const kids = flat ? cy.nodes().filter((n) => n.data('process') === key) : cy.getElementById(groupId(key)).children();
    if (kids.empty()) continue;
    const rowWidth = Math.max(1600, Math.sqrt(kids.length) * 260);
    const comps = components(cy, kids);
    let x = originX;
    let y = 0;
    let rowHeight = 0;
    let maxX = originX;
    const place = (nodes: cytoscape.NodeCollection) => {
      const bb = nodes.boundingBox({ includeLabels: false, includeOverlays: false, includeUnderlays: false });
      if (x > originX && x - originX + bb.w > rowWidth) {
        x = originX;
        y += rowHeight + GAP;
        rowHeight = 0;
      }
      nodes.shift({ x: x - bb.x1, y: y - bb.y1 });
      x += bb.w + GAP;
      rowHeight = Math.max(rowHeight, bb.h);
      maxX = Math.max(maxX, x);
    };
    const lone = cy.collection();
    for (const nodes of comps) {
      if (nodes.length === 1) {
        lone.merge(nodes);
        continue;
      }
      const side = Math.sqrt(nodes.length);
      nodes
        .union(nodes.connectedEdges())
        .layout({
          name: 'breadthfirst',
          directed: true,
          avoidOverlap: true,
          spacingFactor: 1.25,
          animate: false,
          fit: false,
          boundingBox: { x1: 0, y1: 0, w: side * 190, h: side * 90 },
        })
        .run();
      place(nodes);
    }
    if (lone.nonempty()) {
      const cols = Math.max(1, Math.floor(rowWidth / 190));
      const rows = Math.ceil(lone.length / cols);
      lone
        .layout({
          name: 'grid',
          cols,
          rows,
          avoidOverlap: true,
          condense: true,
          animate: false,
          fit: false,
          boundingBox: { x1: 0, y1: 0, w: cols * 190, h: rows * 60 },
        })
        .run();
      x = originX;
      y += rowHeight + GAP;
      rowHeight = 0;
      place(lone);
    }
    originX = maxX + GAP * 2;
  }
}

/**
 * The connected components of `nodes` (over edges between them), largest
 * first. Union-find over ids: cytoscape's `components()` takes seconds on
 * thousands of elements.
 */
function components(cy: Core, nodes: cytoscape.NodeCollection): cytoscape.NodeCollection[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    while (parent.get(x) !== r) {
      const next = parent.get(x)!;
      parent.set(x, r);
      x = next;
    }
    return r;
  };
  nodes.forEach((n) => {
    parent.set(n.id(), n.id());
  });
  nodes.connectedEdges().forEach((e) => {
    const a = e.data('source') as string;
    const b = e.data('target') as string;
    if (!parent.has(a) || !parent.has(b)) return;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  });
  const groups = new Map<string, cytoscape.NodeSingular[]>();
  nodes.forEach((n) => {
    const r = find(n.id());
    let g = groups.get(r);
    if (!g) groups.set(r, (g = []));
    g.push(n);
  });
  return [...groups.values()].sort((a, b) => b.length - a.length).map((g) => cy.collection(g as unknown as cytoscape.CollectionArgument) as cytoscape.NodeCollection);
}

/**
 * On a large graph, each process is a plain node drawn behind its nodes,
 * sized to their bounds, instead of a compound node.
 */
function addGroupBoxes(cy: Core, groupDefs: ElementDefinition[]): void {
  const bounds = new Map<string, { x1: number; y1: number; x2: number; y2: number }>();
  cy.nodes().forEach((n) => {
    const key = n.data('process') as string | undefined;
    if (!key) return;
    const p = n.position();
    const w = n.data('w') as number;
    const h = n.data('h') as number;
    const b = bounds.get(key) ?? { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity };
    b.x1 = Math.min(b.x1, p.x - w / 2);
    b.x2 = Math.max(b.x2, p.x + w / 2);
    b.y1 = Math.min(b.y1, p.y - h / 2);
    b.y2 = Math.max(b.y2, p.y + h / 2);
    bounds.set(key, b);
  });
  for (const d of groupDefs) {
    const key = d.data.id!.slice(GROUP_PREFIX.length);
    const b = bounds.get(key);
    if (!b) continue;
    const pad = GROUP_PADDING;
    cy.add({
      ...d,
      data: { ...d.data, w: b.x2 - b.x1 + 2 * pad, h: b.y2 - b.y1 + 2 * pad, tw: 600 },
      position: { x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 },
      selectable: false,
      grabbable: false,
    });
  }
}

/** Turns ELK's bend points into cytoscape segment data on the edges that bend. */
function routeEdges(edgeDefs: ElementDefinition[], placement: Placement): void {
  for (const d of edgeDefs) {
    const bends = placement.routes.get(d.data.id!);
    const s = placement.positions.get(d.data.source as string);
    const t = placement.positions.get(d.data.target as string);
    if (!bends || !s || !t) continue;
    const seg = segments(s, t, bends);
    if (!seg) continue;
    d.data.sd = seg.distances;
    d.data.sw = seg.weights;
    d.classes = `${d.classes ?? ''} routed`;
  }
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

const GROUP_PREFIX = 'process:';

export function groupId(processKey: string): string {
  return GROUP_PREFIX + processKey;
}

export function edgeId(e: GraphEdge): string {
  return `${e.from}|${e.kind}|${e.to}`;
}

/** The label of a node: its name, then its kind and state. */
function nodeLabel(n: GraphNode, big: boolean): string {
  const name = truncate(n.name, big ? 32 : 48);
  if (big) return name;
  const parts: string[] = [n.kind];
  if (n.state) parts.push(n.since ? `${n.state} ${n.since}` : n.state);
  return `${name}\n${parts.join(' · ')}`;
}

function edgeLabel(e: GraphEdge, big: boolean): string {
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

function nodeSize(n: GraphNode, big: boolean): { w: number; h: number; tw: number } {
  const label = truncate(n.name, big ? 32 : 48);
  const chars = Math.max(label.length, big ? 0 : 18);
  const w = Math.min(300, Math.max(70, chars * 7 + 28));
  const h = big ? 30 : n.kind === 'future' ? 40 : 46;
  return { w, h, tw: w - 14 };
}

function groupLabel(p: ProcessInfo | undefined, key: string): string {
  if (!p) return key;
  const what = isGone(p) ? ' · STALE (disconnected)' : p.source === 'dump' ? ' · dump' : '';
  return `${p.name} · pid ${p.pid}${what}`;
}

/** A pushing process that disconnected (a dump is stale by nature, not gone). */
function isGone(p: ProcessInfo): boolean {
  return p.stale && p.source === 'push';
}

/** Stable over updates that change only states and attributes. */
function structureKey(g: GraphResponse): string {
  const parts: string[] = [];
  for (const n of g.nodes) parts.push(n.uid);
  parts.sort();
  const edges = g.edges.map(edgeId).sort();
  return `${parts.join(',')}#${edges.join(',')}`;
}

export interface GraphCallbacks {
  onSelect(uid: string | null): void;
}

export interface RenderStats {
  /** Laid out by the quick layout (a large graph, or ELK failed). */
  quick: boolean;
  nodes: number;
  edges: number;
  layoutMs: number;
  renderMs: number;
}

/** The graph view. */
export class GraphView {
  readonly cy: Core;
  private structure = '';
  private generation = 0;
  private firstRender = true;
  private deadlocked = new Set<string>();
  private deadlockEdges = new Set<string>();
  /** Tasks and futures inside a blocking poll. */
  private polling = new Set<string>();
  private highlight: { nodes: Set<string>; edges: Set<string> } | null = null;
  private searchText = '';
  private selected: string | null = null;
  lastStats: RenderStats | null = null;

  constructor(
    container: HTMLElement,
    private readonly cb: GraphCallbacks,
  ) {
    this.cy = cytoscape({
      container,
      style: stylesheet(),
      minZoom: 0.02,
      maxZoom: 4,
      boxSelectionEnabled: false,
      selectionType: 'single',
      textureOnViewport: false,
      motionBlur: false,
    });
    this.cy.on('tap', 'node', (ev: EventObject) => {
      const n = ev.target as NodeSingular;
      if (n.hasClass('group')) return;
      this.cb.onSelect(n.id());
    });
    this.cy.on('tap', (ev: EventObject) => {
      if (ev.target === this.cy) this.cb.onSelect(null);
    });
    // Expose for tests and for poking around from the console.
    (window as unknown as { peepsCy: Core }).peepsCy = this.cy;
  }

  /**
   * Shows `g`. Resolves once the graph is drawn (after the layout when the
   * structure changed).
   *
   * Up to LARGE nodes, ELK places the graph (in a worker) with processes as
   * compound nodes and cycles routed around. Above that, cytoscape's own
   * breadthfirst layout places each component (quickLayout), processes
   * become plain background boxes and labels are names only: compound
   * nodes and wrapped labels cost cytoscape seconds at thousands of nodes.
   */
  async update(g: GraphResponse): Promise<void> {
    const t0 = performance.now();
    const gen = ++this.generation;
    const big = g.nodes.length > LARGE;
    const procs = new Map(g.processes.map((p) => [p.key, p]));
    const groupKeys = [...new Set(g.nodes.map((n) => n.process))].sort();
    const nodeIds = new Set(g.nodes.map((n) => n.uid));
    const structure = structureKey(g) + (big ? '#big' : '');

    const groupDefs: ElementDefinition[] = groupKeys.map((key) => {
      const p = procs.get(key);
      return {
        group: 'nodes',
        data: { id: groupId(key), label: groupLabel(p, key), kind: 'process' },
        classes: `group${p && isGone(p) ? ' stale' : ''}${big ? ' box' : ''}`,
      };
    });
    const nodeDefs: ElementDefinition[] = g.nodes.map((n) => ({
      group: 'nodes',
      data: {
        id: n.uid,
        parent: big ? undefined : groupId(n.process),
        process: n.process,
        label: nodeLabel(n, big),
        name: n.name,
        kind: n.kind,
        ...nodeSize(n, big),
      },
      classes: `k-${n.kind}${n.state ? ` s-${n.state}` : ''}${big ? ' big' : ''}`,
    }));
    const edgeDefs: ElementDefinition[] = [];
    const seenEdges = new Set<string>();
    for (const e of g.edges) {
      const id = edgeId(e);
      if (seenEdges.has(id) || !nodeIds.has(e.from) || !nodeIds.has(e.to)) continue;
      seenEdges.add(id);
      edgeDefs.push({
        group: 'edges',
        data: { id, source: e.from, target: e.to, kind: e.kind, label: edgeLabel(e, big) },
        classes: `k-${e.kind}${e.cross_process ? ' cross' : ''}${big ? ' big' : ''}`,
      });
    }

    const restructure = structure !== this.structure;
    let layoutMs = 0;
    let placement: Placement | null = null;
    if (restructure && !big) {
      const lt = performance.now();
      try {
        placement = await layout(
          groupKeys.map((k) => ({ id: groupId(k), labelHeight: 24, labelWidth: groupLabel(procs.get(k), k).length * 8.5 + 28 })),
          g.nodes.map((n) => ({ id: n.uid, parent: groupId(n.process), width: nodeSize(n, big).w, height: nodeSize(n, big).h })),
          edgeDefs.map((e) => ({ id: e.data.id!, source: e.data.source as string, target: e.data.target as string })),
        );
      } catch (e) {
        console.warn('peeps: the ELK layout failed; using the quick layout', e);
      }
      layoutMs = performance.now() - lt;
      if (gen !== this.generation) return; // A newer update superseded this one.
    }

    const cy = this.cy;
    const rt = performance.now();
    cy.batch(() => {
      if (restructure) {
        // Replace everything, keeping the viewport.
        const zoom = cy.zoom();
        const pan = { ...cy.pan() };
        cy.elements().remove();
        if (placement) {
          for (const d of nodeDefs) {
            const p = placement.positions.get(d.data.id!);
            if (p) d.position = { ...p };
          }
          routeEdges(edgeDefs, placement);
          cy.add(groupDefs);
        } else if (!big) {
          cy.add(groupDefs);
        }
        cy.add(nodeDefs);
        cy.add(edgeDefs);
        if (!placement) {
          const lt = performance.now();
          quickLayout(cy, groupKeys, big);
          if (big) addGroupBoxes(cy, groupDefs);
          layoutMs += performance.now() - lt;
        }
        if (!this.firstRender) cy.viewport({ zoom, pan });
      } else {
        for (const d of [...groupDefs, ...nodeDefs]) {
          const el = cy.getElementById(d.data.id!);
          if (el.empty()) continue;
          el.data('label', d.data.label);
          el.classes(d.classes ?? '');
        }
        for (const d of edgeDefs) {
          // Keep the route computed with the layout.
          const el = cy.getElementById(d.data.id!);
          if (el.empty()) continue;
          el.data('label', d.data.label);
          el.classes(`${d.classes ?? ''}${el.hasClass('routed') ? ' routed' : ''}`);
        }
      }
      this.applyClasses();
    });
    if (restructure && this.firstRender && g.nodes.length > 0) {
      this.firstRender = false;
      this.fit();
    }
    this.structure = structure;
    this.lastStats = {
      quick: restructure && !placement,
      nodes: g.nodes.length,
      edges: edgeDefs.length,
      layoutMs: Math.round(layoutMs),
      renderMs: 0,
    };
    // Let the canvas paint before reporting completion.
    await new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    this.lastStats.renderMs = Math.round(performance.now() - rt);
    // For tests and the curious: the latest render, and every full layout.
    const w = window as unknown as { peepsRender: unknown; peepsLayouts?: unknown[] };
    w.peepsRender = { ...this.lastStats, totalMs: Math.round(performance.now() - t0) };
    if (restructure) (w.peepsLayouts ??= []).push(w.peepsRender);
  }

  /** Marks the nodes and edges of every deadlock (always drawn in red) and the blocking polls (purple). */
  setDeadlocked(nodes: Set<string>, edges: Set<string>, polling: Set<string>): void {
    if (sameSet(nodes, this.deadlocked) && sameSet(edges, this.deadlockEdges) && sameSet(polling, this.polling)) return;
    this.deadlocked = nodes;
    this.deadlockEdges = edges;
    this.polling = polling;
    this.cy.batch(() => this.applyClasses());
  }

  /** Highlights a set of nodes (a deadlock's cycle) and fades the rest; null clears. */
  setHighlight(h: { nodes: Set<string>; edges: Set<string> } | null, fit: boolean): void {
    if (!h && !this.highlight) return;
    this.highlight = h;
    this.cy.batch(() => this.applyClasses());
    if (h && fit) {
      const eles = this.cy.nodes('.hl');
      if (eles.nonempty()) this.animateTo(eles, 1.3, 80);
    }
  }

  setSearch(text: string): number {
    this.searchText = text.trim().toLowerCase();
    this.cy.batch(() => this.applyClasses());
    return this.cy.nodes('.match').length;
  }

  /** Centres on the search matches. */
  focusMatches(): void {
    const m = this.cy.nodes('.match');
    if (m.nonempty()) this.animateTo(m, 1.3, 80);
  }

  select(uid: string | null, center: boolean): void {
    this.selected = uid;
    this.cy.batch(() => {
      this.cy.$(':selected').unselect();
      if (uid) this.cy.getElementById(uid).select();
    });
    if (uid && center) {
      const n = this.cy.getElementById(uid);
      if (n.nonempty()) {
        this.cy.stop();
        this.cy.animate({ center: { eles: n }, zoom: Math.max(this.cy.zoom(), 0.9) }, { duration: 300 });
      }
    }
  }

  /** Moves the view to show `eles` whole, zoomed in no further than `maxZoom`. */
  private animateTo(eles: cytoscape.NodeCollection, maxZoom: number, padding: number): void {
    const cy = this.cy;
    const bb = eles.boundingBox({ includeLabels: false, includeOverlays: false, includeUnderlays: false });
    const w = Math.max(bb.w, 1);
    const h = Math.max(bb.h, 1);
    const zoom = Math.max(cy.minZoom(), Math.min(maxZoom, (cy.width() - 2 * padding) / w, (cy.height() - 2 * padding) / h));
    const cx = bb.x1 + w / 2;
    const cyy = bb.y1 + h / 2;
    cy.stop();
    cy.animate({ zoom, pan: { x: cy.width() / 2 - zoom * cx, y: cy.height() / 2 - zoom * cyy } }, { duration: 350 });
  }

  has(uid: string): boolean {
    return this.cy.getElementById(uid).nonempty();
  }

  /**
   * Fits the whole graph. The bounds come from node positions and sizes:
   * cytoscape's own fit measures every label, seconds on a large graph.
   */
  fit(): void {
    const cy = this.cy;
    cy.stop();
    let x1 = Infinity;
    let y1 = Infinity;
    let x2 = -Infinity;
    let y2 = -Infinity;
    cy.nodes().forEach((n) => {
      if (n.isParent()) return;
      const p = n.position();
      const w = (n.data('w') as number | undefined) ?? 80;
      const h = (n.data('h') as number | undefined) ?? 40;
      x1 = Math.min(x1, p.x - w / 2);
      x2 = Math.max(x2, p.x + w / 2);
      y1 = Math.min(y1, p.y - h / 2);
      y2 = Math.max(y2, p.y + h / 2);
    });
    if (!Number.isFinite(x1)) return;
    // Room for the process groups' padding and labels.
    const m = GROUP_PADDING + 8;
    x1 -= m;
    x2 += m;
    y1 -= m + 26;
    y2 += m;
    const pad = 30;
    const zoom = Math.min(1.4, (cy.width() - 2 * pad) / (x2 - x1), (cy.height() - 2 * pad) / (y2 - y1));
    const z = Math.max(cy.minZoom(), zoom);
    cy.viewport({
      zoom: z,
      pan: { x: (cy.width() - z * (x1 + x2)) / 2, y: (cy.height() - z * (y1 + y2)) / 2 },
    });
  }

  private applyClasses(): void {
    const cy = this.cy;
    const q = this.searchText;
    const hl = this.highlight;
    // Only the elements that carry a mark are touched: restyling every
    // element costs seconds on a large graph.
    cy.$('.dl, .bp, .hl, .faded, .match').removeClass('dl bp hl faded match');
    for (const id of this.polling) cy.getElementById(id).addClass('bp');
    for (const id of this.deadlocked) cy.getElementById(id).addClass('dl');
    for (const id of this.deadlockEdges) cy.getElementById(id).addClass('dl');
    if (hl) {
      cy.elements().addClass('faded');
      for (const id of hl.nodes) cy.getElementById(id).removeClass('faded').addClass('hl');
      for (const id of hl.edges) cy.getElementById(id).removeClass('faded').addClass('hl');
      cy.nodes('.hl').parents().removeClass('faded');
    }
    if (q) {
      const matches = cy.nodes().filter((n) => !n.hasClass('group') && String(n.data('name')).toLowerCase().includes(q));
      matches.addClass('match');
      if (!hl) {
        cy.elements().difference(matches).difference(matches.parents()).addClass('faded');
      }
    }
    if (this.selected) {
      const n = cy.getElementById(this.selected);
      if (n.nonempty() && !n.selected()) n.select();
    }
  }
}
