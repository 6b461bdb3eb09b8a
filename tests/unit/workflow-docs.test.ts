/** docs/workflows/ is generated from the machine files; a stale page fails here. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { regulatoryBasis, workflowDocs } from '../../src/engine/workflow-docs.js';
import { WORKFLOWS } from '../../workflows/index.js';

const DIR = path.join(import.meta.dirname, '../../docs/workflows');

describe('docs/workflows', () => {
  it('holds one page per workflow id and an index, exactly as `npm run docs:workflows` writes them', () => {
    const expected = workflowDocs();
    expect([...expected.keys()].sort()).toEqual(['README.md', ...new Set(WORKFLOWS.map((w) => `${w.id}.md`))].sort());
    for (const [file, text] of expected) {
      const onDisk = fs.existsSync(path.join(DIR, file)) ? fs.readFileSync(path.join(DIR, file), 'utf8') : '(missing)';
      expect(onDisk, `docs/workflows/${file} is stale: run npm run docs:workflows`).toBe(text);
    }
  });

  it('docs/regulatory-basis.md is exactly what `npm run docs:workflows` writes', () => {
    const file = path.join(import.meta.dirname, '../../docs/regulatory-basis.md');
    const onDisk = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '(missing)';
    expect(onDisk, 'docs/regulatory-basis.md is stale: run npm run docs:workflows').toBe(regulatoryBasis());
  });

  it('each page has the diagram and every event with its roles', () => {
    for (const w of WORKFLOWS) {
      const page = workflowDocs().get(`${w.id}.md`)!;
      expect(page).toContain('```mermaid\nstateDiagram-v2');
      if (w === WORKFLOWS.filter((v) => v.id === w.id).at(-1)) {
        for (const [type, e] of Object.entries(w.events)) expect(page).toContain(`| \`${type}\` | ${e.roles.join(', ')} |`);
      }
    }
  });
});
