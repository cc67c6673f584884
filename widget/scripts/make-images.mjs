// Draws the logos amoCRM requires, each at its exact size (API-NOTES §15.1), into public/images/.
// Generated at build time so the repository holds no binaries and a size can never drift.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

export const LOGOS = {
  'logo_main.png': [400, 272],
  'logo_small.png': [108, 108],
  'logo.png': [130, 100],
  'logo_medium.png': [240, 84],
  'logo_min.png': [84, 84],
  'logo_dp.png': [174, 109],
};

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'images');

/** Two overlapping rounded cards ("a deal and its copy") on a blue background. */
function draw(width, height) {
  const png = new PNG({ width, height });
  const s = Math.min(width, height);
  const card = (x, y, cx, cy, w, h) => x >= cx && x < cx + w && y >= cy && y < cy + h;
  const w = s * 0.42, h = s * 0.52;
  const ax = width / 2 - w * 0.75, ay = height / 2 - h * 0.62;
  const bx = ax + w * 0.5, by = ay + h * 0.24;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      let [r, g, b] = [22, 119, 255];
      if (card(x, y, bx, by, w, h)) [r, g, b] = [255, 255, 255];
      else if (card(x, y, bx - 3, by - 3, w + 6, h + 6)) [r, g, b] = [13, 71, 161];
      else if (card(x, y, ax, ay, w, h)) [r, g, b] = [187, 222, 251];
      png.data[i] = r; png.data[i + 1] = g; png.data[i + 2] = b; png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

mkdirSync(out, { recursive: true });
for (const [name, [width, height]] of Object.entries(LOGOS)) writeFileSync(join(out, name), draw(width, height));
