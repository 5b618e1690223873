// The time bar: step back through the snapshots the server recorded and
// see the graph, the findings and the details as they were at that
// instant (`at=` on every request, docs/api.md), or follow the live view.
import type { Recording } from './api';
import { h, replace } from './dom';
import { clock } from './format';

export interface TimeBarCallbacks {
  /** An instant was chosen (ms since the epoch), or `null`: the latest. */
  onChange(at: number | null): void;
}

export class TimeBar {
  private instants: number[] = [];
  private readonly back = h('button', { title: 'One snapshot earlier', data: { testid: 'time-back' } }, '◀');
  private readonly forward = h('button', { title: 'One snapshot later', data: { testid: 'time-forward' } }, '▶');
  private readonly slider = h('input', { attrs: { type: 'range', min: '0', max: '0', step: '1', 'aria-label': 'When' }, data: { testid: 'time-slider' } });
  private readonly label = h('span', { class: 'when', data: { testid: 'time-label' } });
  private readonly latest = h('button', { title: 'Back to the latest snapshot', data: { testid: 'time-latest' } }, 'Latest');

  constructor(
    private readonly root: HTMLElement,
    private readonly cb: TimeBarCallbacks,
  ) {
    replace(root, h('span', { class: 'muted' }, 'Recorded:'), this.back, this.slider, this.forward, this.label, this.latest);
    this.back.addEventListener('click', () => this.step(-1));
    this.forward.addEventListener('click', () => this.step(1));
    this.latest.addEventListener('click', () => this.cb.onChange(null));
    this.slider.addEventListener('input', () => this.choose(Number(this.slider.value)));
  }

  /** The position of instant `at` (the latest instant at or before it); the last when `at` is null. */
  private index(at: number | null): number {
    if (at === null) return this.instants.length - 1;
    let i = 0;
    while (i + 1 < this.instants.length && this.instants[i + 1] <= at) i++;
    return i;
  }

  private current = -1;

  private step(by: number): void {
    this.choose(Math.min(this.instants.length - 1, Math.max(0, this.current + by)));
  }

  private choose(i: number): void {
    if (i < 0 || i >= this.instants.length) return;
    this.cb.onChange(i === this.instants.length - 1 ? null : this.instants[i]);
  }

  /** Shows the recording, with instant `at` (null: the latest) chosen. */
  update(rec: Recording | null, at: number | null, live: boolean): void {
    this.instants = rec?.instants ?? [];
    this.root.hidden = this.instants.length < 2;
    if (this.root.hidden) return;
    const i = this.index(at);
    this.current = i;
    this.slider.max = String(this.instants.length - 1);
    this.slider.value = String(i);
    this.back.disabled = i <= 0;
    this.forward.disabled = i >= this.instants.length - 1;
    this.latest.disabled = at === null;
    this.latest.textContent = rec?.replay || !live ? 'Latest' : 'Live';
    const t = this.instants[i];
    const ms = String(t % 1000).padStart(3, '0');
    replace(
      this.label,
      at === null && !rec?.replay ? 'now' : `${clock(t)}.${ms}`,
      h('span', { class: 'muted' }, ` · snapshot ${i + 1} of ${this.instants.length}${rec?.replay ? ' (replay)' : ''}`),
    );
    this.root.dataset.at = at === null ? '' : String(at);
  }
}
