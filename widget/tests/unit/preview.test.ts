import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import type { Component } from 'vue';
import en from '../../public/i18n/en.json';
import ru from '../../public/i18n/ru.json';
import { previewDto, toPreview } from '../../src/data/dto';
import { messageKeys } from '../../src/infrastructure/i18n';
import type { PreviewDeal } from '../../src/infrastructure/types';
import { defaultSettings } from '../../src/infrastructure/validators';
import CardCopyScreen from '../../src/presentation/components/CardCopyScreen.vue';
import MassCopyScreen from '../../src/presentation/components/MassCopyScreen.vue';
import PreviewReport from '../../src/presentation/components/PreviewReport.vue';
import { fail, fakeApi, meta, preview, useFakeDeps } from './fakes';

function mountIt(component: Component, props: Record<string, unknown>) {
  return mount(component, { props, global: { plugins: [createPinia()] }, attachTo: document.body });
}

afterEach(() => {
  document.body.innerHTML = '';
});

const withTarget = { settings: { ...defaultSettings(), defaults: { ...defaultSettings().defaults, targetPipelineId: 7100002 } } };

function manyDeals(count: number): PreviewDeal[] {
  const one = preview().items[0]!;
  return Array.from({ length: count }, (_, i) => ({ ...one, sourceId: 1000 + i, name: `Сделка ${i}` }));
}

describe('preview answer (DTO)', () => {
  it('reads the service answer of docs/API.md into the model', () => {
    const dto = {
      deals: 1, copies: 1, targets: [{ pipeline_id: 7100002, status_id: 62000001, copies: 1 }], responsibles: [{ user_id: null, copies: 1 }],
      skipped_fields: 1, skipped_by_code: [{ code: 'field.text_too_long', count: 1 }],
      requests: { total: 4, reads: 1, writes: 3, requests_per_second: 7, seconds: 1, steps: { read_leads: 1 } },
      items: [{ source_id: 5, name: 'A', copies: [{ n: 1, name: 'A', pipeline_id: 7100002, status_id: 62000001, responsible_user_id: null }],
        fields: 3, price: null, contacts: [{ id: 9, is_main: true }], company_id: null, products: [{ id: 7, catalog_id: 1, quantity: 2.5 }],
        tags: [], notes: 0, tasks: 0,
        skipped_fields: [{ field_id: 1, name: 'Описание', type: 'text', reason: 'text longer than 256', code: 'field.text_too_long', params: { limit: '256' } }] }],
    };
    const model = toPreview(previewDto.parse(dto));
    expect(model.responsibles).toEqual([{ userId: null, copies: 1 }]);
    expect(model.items[0]!.products).toEqual([{ id: 7, quantity: 2.5 }]);
    expect(model.items[0]!.skippedFields[0]).toMatchObject({ code: 'field.text_too_long', params: { limit: '256' } });
    expect(model.requests).toEqual({ total: 4, reads: 1, writes: 3, requestsPerSecond: 7, seconds: 1 });
  });

  it('refuses an answer that is not a preview', () => {
    expect(() => previewDto.parse({ deals: 1 })).toThrow();
  });
});

describe('preview texts', () => {
  it('every preview text is worded in ru and en', () => {
    const ruKeys = messageKeys(ru).filter((k) => k.startsWith('ui.preview.'));
    expect(ruKeys.length).toBeGreaterThan(15);
    expect(messageKeys(en).filter((k) => k.startsWith('ui.preview.')).sort()).toEqual(ruKeys.sort());
  });
});

