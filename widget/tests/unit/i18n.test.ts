import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import en from '../../public/i18n/en.json';
import ru from '../../public/i18n/ru.json';
import { JOB_STATUSES } from '../../src/infrastructure/constants';
import { messageKeys, pluralForms, translate } from '../../src/infrastructure/i18n';

const srcDir = join(__dirname, '..', '..', 'src');
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|vue)$/.test(name) ? [path] : [];
  });
}

describe('i18n', () => {
  it('ru and en have exactly the same keys', () => {
    expect(messageKeys(en).sort()).toEqual(messageKeys(ru).sort());
  });

  it('every literal key the code uses exists in both languages', () => {
    const keys = new Set(messageKeys(ru));
    const used = new Set<string>();
    for (const file of sources(srcDir)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/['"`](ui\.[a-z_]+(?:\.[a-z_]+)+)['"`]/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(40);
    expect([...used].filter((k) => !keys.has(k))).toEqual([]);
  });

  it('every job and deal status has a label', () => {
    for (const s of JOB_STATUSES)
      expect(translate(en, 'en', `ui.job.status.${s}`)).not.toContain('ui.');
    for (const s of ['pending', 'done', 'failed']) expect(translate(ru, 'ru', `ui.job.deal_status.${s}`)).not.toContain('ui.');
  });

  it('every plural has the forms its language needs, and only those', () => {
    let plurals = 0;
    for (const [lang, messages] of [['ru', ru], ['en', en]] as const) {
      const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories.slice().sort();
      for (const key of messageKeys(messages)) {
        const text = translate(messages, lang, key);
        for (const p of pluralForms(text)) {
          plurals++;
          const named = Object.keys(p.forms).filter((f) => !f.startsWith('='));
          expect(named.sort(), `${lang} ${key} {${p.name}}`).toEqual(needed);
        }
        // a plural that does not parse would show its braces to the user
        expect(text.replace(/\{\w+, plural,(?:\s*(?:=\d+|\w+)\s*\{[^{}]*\})+\s*\}/g, ''), `${lang} ${key}`).not.toMatch(/plural/);
      }
    }
    expect(plurals).toBeGreaterThan(0);
  });

  it.each([
    ['ru', 0, '0 сделок'], ['ru', 1, '1 сделка'], ['ru', 2, '2 сделки'], ['ru', 4, '4 сделки'], ['ru', 5, '5 сделок'],
    ['ru', 11, '11 сделок'], ['ru', 14, '14 сделок'], ['ru', 21, '21 сделка'], ['ru', 22, '22 сделки'], ['ru', 111, '111 сделок'],
    ['ru', 1.5, '1.5 сделки'], ['en', 1, '1 deal'], ['en', 2, '2 deals'], ['en', 0, 'none'],
  ] as const)('fills a plural in the rules of %s: %s', (lang, n, expected) => {
    const messages = {
      ru: { t: '{n, plural, one {# сделка} few {# сделки} many {# сделок} other {# сделки}}' },
      en: { t: '{n, plural, =0 {none} one {# deal} other {# deals}}' },
    }[lang];
    expect(translate(messages, lang, 't', { n })).toBe(expected);
  });

  it('leaves a plural whose number is not given as it is written', () => {
    expect(translate({ t: '{n, plural, one {# deal} other {# deals}} for {who}' }, 'en', 't', { who: 'you' })).toBe('{n, plural, one {# deal} other {# deals}} for you');
  });

  it.each([
    ['ui.job.progress', { done: 3, total: 50 }, '3 of 50 processed'],
    ['ui.form.submit_mass', { count: 7 }, 'Copy 7'],
    ['ui.no.such.key', undefined, 'ui.no.such.key'],
    ['ui.job', undefined, 'ui.job'],
    ['codes.amo.rate_limited', { retry_after: 2 }, 'amoCRM asked to slow down; waiting 2 s.'],
    ['codes.no.such_code', undefined, 'codes.no.such_code'],
    ['ui.errors.unexpected', {}, 'The DealCopy server answered unexpectedly (status {status}).'],
  ] as const)('translate(%s)', (key, params, expected) => {
    expect(translate(en, 'en', key, params as Record<string, number> | undefined)).toBe(expected);
  });
});
