// Bundle analysis: builds script.js with a source map into dist-analysis/ and prints how many bytes of the
// minified file each package (each antd folder) accounts for. `npm run analyze`; results go into BUNDLE-SIZE.md.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceMap, eachMapping } from '@jridgewell/trace-mapping';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist-analysis');
execFileSync(process.execPath, [join(root, 'node_modules/webpack/bin/webpack.js'), '--mode', 'production', '--devtool', 'source-map', '--output-path', out], { cwd: root, stdio: 'ignore' });
const code = readFileSync(join(out, 'script.js'), 'utf8');
const map = new TraceMap(readFileSync(join(out, 'script.js.map'), 'utf8'));
const lines = code.split('\n');
const mappings = [];
eachMapping(map, (m) => mappings.push(m));
const bytes = new Map();
mappings.forEach((m, i) => {
  const next = mappings[i + 1];
  const length = next && next.generatedLine === m.generatedLine ? next.generatedColumn - m.generatedColumn : lines[m.generatedLine - 1].length - m.generatedColumn;
  const source = m.source ?? '(webpack runtime)';
  const at = source.lastIndexOf('node_modules/');
  let key = 'DealCopy widget (src, i18n, css)';
  if (at >= 0) {
    const parts = source.slice(at + 13).split('/');
    key = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    if (key === 'ant-design-vue') key += `/${parts[2]}`;
  } else if (!source.includes('/src/') && !source.includes('/public/')) key = '(webpack runtime, unmapped)';
  bytes.set(key, (bytes.get(key) ?? 0) + length);
});
rmSync(out, { recursive: true, force: true });
console.log(`script.js ${code.length} bytes (with a source map comment)\n`);
console.log('| bytes | package |\n|---:|---|');
for (const [key, n] of [...bytes].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[2] ?? 30))) console.log(`| ${n} | ${key} |`);
