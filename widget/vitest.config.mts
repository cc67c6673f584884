import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [vue()],
  define: { __DEALCOPY_API_BASE__: JSON.stringify(''), __DEALCOPY_VERSION__: JSON.stringify('test') },
  test: {
    globals: true,
    environment: 'jsdom',
    include: ['tests/unit/**/*.test.ts'],
    setupFiles: ['tests/unit/setup.ts'],
    // The first mount of a test file compiles antd's styles; on a busy 2-core machine that alone can take 5 s.
    testTimeout: 20_000,
  },
});