describe('preview report', () => {
  it('sums the run up first: copies, where they land, who is responsible, skipped fields, requests and time', () => {
    useFakeDeps(fakeApi().api);
    const w = mountIt(PreviewReport, { preview: preview({ requests: { total: 130, reads: 2, writes: 128, requestsPerSecond: 7, seconds: 19 } }), meta });
    expect(w.find('[data-testid="preview-summary"]').text()).toBe('Copies to create: 2 (source deals: 1)');
    expect(w.find('[data-testid="preview-targets"]').text()).toBe('Повторные продажи → Новая: 2');
    expect(w.find('[data-testid="preview-responsibles"]').text()).toContain('Борис Продажин: 1');
    expect(w.find('[data-testid="preview-responsibles"]').text()).toContain('Вера Менеджерова: 1');
    expect(w.find('[data-testid="preview-skipped"]').text()).toBe('Fields that will not be copied: 1');
    expect(w.find('[data-testid="preview-skipped-codes"]').text()).toContain('computed');
    expect(w.find('[data-testid="preview-requests"]').text()).toBe('About 130 amoCRM requests: at least 19 s at 7 requests per second.');
    // the deals only on demand
    expect(w.find('[data-testid="preview-details"]').exists()).toBe(false);
    w.unmount();
  });

  it('reads in Russian from the codes, with minutes for a long run', () => {
    useFakeDeps(fakeApi().api, { lang: 'ru' });
    const w = mountIt(PreviewReport, { preview: preview({ requests: { total: 700, reads: 2, writes: 698, requestsPerSecond: 7, seconds: 100 } }), meta });
    const text = w.text();
    expect(text).toContain('Будет создано копий: 2');
    expect(text).toContain('1 мин 40 с');
    expect(text).toContain(ru.codes['field.computed']);
    expect(text).not.toMatch(/computed|to create|requests per second/);
    w.unmount();
  });

  it.each([
    ['ru', 1, 7, 'Примерно 1 запрос к amoCRM: не меньше 1 с при 7 запросах в секунду.'],
    ['ru', 2, 7, 'Примерно 2 запроса к amoCRM: не меньше 1 с при 7 запросах в секунду.'],
    ['ru', 5, 7, 'Примерно 5 запросов к amoCRM: не меньше 1 с при 7 запросах в секунду.'],
    ['ru', 11, 1, 'Примерно 11 запросов к amoCRM: не меньше 11 с при 1 запросе в секунду.'],
    ['ru', 21, 21, 'Примерно 21 запрос к amoCRM: не меньше 1 с при 21 запросе в секунду.'],
    ['ru', 104, 3, 'Примерно 104 запроса к amoCRM: не меньше 35 с при 3 запросах в секунду.'],
    ['en', 1, 1, 'About 1 amoCRM request: at least 1 s at 1 request per second.'],
    ['en', 2, 7, 'About 2 amoCRM requests: at least 1 s at 7 requests per second.'],
  ] as const)('words the requests in %s in the plural form of the number: %i at %i per second', (lang, total, rate, expected) => {
    useFakeDeps(fakeApi().api, { lang });
    const seconds = Math.ceil(total / rate);
    const w = mountIt(PreviewReport, { preview: preview({ requests: { total, reads: 1, writes: total - 1, requestsPerSecond: rate, seconds } }), meta });
    expect(w.find('[data-testid="preview-requests"]').text()).toBe(expected);
    w.unmount();
  });

  it('shows 500 deals collapsed, 50 at a time', async () => {
    useFakeDeps(fakeApi().api);
    const w = mountIt(PreviewReport, { preview: preview({ deals: 500, copies: 1000, items: manyDeals(500) }), meta });
    await w.find('[data-testid="preview-details-toggle"]').trigger('click');
    expect(w.findAll('[data-testid="preview-deal"]')).toHaveLength(50);
    expect(w.findAll('details[open]')).toHaveLength(0);
    expect(w.find('[data-testid="preview-shown"]').text()).toBe('Shown 50 of 500');
    await w.find('[data-testid="preview-more"]').trigger('click');
    expect(w.findAll('[data-testid="preview-deal"]')).toHaveLength(100);
    const first = w.find('[data-testid="preview-deal"]');
    expect(first.find('summary').text()).toBe('#1000 Сделка 0: copies 2, fields not copied 1');
    expect(first.findAll('[data-testid="preview-copy"]')[1]!.text())
      .toBe('Copy 2 “Эталонная сделка (2)” → Повторные продажи / Новая, responsible: Вера Менеджерова');
    expect(first.text()).toContain('contacts: 30000001 (main), 30000002');
    expect(first.text()).toContain('products: 50000001 × 3');
    expect(first.find('[data-testid="preview-skipped-field"]').text()).toContain('Маржа');
    w.unmount();
  });
});

