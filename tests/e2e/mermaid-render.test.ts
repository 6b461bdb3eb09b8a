/**
 * Every workflow diagram, and a submission diagram with its path highlighted, rendered to SVG by
 * Mermaid itself (the npm package, loaded from node_modules) in headless Chromium: proof the
 * generated Mermaid is valid. The SVGs are written to test-output/diagrams/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mermaidDiagram } from '../../src/engine/catalog.js';
import { WORKFLOWS } from '../../workflows/index.js';
import { fda510k } from '../../workflows/fda-510k.js';
import { SKIP_BROWSER, launchChromium } from '../support/browser.js';

const ROOT = path.join(import.meta.dirname, '../..');
const OUT = path.join(ROOT, 'test-output/diagrams');

let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (SKIP_BROWSER) return;
  browser = await launchChromium();
  page = await browser.newPage();
  await page.setContent('<!doctype html><html><body></body></html>');
  await page.addScriptTag({ path: path.join(ROOT, 'node_modules/mermaid/dist/mermaid.min.js') });
  await page.evaluate(() =>
    (globalThis as unknown as { mermaid: { initialize(c: object): void } }).mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' }),
  );
  fs.mkdirSync(OUT, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

async function render(name: string, text: string): Promise<string> {
  const svg = await page.evaluate(
    async ([id, src]) =>
      (await (globalThis as unknown as { mermaid: { render(id: string, t: string): Promise<{ svg: string }> } }).mermaid.render(id, src)).svg,
    [name.replace(/[^a-z0-9]/gi, '_'), text] as const,
  );
  fs.writeFileSync(path.join(OUT, `${name}.svg`), svg);
  return svg;
}

describe.skipIf(SKIP_BROWSER)('Mermaid renders every generated diagram', () => {
  for (const w of WORKFLOWS) {
    it(`${w.id}@${w.version}`, async () => {
      const svg = await render(`${w.id}@${w.version}`, mermaidDiagram(w));
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).not.toContain('Syntax error');
      // Every leaf state's label is drawn (and there are labels: a diagram without any would pass vacuously).
      const labels = [...mermaidDiagram(w).matchAll(/^\s*state "([^"]+)" as \S+$/gm)].map((m) => m[1]!);
      expect(labels.length).toBeGreaterThan(0);
      for (const label of labels) expect(svg).toContain(label);
    }, 30_000);
  }

  it('a submission diagram with its path and current state highlighted', async () => {
    const text = mermaidDiagram(fda510k, { visited: ['draft', 'received', 'acceptanceReview', 'review.substantive', 'aiHold'], current: 'aiHold' });
    expect(text).toContain('class draft,received,acceptanceReview,review_substantive visited');
    expect(text).toContain('class aiHold current');
    const svg = await render('fda-510k-submission', text);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('current');
  }, 30_000);
});
