/** The committed TypeScript types must match what `npm run generate` makes from their schemas. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_DATA_FILE, GENERATED_FILE, generateEventData, generateTypes } from '../../scripts/generate-types.js';

describe('src/generated/schema-types.ts', () => {
  it('is up to date with schemas/ (run `npm run generate` if this fails)', async () => {
    expect(fs.readFileSync(GENERATED_FILE, 'utf8')).toBe(await generateTypes());
  });
});

describe('workflows/event-data.ts', () => {
  it("is up to date with the workflows' event schemas (run `npm run generate` if this fails)", async () => {
    expect(fs.readFileSync(EVENT_DATA_FILE, 'utf8')).toBe(await generateEventData());
  });
});
