import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import type { Component } from 'vue';
import BackendErrorAlert from '../../src/presentation/components/BackendErrorAlert.vue';
import CardCopyScreen from '../../src/presentation/components/CardCopyScreen.vue';
import DpRuleScreen from '../../src/presentation/components/DpRuleScreen.vue';
import JobReport from '../../src/presentation/components/JobReport.vue';
import MassCopyScreen from '../../src/presentation/components/MassCopyScreen.vue';
import SettingsScreen from '../../src/presentation/components/SettingsScreen.vue';
import { useSettingsStore } from '../../src/app/stores/settings';
import { useDpRuleStore } from '../../src/app/stores/dpRule';
import type { BackendError } from '../../src/infrastructure/types';
import { defaultSettings } from '../../src/infrastructure/validators';
import { access as accessFixture, fail, fakeApi, job, meta, useFakeDeps } from './fakes';
import { useAccessStore } from '../../src/app/stores/access';

function mountScreen(component: Component, props: Record<string, unknown> = {}, prepare?: (pinia: ReturnType<typeof createPinia>) => void) {
  const pinia = createPinia();
  const wrapper = mount(component, { props, global: { plugins: [pinia] }, attachTo: document.body });
  prepare?.(pinia);
  return wrapper;
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('card copy screen', () => {
  it('copies the deal and shows links to the new deals, then undoes', async () => {
    const undone = job({ status: 'undone', undo: { status: 'done', closed: [20000305], notUndone: [] } });
    const { api, calls } = fakeApi({ getJob: [job(), undone] });
    useFakeDeps(api, { settings: { ...defaultSettings(), defaults: { ...defaultSettings().defaults, targetPipelineId: 7100002 } } });
    const w = mountScreen(CardCopyScreen, { leadId: 20000001 });
    await vi.waitFor(() => expect(w.find('[data-testid="copy-form"]').exists()).toBe(true));
    expect(w.find('.dc-widget').exists()).toBe(true);
    await w.find('[data-testid="copy-form"]').trigger('submit');
    await vi.waitFor(() => expect(w.find('[data-testid="copy-link"]').exists()).toBe(true));
    expect(w.find('[data-testid="copy-link"]').attributes('href')).toBe('https://x/leads/detail/20000305');
    expect(calls.find((c) => c.method === 'startCopy')!.args[1]).toMatchObject({ targetPipelineId: 7100002 });
    await vi.waitFor(() => expect(w.find('[data-testid="undo"]').exists()).toBe(true));
    await w.find('[data-testid="undo"]').trigger('click');
    await vi.waitFor(() => expect(w.find('[data-testid="undo-summary"]').exists()).toBe(true));
    expect(w.find('[data-testid="undo-summary"]').text()).toContain('1 copies closed');
    w.unmount();
  });

  it('shows the unreachable backend with a Retry that works', async () => {
    const { api } = fakeApi({ getMeta: [fail({ kind: 'unreachable' }), meta] });
    useFakeDeps(api);
    const w = mountScreen(CardCopyScreen, { leadId: 20000001 });
    await vi.waitFor(() => expect(w.find('[data-testid="backend-error"]').exists()).toBe(true));
    expect(w.text()).toContain('cannot be reached');
    await w.find('[data-testid="retry"]').trigger('click');
    await vi.waitFor(() => expect(w.find('[data-testid="copy-form"]').exists()).toBe(true));
    w.unmount();
  });

  it.each([
    ['a user who may not copy', { leadId: 1 }, { allowed: [42] }, 'not-allowed'],
    ['a new unsaved deal', { leadId: null }, { allowed: [] }, 'no-card'],
  ])('explains %s instead of a form', async (_n, props, opts, testid) => {
    useFakeDeps(fakeApi().api, { settings: { ...defaultSettings(), allowedUserIds: opts.allowed } });
    const w = mountScreen(CardCopyScreen, props);
    await flushPromises();
    expect(w.find(`[data-testid="${testid}"]`).exists()).toBe(true);
    expect(w.find('[data-testid="copy-form"]').exists()).toBe(false);
    w.unmount();
  });

  it('shows a refusal with its title, detail and field errors', async () => {
    const problem = fail({ kind: 'problem', status: 422, title: 'Validation failed', detail: 'Stage is archived', fieldErrors: { 'target.status_id': ['unknown stage'] } });
    useFakeDeps(fakeApi({ startCopy: [problem] }).api, { settings: { ...defaultSettings(), defaults: { ...defaultSettings().defaults, targetPipelineId: 7100002 } } });
    const w = mountScreen(CardCopyScreen, { leadId: 20000001 });
    await vi.waitFor(() => expect(w.find('[data-testid="copy-form"]').exists()).toBe(true));
    await w.find('[data-testid="copy-form"]').trigger('submit');
    await vi.waitFor(() => expect(w.find('[data-testid="backend-error"]').exists()).toBe(true));
    const text = w.find('[data-testid="backend-error"]').text();
    expect(text).toContain('Validation failed');
    expect(text).toContain('Stage is archived');
    expect(text).toContain('target.status_id');
    expect(w.find('[data-testid="retry"]').exists()).toBe(false);
    w.unmount();
  });
});

describe('mass copy screen', () => {
  it('copies every selected deal and reports each one', async () => {
    const deals = [1, 2, 3].map((id) => ({ sourceId: id, status: 'done' as const, copies: [{ n: 1, leadId: 100 + id, url: `https://x/${100 + id}` }], skippedFields: [], problems: [] }));
    const { api, calls } = fakeApi({ getJob: [job({ status: 'running', total: 3, done: 1, deals: [] }), job({ total: 3, done: 3, deals })] });
    useFakeDeps(api);
    const w = mountScreen(MassCopyScreen, { leadIds: [1, 2, 3] });
    expect(w.find('[data-testid="selected-count"]').text()).toContain('3');
    await vi.waitFor(() => expect(w.find('[data-testid="mass-form"]').exists()).toBe(true));
    await w.find('[data-testid="mass-form"]').trigger('submit');
    await vi.waitFor(() => expect(w.findAll('[data-testid="job-row"]')).toHaveLength(3));
    expect(calls.find((c) => c.method === 'startCopy')!.args[0]).toEqual([1, 2, 3]);
    expect(w.find('[data-testid="job-progress-text"]').text()).toContain('3 of 3');
    expect(w.find('[data-testid="undo"]').exists()).toBe(true);
    w.unmount();
  });

  it('asks to tick deals when nothing is selected', async () => {
    useFakeDeps(fakeApi().api);
    const w = mountScreen(MassCopyScreen, { leadIds: [] });
    expect(w.find('[data-testid="no-selection"]').exists()).toBe(true);
    w.unmount();
  });
});

describe('settings screen', () => {
  it('shows a message for damaged saved settings instead of a blank panel', async () => {
    useFakeDeps(fakeApi().api);
    const pinia = createPinia();
    const store = useSettingsStore(pinia);
    store.load('{"v":1,"allowed_user_ids":"everyone"');
    const w = mount(SettingsScreen, { global: { plugins: [pinia] } });
    await vi.waitFor(() => expect(w.find('[data-testid="allowed-users"]').exists()).toBe(true));
    expect(w.find('[data-testid="settings-malformed"]').text()).toContain('damaged');
    expect(w.find('[data-testid="name-template"]').exists()).toBe(true);
    w.unmount();
  });

  it('hands every change to amoCRM as the settings JSON', async () => {
    useFakeDeps(fakeApi().api);
    const pinia = createPinia();
    const w = mount(SettingsScreen, { global: { plugins: [pinia] } });
    await vi.waitFor(() => expect(w.find('[data-testid="allowed-users"]').exists()).toBe(true));
    useSettingsStore(pinia).settings.defaults.copies = 4;
    await flushPromises();
    const emitted = w.emitted('change') as string[][];
    expect(JSON.parse(emitted.at(-1)![0]!).defaults.copies).toBe(4);
    w.unmount();
  });

  it('saves who may copy (users and groups) through the server', async () => {
    const { api, calls } = fakeApi();
    useFakeDeps(api);
    const pinia = createPinia();
    const w = mount(SettingsScreen, { global: { plugins: [pinia] } });
    await vi.waitFor(() => expect(w.find('[data-testid="access-save"]').exists()).toBe(true));
    expect(w.find('[data-testid="allowed-groups"]').exists()).toBe(true);
    const access = useAccessStore(pinia);
    access.userIds = [5000003];
    access.groupIds = [1];
    await w.find('[data-testid="access-save"]').trigger('click');
    await vi.waitFor(() => expect(w.find('[data-testid="access-saved"]').exists()).toBe(true));
    expect(calls.find((c) => c.method === 'saveAccess')!.args).toEqual([[5000003], [1]]);
    w.unmount();
  });

  it('shows who may copy read-only to a user who is not an admin', async () => {
    useFakeDeps(fakeApi({ getAccess: [{ ...accessFixture, userIds: [5000002], mayEdit: false }] }).api, { lang: 'ru' });
    const w = mount(SettingsScreen, { global: { plugins: [createPinia()] } });
    await vi.waitFor(() => expect(w.find('[data-testid="access-read-only"]').exists()).toBe(true));
    expect(w.find('[data-testid="access-read-only"]').text()).toContain('только администратор');
    expect(w.find('[data-testid="access-save"]').exists()).toBe(false);
    w.unmount();
  });
});

describe('DP rule screen', () => {
  it('says clearly when the backend has no DP rules yet', async () => {
    useFakeDeps(fakeApi({ getDpKey: [null] }).api);
    const w = mountScreen(DpRuleScreen);
    await vi.waitFor(() => expect(w.find('[data-testid="dp-unsupported"]').exists()).toBe(true));
    expect(w.text()).toContain('does not support DP rules yet');
    w.unmount();
  });

  it.each<['ru' | 'en', RegExp]>([
    ['ru', /только администратор amoCRM/],
    ['en', /Only an amoCRM administrator can set up/],
  ])('tells a user who is not an admin, in %s, that only administrators set up DP rules', async (lang, words) => {
    const refusal = fail({
      kind: 'problem', status: 403, title: 'Only administrators may set up Digital Pipeline rules', detail: 'Only an amoCRM administrator of the account may read the Digital Pipeline key', fieldErrors: {},
      code: 'rights.admin_only', params: {}, refusals: [{ field: '', code: 'rights.admin_only', params: { user_id: '5000002' }, message: 'user 5000002 is not an administrator of the account' }],
    });
    useFakeDeps(fakeApi({ getDpKey: [refusal] }).api, { lang });
    const w = mountScreen(DpRuleScreen);
    await vi.waitFor(() => expect(w.find('[data-testid="backend-error"]').exists()).toBe(true));
    const text = w.find('[data-testid="backend-error"]').text();
    expect(text).toMatch(words);
    expect(text).not.toContain('is not an administrator of the account'); // the service's English stays out
    expect(w.find('[data-testid="retry"]').exists()).toBe(false); // asking again would not change the answer
    expect(w.find('[data-testid="dp-key-ok"]').exists()).toBe(false);
    const emitted = (w.emitted('change') ?? []) as { key: string }[][];
    expect(emitted.every(([fields]) => fields!.key === '')).toBe(true); // no key goes into the trigger's fields
    w.unmount();
  });

  it('shows a saved delay in the largest unit that divides it', async () => {
    useFakeDeps(fakeApi().api);
    const pinia = createPinia();
    const dp = useDpRuleStore(pinia);
    dp.load(JSON.stringify({ ...JSON.parse(dp.fields.rule), delay_minutes: 43200 }), 'k', 7100001);
    expect(dp.malformed).toBe(false);
    const w2 = mount(DpRuleScreen, { global: { plugins: [pinia] } });
    await vi.waitFor(() => expect(w2.find('[data-testid="dp-delay"] input').exists()).toBe(true));
    expect((w2.find('[data-testid="dp-delay"] input').element as HTMLInputElement).value).toBe('30');
    expect(w2.find('[data-testid="dp-delay-unit"]').text()).toContain('days');
    w2.unmount();
  });

  it('fills the DP fields with the key and the rule', async () => {
    useFakeDeps(fakeApi().api);
    const w = mountScreen(DpRuleScreen);
    await vi.waitFor(() => expect(w.emitted('change')).toBeTruthy());
    const fields = (w.emitted('change') as { key: string; rule: string }[][]).at(-1)![0]!;
    expect(fields.key).toBe('dp-key-123');
    expect(JSON.parse(fields.rule)).toMatchObject({ v: 1, target: { pipeline_id: 7100001 }, delay_minutes: 0 });
    expect(w.find('[data-testid="dp-delay"]').exists()).toBe(true);
    w.unmount();
  });
});

describe('backend error alert', () => {
  it.each<[string, BackendError, string[], boolean]>([
    ['unreachable', { kind: 'unreachable' }, ['cannot be reached'], true],
    ['problem', { kind: 'problem', status: 404, title: 'Deals not found', detail: '2 deals do not exist', fieldErrors: { 'lead_ids[1]': ['not found'] } },
      ['Deals not found', '2 deals do not exist', 'lead_ids[1]', 'not found'], false],
    ['unexpected', { kind: 'unexpected', status: 502 }, ['status 502'], true],
    ['service unavailable', { kind: 'problem', status: 503, title: 'Try again shortly', fieldErrors: {} }, ['Try again shortly'], true],
    ['invalid response', { kind: 'invalid_response', issues: 'x' }, ['does not understand'], true],
  ])('%s', (_n, error, texts, retry) => {
    useFakeDeps(fakeApi().api);
    const w = mount(BackendErrorAlert, { props: { error, retry: () => {} } });
    for (const text of texts) expect(w.text()).toContain(text);
    expect(w.find('[data-testid="retry"]').exists()).toBe(retry);
  });

  it.each<['ru' | 'en', string]>([
    ['en', 'Your administrator has not allowed you to copy deals'],
    ['ru', 'Администратор не разрешил вам копировать сделки'],
  ])('words a rights refusal by its code in %s, not in the server\'s English', (lang, words) => {
    useFakeDeps(fakeApi().api, { lang });
    const error: BackendError = { kind: 'problem', status: 403, title: 'You may not copy deals', detail: 'The account\'s administrator has not allowed this user', fieldErrors: {},
      code: 'rights.not_allowed', params: {}, refusals: [{ field: '', code: 'rights.not_allowed', params: { user_id: '5000008' }, message: 'not in who may copy' }] };
    const w = mount(BackendErrorAlert, { props: { error } });
    expect(w.text()).toContain(words);
    expect(w.text()).not.toContain('has not allowed this user');
  });

  it('words each refusal with its parameters and keeps the server text for codes it has no words for', () => {
    useFakeDeps(fakeApi().api, { lang: 'ru' });
    const error: BackendError = { kind: 'problem', status: 403, title: 'You may not change these deals', fieldErrors: {}, code: 'rights.edit_denied', params: {},
      refusals: [{ field: 'lead_ids[0]', code: 'rights.edit_denied', params: { lead_id: '20000001' }, message: 'x' }, { field: 'lead_ids[1]', code: 'some.new_code', params: {}, message: 'server words' }] };
    const text = mount(BackendErrorAlert, { props: { error } }).text();
    expect(text).toContain('изменять сделку 20000001');
    expect(text).toContain('server words');
  });
});

describe('job report', () => {
  it.each([
    ['en', 'amoCRM is slow, still working (tried again 4 times).', 'waiting 3 s'],
    ['ru', 'amoCRM отвечает медленно, работа продолжается (повторов: 4).', 'ждём 3 с'],
  ] as const)('says amoCRM is slow but the copy goes on (%s)', (lang, notice, reason) => {
    useFakeDeps(fakeApi().api, { lang });
    const running = job({ status: 'running', total: 10, done: 4, retries: 4, lastError: { code: 'amo.rate_limited', params: { retry_after: '3' }, message: '429' } });
    const w = mountScreen(JobReport, { job: running, progress: 40 });
    expect(w.find('[data-testid="job-slow"]').text()).toContain(notice);
    expect(w.find('[data-testid="job-slow"]').text()).toContain(reason);
    expect(w.find('[data-testid="job-waiting"]').exists()).toBe(false);
    w.unmount();
  });

  it('says a job waits for the account, and why, instead of looking stuck', () => {
    useFakeDeps(fakeApi().api);
    const parked = job({ status: 'waiting_for_account', total: 10, done: 4, retries: 9, lastError: { code: 'account.blocked', params: {}, message: '403' } });
    const w = mountScreen(JobReport, { job: parked, progress: 40 });
    expect(w.find('[data-testid="job-status"]').text()).toBe('Waiting for the amoCRM account');
    expect(w.find('[data-testid="job-waiting"]').text()).toContain('resumes by itself');
    expect(w.find('[data-testid="job-waiting"]').text()).toContain('blocked the account');
    expect(w.find('[data-testid="job-slow"]').exists()).toBe(false);
    w.unmount();
  });

  it.each([
    ['en', 'copy 1: the source deal no longer exists', 'original: left as it was: no copy was created',
      'loop guard: the deal is itself a repeat deal 1 level(s) deep (the limit is 1)', 'Deal 20000305 not undone: amoCRM refused to close the copy: closed'],
    ['ru', 'копия 1: исходной сделки больше нет', 'оригинал: оставлена как была: копия не создана',
      'защита от зацикливания: сделка сама повторная, уровень 1 (предел 1)', 'Сделка 20000305 не отменена: amoCRM отказал в закрытии копии: closed'],
  ] as const)('words every problem of the report by its code (%s)', (lang, copyLine, originalLine, reasonLine, undoLine) => {
    useFakeDeps(fakeApi().api, { lang });
    const j = job({
      status: 'undone', reason: 'loop guard: …', reasonCode: 'repeat.loop_guard', reasonParams: { depth: '1', max_depth: '1' },
      deals: [{ sourceId: 20000001, status: 'failed', copies: [], skippedFields: [], problems: [
        { copy: 1, code: 'copy.source_gone', params: { lead_id: '20000001' }, message: 'the source deal no longer exists' },
        { copy: null, code: 'original.no_copy', params: {}, message: 'left as it was: no copy was created' },
      ] }],
      undo: { status: 'done', closed: [], notUndone: [{ leadId: 20000305, reason: 'amoCRM refused to close the copy: closed', code: 'undo.close_refused', params: { detail: 'closed' } }] },
    });
    const w = mountScreen(JobReport, { job: j, progress: 100 });
    expect(w.findAll('[data-testid="job-problem"]').map((p) => p.text())).toEqual([copyLine, originalLine]);
    expect(w.find('[data-testid="job-reason"]').text()).toBe(reasonLine);
    expect(w.find('[data-testid="undo-summary"]').text()).toContain(undoLine);
    w.unmount();
  });

  it('shows an older service\'s bare English problem as it came', () => {
    useFakeDeps(fakeApi().api, { lang: 'ru' });
    const j = job({ deals: [{ sourceId: 1, status: 'failed', copies: [], skippedFields: [], problems: [{ copy: null, code: null, params: {}, message: 'Lead not found' }] }] });
    const w = mountScreen(JobReport, { job: j, progress: 100 });
    expect(w.find('[data-testid="job-problem"]').text()).toBe('Lead not found');
    w.unmount();
  });

  it('shows no notice when nothing failed or the job is over', () => {
    useFakeDeps(fakeApi().api);
    for (const j of [job({ status: 'running', retries: 0 }), job({ status: 'completed', retries: 5, lastError: { code: 'amo.timeout', params: {}, message: '' } })]) {
      const w = mountScreen(JobReport, { job: j, progress: 100 });
      expect(w.find('[data-testid="job-slow"]').exists()).toBe(false);
      expect(w.find('[data-testid="job-waiting"]').exists()).toBe(false);
      w.unmount();
    }
  });
});
