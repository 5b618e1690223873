// Recorded events in words, oldest first: a deadlock's "how it formed"
// and a node's timeline in its details. The words and the times are the
// server's (peeps-graph's analysis/timeline.rs, as `peeps history` prints
// them); this lays them out and phrases nothing itself.
import type { TimelineEntry } from './api';
import { h } from './dom';

/** A list of events: each its time, then its words. */
export function timelineList(entries: TimelineEntry[], testid: string): HTMLElement {
  return h(
    'ol',
    { class: 'timeline', data: { testid } },
    ...entries.map((e) =>
      h('li', { data: { kind: e.kind } }, h('span', { class: 't' }, e.time), h('span', { class: 'what' }, e.text)),
    ),
  );
}
