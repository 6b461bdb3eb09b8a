/** The committed TypeScript types must match what `npm run generate` makes from schemas/. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_FILE, generateTypes } from '../../scripts/generate-types.js';

describe('src/generated/schema-types.ts', () => {
  it('is up to date with schemas/ (run `npm run generate` if this fails)', async () => {
    expect(fs.readFileSync(GENERATED_FILE, 'utf8')).toBe(await generateTypes());
  });
});
