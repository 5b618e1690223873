// The details of one node: every attribute, its source location, how long
// it has been in its state, what it waits on and who holds that.
import type { GraphEdge, GraphNode, NodeHistory, ProcessInfo } from './api';
import { h, replace, type Child } from './dom';
import { clock } from './format';
import { timelineList } from './timeline';

export interface DetailsCallbacks {
  onSelect(uid: string): void;
  onClose(): void;
}

/** The graph indexed for the details panel. */
export interface GraphIndex {
  nodes: Map<string, GraphNode>;
  out: Map<string, GraphEdge[]>;
  in: Map<string, GraphEdge[]>;
  processes: Map<string, ProcessInfo>;
}

export function indexGraph(nodes: GraphNode[], edges: GraphEdge[], processes: ProcessInfo[]): GraphIndex {
  const idx: GraphIndex = { nodes: new Map(), out: new Map(), in: new Map(), processes: new Map(processes.map((p) => [p.key, p])) };
  for (const n of nodes) idx.nodes.set(n.uid, n);
  for (const e of edges) {
    let o = idx.out.get(e.from);
    if (!o) idx.out.set(e.from, (o = []));
    o.push(e);
    let i = idx.in.get(e.to);
    if (!i) idx.in.set(e.to, (i = []));
    i.push(e);
  }
  return idx;
}

const OUT_TITLES: Record<string, string> = {
  needs: 'Awaits',
  waits_on: 'Waits on',
  held_by: 'Held by',
  calls: 'Calls (RPC)',
  spawned: 'Spawned',
};
const IN_TITLES: Record<string, string> = {
  needs: 'Awaited by',
  waits_on: 'Waited on by',
  held_by: 'Holds',
  calls: 'Called by',
  spawned: 'Spawned by',
};

export class DetailsView {
  constructor(
    private readonly root: HTMLElement,
    private readonly cb: DetailsCallbacks,
  ) {}

  hide(): void {
    this.root.hidden = true;
    replace(this.root);
  }

  /**
   * Shows node `uid`, with what its process recorded about it (`history`;
   * `null` while it is being fetched, `undefined` when there is none yet).
   */
  show(uid: string, idx: GraphIndex, history?: NodeHistory | null): void {
    this.root.hidden = false;
    const n = idx.nodes.get(uid);
    const close = h('button', { class: 'close', title: 'Close (Esc)', onclick: () => this.cb.onClose() }, '×');
    if (!n) {
      replace(
        this.root,
        close,
        h('h3', null, 'Not in this view'),
        h('p', { class: 'muted' }, 'This node is not in the graph shown now. Try “All nodes”, or clear the process filter.'),
      );
      return;
    }
    const proc = idx.processes.get(n.process);
    const rows: Child[] = [];
    const row = (k: string, v: Child) => rows.push(h('tr', null, h('th', null, k), h('td', null, v)));
    row('kind', n.kind);
    if (n.state) row('state', n.since ? `${n.state} for ${n.since}` : n.state);
    row('location', n.location ? h('code', { data: { testid: 'location' } }, n.location) : h('span', { class: 'muted' }, 'unknown'));
    row(
      'process',
      proc
        ? [
            `${proc.name} (pid ${proc.pid})`,
            proc.stale && proc.source === 'push'
              ? h('span', { class: 'badge stale' }, `stale since ${clock(proc.last_seen_ms)}`)
              : proc.source === 'dump'
                ? h('span', { class: 'badge dump' }, `dump · ${clock(proc.last_seen_ms)}`)
                : null,
          ]
        : n.process,
    );
    row('id', h('code', null, n.uid));

    const attrRows: Child[] = [];
    const attrs = n.attrs ?? {};
    for (const k of Object.keys(attrs).sort()) {
      attrRows.push(h('tr', null, h('th', null, k), h('td', null, h('code', null, formatValue(attrs[k])))));
    }

    const outs = idx.out.get(uid) ?? [];
    const ins = idx.in.get(uid) ?? [];
    const blockedBy = this.blockedBy(uid, idx);

    replace(
      this.root,
      close,
      h('div', { class: `kindline k-${n.kind}` }, n.kind),
      h('h3', { data: { testid: 'details-name' } }, n.name),
      blockedBy.length ? h('div', { class: 'blocked-by' }, h('h4', null, 'Why it is blocked'), h('ul', null, ...blockedBy)) : null,
      h('table', { class: 'props' }, ...rows),
      ...this.edgeGroups(outs, 'to', OUT_TITLES, idx),
      ...this.edgeGroups(ins, 'from', IN_TITLES, idx),
      h('h4', null, 'Attributes'),
      attrRows.length ? h('table', { class: 'props attrs', data: { testid: 'attrs' } }, ...attrRows) : h('p', { class: 'muted' }, 'none'),
      h('h4', null, 'Timeline'),
      this.timeline(history),
    );
  }

