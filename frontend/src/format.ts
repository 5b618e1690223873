// Durations, locations and names as a person reads them.

/** `850 ms`, `5.0 s`, `3 min 12 s`, `2 h 5 min`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
  const hours = Math.floor(m / 60);
  return `${hours} h ${m % 60} min`;
}

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

/** What an `op` attribute means, as a verb phrase. */
export function opPhrase(op: string | null | undefined): string {
  switch (op) {
    case 'lock':
      return 'waits to lock';
    case 'read':
      return 'waits to read-lock';
    case 'write':
      return 'waits to write-lock';
    case 'acquire':
      return 'waits to acquire';
    case 'send':
      return 'waits to send on';
    case 'recv':
      return 'waits to receive from';
    case 'notified':
      return 'waits to be notified by';
    case 'changed':
      return 'waits for a change of';
    case 'barrier':
      return 'waits at';
    case 'init':
      return 'waits for the initialisation of';
    case 'closed':
      return 'waits for the close of';
    case 'join':
      return 'waits to join';
    case 'call':
      return 'waits for the reply to';
    default:
      return op ? `waits (${op}) on` : 'waits on';
  }
}
