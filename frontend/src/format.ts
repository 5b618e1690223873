// Locations, names and counts as a person reads them. Durations and the
// words of findings are not here: the server sends them, written by the
// one formatter in peeps-graph (analysis/words.rs).

/** A location without its column: `src/bank.rs:31:5` → `src/bank.rs:31`. */
export function shortLocation(loc: string | null | undefined): string | null {
  if (!loc) return null;
  const m = /^(.*):(\d+):(\d+)$/.exec(loc);
  return m ? `${m[1]}:${m[2]}` : loc;
}

/** At most `max` characters, with an ellipsis. */
export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** `1 task`, `2 tasks`. */
export function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A wall-clock time as HH:MM:SS. */
export function clock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
