import { setAppDeps } from '../../src/app/deps';
import type { BackendApi } from '../../src/data/backendApi';
import { BackendFailure, type Access, type BackendError, type CopyPreview, type Job, type Meta, type WidgetSettings } from '../../src/infrastructure/types';
import { defaultSettings } from '../../src/infrastructure/validators';
import ru from '../../public/i18n/ru.json';
import en from '../../public/i18n/en.json';

export const meta: Meta = {
  accountId: 31000001,
  subdomain: 'dealcopy-demo',
  pipelines: [
    { id: 7100001, name: 'Продажи', isMain: true, stages: [
      { id: 61000002, name: 'Первичный контакт', kind: 'open' },
      { id: 142, name: 'Успешно', kind: 'won' },
      { id: 143, name: 'Закрыто', kind: 'lost' },
    ] },
    { id: 7100002, name: 'Повторные продажи', isMain: false, stages: [{ id: 62000001, name: 'Новая', kind: 'open' }] },
  ],
  users: [{ id: 5000002, name: 'Борис Продажин' }, { id: 5000003, name: 'Вера Менеджерова' }],
  leadFields: [
    { id: 910005, name: 'Комментарий', type: 'text', copyable: true },
    { id: 910030, name: 'Маржа', type: 'numeric', copyable: false, reason: 'computed (formula) field' },
  ],
  lossReasons: [{ id: 4200001, name: 'Дорого' }],
};

export const access: Access = {
  userIds: [], groupIds: [], mayEdit: true,
  users: [{ id: 5000002, name: 'Борис Продажин' }, { id: 5000003, name: 'Вера Менеджерова' }],
  groups: [{ id: 0, name: 'Отдел продаж' }, { id: 1, name: 'Отдел повторных продаж' }],
};

export function job(overrides: Partial<Job> = {}): Job {
  return {
    id: 'job-1', status: 'completed', total: 1, done: 1,
    deals: [{ sourceId: 20000001, status: 'done', copies: [{ n: 1, leadId: 20000305, url: 'https://x/leads/detail/20000305' }], skippedFields: [], problems: [] }],
    undo: null,
    reason: null,
    reasonCode: null,
    reasonParams: {},
    retries: 0,
    lastError: null,
    ...overrides,
  };
}

export function preview(overrides: Partial<CopyPreview> = {}): CopyPreview {
  return {
    deals: 1, copies: 2,
    targets: [{ pipelineId: 7100002, statusId: 62000001, copies: 2 }],
    responsibles: [{ userId: 5000002, copies: 1 }, { userId: 5000003, copies: 1 }],
    skippedFields: 1,
    skippedByCode: [{ code: 'field.computed', count: 1 }],
    requests: { total: 4, reads: 1, writes: 3, requestsPerSecond: 7, seconds: 1 },
    items: [{
      sourceId: 20000001, name: 'Эталонная сделка',
      copies: [
        { n: 1, name: 'Эталонная сделка (1)', pipelineId: 7100002, statusId: 62000001, responsibleUserId: 5000002 },
        { n: 2, name: 'Эталонная сделка (2)', pipelineId: 7100002, statusId: 62000001, responsibleUserId: 5000003 },
      ],
      fields: 12, price: 1500, contacts: [{ id: 30000001, isMain: true }, { id: 30000002, isMain: false }], companyId: 40000001,
      products: [{ id: 50000001, quantity: 3 }], tags: ['VIP'], notes: 2, tasks: 1,
      skippedFields: [{ fieldId: 910030, name: 'Маржа', reason: 'computed (formula) field: amoCRM calculates it', code: 'field.computed', params: {} }],
    }],
    ...overrides,
  };
}

export const fail = (error: BackendError) => new BackendFailure(error);

/** A scripted backend: each method answers from a queue (last answer repeats), recording calls. */
export function fakeApi(script: Partial<Record<keyof BackendApi, unknown[]>> = {}) {
  const calls: { method: keyof BackendApi; args: unknown[] }[] = [];
  const answer = (method: keyof BackendApi, fallback: unknown) => async (...args: unknown[]) => {
    calls.push({ method, args });
    const queue = script[method];
    const next = !queue || queue.length === 0 ? fallback : queue.length > 1 ? queue.shift() : queue[0];
    if (next instanceof Error) throw next;
    return typeof next === 'function' ? (next as (...a: unknown[]) => unknown)(...args) : next;
  };
  const api: BackendApi = {
    getMeta: answer('getMeta', meta) as BackendApi['getMeta'],
    startCopy: answer('startCopy', { id: 'job-1' }) as BackendApi['startCopy'],
    previewCopy: answer('previewCopy', preview()) as BackendApi['previewCopy'],
    getJob: answer('getJob', job()) as BackendApi['getJob'],
    undo: answer('undo', undefined) as BackendApi['undo'],
    listJobs: answer('listJobs', { total: 0, offset: 0, items: [] }) as BackendApi['listJobs'],
    getDpKey: answer('getDpKey', 'dp-key-123') as BackendApi['getDpKey'],
    getAccess: answer('getAccess', access) as BackendApi['getAccess'],
    saveAccess: answer('saveAccess', (userIds: number[], groupIds: number[]) => ({ ...access, userIds, groupIds })) as BackendApi['saveAccess'],
  };
  return { api, calls };
}

export function useFakeDeps(api: BackendApi, opts: { settings?: WidgetSettings; malformed?: boolean; userId?: number | null; lang?: 'ru' | 'en' } = {}) {
  setAppDeps({
    api,
    messages: opts.lang === 'ru' ? ru : en,
    lang: opts.lang ?? 'en',
    userId: opts.userId === undefined ? 5000002 : opts.userId,
    settings: { value: opts.settings ?? defaultSettings(), malformed: opts.malformed ?? false },
    pollIntervalMs: 0,
    pollTimeoutMs: 5000,
  });
}
