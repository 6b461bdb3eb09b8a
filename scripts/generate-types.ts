/**
 * Generates TypeScript types from `schemas/` (one source of truth per shape). Run with
 * `npm run generate`; tests/unit/generated-types.test.ts fails when the committed file is stale.
 */
import fs from 'node:fs';
import { compile } from 'json-schema-to-typescript';
import { loadSchemaFiles } from '../src/validation.js';

export const GENERATED_FILE = new URL('../src/generated/schema-types.ts', import.meta.url);

export async function generateTypes(): Promise<string> {
  const files = loadSchemaFiles();
  const parts = ['/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */\n'];
  for (const schema of files) {
    const ts = await compile(schema as never, String(schema.title), {
      bannerComment: '',
      additionalProperties: true,
      declareExternallyReferenced: false,
      format: true,
      cwd: new URL('../schemas/', import.meta.url).pathname,
    });
    parts.push(ts.trim(), '');
  }
  return `${parts.join('\n')}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  fs.writeFileSync(GENERATED_FILE, await generateTypes());
  console.log(`wrote ${GENERATED_FILE.pathname}`);
}
