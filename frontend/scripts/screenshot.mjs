// Takes docs/screenshot.png: the deadlock view of two real scenario
// processes (lock_cycle_nested, channel_actors_full) dumped into a real
// `peeps serve`, with the three-task lock cycle focused. Needs the cargo
// binaries (cargo build -p peeps-dump -p peeps-examples) and Chromium.
import path from 'node:path';
import {
  killAll,
  launchBrowser,
  openUi,
  repo,
  runScenario,
  SETTLE_MS,
  sleep,
  startServer,
  tempDir,
  waitFor,
} from '../tests/support/harness.mjs';

const out = process.argv[2] ?? path.join(repo, 'docs/screenshot.png');
const dumps = tempDir('shot');
for (const name of ['lock_cycle_nested', 'channel_actors_full']) {
  const s = await runScenario(name, dumps);
  await sleep(SETTLE_MS);
  await s.dump();
}
const server = await startServer(dumps);
await waitFor(async () => (await (await fetch(new URL('api/deadlocks', server.url))).json()).deadlocks.length === 2, 'two deadlocks');
const browser = await launchBrowser();
try {
  const { page } = await openUi(browser.context, server.url);
  await waitFor(async () => (await page.locator('.finding.deadlock').count()) === 2, 'two cards');
  await page.locator('.finding.deadlock', { hasText: 'transfer-1' }).locator('.show').click();
  await sleep(900);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  server.stop();
  killAll();
}
