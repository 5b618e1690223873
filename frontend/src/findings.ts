// The findings panel: deadlocks first, each in words, then the potential
// deadlocks (lock-order cycles that have not hung), then tasks stuck
// forever, long waits and blocking polls ranked by duration. When nothing
// is stuck it says so. Every name is a text node (dom.ts).
//
// The words are the report's (peeps-graph's analysis/words.rs, as `peeps
// analyze` prints them): each finding's `text`, its durations in words, a
// step's `wait_words` and `release_words`. This file lays them out around
// clickable node chips and phrases no finding, and formats no duration, of
// its own.
import { uidOf, type Deadlock, type NodeRef, type PotentialDeadlock, type ProcessInfo, type Report, type Step } from './api';
import { h, replace, type Child } from './dom';
import { count, shortLocation } from './format';
import { timelineList } from './timeline';

export interface FindingsCallbacks {
  /** A deadlock (or another finding) was clicked: focus these nodes. */
  onFocus(key: string, nodes: NodeRef[]): void;
  /** A node chip was clicked. */
  onSelectNode(ref: NodeRef): void;
}

export interface FindingsContext {
  processes: Map<string, ProcessInfo>;
  /** The key of the focused finding, if any. */
  focused: string | null;
}

/** A key naming a deadlock across updates: its tasks, sorted. */
export function deadlockKey(d: Deadlock): string {
  return `deadlock:${d.tasks.map(uidOf).sort().join(',')}`;
}

/** Every node a deadlock names: tasks, the futures on their paths, resources, holders, RPC handlers. */
export function deadlockNodes(d: Deadlock): NodeRef[] {
  const out: NodeRef[] = [...d.tasks, ...d.resources];
  for (const s of d.cycle) out.push(...stepNodes(s));
  return out;
}

export function stepNodes(s: Step): NodeRef[] {
  const out: NodeRef[] = [s.task, ...s.path, s.waits_on, s.held_by];
  if (s.via) out.push(s.via);
  return out;
}

export class FindingsView {
  constructor(
    private readonly root: HTMLElement,
    private readonly cb: FindingsCallbacks,
  ) {}

  render(report: Report | null, ctx: FindingsContext, error: string | null): void {
    const scroll = this.root.scrollTop;
    const open = new Set(
      [...this.root.querySelectorAll<HTMLDetailsElement>('details[open]')].map((d) => d.dataset.key ?? ''),
    );
    replace(this.root, ...this.build(report, ctx, error));
    for (const d of this.root.querySelectorAll<HTMLDetailsElement>('details')) {
      if (open.has(d.dataset.key ?? '')) d.open = true;
    }
    this.root.scrollTop = scroll;
  }

