import { createPinia, setActivePinia } from 'pinia';
import { useCardCopyStore, useMassCopyStore } from '../../src/app/stores/copyJob';
import { useDpRuleStore } from '../../src/app/stores/dpRule';
import { useMetaStore } from '../../src/app/stores/meta';
import { mayCopy, useSettingsStore } from '../../src/app/stores/settings';
import { defaultCopyOptions, defaultSettings } from '../../src/infrastructure/validators';
import { fail, fakeApi, job, meta, useFakeDeps } from './fakes';

beforeEach(() => setActivePinia(createPinia()));

describe('meta store', () => {
  it('loads the meta and knows the main pipeline', async () => {
    useFakeDeps(fakeApi().api);
    const store = useMetaStore();
    await store.load();
    expect(store.meta).toEqual(meta);
    expect(store.mainPipelineId).toBe(7100001);
  });
  it('keeps an unreachable backend as an error, then recovers on retry', async () => {
    const { api } = fakeApi({ getMeta: [fail({ kind: 'unreachable' }), meta] });
    useFakeDeps(api);
    const store = useMetaStore();
    await store.load();
    expect(store.error).toEqual({ kind: 'unreachable' });
    await store.load();
    expect(store.error).toBeNull();
    expect(store.meta).not.toBeNull();
  });
});

