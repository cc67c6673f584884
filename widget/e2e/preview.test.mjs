// Preview → copy → history → undo, once in Russian from the card and once in English from the list: what the
// preview says is what the copy does (checked in the sandbox itself), and no English sentence shows in Russian.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, captureJobIds, choose, openHarness, screenshot, useBackendAndBrowser } from './support.mjs';

const suite = useBackendAndBrowser();
const skipFake = process.env.DEALCOPY_E2E_BACKEND === 'fake' && 'reads the sandbox of the real Host';

/** The lead as the amoCRM sandbox holds it (its control API's dump of the demo account). */
async function sandboxLead(baseUrl, id) {
  const info = await (await fetch(`${baseUrl}/sandbox/info`)).json();
  const dump = await (await fetch(new URL(`_sandbox/accounts/${info.account_id}/dump`, info.sandbox))).json();
  return dump.leads.find((l) => l.id === id);
}

/** Two English words in a row: a sentence that was not translated (amoCRM, ids and names of one word pass). */
const englishSentence = /\b[A-Za-z]{2,}[\s,:]+[A-Za-z]{3,}\b/;

/** Finds the run in the History tab, opens it, undoes it; returns once the undo is reported. */
async function undoFromHistory(page, jobId, undoneLabel) {
  await page.getByTestId('tab-history').click();
  const row = page.locator(`[data-testid="history-row"][data-job-id="${jobId}"]`);
  await row.waitFor({ timeout: 20_000 });
  await row.getByTestId('history-open').click();
  await page.locator('[data-testid="history"] [data-testid="copy-link"]').first().waitFor({ timeout: 20_000 });
  await page.locator('[data-testid="history"] [data-testid="undo"]').click();
  await page.locator('[data-testid="history"] [data-testid="undo-summary"]').waitFor({ timeout: 30_000 });
  await page.getByTestId('history-back').click();
  await row.locator(`text=${undoneLabel}`).waitFor({ timeout: 20_000 });
  return row;
}

test('ru, card: the preview explains in Russian what the copy will do; the copy does it; history; undo', { skip: skipFake }, async () => {
  const { page, context, errors } = await openHarness(suite.browser, suite.backend.baseUrl, { lead: '20000001', lang: 'ru' });
  const jobIds = captureJobIds(page);
  await page.getByTestId('open-card').click();
  await page.waitForSelector('[data-testid="copy-form"]', { timeout: 20_000 });
  await choose(page, '[data-testid="target-pipeline"]', 'Повторные продажи');
  await page.getByTestId('preview-button').click();
  const preview = page.getByTestId('preview');
  await preview.waitFor({ timeout: 20_000 });
  assert.equal(jobIds.length, 0, 'the preview started no copy');

  assert.equal(await page.getByTestId('preview-summary').innerText(), 'Будет создано копий: 1 (исходных сделок: 1)');
  assert.match(await page.getByTestId('preview-targets').innerText(), /^Повторные продажи → .+: 1$/);
  assert.match(await page.getByTestId('preview-skipped').innerText(), /^Не будет скопировано полей: [1-9]\d*$/);
  assert.match(await page.getByTestId('preview-skipped-codes').innerText(), /вычисляемое поле \(формула\): его считает amoCRM: 1/);
  assert.match(await page.getByTestId('preview-requests').innerText(), /^Примерно \d+ запрос(а|ов)? к amoCRM: не меньше \d+ с при 7 запросах в секунду\.$/);
  await page.getByTestId('preview-details-toggle').click();
  const deal = page.locator('[data-testid="preview-deal"][data-source-id="20000001"]');
  await deal.locator('summary').click();
  const copyLine = await deal.getByTestId('preview-copy').innerText();
  const name = /«(.+)»/.exec(copyLine)?.[1];
  assert.ok(name, copyLine);
  assert.match(copyLine, /^Копия 1 «.+» → Повторные продажи \/ .+, ответственный: .+$/);
  assert.match(await deal.innerText(), /\(основной\)/);
  const widgetText = await page.locator('.dc-widget').first().innerText();
  assert.doesNotMatch(widgetText, englishSentence, 'no English sentence in the Russian interface');
  await screenshot(page, 'preview-card-ru');

  await page.getByTestId('confirm-copy').click();
  await page.locator('[data-testid="job-report"][data-status="completed"]').waitFor({ timeout: 30_000 });
  const newLeadId = Number(await page.locator('[data-testid="copy-link"]').first().getAttribute('data-lead-id'));
  const made = await sandboxLead(suite.backend.baseUrl, newLeadId);
  assert.equal(made.name, name, 'the copy got the name the preview showed');
  await screenshot(page, 'preview-card-copied-ru');
  await page.getByTestId('start-over').click();

  await undoFromHistory(page, jobIds[0], 'Отменено');
  assert.equal((await sandboxLead(suite.backend.baseUrl, newLeadId)).status_id, 143);
  assert.doesNotMatch(await page.locator('.dc-widget').first().innerText(), englishSentence);
  await screenshot(page, 'preview-card-undone-ru');
  assert.deepEqual(errors, []);
  await context.close();
});