  private build(report: Report | null, ctx: FindingsContext, error: string | null): Child[] {
    const down = error
      ? h(
          'div',
          { class: 'headline error', data: { testid: report ? 'server-down' : 'headline' } },
          h('strong', null, 'Cannot reach the peeps server.'),
          h('div', { class: 'sub' }, report ? `Showing the last answer. ${error}` : error),
        )
      : null;
    if (!report) return [down ?? h('div', { class: 'headline muted', data: { testid: 'headline' } }, 'Loading…')];
    if (down) return [down, ...this.build(report, ctx, null)];
    const live = [...ctx.processes.values()];
    if (live.length === 0) {
      return [
        h(
          'div',
          { class: 'headline muted', data: { testid: 'headline' } },
          h('strong', null, 'No process reports to this server yet.'),
          h(
            'div',
            { class: 'sub' },
            'Run a program that calls peeps::init() with PEEPS_DASHBOARD set to this server’s ingest address, ' +
              'or put dumps (kill -USR1 <pid>) in its dump directory.',
          ),
        ),
      ];
    }

    const deadlocks = report.deadlocks;
    const stuck = [...report.stuck_forever].sort((a, b) => b.stuck_ms - a.stuck_ms);
    const waits = [...report.long_waits].sort((a, b) => b.waited_ms - a.waited_ms);
    const polls = [...report.blocking_polls].sort((a, b) => b.polling_ms - a.polling_ms);
    const potential = report.potential_deadlocks ?? [];
    const out: Child[] = [];

    if (deadlocks.length > 0) {
      const cross = deadlocks.some((d) => d.cross_process);
      out.push(
        h(
          'div',
          { class: 'headline bad', data: { testid: 'headline' } },
          h('strong', null, `${count(deadlocks.length, 'deadlock', 'deadlocks')}${cross ? ' (across processes)' : ''}`),
          h('div', { class: 'sub' }, 'These tasks wait on each other and will never make progress. Click one to see it in the graph.'),
        ),
      );
    } else if (stuck.length + waits.length + polls.length + potential.length > 0) {
      const parts = [
        potential.length ? count(potential.length, 'potential deadlock', 'potential deadlocks') : '',
        stuck.length ? count(stuck.length, 'task stuck forever', 'tasks stuck forever') : '',
        waits.length ? count(waits.length, 'long wait', 'long waits') : '',
        polls.length ? count(polls.length, 'blocking poll', 'blocking polls') : '',
      ].filter(Boolean);
      out.push(
        h(
          'div',
          { class: 'headline warn', data: { testid: 'headline' } },
          h('strong', null, 'No deadlock. ' + parts.join(', ') + '.'),
        ),
      );
    } else {
      out.push(
        h(
          'div',
          { class: 'headline ok', data: { testid: 'headline' } },
          h('strong', null, 'Nothing is stuck.'),
          h('div', { class: 'sub' }, `No deadlock, no long wait, no blocking poll in ${count(live.length, 'process', 'processes')}.`),
        ),
      );
    }

    if (deadlocks.length) {
      out.push(h('h2', null, `Deadlocks (${deadlocks.length})`));
      deadlocks.forEach((d, i) => out.push(this.deadlock(d, i, ctx)));
    }
    if (potential.length) {
      out.push(h('h2', null, `Potential deadlocks (${potential.length})`));
      out.push(
        h(
          'div',
          { class: 'note' },
          'Locks this program took in orders that form a cycle, at different times: it has not hung, but these paths can deadlock if they run at the same time.',
        ),
      );
      potential.forEach((p, i) => out.push(this.potential(p, i, ctx)));
    }
    for (const l of report.lock_order ?? []) {
      if (l.note) out.push(h('div', { class: 'note', data: { testid: 'lock-order-note' } }, l.note));
    }
    if (stuck.length) {
      out.push(h('h2', null, `Stuck forever (${stuck.length})`));
      for (const s of stuck) {
        const key = `stuck:${uidOf(s.task)}`;
        out.push(
          this.card(key, 'stuck', ctx, [s.task, ...s.behind.flatMap(stepNodes)], [
            this.headline(s.text, s.task, ctx),
            this.body(s.text),
            s.behind.length ? this.behind(s.behind, ctx, key) : null,
          ]),
        );
      }
    }
    if (waits.length) {
      out.push(h('h2', null, `Long waits (${waits.length})`));
      for (const w of waits) {
        const key = `wait:${uidOf(w.task)}:${uidOf(w.waits_on)}`;
        out.push(
          this.card(key, 'wait', ctx, [w.task, ...w.path, w.waits_on, ...w.held_by], [
            h(
              'div',
              { class: 'line' },
              this.chip(w.task, ctx),
              ` ${w.wait_words} `,
              this.chip(w.waits_on, ctx),
              w.wait_after ? ` ${w.wait_after}` : null,
              h('span', { class: 'dur' }, w.waited),
            ),
            this.path(w.path, ctx),
            w.held_by.length ? h('div', { class: 'line sub' }, ...join(w.held_by.map((r) => this.chip(r, ctx)))) : null,
            this.body(w.text, 2),
          ]),
        );
      }
    }
    if (polls.length) {
      out.push(h('h2', null, `Blocking polls (${polls.length})`));
      for (const p of polls) {
        const key = `poll:${uidOf(p.task)}`;
        out.push(
          this.card(key, 'poll', ctx, [p.task, ...p.path, ...(p.parked_on ? [p.parked_on] : [])], [
            this.headline(p.text, p.task, ctx),
            this.path(p.path, ctx),
            p.parked_on ? h('div', { class: 'line sub' }, this.chip(p.parked_on, ctx)) : null,
            this.body(p.text),
          ]),
        );
      }
    }
    return out;
  }

