// What the user sees when things go wrong: a refused request, an unreachable backend, damaged settings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choose, freePort, openHarness, screenshot, useBackendAndBrowser } from './support.mjs';

const suite = useBackendAndBrowser();

test('a refused copy shows the problem title, detail and field errors', async () => {
  const { page, context } = await openHarness(suite.browser, suite.backend.baseUrl, { lead: '29999999' });
  await page.getByTestId('open-card').click();
  await page.waitForSelector('[data-testid="copy-form"]', { timeout: 20_000 });
  await page.locator('[data-testid="copy-form"] [data-testid="submit"]').click();
  const alert = page.getByTestId('backend-error');
  await alert.waitFor({ timeout: 20_000 });
  const text = await alert.innerText();
  assert.match(text, /lead_ids/, 'the field the backend named');
  assert.match(text, /29999999|not found|exist/i, 'what is wrong with it');
  assert.equal(await page.getByTestId('retry').count(), 0, 'a refusal is not retried as is');
  await screenshot(page, 'error-problem');
  await context.close();
});

test('the same refusal reads in Russian, worded from its code', async () => {
  const { page, context } = await openHarness(suite.browser, suite.backend.baseUrl, { lead: '29999999', lang: 'ru' });
  await page.getByTestId('open-card').click();
  await page.waitForSelector('[data-testid="copy-form"]', { timeout: 20_000 });
  await page.locator('[data-testid="copy-form"] [data-testid="submit"]').click();
  const alert = page.getByTestId('backend-error');
  await alert.waitFor({ timeout: 20_000 });
  const text = await alert.innerText();
  assert.match(text, /Некоторых сделок не существует\./);
  assert.match(text, /lead_ids\[0\]: Сделка 29999999 не существует или удалена\./);
  assert.doesNotMatch(text, /not found|does not exist|Some/, 'no English sentence in the Russian interface');
  await screenshot(page, 'error-problem-ru');
  await context.close();
});

test('an unreachable backend shows a clear message with Retry', async () => {
  const dead = await freePort();
  const { page, context, errors } = await openHarness(suite.browser, suite.backend.baseUrl, { lead: '20000001', api: `http://127.0.0.1:${dead}` });
  await page.getByTestId('open-card').click();
  const alert = page.getByTestId('backend-error');
  await alert.waitFor({ timeout: 30_000 });
  assert.match(await alert.innerText(), /cannot be reached/);
  await page.getByTestId('retry').click();
  await page.getByTestId('backend-error').waitFor({ timeout: 30_000 });
  await screenshot(page, 'error-unreachable');
  assert.deepEqual(errors, []);
  await context.close();
});

test('damaged saved settings show a message and the defaults, and Save writes valid settings', async () => {
  const { page, context, errors } = await openHarness(suite.browser, suite.backend.baseUrl, { settings: '{"v":1,"allowed_user_ids":' });
  await page.getByTestId('open-settings').click();
  await page.getByTestId('settings-malformed').waitFor({ timeout: 20_000 });
  await page.getByTestId('allowed-users').waitFor({ timeout: 20_000 });
  await screenshot(page, 'settings');
  await page.locator('[data-testid="copies"] input').fill('3');
  await page.getByTestId('settings-save').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="saved-settings"]').textContent.length > 0);
  const saved = JSON.parse(await page.getByTestId('saved-settings').innerText());
  assert.equal(saved.v, 1);
  assert.equal(saved.defaults.copies, 3);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the DP block fills key and rule, or says the backend has no DP rules yet', async () => {
  const { page, context, errors } = await openHarness(suite.browser, suite.backend.baseUrl);
  await page.getByTestId('open-dp').click();
  const outcome = await Promise.race([
    page.getByTestId('dp-unsupported').waitFor({ timeout: 20_000 }).then(() => 'unsupported'),
    page.getByTestId('dp-key-ok').waitFor({ timeout: 20_000 }).then(() => 'ok'),
  ]);
  await screenshot(page, 'dp');
  if (outcome === 'unsupported') {
    assert.match(await page.getByTestId('dp-unsupported').innerText(), /does not support DP rules yet/);
  } else {
    await choose(page, '[data-testid="target-pipeline"]', 'Повторные продажи');
    await page.locator('[data-testid="dp-delay"] .dc-ant-input-number input').fill('30');
    await choose(page, '[data-testid="dp-delay-unit"]', 'days');
    await page.getByTestId('dp-save').click();
    const saved = JSON.parse(await page.getByTestId('dp-saved').innerText());
    assert.ok(saved.key.length > 0);
    const rule = JSON.parse(saved.rule);
    assert.equal(rule.v, 1);
    assert.equal(rule.delay_minutes, 30 * 24 * 60);
    if (suite.backend.kind === 'host') {
      // The backend takes the rule exactly as the widget wrote it: amoCRM's DP hook with these settings is accepted.
      const form = new URLSearchParams({
        'event[type]': '14', 'event[type_code]': 'lead_status_changed', 'event[data][id]': '20000001',
        'event[data][element_type]': '2', 'event[data][pipeline_id]': '7100001', 'event[data][status_id]': '61000002',
        'event[time]': String(Math.floor(Date.now() / 1000)),
        'action[settings][widget][settings][key]': saved.key, 'action[settings][widget][settings][rule]': saved.rule,
        subdomain: 'dealcopy-demo', account_id: '31000001',
      });
      const res = await fetch(`${suite.backend.baseUrl}/hooks/dp`, { method: 'POST', body: form });
      const answer = await res.json();
      assert.equal(res.status, 200, JSON.stringify(answer));
      assert.match(answer.status, /^(accepted|duplicate)$/);
    }
  }
  assert.deepEqual(errors, []);
  await context.close();
});
