// Select 50 deals in the list, copy them, watch the progress, read the per-deal report, undo.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, captureJobIds, openHarness, screenshot, useBackendAndBrowser } from './support.mjs';

const suite = useBackendAndBrowser();

test('mass-copies 50 selected deals with visible progress and a final report', async () => {
  const { page, context, errors } = await openHarness(suite.browser, suite.backend.baseUrl, { leads: '20000101-20000150' });
  const jobIds = captureJobIds(page);
  await page.getByTestId('open-list').click();
  await page.getByTestId('check-all').check();
  await page.getByTestId('mass-action').click();
  await page.waitForSelector('[data-testid="mass-form"]', { timeout: 20_000 });
  assert.match(await page.getByTestId('selected-count').innerText(), /50/);
  await screenshot(page, 'mass-form');

  // Record every state the report shows, so the test knows progress was visible while the job ran.
  await page.evaluate(() => {
    window.__seen = [];
    new MutationObserver(() => {
      const report = document.querySelector('[data-testid="job-report"]');
      if (report) window.__seen.push(`${report.getAttribute('data-status')}|${document.querySelector('[data-testid="job-progress-text"]')?.textContent}`);
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.locator('[data-testid="mass-form"] [data-testid="submit"]').click();
  await page.getByTestId('job-progress').waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId('job-progress-text').innerText(), /of 50/);
  await screenshot(page, 'mass-progress');

  await page.locator('[data-testid="job-report"][data-status="completed"]').waitFor({ timeout: 120_000 });
  assert.equal(await page.locator('[data-testid="job-row"]').count(), 50);
  assert.equal(await page.locator('[data-testid="copy-link"]').count(), 50);
  assert.match(await page.getByTestId('job-progress-text').innerText(), /50 of 50/);
  await screenshot(page, 'mass-report');
  const seen = await page.evaluate(() => window.__seen);
  assert.ok(seen.some((s) => /^(accepted|running)\|/.test(s)), `progress shown while running: ${[...new Set(seen)].join(', ')}`);

  const status = await api(suite.backend.baseUrl, `/api/v1/copies/${jobIds[0]}`);
  assert.equal(status.body.total, 50);
  assert.equal(status.body.done, 50);
  assert.deepEqual(status.body.deals.map((d) => d.source_id).sort(), Array.from({ length: 50 }, (_, i) => 20000101 + i));

  await page.getByTestId('undo').click();
  await page.getByTestId('undo-summary').waitFor({ timeout: 120_000 });
  assert.match(await page.getByTestId('undo-summary').innerText(), /50 copies closed/);
  await screenshot(page, 'mass-undone');
  assert.deepEqual(errors, []);
  await context.close();
});
