// Browser tests of a dashboard that requires a token: real headless
// Chromium against the dashboard `peeps demo` starts with PEEPS_TOKEN set,
// fed by the demo's real pushing processes (they send the same token in
// their hello). Without credentials the page is a 401 that says how to get
// in; the one-time URL the server prints logs the browser in once, and the
// UI then works on the session cookie alone (its fetches and its event
// stream are same-origin). Run by ../run-browser-tests.sh.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { killAll, launchBrowser, startDemo, waitFor } from './support/harness.mjs';

const T = { timeout: 120_000 };
const token = crypto.randomBytes(32).toString('hex');
let browser;
let demo;
let oneTime;
let root;

before(async () => {
  browser = await launchBrowser();
  demo = await startDemo({ PEEPS_TOKEN: token });
  oneTime = demo.url;
  root = new URL('/', oneTime).href;
});
after(async () => {
  demo?.stop();
  await browser?.close();
  killAll();
});

describe('a dashboard with a token (peeps demo, PEEPS_TOKEN set)', () => {
  test('the printed URL is a one-time login URL that does not carry the token', T, () => {
    assert.match(oneTime, /^http:\/\/127\.0\.0\.1:\d+\/login\?code=[0-9a-f]{32}$/);
    assert.ok(!oneTime.includes(token));
  });

  test('without credentials the page is a 401 that says how to get in, and the API too', T, async () => {
    const page = await browser.context.newPage();
    const res = await page.goto(root);
    assert.equal(res.status(), 401);
    const text = await page.textContent('body');
    assert.match(text, /one-time URL/);
    assert.match(text, /Authorization: Bearer <token>/);
    await page.close();
    const api = await fetch(new URL('api/deadlocks', root));
    assert.equal(api.status, 401);
    assert.match((await api.json()).error, /Bearer <token>/);
    const withToken = await fetch(new URL('api/deadlocks', root), { headers: { authorization: `Bearer ${token}` } });
    assert.equal(withToken.status, 200);
    assert.equal((await withToken.json()).deadlocks.length, 1);
  });

  test('the one-time URL logs the browser in: the UI shows the deadlock and follows events', T, async () => {
    // Followed from a page of another site (as from a chat or a web mail):
    // the hardest case for a SameSite=Strict cookie.
    const page = await browser.context.newPage();
    const problems = { errors: [] };
    page.on('pageerror', (e) => problems.errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.errors.push(`console: ${m.text()}`);
    });
    await page.setContent(`<a href="${oneTime}">the dashboard</a>`);
    await page.click('a');
    await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
    // Sent on to the page itself: the code is not left in the address bar.
    assert.equal(page.url(), root);
    const cookies = await browser.context.cookies(root);
    const port = new URL(root).port;
    const session = cookies.find((c) => c.name === `peeps_session_${port}`);
    assert.ok(session, JSON.stringify(cookies));
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.notEqual(session.value, token);
    assert.equal(await page.evaluate(() => document.cookie), '', 'the page script cannot read the cookie');

    await waitFor(async () => /1 deadlock/.test(await page.textContent('[data-testid=headline]')), 'the headline names the deadlock', 30_000);
    const card = page.locator('.finding.deadlock');
    assert.equal(await card.count(), 1);
    const text = await card.textContent();
    for (const name of ['"handle Ring.start"', '"handle Ring.settle"', '"ledger"']) assert.ok(text.includes(name), `${name} in: ${text}`);
    // The event stream (an EventSource on the same origin) is open with the cookie.
    await waitFor(async () => (await page.textContent('#status')).includes('live'), 'the status says live', 30_000);
    // A reload is still logged in.
    const again = await page.reload();
    assert.equal(again.status(), 200);
    await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
    assert.deepEqual(problems.errors, []);
    await page.close();
  });

  test('the one-time code works once', T, async () => {
    const page = await browser.context.newPage();
    const res = await page.goto(oneTime);
    assert.equal(res.status(), 401);
    assert.match(await page.textContent('body'), /already used/);
    await page.close();
  });
});