test('en, list: the preview of three deals, then the copy, history and undo', { skip: skipFake }, async () => {
  const { page, context, errors } = await openHarness(suite.browser, suite.backend.baseUrl, { leads: '20000201-20000203', lang: 'en' });
  const jobIds = captureJobIds(page);
  await page.getByTestId('open-list').click();
  await page.getByTestId('check-all').check();
  await page.getByTestId('mass-action').click();
  await page.waitForSelector('[data-testid="mass-form"]', { timeout: 20_000 });
  await choose(page, '[data-testid="target-pipeline"]', 'Повторные продажи');
  await page.getByTestId('preview-button').click();
  await page.getByTestId('preview').waitFor({ timeout: 20_000 });

  assert.equal(await page.getByTestId('preview-summary').innerText(), 'Copies to create: 3 (source deals: 3)');
  // a deal already in that pipeline keeps its stage, the others start in the first one: three copies in all
  const targets = (await page.getByTestId('preview-targets').innerText()).split('\n');
  assert.ok(targets.every((t) => /^Повторные продажи → .+: \d+$/.test(t)), targets.join(' | '));
  assert.equal(targets.reduce((sum, t) => sum + Number(/: (\d+)$/.exec(t)[1]), 0), 3);
  assert.match(await page.getByTestId('preview-requests').innerText(), /^About \d+ amoCRM requests?: at least \d+ s at 7 requests per second\.$/);
  await page.getByTestId('preview-details-toggle').click();
  assert.equal(await page.getByTestId('preview-deal').count(), 3);
  assert.equal(await page.locator('[data-testid="preview"] details[open]').count(), 0, 'details stay collapsed until asked');
  assert.equal(await page.getByTestId('preview-shown').innerText(), 'Shown 3 of 3');
  const first = page.getByTestId('preview-deal').first();
  await first.locator('summary').click();
  assert.match(await first.getByTestId('preview-copy').innerText(), /^Copy 1 “.+” → Повторные продажи \/ .+, responsible: .+$/);
  await screenshot(page, 'preview-list-en');

  await page.getByTestId('confirm-copy').click();
  await page.locator('[data-testid="job-report"][data-status="completed"]').waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('[data-testid="copy-link"]').count(), 3);
  await screenshot(page, 'preview-list-copied-en');

  const row = await undoFromHistory(page, jobIds[0], 'Undone');
  assert.match(await row.innerText(), /3 deals → 3 copies/);
  const job = await api(suite.backend.baseUrl, `/api/v1/copies/${jobIds[0]}`);
  assert.equal(job.body.status, 'undone');
  await screenshot(page, 'preview-list-undone-en');
  assert.deepEqual(errors, []);
  await context.close();
});

test('ru and en, settings and Digital Pipeline rule: the options tried on a deal show its preview; nothing is copied', { skip: skipFake }, async () => {
  for (const [area, lang, heading, shot] of [['open-settings', 'ru', 'Проверить на сделке', 'preview-settings-ru'], ['open-dp', 'en', 'Try on a deal', 'preview-dp-en']]) {
    const { page, context, errors } = await openHarness(suite.browser, suite.backend.baseUrl, { lang });
    await page.getByTestId(area).click();
    const tryIt = page.getByTestId('try-on-deal');
    await tryIt.waitFor({ timeout: 20_000 });
    assert.match(await tryIt.innerText(), new RegExp(heading));
    const before = (await api(suite.backend.baseUrl, '/api/v1/copies', { userId: 5000001 })).body.total;
    await tryIt.locator('input').fill('20000001');
    await tryIt.getByTestId('try-preview').click();
    const summary = tryIt.getByTestId('preview-summary');
    await summary.waitFor({ timeout: 20_000 });
    assert.match(await summary.innerText(), lang === 'ru' ? /Будет создано копий: \d+/ : /Copies to create: \d+/);
    if (lang === 'ru') assert.doesNotMatch(await tryIt.innerText(), englishSentence);
    await screenshot(page, shot);
    // a dry run: no job was started
    assert.equal((await api(suite.backend.baseUrl, '/api/v1/copies', { userId: 5000001 })).body.total, before);
    assert.deepEqual(errors, []);
    await context.close();
  }
});
