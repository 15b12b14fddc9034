import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'controller/**/*.test.ts', 'workflows/**/*.test.ts'],
    globalSetup: ['test/temporal-global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
