import { defineConfig } from 'vitest/config';

/** The structural check of the built dist/widget.zip (run after `npm run build`). */
export default defineConfig({
  test: { globals: true, environment: 'jsdom', include: ['tests/zip/**/*.test.ts'] },
});
