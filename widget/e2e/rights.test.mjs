// The Host decides with the rights of the user in the widget token (issue 10): a user outside "who may
// copy" sees the refusal in his language, and an admin saves "who may copy" on the server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, choose, openHarness, screenshot, useBackendAndBrowser } from './support.mjs';

const suite = useBackendAndBrowser();
const ZOYA = 5000008; // the demo's trainee: her group is not in the demo's "who may copy"

for (const [lang, words] of [['ru', 'Администратор не разрешил вам копировать сделки'], ['en', 'Your administrator has not allowed you to copy deals']]) {
  test(`a user outside who may copy sees the refusal in ${lang}, and nothing is copied`, async () => {
    const { page, context, errors } = await openHarness(suite.browser, suite.backend.baseUrl, { lead: '20000001', user: String(ZOYA), lang });
    await page.getByTestId('open-card').click();
    await page.waitForSelector('[data-testid="copy-form"]', { timeout: 30_000 });
    await page.locator('[data-testid="copy-form"] [data-testid="submit"]').click();
    const alert = page.getByTestId('backend-error');
    await alert.waitFor({ timeout: 30_000 });
    const text = await alert.innerText();
    assert.match(text, new RegExp(words), `the refusal in ${lang}: ${text}`);
    assert.doesNotMatch(text, /has not allowed this user/, 'not the server\'s English');
    assert.equal(await page.getByTestId('job-status').count(), 0, 'no job was started');
    // the server refuses the same call made without the widget
    const direct = await api(suite.backend.baseUrl, '/api/v1/copies', { method: 'POST', userId: ZOYA, body: { lead_ids: [20000001], target: { pipeline_id: 7100002 } } });
    assert.equal(direct.status, 403);
    assert.equal(direct.body.code, 'rights.not_allowed');
    await screenshot(page, `rights-refused-${lang}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('an admin saves who may copy in the settings screen; the server keeps it; a manager sees it read-only', async () => {
  const { page, context, errors } = await openHarness(suite.browser, suite.backend.baseUrl, { user: '5000001', lang: 'en' });
  await page.getByTestId('open-settings').click();
  await page.getByTestId('access-save').waitFor({ timeout: 30_000 });
  await choose(page, '[data-testid="allowed-users"]', 'Вера Менеджерова');
  await page.keyboard.press('Escape');
  await page.getByTestId('access-save').click();
  await page.getByTestId('access-saved').waitFor({ timeout: 30_000 });
  await screenshot(page, 'rights-settings-saved');
  const saved = await api(suite.backend.baseUrl, '/api/v1/settings');
  assert.equal(saved.status, 200);
  assert.deepEqual(saved.body.allowed_user_ids, [5000003]);
  assert.deepEqual(saved.body.allowed_group_ids, [0, 1], 'the groups the demo allowed stay');
  assert.deepEqual(errors, []);
  await context.close();

  const manager = await openHarness(suite.browser, suite.backend.baseUrl, { user: '5000002', lang: 'ru' });
  await manager.page.getByTestId('open-settings').click();
  await manager.page.getByTestId('access-read-only').waitFor({ timeout: 30_000 });
  assert.match(await manager.page.getByTestId('access-read-only').innerText(), /только администратор/);
  assert.equal(await manager.page.getByTestId('access-save').count(), 0);
  const refused = await api(suite.backend.baseUrl, '/api/v1/settings', { method: 'PUT', userId: 5000002, body: { allowed_user_ids: [], allowed_group_ids: [] } });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.code, 'settings.admin_only');
  assert.deepEqual(manager.errors, []);
  await manager.context.close();
});

for (const [lang, words] of [['ru', 'может только администратор amoCRM'], ['en', 'Only an amoCRM administrator can set up']]) {
  test(`a manager who opens the Digital Pipeline block is told in ${lang} that only administrators set up rules, and gets no key`, async (t) => {
    if (suite.backend.kind === 'fake' && !process.env.DEALCOPY_E2E_DP_KEY) return t.skip('the fake backend offers no DP rules without DEALCOPY_E2E_DP_KEY');
    const { page, context, errors } = await openHarness(suite.browser, suite.backend.baseUrl, { user: '5000002', lang });
    await page.getByTestId('open-dp').click();
    const alert = page.getByTestId('backend-error');
    await alert.waitFor({ timeout: 30_000 });
    const text = await alert.innerText();
    assert.match(text, new RegExp(words), `the refusal in ${lang}: ${text}`);
    assert.doesNotMatch(text, /is not an administrator of the account/, 'not the server\'s English');
    assert.equal(await page.getByTestId('dp-key-ok').count(), 0, 'no key, no rule form');
    await page.getByTestId('dp-save').click();
    assert.equal(JSON.parse(await page.getByTestId('dp-saved').innerText()).key, '', 'no key went into the trigger');
    const direct = await api(suite.backend.baseUrl, '/api/v1/dp/key', { userId: 5000002 });
    assert.equal(direct.status, 403);
    assert.equal(direct.body.code, 'rights.admin_only');
    assert.equal(direct.body.key, undefined);
    await screenshot(page, `rights-dp-key-refused-${lang}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}
