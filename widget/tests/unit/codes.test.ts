import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import en from '../../public/i18n/en.json';
import ru from '../../public/i18n/ru.json';
import { codeText } from '../../src/infrastructure/i18n';

/** Every code the service can answer is documented (docs/API.md) and worded in both languages. */
const repo = join(__dirname, '..', '..', '..');
const codePattern = /^[a-z_]+\.[a-z_]+$/;

/** Codes named in the first column of docs/API.md's code tables (`a`, `b` in one cell count as two). */
function documentedCodes(): Set<string> {
  const codes = new Set<string>();
  for (const line of readFileSync(join(repo, 'docs', 'API.md'), 'utf8').split('\n')) {
    const first = /^\| ([^|]+) \|/.exec(line)?.[1];
    if (!first) continue;
    for (const m of first.matchAll(/`([^`]+)`/g)) if (codePattern.test(m[1]!)) codes.add(m[1]!);
  }
  return codes;
}

function csFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'bin' || name === 'obj' ? [] : csFiles(path);
    return name.endsWith('.cs') ? [path] : [];
  });
}

/**
 * String literals of the Host and the actors shaped like codes. Request field paths and configuration names have
 * the same shape; they are listed here so that a new literal of either kind must be looked at once.
 */
const notCodes = new Set([
  'target.status_id', 'target.pipeline_id', 'responsible.user_ids', 'responsible.mode', 'original.status_id',
  'original.pipeline_id', 'original.loss_reason_id', 'original.action', 'rule.v', 'rule.skip_if_open', 'rule.delay_minutes',
  'copy.fields', 'journal.db', 'dealcopy.referer', 'dealcopy.caller', 'amocrm.ru', 'kommo.com',
]);
function emittedCodes(): Set<string> {
  const codes = new Set<string>();
  for (const dir of ['src/DealCopy.Host', 'src/DealCopy.Actors']) {
    for (const file of csFiles(join(repo, dir))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/"([a-z_]+\.[a-z_]+)"/g)) if (!notCodes.has(m[1]!)) codes.add(m[1]!);
    }
  }
  return codes;
}

describe('service codes', () => {
  const documented = documentedCodes();

  it('docs/API.md lists the codes', () => {
    expect(documented.size).toBeGreaterThan(40);
    for (const c of ['stage.unsorted', 'field.computed', 'field.text_too_long', 'request.invalid']) expect(documented).toContain(c);
  });

  it('every documented code has a text in ru and in en', () => {
    const missing = [...documented].filter((c) => codeText(ru, 'ru', c) === null || codeText(en, 'en', c) === null);
    expect(missing).toEqual([]);
  });

  it('ru and en word no code that is not documented (a code the service stopped answering leaves with its texts)', () => {
    expect(Object.keys(ru.codes).filter((c) => !documented.has(c)).sort()).toEqual([]);
  });

  it('ru and en word the same codes, with the same placeholders', () => {
    expect(Object.keys(ru.codes).sort()).toEqual(Object.keys(en.codes).sort());
    const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const c of Object.keys(en.codes))
      expect(holes((ru.codes as Record<string, string>)[c]!), c).toEqual(holes((en.codes as Record<string, string>)[c]!));
  });

  it('every code the C# sources can answer is documented', () => {
    const emitted = emittedCodes();
    expect(emitted.size).toBeGreaterThan(40);
    expect([...emitted].filter((c) => !documented.has(c)).sort()).toEqual([]);
  });

  it('the Russian texts contain no English sentence', () => {
    const latinWords = (s: string) => (s.replace(/\{\w+\}|amoCRM|API|DealCopy|Digital Pipeline|JSON/g, '').match(/[A-Za-z]{3,}/g) ?? []);
    const english = Object.entries(ru.codes).filter(([, text]) => latinWords(text as string).length > 0);
    expect(english).toEqual([]);
  });

  it('fills the parameters of a code', () => {
    expect(codeText(ru, 'ru', 'field.text_too_long', { limit: '256' })).toBe('текст длиннее 256 символов нельзя записать через API amoCRM');
    expect(codeText(en, 'en', 'no.such_code')).toBeNull();
  });
});

describe('coded answers in the interface', () => {
  it('a refusal reads in Russian: the code, each refused field, no English detail', async () => {
    const { mount } = await import('@vue/test-utils');
    const { default: BackendErrorAlert } = await import('../../src/presentation/components/BackendErrorAlert.vue');
    const { fakeApi, useFakeDeps } = await import('./fakes');
    useFakeDeps(fakeApi({}).api, { lang: 'ru' });
    const w = mount(BackendErrorAlert, {
      props: {
        error: {
          kind: 'problem', status: 422, title: 'The copy cannot be done as asked', detail: 'Some settings do not fit this account.',
          fieldErrors: { 'target.status_id': ['deals cannot be put into the Unsorted stage'] }, code: 'copy.not_applicable', params: {},
          refusals: [{ field: 'target.status_id', code: 'stage.unsorted', params: { status_id: '61000001' }, message: 'deals cannot be put into the Unsorted stage' }],
        },
      },
    });
    const text = w.text();
    expect(text).toContain('Копию нельзя сделать с такими настройками.');
    expect(text).toContain('Сделки нельзя класть в «Неразобранное».');
    expect(text).not.toMatch(/cannot|Some settings/);
  });

  it('a refused field is named once, also when its text names it itself', async () => {
    const { mount } = await import('@vue/test-utils');
    const { default: BackendErrorAlert } = await import('../../src/presentation/components/BackendErrorAlert.vue');
    const { fakeApi, useFakeDeps } = await import('./fakes');
    useFakeDeps(fakeApi({}).api, { lang: 'ru' });
    const w = mount(BackendErrorAlert, {
      props: {
        error: {
          kind: 'problem', status: 400, title: 'The request is malformed', fieldErrors: {}, code: 'request.invalid', params: {},
          refusals: [
            { field: 'target.pipeline_id', code: 'request.missing_field', params: { field: 'target.pipeline_id' }, message: 'required' },
            { field: 'target.status_id', code: 'stage.unsorted', params: { status_id: '61000001' }, message: 'Unsorted' },
          ],
        },
      },
    });
    const items = w.findAll('[data-testid="backend-error-fields"] li').map((li) => li.text());
    expect(items).toEqual(['target.pipeline_id: обязательное поле не указано', 'target.status_id: Сделки нельзя класть в «Неразобранное».']);
  });
});
