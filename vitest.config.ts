import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each test file opens its own database (a SQLite file, or a fresh PostgreSQL database).
    pool: 'forks',
  },
});
