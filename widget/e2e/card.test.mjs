// Copy one deal from its card into another pipeline, see the new deal, undo it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, captureJobIds, choose, unscopedSelectors, openHarness, screenshot, useBackendAndBrowser } from './support.mjs';

const suite = useBackendAndBrowser();

test('copies one deal into another pipeline from the card and undoes it', async () => {
  const { page, context, errors } = await openHarness(suite.browser, suite.backend.baseUrl, { lead: '20000001' });
  const jobIds = captureJobIds(page);
  await page.getByTestId('open-card').click();
  await page.waitForSelector('[data-testid="copy-form"]', { timeout: 20_000 });
  await screenshot(page, 'card-form');

  await choose(page, '[data-testid="target-pipeline"]', 'Повторные продажи');
  await page.locator('[data-testid="name-template"] input').fill('{name} (copy {n})');
  // Nothing the widget (or antd's CSS-in-JS) injected may style amoCRM's page.
  assert.deepEqual(await unscopedSelectors(page), []);
  await page.locator('[data-testid="copy-form"] [data-testid="submit"]').click();

  const link = page.locator('[data-testid="copy-link"]').first();
  await link.waitFor({ timeout: 30_000 });
  await page.locator('[data-testid="job-report"][data-status="completed"], [data-testid="job-report"][data-status="completed_with_errors"]').waitFor({ timeout: 30_000 });
  await screenshot(page, 'card-result');
  const newLeadId = Number(await link.getAttribute('data-lead-id'));
  assert.ok(newLeadId > 0, 'the result links to the new deal');
  assert.match(await link.getAttribute('href'), new RegExp(`/leads/detail/${newLeadId}$`));

  // The backend agrees: the job copied deal 20000001 into that new deal.
  assert.equal(jobIds.length, 1);
  const status = await api(suite.backend.baseUrl, `/api/v1/copies/${jobIds[0]}`);
  assert.equal(status.status, 200);
  const deal = status.body.deals.find((d) => d.source_id === 20000001);
  assert.equal(deal.status, 'done');
  assert.deepEqual(deal.copies.map((c) => c.lead_id), [newLeadId]);

  await page.getByTestId('undo').click();
  await page.getByTestId('undo-summary').waitFor({ timeout: 30_000 });
  await screenshot(page, 'card-undone');
  const undone = await api(suite.backend.baseUrl, `/api/v1/copies/${jobIds[0]}`);
  assert.equal(undone.body.status, 'undone');
  assert.ok(undone.body.undo.closed.includes(newLeadId));
  assert.deepEqual(errors, []);
  await context.close();
});