  /** What the node's process recorded about it, oldest first. */
  private timeline(history: NodeHistory | null | undefined): Child {
    if (!history) return h('p', { class: 'muted', data: { testid: 'timeline-none' } }, history === null ? 'Loading…' : '');
    if (!history.recorded) {
      return h('p', { class: 'muted', data: { testid: 'timeline-none' } }, 'Its process records no history (PEEPS_HISTORY=0, or an older peeps).');
    }
    if (!history.entries.length) return h('p', { class: 'muted', data: { testid: 'timeline-none' } }, 'No recorded event concerns it.');
    return timelineList(history.entries, 'timeline');
  }

  /**
   * The waits under a node (its own, and those of the futures it awaits),
   * each with who holds what it waits on.
   */
  private blockedBy(uid: string, idx: GraphIndex): Child[] {
    const out: Child[] = [];
    const seen = new Set<string>();
    const visit = (u: string, depth: number) => {
      if (seen.has(u) || depth > 64) return;
      seen.add(u);
      for (const e of idx.out.get(u) ?? []) {
        if (e.kind === 'needs') visit(e.to, depth + 1);
        if (e.kind !== 'waits_on') continue;
        const op = typeof e.attrs?.op === 'string' ? e.attrs.op : null;
        const holders = (idx.out.get(e.to) ?? []).filter((x) => x.kind === 'held_by' || x.kind === 'calls');
        out.push(
          h(
            'li',
            null,
            u !== uid ? [this.link(u, idx), ' '] : null,
            typeof e.attrs?.at === 'string' ? `waits at ${shortAt(e.attrs.at)} on ` : 'waits on ',
            this.link(e.to, idx),
            op ? h('span', { class: 'muted' }, ` (${op})`) : null,
            e.since ? ` for ${e.since}` : null,
            holders.length
              ? h(
                  'div',
                  { class: 'held', data: { testid: 'holders' } },
                  holders.map((x, i) => [
                    i ? ', ' : '',
                    x.kind === 'calls' ? 'served by ' : typeof x.attrs?.at === 'string' ? `held since ${shortAt(x.attrs.at)} by ` : 'held by ',
                    this.link(x.to, idx),
                    typeof x.attrs?.as === 'string' ? ` (${x.attrs.as}${x.attrs.confirmed === false ? ', unconfirmed' : ''})` : null,
                  ]),
                )
              : h('div', { class: 'held muted' }, 'no holder in view'),
          ),
        );
      }
    };
    visit(uid, 0);
    return out;
  }

  private edgeGroups(edges: GraphEdge[], end: 'from' | 'to', titles: Record<string, string>, idx: GraphIndex): Child[] {
    const out: Child[] = [];
    for (const kind of Object.keys(titles)) {
      const es = edges.filter((e) => e.kind === kind);
      if (!es.length) continue;
      out.push(
        h('h4', null, titles[kind]),
        h(
          'ul',
          { class: 'edges', data: { testid: `edges-${end === 'to' ? 'out' : 'in'}-${kind}` } },
          ...es.map((e) => {
            const a = e.attrs ?? {};
            const extra = [
              typeof a.op === 'string' ? a.op : null,
              typeof a.as === 'string' ? `as ${a.as}` : null,
              a.confirmed === false ? 'unconfirmed' : null,
              e.cross_process ? 'cross-process' : null,
              e.since ? `for ${e.since}` : null,
            ].filter(Boolean);
            return h('li', null, this.link(e[end], idx), extra.length ? h('span', { class: 'muted' }, ` — ${extra.join(', ')}`) : null);
          }),
        ),
      );
    }
    return out;
  }

  private link(uid: string, idx: GraphIndex): HTMLElement {
    const n = idx.nodes.get(uid);
    return h(
      'a',
      { class: `chip k-${n?.kind ?? 'unknown'}`, attrs: { href: '#' }, data: { uid }, onclick: (ev) => { ev.preventDefault(); this.cb.onSelect(uid); } },
      h('span', { class: 'kind' }, n?.kind ?? 'node'),
      ' ',
      h('span', { class: 'name' }, n ? `"${n.name}"` : uid),
    );
  }
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** `src/a.rs:25:9` → `src/a.rs:25`: the line of a wait or a hold, as the report says it. */
function shortAt(at: string): string {
  const m = /^(.*:\d+):\d+$/.exec(at);
  return m ? m[1] : at;
}
