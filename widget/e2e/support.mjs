// Shared plumbing of the browser tests: the backend (DealCopy.Host in sandbox mode, or the contract
// fake), Debian chromium through playwright-core, the harness page and a few antd helpers.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { startFakeHost } from './fakeHost.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const artifacts = join(here, 'artifacts');
mkdirSync(artifacts, { recursive: true });

/** A free loopback port: bind to 0, read it, close. */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitReady(baseUrl, deadlineMs, exited) {
  const deadline = Date.now() + deadlineMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`DealCopy.Host exited before it was ready: ${exited()}`);
    try {
      const res = await fetch(`${baseUrl}/healthz/ready`);
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (error) {
      last = String(error.cause?.code ?? error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`DealCopy.Host not ready at ${baseUrl} within ${deadlineMs} ms (${last})`);
}

/**
 * Starts the backend the tests talk to. DEALCOPY_E2E_BACKEND=host (default): the real Host, built in
 * Release, with --sandbox on a free port; =fake: the in-memory contract fake (e2e/fakeHost.mjs).
 */
export async function startBackend() {
  if ((process.env.DEALCOPY_E2E_BACKEND ?? 'host') === 'fake') {
    const fake = await startFakeHost({ dpKey: process.env.DEALCOPY_E2E_DP_KEY ?? null });
    return { kind: 'fake', baseUrl: fake.baseUrl, stop: fake.close };
  }
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // Each run gets its own journal: the sandbox is re-seeded on every start, so old jobs would not match it.
  const dataPath = mkdtempSync(join(tmpdir(), 'dealcopy-e2e-'));
  const child = spawn('dotnet', ['run', '--project', join(here, '..', '..', 'src', 'DealCopy.Host'), '-c', 'Release', '--no-build', '--',
    '--sandbox', '--urls', baseUrl, `--Data:Path=${dataPath}`], { cwd: join(here, '..'), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exit = null;
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  child.on('exit', (code, signal) => (exit = `code ${code} signal ${signal}\n${output.slice(-2000)}`));
  const stop = async () => {
    if (exit) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await gone;
    clearTimeout(timer);
    rmSync(dataPath, { recursive: true, force: true });
  };
  try {
    await waitReady(baseUrl, 90_000, () => exit);
  } catch (error) {
    await stop();
    throw error;
  }
  return { kind: 'host', baseUrl, stop };
}

/** Debian chromium only: never a downloaded browser. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
}

/** Opens the harness and waits until it has loaded script.js through RequireJS. */
export async function openHarness(browser, baseUrl, query = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ru-RU' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const params = new URLSearchParams({ lang: 'en', ...query });
  await page.goto(`${baseUrl}/harness/?${params}`);
  await page.waitForSelector('body[data-harness-ready="1"]', { timeout: 30_000 });
  return { page, context, errors };
}

/** Picks an option of the widget's select inside `container` by its visible label. */
export async function choose(page, container, label) {
  await page.locator(`${container} select.dc-select-native`).first().selectOption({ label });
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

/** Calls the API as the widget would (fresh disposable token per request): for assertions. */
export async function api(baseUrl, path, { method = 'GET', body, userId = 5000001 } = {}) {
  const { token } = await (await fetch(`${baseUrl}/sandbox/widget-token?user_id=${userId}`)).json();
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'X-Auth-Token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The job id the screen is showing, read from the network log of the page. */
export function captureJobIds(page) {
  const ids = [];
  page.on('response', async (res) => {
    if (res.request().method() === 'POST' && /\/api\/v1\/copies$/.test(new URL(res.url()).pathname)) {
      try { ids.push((await res.json()).id); } catch { /* not JSON */ }
    }
  });
  return ids;
}

/**
 * CSS selectors on the page that are not scoped to the widget: every rule outside the harness's own
 * stylesheet must name a dc- class, or sit under antd's hashed :where(.css-…) scope (antd elements only).
 */
export async function unscopedSelectors(page) {
  return page.evaluate(() => {
    const out = [];
    const walk = (rules) => {
      for (const rule of rules) {
        if (rule.selectorText) {
          for (const part of rule.selectorText.split(',')) {
            const s = part.trim();
            if (!/\bdc-/.test(s) && !/^:where\(\.css-[\w-]+\)/.test(s)) out.push(s);
          }
        } else if (rule.cssRules) walk(rule.cssRules);
      }
    };
    for (const sheet of document.styleSheets) if (!(sheet.href ?? '').endsWith('harness.css')) walk(sheet.cssRules);
    return [...new Set(out)];
  });
}

/** One backend and one browser for a test file: started before its tests, stopped after them. */
export function useBackendAndBrowser() {
  const suite = {};
  before(async () => {
    suite.backend = await startBackend();
    suite.browser = await launchBrowser();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.backend?.stop();
  });
  return suite;
}
