/**
 * Workflow files are deterministic and free of I/O (Temporal-style): they may import xstate and
 * each other, nothing else. A replayed machine must behave exactly as it did on the server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = path.resolve(import.meta.dirname, '../../workflows');

describe('workflows/', () => {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it('has the machine files', () => {
    expect(files).toEqual(expect.arrayContaining(['fda-510k.ts', 'cofepris-registration.ts', 'index.ts', 'types.ts']));
  });

  for (const file of files) {
    it(`${file} imports only xstate and sibling workflow files`, () => {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      const specifiers = [...source.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
      expect(specifiers.length).toBeGreaterThan(0);
      for (const s of specifiers) expect(s, `${file} imports ${s}`).toMatch(/^(xstate|\.\/[a-z0-9-]+\.js)$/);
      expect(source).not.toMatch(/\b(Date\.now|new Date\(\)|Math\.random|process\.|setTimeout|fetch\()/);
    });
  }
});
