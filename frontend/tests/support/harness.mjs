// What the browser tests run: a real `peeps serve`, real scenario
// processes from peeps-examples, a real headless Chromium (Debian's, driven
// by playwright-core). Binaries come from the cargo target directory
// (CARGO_TARGET_DIR, else <repo>/target), debug profile.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../../..');
const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(repo, process.env.CARGO_TARGET_DIR) : path.join(repo, 'target');
const binDir = process.env.PEEPS_BIN_DIR ?? path.join(targetDir, 'debug');

export function bin(name) {
  const p = path.join(binDir, name);
  if (!fs.existsSync(p)) {
    throw new Error(`${p} is missing: build it first (cargo build -p peeps-dump -p peeps-examples)`);
  }
  return p;
}

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `peeps-ui-${prefix}-`));
}

const children = new Set();
function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}
/** Kills every process this harness started (only those, by pid). */
export function killAll() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
process.on('exit', killAll);

/** Resolves with the first stdout line matching `re` (rejects on exit or timeout). */
function waitForLine(child, re, what, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${what}: no line matching ${re} within ${timeoutMs} ms; stderr: ${err.slice(-2000)}`)), timeoutMs);
    child.stderr?.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      buf += d;
      const m = re.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before printing ${re}; stderr: ${err.slice(-2000)}`));
    });
  });
}

/** Starts `peeps serve` on ephemeral ports with `dumps` as its dump directory (and `extraArgs`). */
export async function startServer(dumps, extraArgs = []) {
  const env = { ...process.env, RUST_BACKTRACE: '1' };
  // A token comes from `extraArgs` (--token-file) or from nowhere.
  delete env.PEEPS_TOKEN;
  const child = track(
    spawn(bin('peeps'), ['serve', '--http', '127.0.0.1:0', '--listen', '127.0.0.1:0', '--dumps', dumps, ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    }),
  );
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  await waitForLine(child, /peeps: open (http:\/\/127\.0\.0\.1:\d+)\//, 'peeps serve');
  const http = /peeps: http listening on (127\.0\.0\.1:\d+)/.exec(log)?.[1];
  const ingest = /peeps: ingest listening on (127\.0\.0\.1:\d+)/.exec(log)?.[1];
  return {
    url: `http://${http}/`,
    ingest,
    log: () => log,
    stop: () => child.kill('SIGTERM'),
  };
}

/**
 * Runs `peeps demo` (its own dashboard and a ring of pushing processes on
 * loopback) with `env` added, until it says where the dashboard shows the
 * deadlock: resolves with that URL (with a token, the one-time login URL).
 */
export async function startDemo(env = {}) {
  const child = track(
    spawn(bin('peeps'), ['demo', '--http', '127.0.0.1:0', '--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    }),
  );
  const m = await waitForLine(child, /The dashboard found it in .* see it at (http:\/\/127\.0\.0\.1:\d+\/\S*)/, 'peeps demo', 90_000);
  return { url: m[1], stop: () => child.kill('SIGTERM') };
}

/**
 * Runs a scenario of peeps-examples until it says READY (it is stuck), then
 * lets the server see it: waits out the analysis' settle time and has it
 * write a dump (SIGUSR1) into `dumps`, which the server polls.
 */
export async function runScenario(name, dumps) {
  const child = track(spawn(bin(name), [], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PEEPS_DUMP_DIR: dumps } }));
  const m = await waitForLine(child, /READY (\d+)/, name);
  const pid = Number(m[1]);
  return {
    pid,
    /** Writes a dump now and resolves with its path once it is complete. */
    async dump() {
      const file = path.join(dumps, `${pid}.json`);
      const before = fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0;
      process.kill(pid, 'SIGUSR1');
      await waitFor(() => fs.existsSync(file) && fs.statSync(file).mtimeMs !== before, `${name} writes ${file}`);
      return file;
    },
    stop: () => child.kill('SIGKILL'),
  };
}

/** Polls `cond` (sync or async) until truthy; returns its value. */
export async function waitFor(cond, what, timeoutMs = 20_000, everyMs = 50) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The analysis needs edges older than its settle time (250 ms) to call a deadlock. */
export const SETTLE_MS = 400;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Launches Debian's Chromium headless with a fresh profile. */
export async function launchBrowser() {
  const profile = tempDir('chromium');
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1440, height: 860 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the UI in a new page and waits for its first complete render.
 * Collects page errors, console errors and dialogs for the test to check.
 */
export async function openUi(context, url) {
  const page = await context.newPage();
  const problems = { errors: [], dialogs: [] };
  page.on('pageerror', (e) => problems.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.errors.push(`console: ${m.text()}`);
    if (process.env.PEEPS_UI_DEBUG) console.log(`# ${Date.now() % 100000} page ${m.type()}: ${m.text()}`);
  });
  page.on('dialog', async (d) => {
    problems.dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss();
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
  return { page, problems };
}

/** Clicks graph node `uid` where it is drawn, as a person would. */
/** Resolves once the graph's viewport and nodes have stopped moving. */
export async function viewSettled(page) {
  await page.waitForFunction(
    () => {
      const cy = window.peepsCy;
      return cy && !cy.animated() && !cy.nodes().some((n) => n.animated());
    },
    null,
    { timeout: 30_000 },
  );
}

/** Clicks node `uid` where it is drawn, once the view has stopped moving. */
export async function clickNode(page, uid) {
  await viewSettled(page);
  const at = await page.evaluate((uid) => {
    const cy = window.peepsCy;
    const n = cy.getElementById(uid);
    if (n.empty()) return null;
    const p = n.renderedPosition();
    const r = document.getElementById('graph').getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }, uid);
  if (!at) throw new Error(`node ${uid} is not in the graph`);
  await page.mouse.click(at.x, at.y);
}

/**
 * Pushes the snapshot a program dumped (`file`) to the server's ingest port,
 * as that program's push client would: it is then a live process.
 */
export async function pushFile(ingest, file) {
  return pushClient(ingest, JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** Sends snapshots to the server's ingest port as a program's push client does. */
export async function pushClient(ingest, snapshot) {
  const [host, port] = ingest.split(':');
  const sock = net.connect(Number(port), host);
  await new Promise((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  const frame = (obj) => {
    const body = Buffer.from(JSON.stringify(obj));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    sock.write(Buffer.concat([len, body]));
  };
  frame({ hello: 1, process: snapshot.process });
  frame(snapshot);
  return {
    send: (snap) => frame(snap),
    close: () => sock.destroy(),
  };
}
