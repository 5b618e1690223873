// How the wait graph looks: a colour and shape per node kind, a colour and
// line per edge kind (the legend reads these), and the cytoscape stylesheet.
import type { StylesheetJson } from 'cytoscape';
import { GROUP_PADDING } from './elk';

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

export function stylesheet(): StylesheetJson {
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
