import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pngSize, readZip } from './readZip';

/** The raw size script.js may have (issue 13: was 726 KB; BUNDLE-SIZE.md says what is in it). */
const SCRIPT_BUDGET_BYTES = 520_000;

/** Checks dist/widget.zip the way amoCRM's upload form would (API-NOTES §15.1–15.3). Run after the build. */
const zipPath = join(__dirname, '..', '..', 'dist', 'widget.zip');
if (!existsSync(zipPath)) throw new Error(`${zipPath} is missing: run "npm run build" first`);
const files = readZip(readFileSync(zipPath));
const text = (name: string) => {
  const file = files.get(name);
  if (!file) throw new Error(`${name} is not in widget.zip`);
  return file.toString('utf8');
};
const json = (name: string) => JSON.parse(text(name)) as Record<string, any>;
const keysOf = (o: Record<string, unknown>, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keysOf(v as Record<string, unknown>, `${prefix}${k}.`) : [prefix + k]));

describe('widget.zip', () => {
  it('has manifest.json, script.js, i18n/ and images/ at the archive root', () => {
    for (const name of ['manifest.json', 'script.js', 'i18n/ru.json', 'i18n/en.json', 'images/logo.png']) expect(files.has(name), name).toBe(true);
    for (const name of files.keys()) expect(name.startsWith('widget/') || name.startsWith('dist/') || name.startsWith('/'), name).toBe(false);
  });

  it(`keeps script.js within its budget of ${SCRIPT_BUDGET_BYTES} bytes (widget/BUNDLE-SIZE.md)`, () => {
    // amoCRM loads script.js into every page of every user: a new heavy import must be a conscious choice.
    expect(files.get('script.js')!.length).toBeLessThanOrEqual(SCRIPT_BUDGET_BYTES);
  });

  it('ships no source maps, no harness and nothing else', () => {
    for (const name of files.keys()) {
      expect(name).not.toMatch(/\.map$/);
      expect(name).toMatch(/^(manifest\.json|script\.js|i18n\/(ru|en)\.json|images\/[a-z_]+\.png)$/);
    }
    // no trailing map reference (style-loader's runtime mentions sourceMappingURL in code, that is fine)
    expect(/\/\/# sourceMappingURL=\S+\s*$/.test(text('script.js')), 'script.js points to a source map').toBe(false);
  });

  it('has text files in UTF-8 without BOM that parse as JSON', () => {
    for (const name of ['manifest.json', 'i18n/ru.json', 'i18n/en.json']) {
      expect(files.get(name)![0]).not.toBe(0xef);
      expect(() => JSON.parse(text(name))).not.toThrow();
    }
  });

  it('declares the manifest amoCRM needs', () => {
    const m = json('manifest.json');
    expect(m.widget).toMatchObject({ name: 'widget.name', description: 'widget.description', short_description: 'widget.short_description',
      interface_version: 2, locale: ['ru', 'en'], installation: true });
    expect(m.widget.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(m.widget.support.email ?? m.widget.support.link).toBeTruthy();
    expect(m.locations).toEqual(expect.arrayContaining(['lcard-1', 'llist-0', 'settings', 'digital_pipeline']));
    expect(m.dp.settings.key).toMatchObject({ type: 'text' });
    expect(typeof m.dp.action_multiple).toBe('boolean');
    expect(m.dp.webhook_url).toMatch(/^https:\/\//);
  });

  it('has the same i18n keys in every locale, covering every key the manifest names', () => {
    const m = json('manifest.json');
    const ru = keysOf(json('i18n/ru.json')).sort();
    const en = keysOf(json('i18n/en.json')).sort();
    expect(en).toEqual(ru);
    const named = [m.widget.name, m.widget.description, m.widget.short_description, m.dp.title,
      ...Object.values(m.settings).map((s: any) => s.name), ...Object.values(m.dp.settings).map((s: any) => s.name)];
    for (const key of named) expect(ru, key).toContain(key);
    for (const locale of m.widget.locale) expect(files.has(`i18n/${locale}.json`)).toBe(true);
  });

  it.each([
    ['logo_main.png', 400, 272], ['logo_small.png', 108, 108], ['logo.png', 130, 100],
    ['logo_medium.png', 240, 84], ['logo_min.png', 84, 84], ['logo_dp.png', 174, 109],
  ])('images/%s is %i×%i and under 300 KB', (name, width, height) => {
    const png = files.get(`images/${name}`)!;
    expect(png).toBeDefined();
    expect(pngSize(png)).toEqual({ width, height });
    expect(png.length).toBeLessThan(300 * 1024);
  });

  it('script.js is an AMD module whose value is the widget constructor', () => {
    const defined: { deps: string[]; value: unknown }[] = [];
    const define = (...args: unknown[]) => {
      const factory = args.find((a) => typeof a === 'function') as ((...d: unknown[]) => unknown) | undefined;
      const deps = (args.find(Array.isArray) as string[] | undefined) ?? [];
      defined.push({ deps, value: factory ? factory(...deps.map(() => ({}))) : args.at(-1) });
    };
    (define as { amd?: unknown }).amd = {};
    new Function('define', text('script.js'))(define);
    expect(defined).toHaveLength(1);
    const Widget = defined[0]!.value as new () => { callbacks: Record<string, any> };
    expect(typeof Widget).toBe('function');
    const widget = new Widget();
    for (const name of ['render', 'init', 'bind_actions']) expect(widget.callbacks[name](), name).toBe(true);
    for (const name of ['settings', 'onSave', 'destroy', 'dpSettings']) expect(typeof widget.callbacks[name], name).toBe('function');
    expect(typeof widget.callbacks.leads.selected).toBe('function');
  });

  it('injects only styles scoped to the widget (no global reset on amoCRM pages)', () => {
    const ours = [...document.querySelectorAll('style[data-dealcopy]')];
    expect(ours.length).toBeGreaterThan(0);
    for (const style of ours) {
      const sheet = (style as HTMLStyleElement).sheet!;
      for (const rule of [...sheet.cssRules]) {
        const selector = (rule as CSSStyleRule).selectorText;
        if (!selector) continue;
        for (const part of selector.split(',')) expect(part.trim(), part).toMatch(/^\.(dc-widget|dc-modal-backdrop)\b/);
      }
    }
  });
});
