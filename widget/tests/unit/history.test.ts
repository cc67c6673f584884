import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import CardCopyScreen from '../../src/presentation/components/CardCopyScreen.vue';
import DpRuleScreen from '../../src/presentation/components/DpRuleScreen.vue';
import SettingsScreen from '../../src/presentation/components/SettingsScreen.vue';
import MassCopyScreen from '../../src/presentation/components/MassCopyScreen.vue';
import { historyDto, toHistoryPage } from '../../src/data/dto';
import type { HistoryPage, JobSummary } from '../../src/infrastructure/types';
import { fakeApi, job, useFakeDeps } from './fakes';

const summary = (o: Partial<JobSummary>): JobSummary => ({
  id: 'job-1', status: 'completed', kind: 'copy', startedBy: 5000002, createdAt: 1767225600, finishedAt: 1767225603,
  deals: 1, total: 1, done: 1, created: 1, failed: 0, canUndo: true, ...o,
});
const page = (items: JobSummary[], total = items.length): HistoryPage => ({ total, offset: 0, items });

afterEach(() => {
  document.body.innerHTML = '';
});

describe('history tab', () => {
  it('lists the runs with who, status and result, and opens a finished one with Undo', async () => {
    const undone = job({ status: 'undone', undo: { status: 'done', closed: [20000305], notUndone: [] } });
    const { api, calls } = fakeApi({
      listJobs: [page([summary({ id: 'job-2', status: 'running', canUndo: false, startedBy: 5000003, created: 0, done: 0 }), summary({ failed: 1 })])],
      getJob: [job(), undone],
    });
    useFakeDeps(api, { lang: 'ru' });
    const w = mount(CardCopyScreen, { props: { leadId: 20000001 }, global: { plugins: [createPinia()] }, attachTo: document.body });
    await vi.waitFor(() => expect(w.find('[data-testid="tab-history"]').exists()).toBe(true));
    await w.find('[data-testid="tab-history"]').trigger('click');
    await vi.waitFor(() => expect(w.findAll('[data-testid="history-row"]').length).toBe(2));
    const rows = w.findAll('[data-testid="history-row"]');
    expect(rows[0]!.text()).toContain('Вера Менеджерова');
    expect(rows[0]!.text()).toContain('Копирую…');
    expect(rows[1]!.text()).toContain('сделок: 1 → копий: 1');
    expect(rows[1]!.text()).toContain('ошибок: 1');
    expect(calls.find((c) => c.method === 'listJobs')!.args).toEqual([0, 20]);

    await rows[1]!.find('[data-testid="history-open"]').trigger('click');
    await vi.waitFor(() => expect(w.find('[data-testid="copy-link"]').exists()).toBe(true));
    expect(calls.filter((c) => c.method === 'getJob').map((c) => c.args[0])).toEqual(['job-1']);
    await w.find('[data-testid="undo"]').trigger('click');
    await vi.waitFor(() => expect(w.find('[data-testid="undo-summary"]').exists()).toBe(true));
    expect(calls.find((c) => c.method === 'undo')!.args).toEqual(['job-1']);
    w.unmount();
  });

  it.each([
    ['settings', SettingsScreen, 'Настройки'],
    ['Digital Pipeline', DpRuleScreen, 'Правило'],
  ] as const)('is in the %s area too: a repeat deal by a rule opens its report', async (_, screen, firstTab) => {
    const { api, calls } = fakeApi({
      listJobs: [page([summary({ id: 'job-r', kind: 'repeat', startedBy: 0 })])],
      getJob: [job({ id: 'job-r', reason: null })],
    });
    useFakeDeps(api, { lang: 'ru' });
    const w = mount(screen, { global: { plugins: [createPinia()] }, attachTo: document.body });
    await vi.waitFor(() => expect(w.find('[data-testid="tab-history"]').exists()).toBe(true));
    expect(w.find('[data-testid="tab-copy"]').text()).toBe(firstTab);
    expect(w.find('[data-testid="tab-history"]').text()).toBe('История');
    await w.find('[data-testid="tab-history"]').trigger('click');
    await vi.waitFor(() => expect(w.findAll('[data-testid="history-row"]').length).toBe(1));
    expect(w.find('[data-testid="history-row"]').text()).toContain('Правило Digital Pipeline');
    await w.find('[data-testid="history-open"]').trigger('click');
    await vi.waitFor(() => expect(w.find('[data-testid="copy-link"]').exists()).toBe(true));
    expect(calls.filter((c) => c.method === 'getJob').map((c) => c.args[0])).toEqual(['job-r']);
    await w.find('[data-testid="tab-copy"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="history"]').exists()).toBe(false);
    w.unmount();
  });

  it('follows a running run live until it finishes', async () => {
    const { api } = fakeApi({
      listJobs: [page([summary({ status: 'running', canUndo: false, done: 0, total: 2 })])],
      getJob: [job({ status: 'running', total: 2, done: 1 }), job({ status: 'completed', total: 2, done: 2 })],
    });
    useFakeDeps(api, { lang: 'en' });
    const w = mount(MassCopyScreen, { props: { leadIds: [] }, global: { plugins: [createPinia()] }, attachTo: document.body });
    await vi.waitFor(() => expect(w.find('[data-testid="tab-history"]').exists()).toBe(true));
    await w.find('[data-testid="tab-history"]').trigger('click');
    await vi.waitFor(() => expect(w.find('[data-testid="history-open"]').exists()).toBe(true));
    await w.find('[data-testid="history-open"]').trigger('click');
    await vi.waitFor(() => expect(w.find('[data-testid="job-progress-text"]').text()).toBe('1 of 2 processed'));
    await vi.waitFor(() => expect(w.find('[data-testid="job-report"]').attributes('data-status')).toBe('completed'));
    expect(w.find('[data-testid="job-progress-text"]').text()).toBe('2 of 2 processed');
    await w.find('[data-testid="history-back"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="history-table"]').exists()).toBe(true);
    w.unmount();
  });

  it('offers More while there are older runs and appends them', async () => {
    const first = Array.from({ length: 20 }, (_, i) => summary({ id: `j${i}` }));
    const { api, calls } = fakeApi({ listJobs: [page(first, 21), { total: 21, offset: 20, items: [summary({ id: 'j20' })] }] });
    useFakeDeps(api, { lang: 'en' });
    const w = mount(CardCopyScreen, { props: { leadId: 20000001 }, global: { plugins: [createPinia()] }, attachTo: document.body });
    await vi.waitFor(() => expect(w.find('[data-testid="tab-history"]').exists()).toBe(true));
    await w.find('[data-testid="tab-history"]').trigger('click');
    await vi.waitFor(() => expect(w.findAll('[data-testid="history-row"]').length).toBe(20));
    await w.find('[data-testid="history-more"]').trigger('click');
    await vi.waitFor(() => expect(w.findAll('[data-testid="history-row"]').length).toBe(21));
    expect(calls.filter((c) => c.method === 'listJobs').map((c) => c.args)).toEqual([[0, 20], [20, 20]]);
    expect(w.find('[data-testid="history-more"]').exists()).toBe(false);
    w.unmount();
  });

  it('reads the service answer into the model', () => {
    const dto = historyDto.parse({
      total: 1, offset: 0, limit: 20, history_days: 90,
      items: [{ id: 'a', status: 'completed', kind: 'repeat', started_by: 0, created_at: 5, finished_at: null, deals: 1, total: 1, done: 1, created: 1, failed: 0, can_undo: true, url: '/x' }],
    });
    expect(toHistoryPage(dto).items[0]).toEqual(summary({ id: 'a', kind: 'repeat', startedBy: 0, createdAt: 5, finishedAt: null }));
  });
});
