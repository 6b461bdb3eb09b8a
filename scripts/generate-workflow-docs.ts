/**
 * `npm run docs:workflows`: writes docs/workflows/<id>.md for every workflow in the catalog (its
 * latest version, listing the older ones) and docs/workflows/README.md, from the machine files.
 * tests/unit/workflow-docs.test.ts fails when the committed files differ from what this writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { regulatoryBasis, workflowDocs } from '../src/engine/workflow-docs.js';

const dir = path.resolve(import.meta.dirname, '../docs/workflows');
fs.mkdirSync(dir, { recursive: true });
for (const [file, text] of workflowDocs()) fs.writeFileSync(path.join(dir, file), text);
console.log(`wrote ${workflowDocs().size} files to ${path.relative(process.cwd(), dir)}`);
fs.writeFileSync(path.resolve(import.meta.dirname, '../docs/regulatory-basis.md'), regulatoryBasis());
console.log('wrote docs/regulatory-basis.md');
