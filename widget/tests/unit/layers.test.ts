import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Web → Presentation → App → Data Access → Infrastructure: imports only point downwards. */
const order = ['web', 'presentation', 'app', 'data', 'infrastructure'];
const src = join(__dirname, '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|vue)$/.test(n) ? [p] : [];
  });
}
const layerOf = (path: string) => order.indexOf(relative(src, path).split(/[\\/]/)[0]!);

describe('layers', () => {
  const all = files(src).filter((f) => layerOf(f) >= 0);

  it.each(all.map((f) => [relative(src, f), f]))('%s imports only its own or lower layers', (_n, file) => {
    const own = layerOf(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from\s+'(\.[^']+)'/g)) {
      const target = join(file, '..', m[1]!);
      if (!target.startsWith(src)) continue;
      expect(layerOf(target), `${m[1]}`).toBeGreaterThanOrEqual(own);
    }
  });

  it('components never talk HTTP', () => {
    for (const file of all.filter((f) => layerOf(f) <= 2)) {
      expect(readFileSync(file, 'utf8'), relative(src, file)).not.toMatch(/from 'axios'|\$\.ajax|fetch\(/);
    }
  });
});
