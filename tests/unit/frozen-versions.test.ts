/**
 * A released workflow version never changes: submissions keep the version they started on and
 * every history row names its definition hash (DESIGN §4). The hashes of released versions are
 * pinned in tests/fixtures/definition-hashes.json; editing a released machine, schema, goal or
 * parameter fails here, and the fix is a new version beside the old one (then
 * `puente workflow migrate`), not an edit. A version not yet pinned is added to the file by
 * running this test with PIN_NEW_VERSIONS=1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { definitionHash } from '../../src/engine/definitions.js';
import { WORKFLOWS } from '../../workflows/index.js';

const FILE = path.join(import.meta.dirname, '../fixtures/definition-hashes.json');
const pinned = JSON.parse(fs.readFileSync(FILE, 'utf8')) as Record<string, string>;

describe('released workflow versions are frozen', () => {
  it('every pinned version is still in the catalog with the same definition hash', () => {
    const current = new Map(WORKFLOWS.map((w) => [`${w.id}@${w.version}`, definitionHash(w)]));
    for (const [key, hash] of Object.entries(pinned)) {
      expect(current.has(key), `${key} was removed from the catalog; running submissions need it`).toBe(true);
      expect(current.get(key), `${key} changed; release the change as a new version instead`).toBe(hash);
    }
  });

  it('every version in the catalog is pinned', () => {
    const missing = WORKFLOWS.map((w) => `${w.id}@${w.version}`).filter((k) => !(k in pinned));
    if (missing.length && process.env.PIN_NEW_VERSIONS === '1') {
      const next = { ...pinned };
      for (const w of WORKFLOWS) next[`${w.id}@${w.version}`] ??= definitionHash(w);
      fs.writeFileSync(FILE, `${JSON.stringify(Object.fromEntries(Object.entries(next).sort()), null, 2)}\n`);
      return;
    }
    expect(missing, 'pin new versions with PIN_NEW_VERSIONS=1 npx vitest run tests/unit/frozen-versions.test.ts').toEqual([]);
  });
});