  private deadlock(d: Deadlock, i: number, ctx: FindingsContext): HTMLElement {
    const key = deadlockKey(d);
    return this.card(key, 'deadlock', ctx, deadlockNodes(d), [
      h(
        'div',
        { class: 'title' },
        h('span', { class: 'num' }, `#${i + 1}`),
        h('span', { class: `badge ${d.certainty}`, title: d.certainty === 'certain' ? 'Every edge in it is certain.' : 'It rests on a guess, said in its text: a holder peeps saw a handle move into but did not find it in, or a task not spawned through peeps.' }, d.certainty),
        d.cross_process ? h('span', { class: 'badge cross', title: 'Its tasks are in more than one process.' }, 'cross-process') : null,
        d.tasks.some((t) => { const p = ctx.processes.get(t.process); return p?.stale && p.source === 'push'; })
          ? h('span', { class: 'badge stale', data: { testid: 'stale-finding' }, title: 'A process of it stopped reporting: this is how it was when last seen.' }, 'stale')
          : null,
        h('span', { class: 'what' }, firstLine(d.text)),
        h('button', { class: 'show', title: 'Show this cycle in the graph' }, 'Show in graph'),
      ),
      h('ol', { class: 'cycle' }, ...d.cycle.map((s) => h('li', null, this.step(s, ctx, d.cross_process)))),
      d.behind.length ? this.behind(d.behind, ctx, key) : null,
      d.timeline?.length ? this.formed(d, key) : null,
      this.rawText(d.text, key),
    ]);
  }

  /** A potential deadlock: its kind and the report's sentence, which names both paths. */
  private potential(p: PotentialDeadlock, i: number, ctx: FindingsContext): HTMLElement {
    const key = `potential:${p.process}:${i}:${p.text}`;
    const nodes: NodeRef[] = [];
    for (const s of p.steps) {
      for (const l of [s.held, s.acquired]) {
        if (l.lock != null) {
          nodes.push({ process: p.process, id: l.lock, kind: l.kind, name: l.name, location: l.location ?? null });
        }
      }
    }
    const kind = { inversion: 'lock-order inversion', read_reentered: 'read re-entered', permit_reacquired: 'permit re-acquired' }[p.kind];
    return this.card(key, 'potential', ctx, nodes, [
      h(
        'div',
        { class: 'title' },
        h('span', { class: 'num' }, `#${i + 1}`),
        h('span', { class: 'badge potential', title: 'It has not happened: the program never hung.' }, kind),
        h('span', { class: 'what' }, ...join(uniqueLocks(p).map((n) => `"${n}"`))),
      ),
      h('p', { class: 'words', data: { testid: 'potential-text' } }, p.text),
    ]);
  }

  /** How a deadlock formed: the report's timeline of its tasks and resources. */
  private formed(d: Deadlock, key: string): HTMLElement {
    const entries = d.timeline ?? [];
    const omitted = d.timeline_omitted ?? 0;
    return h(
      'details',
      { class: 'formed', data: { key: `${key}:formed`, testid: 'formed' } },
      h('summary', null, `How it formed (${count(entries.length, 'event', 'events')}${omitted ? `, ${omitted} more in peeps history` : ''})`),
      timelineList(entries, 'formed-timeline'),
    );
  }

  /**
   * One step, as the report's lines say it: `task`, the step's
   * `wait_words` (`waits at src/a.rs:25 to lock`), the resource, its
   * `wait_after` (`to finish`), how long; then `release_words` (`held since
   * src/a.rs:31 by`), the holder and the `release_note` (none for a join).
   */
  private step(s: Step, ctx: FindingsContext, showProcess: boolean): Child[] {
    return [
      h(
        'div',
        { class: 'line' },
        this.chip(s.task, ctx, showProcess),
        ` ${s.wait_words} `,
        this.chip(s.waits_on, ctx, showProcess && s.waits_on.process !== s.task.process),
        s.wait_after ? ` ${s.wait_after}` : null,
        s.waited ? h('span', { class: 'dur' }, s.waited) : null,
      ),
      s.release_words
        ? h(
            'div',
            { class: 'line held' },
            '↳ ',
            `${s.release_words} `,
            this.chip(s.held_by, ctx, showProcess),
            s.release_note ? ` (${s.release_note})` : null,
            s.via ? [' ', this.chip(s.via, ctx, showProcess)] : null,
          )
        : null,
      this.path(s.path, ctx),
    ];
  }

