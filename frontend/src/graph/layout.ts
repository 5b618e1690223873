// Placing the wait graph on the canvas: ELK's placement (elk.ts) applied
// to the elements, with edges routed along its bend points; the quick
// layout for graphs too large for ELK; process boxes around their nodes.
import type cytoscape from 'cytoscape';
import type { Core, ElementDefinition } from 'cytoscape';
import { GROUP_PADDING, type Placement, type Point } from './elk';
import { GROUP_PREFIX, groupId } from './elements';

/**
 * ELK's bend points as cytoscape segment weights and distances, which are
 * relative to the line between the two node centres
 * (`edge-distances: node-position`).
 */
export function segments(s: Point, t: Point, bends: Point[]): { weights: number[]; distances: number[] } | null {
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
export function quickLayout(cy: Core, groupKeys: string[], flat: boolean): void {
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
export function addGroupBoxes(cy: Core, groupDefs: ElementDefinition[]): void {
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
export function routeEdges(edgeDefs: ElementDefinition[], placement: Placement): void {
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
