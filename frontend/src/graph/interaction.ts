// The wait graph, drawn by cytoscape.js and placed by ELK (elk.ts).
//
// Nodes are styled by kind, edges by kind; edges across processes are drawn
// distinctly; each process is a compound node. Labels are drawn on the
// canvas, never as HTML. A live update that changes only states and
// attributes updates the elements in place; one that changes the structure
// is laid out again, keeping the user's zoom, pan and selection.
import cytoscape from 'cytoscape';
import type { Core, ElementDefinition, EventObject, NodeSingular } from 'cytoscape';
import type { GraphResponse } from '../api';
import { GROUP_PADDING, LARGE, layout, type Placement } from './elk';
import { edgeId, edgeLabel, groupId, groupLabel, isGone, nodeLabel, nodeSize, sameSet, structureKey } from './elements';
import { addGroupBoxes, quickLayout, routeEdges } from './layout';
import { stylesheet } from './style';

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
