import { flushPromises } from '@vue/test-utils';
import DealCopyWidget, { type DealCopyWidgetInstance } from '../../src/web/entry';

/** The callbacks amoCRM drives, against a jsdom page and a widget object like amoCRM's. */
type Ajax = NonNullable<DealCopyWidgetInstance['$authorizedAjax']>;

function deferred(status: number, body: unknown) {
  const xhr = { status, responseText: JSON.stringify(body), getAllResponseHeaders: () => '' };
  const d = {
    done(cb: (data: unknown, text: string, x: unknown) => void) { if (status < 400) queueMicrotask(() => cb(JSON.stringify(body), 'success', xhr)); return d; },
    fail(cb: (x: unknown) => void) { if (status >= 400) queueMicrotask(() => cb(xhr)); return d; },
  };
  return d;
}

const metaBody = { account: { id: 1, subdomain: 's' }, pipelines: [{ id: 7, name: 'P', is_main: true, statuses: [{ id: 70, name: 'S', kind: 'open' }] }],
  users: [{ id: 5, name: 'U' }], lead_fields: [], loss_reasons: [] };

function widget(settings: Record<string, unknown> = {}, selected: number[] = []) {
  const w = new (DealCopyWidget as unknown as new () => DealCopyWidgetInstance)();
  const ajax: Ajax = ((o: { url: string }) => (o.url.endsWith('/meta') ? deferred(200, metaBody) : deferred(404, { title: 'Not Found' }))) as Ajax;
  w.$authorizedAjax = ajax;
  w.get_settings = () => ({ widget_code: 'x', ...settings });
  w.list_selected = () => ({ selected: selected.map((id) => ({ id, type: 'lead' })), summary: {} });
  w.system = () => ({ area: 'settings', amouser_id: 5 });
  return w;
}

beforeEach(() => {
  document.body.innerHTML = '';
  (globalThis as { APP?: unknown }).APP = { getBaseEntity: () => 'leads', isCard: () => false, lang_id: 'en', constant: () => ({ id: 5 }), data: { current_card: false } };
});

describe('widget callbacks', () => {
  it('render, init and bind_actions return true outside a card and mount nothing', () => {
    const w = widget();
    expect([w.callbacks.render(), w.callbacks.init(), w.callbacks.bind_actions()]).toEqual([true, true, true]);
    expect(document.querySelector('.dc-widget')).toBeNull();
  });

  it('settings mounts into the modal body (a jQuery-like object) and writes the settings field', async () => {
    const body = document.createElement('div');
    document.body.appendChild(body);
    const w = widget({ config: '{"v":1,"allowed_user_ids":[5],"defaults":' });
    expect(w.callbacks.settings({ 0: body, jquery: '3.7.1', length: 1 })).toBe(true);
    await vi.waitFor(() => expect(body.querySelector('[data-testid="settings-malformed"]')).not.toBeNull());
    const input = body.querySelector<HTMLInputElement>('input[name="config"]')!;
    // the damaged value is replaced by the defaults at once, so Save repairs it even without edits
    expect(JSON.parse(input.value)).toMatchObject({ v: 1, allowed_user_ids: [], defaults: { copies: 1 } });
    await vi.waitFor(() => expect(body.querySelector('[data-testid="copies"] input')).not.toBeNull());
    expect(w.callbacks.onSave()).toBe(true);
    expect(JSON.parse(input.value).v).toBe(1);
    w.callbacks.destroy();
    expect(body.querySelector('.dc-widget')).toBeNull();
  });

  it('onSave refuses settings that do not validate', async () => {
    const body = document.createElement('div');
    document.body.appendChild(body);
    const stored = { v: 1, allowed_user_ids: [], defaults: { copies: 99, target: { pipeline_id: null, status_id: null }, responsible: { mode: 'keep' },
      name_template: '{name}', copy: { fields: 'all', price: true, contacts: true, company: true, tags: true, products: true, notes: false, open_tasks: false, finished_tasks: false },
      original: { action: 'leave' } } };
    const w = widget({ config: JSON.stringify(stored) });
    w.callbacks.settings(body);
    await flushPromises();
    expect(w.callbacks.onSave()).toBe(false);
    w.callbacks.destroy();
  });

  it('leads.selected opens the mass copy with the ticked deals, Close removes it', async () => {
    const w = widget({}, [11, 12, 12]);
    expect(w.callbacks.leads.selected()).toBe(true);
    await flushPromises();
    expect(document.querySelector('[data-testid="selected-count"]')!.textContent).toContain('2');
    (document.querySelector('[data-testid="close"]') as HTMLElement).click();
    await flushPromises();
    expect(document.querySelector('.dc-modal-backdrop')).toBeNull();
  });

  it('dpSettings hides the raw fields and says when the backend has no DP rules', async () => {
    document.body.innerHTML = '<div class="digital-pipeline__edit-forms"><form><div class="dp-field"><input name="key"></div><div class="dp-field"><input name="rule"></div></form></div>';
    const w = widget();
    expect(w.callbacks.dpSettings()).toBe(true);
    expect((document.querySelector('input[name="key"]')!.closest('.dp-field') as HTMLElement).style.display).toBe('none');
    await vi.waitFor(() => expect(document.querySelector('[data-testid="dp-unsupported"]')).not.toBeNull());
  });
});
