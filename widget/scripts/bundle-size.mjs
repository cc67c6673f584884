// Records the production bundle size so a change that bloats script.js shows up in review.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = readFileSync(join(root, 'dist', 'script.js'));
const zip = readFileSync(join(root, 'dist', 'widget.zip'));
const gzip = gzipSync(script, { level: 9 }).length;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
// Everything from the analysis heading on is kept: it is written by hand from `npm run analyze`.
const previous = existsSync(join(root, 'BUNDLE-SIZE.md')) ? readFileSync(join(root, 'BUNDLE-SIZE.md'), 'utf8') : '';
const analysisAt = previous.indexOf('## What is in it');
const kept = analysisAt >= 0 ? `\n${previous.slice(analysisAt)}` : '';
const text = `# Widget bundle size

Written by \`npm run build\` (scripts/bundle-size.mjs) from the production build. Budget: script.js at most
520 000 bytes raw, checked by \`npm run check:zip\` (tests/zip/widget-zip.test.ts).

| file | bytes | |
|---|---:|---|
| script.js (raw) | ${script.length} | ${kib(script.length)} |
| script.js (gzip -9) | ${gzip} | ${kib(gzip)} |
| widget.zip | ${zip.length} | ${kib(zip.length)} |
${kept}`;
writeFileSync(join(root, 'BUNDLE-SIZE.md'), text);
console.log(`script.js ${script.length} bytes, gzip ${gzip} bytes, widget.zip ${zip.length} bytes`);