  /** The first line of a finding's text (its headline, `long wait (12.3 s)`), with the chip of its task. */
  private headline(text: string, task: NodeRef, ctx: FindingsContext): HTMLElement {
    return h('div', { class: 'line' }, this.chip(task, ctx), h('span', { class: 'dur' }, firstLine(text)));
  }

  /** A finding's text from line `from` on (its words, as `peeps analyze` prints them). */
  private body(text: string, from = 1): Child {
    const lines = text.split('\n').slice(from);
    return lines.length ? h('pre', { class: 'words' }, lines.map((l) => l.trim()).join('\n')) : null;
  }

  private path(path: NodeRef[], ctx: FindingsContext): Child {
    if (!path.length) return null;
    return h('div', { class: 'line path' }, 'inside ', ...join(path.map((p) => this.chip(p, ctx)), ' → '));
  }

  private behind(steps: Step[], ctx: FindingsContext, key: string): HTMLElement {
    return h(
      'details',
      { class: 'behind', data: { key: `${key}:behind` } },
      h(
        'summary',
        null,
        `Also stuck behind it: ${count(steps.length, 'task', 'tasks')} (`,
        steps
          .slice(0, 3)
          .map((s) => `"${s.task.name}"`)
          .join(', '),
        steps.length > 3 ? ', …' : '',
        ')',
      ),
      h('ul', null, ...steps.map((s) => h('li', null, this.step(s, ctx, false)))),
    );
  }

  private rawText(text: string, key: string): HTMLElement {
    return h('details', { class: 'raw', data: { key: `${key}:text` } }, h('summary', null, 'As peeps analyze prints it'), h('pre', null, text));
  }

  private card(key: string, kind: string, ctx: FindingsContext, nodes: NodeRef[], body: Child[]): HTMLElement {
    const el = h('article', {
      class: `finding ${kind}${ctx.focused === key ? ' focused' : ''}`,
      data: { key, testid: kind },
      attrs: { tabindex: '0' },
      onclick: (ev) => {
        const t = ev.target as HTMLElement;
        if (t.closest('.chip') || t.closest('summary')) return;
        this.cb.onFocus(key, nodes);
      },
    }, ...body);
    el.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && ev.target === el) this.cb.onFocus(key, nodes);
    });
    return el;
  }

  /** A node named in words: kind, "name", location; click selects it. */
  private chip(ref: NodeRef, ctx: FindingsContext, showProcess = false): HTMLElement {
    const loc = shortLocation(ref.location);
    const proc = ctx.processes.get(ref.process);
    return h(
      'span',
      {
        class: `chip k-${ref.kind}`,
        title: `${ref.kind} ${ref.name}${ref.location ? ` at ${ref.location}` : ''}${proc ? ` in ${proc.name} (pid ${proc.pid})` : ''}`,
        data: { uid: uidOf(ref) },
        onclick: (ev) => {
          ev.stopPropagation();
          this.cb.onSelectNode(ref);
        },
      },
      h('span', { class: 'kind' }, ref.kind),
      ' ',
      h('span', { class: 'name' }, `"${ref.name}"`),
      loc ? h('span', { class: 'loc' }, ` (${loc})`) : null,
      showProcess ? h('span', { class: 'proc' }, ` in ${proc ? proc.name : ref.process}`) : null,
    );
  }
}

/** The names of a potential deadlock's locks, each once, in order. */
function uniqueLocks(p: PotentialDeadlock): string[] {
  return [...new Set(p.locks.map((l) => l.name))];
}

/** A finding's headline: its text's first line, without the colon. */
function firstLine(text: string): string {
  return text.split('\n', 1)[0].replace(/:$/, '');
}

function join(items: Child[], sep: Child = ', '): Child[] {
  const out: Child[] = [];
  items.forEach((it, i) => {
    if (i > 0) out.push(sep);
    out.push(it);
  });
  return out;
}