describe('copy job store', () => {
  it('does not send an invalid form', async () => {
    const { api, calls } = fakeApi();
    useFakeDeps(api);
    const store = useCardCopyStore();
    store.setLeads([20000001]);
    expect(await store.submit()).toBe(false);
    expect(store.fieldErrors.targetPipelineId).toBe('ui.validation.pipeline_required');
    expect(calls).toEqual([]);
  });

  it('copies, follows the job to the end and lists the new deals', async () => {
    const running = job({ status: 'running', done: 0, deals: [] });
    const { api, calls } = fakeApi({ getJob: [running, running, job()] });
    useFakeDeps(api);
    const store = useCardCopyStore();
    store.setLeads([20000001]);
    store.setDefaults(defaultCopyOptions(), 7100002);
    expect(await store.submit()).toBe(true);
    expect(store.phase).toBe('result');
    expect(store.newLeadIds).toEqual([20000305]);
    expect(store.progress).toBe(100);
    expect(calls.filter((c) => c.method === 'getJob')).toHaveLength(3);
    expect(calls[0]!.args[0]).toEqual([20000001]);
  });

  it('retries after the backend went away with the same idempotency key', async () => {
    const { api, calls } = fakeApi({ startCopy: [fail({ kind: 'unreachable' }), { id: 'job-1' }] });
    useFakeDeps(api);
    const store = useMassCopyStore();
    store.setLeads([1, 2, 3]);
    store.setDefaults(defaultCopyOptions(), 7100001);
    await store.submit();
    expect(store.error).toEqual({ kind: 'unreachable' });
    expect(store.phase).toBe('form');
    await store.retry();
    expect(store.error).toBeNull();
    expect(store.phase).toBe('result');
    const keys = calls.filter((c) => c.method === 'startCopy').map((c) => c.args[2]);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  it.each([502, 503, 504])('keeps the idempotency key after a %i, also when Copy is pressed again', async (status) => {
    const unavailable = fail({ kind: 'problem', status, title: 'Try again shortly', fieldErrors: {} });
    const { api, calls } = fakeApi({ startCopy: [unavailable, unavailable, { id: 'job-1' }] });
    useFakeDeps(api);
    const store = useCardCopyStore();
    store.setLeads([20000001]);
    store.setDefaults(defaultCopyOptions(), 7100002);
    expect(await store.submit()).toBe(false);
    await store.retry();
    expect(await store.submit()).toBe(true);
    const keys = calls.filter((c) => c.method === 'startCopy').map((c) => c.args[2]);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
  });

  it('sends a new key when the form changed after a failed attempt', async () => {
    const { api, calls } = fakeApi({ startCopy: [fail({ kind: 'unreachable' }), { id: 'job-2' }] });
    useFakeDeps(api);
    const store = useCardCopyStore();
    store.setLeads([20000001]);
    store.setDefaults(defaultCopyOptions(), 7100002);
    await store.submit();
    store.options.copies = 3;
    await store.submit();
    const keys = calls.filter((c) => c.method === 'startCopy').map((c) => c.args[2]);
    expect(keys).toHaveLength(2);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it('resumes polling, not copying, when polling failed', async () => {
    const { api, calls } = fakeApi({ getJob: [fail({ kind: 'unreachable' }), job()] });
    useFakeDeps(api);
    const store = useMassCopyStore();
    store.setLeads([1]);
    store.setDefaults(defaultCopyOptions(), 7100001);
    await store.submit();
    expect(store.error?.kind).toBe('unreachable');
    await store.retry();
    expect(calls.filter((c) => c.method === 'startCopy')).toHaveLength(1);
    expect(store.job?.status).toBe('completed');
  });

  it('shows a refusal as a problem and starts a new request once corrected', async () => {
    const problem = fail({ kind: 'problem', status: 422, title: 'Unknown stage', fieldErrors: { 'target.status_id': ['unknown'] } });
    const { api, calls } = fakeApi({ startCopy: [problem, { id: 'job-2' }] });
    useFakeDeps(api);
    const store = useCardCopyStore();
    store.setLeads([1]);
    store.setDefaults(defaultCopyOptions(), 7100001);
    await store.submit();
    expect(store.error).toMatchObject({ kind: 'problem', title: 'Unknown stage' });
    await store.submit();
    const keys = calls.filter((c) => c.method === 'startCopy').map((c) => c.args[2]);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it('undoes a finished job and follows it to undone', async () => {
    const undone = job({ status: 'undone', undo: { status: 'done', closed: [20000305], notUndone: [] } });
    const { api, calls } = fakeApi({ getJob: [job(), job({ status: 'undoing' }), undone] });
    useFakeDeps(api);
    const store = useCardCopyStore();
    store.setLeads([20000001]);
    store.setDefaults(defaultCopyOptions(), 7100001);
    await store.submit();
    expect(store.canUndo).toBe(true);
    await store.undo();
    expect(calls.some((c) => c.method === 'undo' && c.args[0] === 'job-1')).toBe(true);
    expect(store.job?.status).toBe('undone');
    expect(store.canUndo).toBe(false);
  });

  it('stops polling once the screen is gone', async () => {
    const running = job({ status: 'running', done: 0, deals: [] });
    const { api, calls } = fakeApi({ getJob: [running] });
    useFakeDeps(api);
    const store = useMassCopyStore();
    store.setLeads([1]);
    store.setDefaults(defaultCopyOptions(), 7100001);
    const submitted = store.submit();
    await vi.waitFor(() => expect(calls.filter((c) => c.method === 'getJob').length).toBeGreaterThan(2));
    const polls = () => calls.filter((c) => c.method === 'getJob').length;
    store.stop();
    const before = polls();
    // the poll loop has ended (otherwise it runs into its 5 s deadline and the test times out or sees a 504)
    expect(await submitted).toBe(true);
    expect(store.error).toBeNull();
    expect(polls()).toBeLessThanOrEqual(before + 1); // at most the poll already under way
    expect(store.phase).toBe('running'); // nobody is looking: no result screen is built
  });

  it('computes progress from done/total', async () => {
    const { api } = fakeApi({ getJob: [job({ status: 'completed', total: 50, done: 25 })] });
    useFakeDeps(api);
    const store = useMassCopyStore();
    store.setLeads([1]);
    store.setDefaults(defaultCopyOptions(), 7100001);
    await store.submit();
    expect(store.progress).toBe(50);
  });
});

describe('settings store', () => {
  it.each([
    ['garbage', '{{', true],
    ['nothing', undefined, false],
  ])('loads %s without throwing', (_n, raw, malformed) => {
    const store = useSettingsStore();
    store.load(raw);
    expect(store.malformed).toBe(malformed);
    expect(store.settings).toEqual(defaultSettings());
    expect(store.validate()).toBe(true);
  });

  it('refuses invalid defaults', () => {
    const store = useSettingsStore();
    store.settings.defaults.copies = 99;
    expect(store.validate()).toBe(false);
    expect(store.fieldErrors['defaults.copies']).toBe('ui.validation.copies_range');
  });

  it.each([
    [[], null, true],
    [[], 5, true],
    [[5000002], 5000002, true],
    [[5000002], 5000003, false],
    [[5000002], null, false],
  ])('allowed %j, user %s → may copy %s', (allowed, user, expected) => {
    expect(mayCopy({ ...defaultSettings(), allowedUserIds: allowed }, user)).toBe(expected);
  });
});

describe('DP rule store', () => {
  it.each([
    ['a key', 'k-1', 'ok', 'k-1'],
    ['404', null, 'unsupported', ''],
  ])('fetching the key: %s', async (_n, answer, state, key) => {
    useFakeDeps(fakeApi({ getDpKey: [answer] }).api);
    const store = useDpRuleStore();
    await store.fetchKey();
    expect(store.keyState).toBe(state);
    expect(store.key).toBe(key);
  });

  it('an unreachable backend is an error state', async () => {
    useFakeDeps(fakeApi({ getDpKey: [fail({ kind: 'unreachable' })] }).api);
    const store = useDpRuleStore();
    await store.fetchKey();
    expect(store.keyState).toBe('error');
    expect(store.keyError).toEqual({ kind: 'unreachable' });
  });

  it('writes key and rule into the DP fields', async () => {
    useFakeDeps(fakeApi().api);
    const store = useDpRuleStore();
    store.load('', '', 7100002);
    await store.fetchKey();
    store.rule.delayMinutes = 30;
    expect(store.validate()).toBe(true);
    expect(store.fields.key).toBe('dp-key-123');
    expect(JSON.parse(store.fields.rule)).toMatchObject({ target: { pipeline_id: 7100002 }, delay_minutes: 30 });
  });
});