describe('the Preview step', () => {
  it('card: Preview shows what would happen, Copy then starts the same request', async () => {
    const { api, calls } = fakeApi();
    useFakeDeps(api, withTarget);
    const w = mountIt(CardCopyScreen, { leadId: 20000001 });
    await vi.waitFor(() => expect(w.find('[data-testid="preview-button"]').exists()).toBe(true));
    await w.find('[data-testid="preview-button"]').trigger('click');
    await vi.waitFor(() => expect(w.find('[data-testid="preview"]').exists()).toBe(true));
    expect(w.find('[data-testid="copy-form"]').exists()).toBe(false);
    expect(calls.filter((c) => c.method === 'startCopy')).toHaveLength(0);
    const asked = calls.find((c) => c.method === 'previewCopy')!;
    expect(asked.args[0]).toEqual([20000001]);
    await w.find('[data-testid="confirm-copy"]').trigger('click');
    await vi.waitFor(() => expect(w.find('[data-testid="job-report"]').exists()).toBe(true));
    expect(calls.find((c) => c.method === 'startCopy')!.args.slice(0, 2)).toEqual(asked.args);
    w.unmount();
  });

  it('card: Back returns to the form without copying', async () => {
    const { api, calls } = fakeApi();
    useFakeDeps(api, withTarget);
    const w = mountIt(CardCopyScreen, { leadId: 20000001 });
    await vi.waitFor(() => expect(w.find('[data-testid="preview-button"]').exists()).toBe(true));
    await w.find('[data-testid="preview-button"]').trigger('click');
    await vi.waitFor(() => expect(w.find('[data-testid="back"]').exists()).toBe(true));
    await w.find('[data-testid="back"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="copy-form"]').exists()).toBe(true);
    expect(calls.some((c) => c.method === 'startCopy')).toBe(false);
    w.unmount();
  });

  it('a refusal of the preview is shown from its code in Russian, and the form stays', async () => {
    const refusal = fail({ kind: 'problem', status: 422, title: 'The copy cannot be done as asked', detail: 'Some settings do not fit this account.', code: 'copy.not_applicable', params: {},
      fieldErrors: { 'target.status_id': ['deals cannot be put into the Unsorted stage'] },
      refusals: [{ field: 'target.status_id', code: 'stage.unsorted', params: { status_id: '61000001' }, message: 'deals cannot be put into the Unsorted stage' }] });
    useFakeDeps(fakeApi({ previewCopy: [refusal] }).api, { ...withTarget, lang: 'ru' });
    const w = mountIt(CardCopyScreen, { leadId: 20000001 });
    await vi.waitFor(() => expect(w.find('[data-testid="preview-button"]').exists()).toBe(true));
    await w.find('[data-testid="preview-button"]').trigger('click');
    await vi.waitFor(() => expect(w.find('[data-testid="backend-error"]').exists()).toBe(true));
    const text = w.find('[data-testid="backend-error"]').text();
    expect(text).toContain(ru.codes['stage.unsorted']);
    expect(text).not.toContain('Unsorted stage');
    expect(w.find('[data-testid="copy-form"]').exists()).toBe(true);
    w.unmount();
  });

  it('mass copy: the preview of the ticked deals, then Copy', async () => {
    const { api, calls } = fakeApi({ previewCopy: [preview({ deals: 3, copies: 3, items: manyDeals(3) })] });
    useFakeDeps(api);
    const w = mountIt(MassCopyScreen, { leadIds: [1, 2, 3] });
    await vi.waitFor(() => expect(w.find('[data-testid="preview-button"]').exists()).toBe(true));
    await w.find('[data-testid="preview-button"]').trigger('click');
    await vi.waitFor(() => expect(w.find('[data-testid="preview-summary"]').exists()).toBe(true));
    expect(w.find('[data-testid="preview-summary"]').text()).toBe('Copies to create: 3 (source deals: 3)');
    expect(calls.find((c) => c.method === 'previewCopy')!.args[0]).toEqual([1, 2, 3]);
    expect(w.find('[data-testid="confirm-copy"]').text()).toBe('Copy 3');
    await w.find('[data-testid="confirm-copy"]').trigger('click');
    await vi.waitFor(() => expect(calls.some((c) => c.method === 'startCopy')).toBe(true));
    w.unmount();
  });
});

describe('try on a deal (settings and Digital Pipeline rule)', () => {
  it.each([
    ['settings', () => import('../../src/presentation/components/SettingsScreen.vue')],
    ['Digital Pipeline rule', () => import('../../src/presentation/components/DpRuleScreen.vue')],
  ] as const)('the %s previews its options on a deal the user names, nothing copied', async (_, load) => {
    const screen = (await load()).default;
    const { api, calls } = fakeApi();
    useFakeDeps(api, { lang: 'ru' });
    const w = mountIt(screen, {});
    await vi.waitFor(() => expect(w.find('[data-testid="try-on-deal"]').exists()).toBe(true));
    expect(w.find('[data-testid="try-on-deal"]').text()).toContain('Проверить на сделке');
    await w.find('[data-testid="try-on-deal"] input').setValue('20000001');
    await w.find('[data-testid="try-preview"]').trigger('click');
    await vi.waitFor(() => expect(w.find('[data-testid="preview-summary"]').exists()).toBe(true));
    const call = calls.find((c) => c.method === 'previewCopy')!;
    expect(call.args[0]).toEqual([20000001]);
    expect(calls.some((c) => c.method === 'startCopy')).toBe(false);
    w.unmount();
  });

  it('shows the refusal of a deal the user may not see, in the user\'s language', async () => {
    const screen = (await import('../../src/presentation/components/SettingsScreen.vue')).default;
    const { api } = fakeApi({ previewCopy: [fail({ kind: 'problem', status: 404, code: 'deals.not_found', title: 'Source deals not found', detail: '', fieldErrors: {}, params: {} })] });
    useFakeDeps(api, { lang: 'ru' });
    const w = mountIt(screen, {});
    await vi.waitFor(() => expect(w.find('[data-testid="try-on-deal"]').exists()).toBe(true));
    await w.find('[data-testid="try-on-deal"] input').setValue('777');
    await w.find('[data-testid="try-preview"]').trigger('click');
    await vi.waitFor(() => expect(w.find('[data-testid="try-on-deal"] [data-testid="backend-error"]').exists()).toBe(true));
    expect(w.find('[data-testid="try-on-deal"] [data-testid="backend-error"]').text()).toContain('Некоторых сделок не существует.');
    w.unmount();
  });
});
