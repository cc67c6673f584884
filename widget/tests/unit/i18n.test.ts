import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import en from '../../public/i18n/en.json';
import ru from '../../public/i18n/ru.json';
import { JOB_STATUSES } from '../../src/infrastructure/constants';
import { messageKeys, translate } from '../../src/infrastructure/i18n';

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
      expect(translate(en, `ui.job.status.${s}`)).not.toContain('ui.');
    for (const s of ['pending', 'done', 'failed']) expect(translate(ru, `ui.job.deal_status.${s}`)).not.toContain('ui.');
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
    expect(translate(en, key, params as Record<string, number> | undefined)).toBe(expected);
  });
});
