/**
 * The test files that use the test database (tests/support/db.ts, directly or through a helper
 * such as fixtures.ts, or TEST_DATABASE_URL itself): the only ones whose outcome depends on the
 * dialect, so the only ones `.ci/run` runs again on PostgreSQL. The list is derived from the
 * imports each time, never kept by hand: a new database test is included the moment it imports
 * the fixtures.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

const ROOT = import.meta.dirname;
const DB_MODULE = path.join(ROOT, 'tests/support/db.ts');

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return testFiles(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Relative imports of a test-side module, resolved to .ts files (`./x.js` is `./x.ts` on disk). */
function relativeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)]
    .map((m) => path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')))
    .filter((p) => p.startsWith(path.join(ROOT, 'tests')) && fs.existsSync(p));
}

/** Whether `file`, or a test-side module it imports (transitively), reaches the test database. */
export function usesTestDatabase(file: string, seen = new Set<string>()): boolean {
  if (file === DB_MODULE) return true;
  if (seen.has(file)) return false;
  seen.add(file);
  if (fs.readFileSync(file, 'utf8').includes('TEST_DATABASE_URL')) return true;
  return relativeImports(file).some((f) => usesTestDatabase(f, seen));
}

export const DB_TEST_FILES = testFiles(path.join(ROOT, 'tests'))
  .filter((f) => usesTestDatabase(f))
  .map((f) => path.relative(ROOT, f))
  .sort();

// Not mergeConfig: it would append to the base `include` instead of replacing it.
export default defineConfig({ ...base, test: { ...base.test, include: DB_TEST_FILES } });
