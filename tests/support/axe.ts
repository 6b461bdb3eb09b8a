/**
 * Accessibility checks with axe-core (the npm package, from node_modules: never a download).
 *
 * The pages send `Content-Security-Policy: script-src 'self'`, and `page.addScriptTag({ path })`
 * inlines the file into a `<script>` element, which that policy blocks. Rather than turning the
 * policy off (`bypassCSP: true` would also hide a page that breaks its own CSP), axe is added to
 * each browser context as an init script: Playwright injects init scripts through the DevTools
 * protocol, outside the page's CSP, so the pages under test keep the policy they really send.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AxeResults, ImpactValue, Result } from 'axe-core';
import type { BrowserContext, Page } from 'playwright-core';
import { ROOT } from './server.js';

export const AXE_PATH = path.join(ROOT, 'node_modules/axe-core/axe.min.js');

/** Makes `window.axe` available on every page the context opens (call before the first navigation). */
export async function installAxe(context: BrowserContext): Promise<void> {
  await context.addInitScript({ path: AXE_PATH });
}

/** Violations of the page as it is now (WCAG 2.x A/AA and best-practice rules axe enables by default). */
export async function axeViolations(page: Page): Promise<Result[]> {
  const present = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe === 'object');
  if (!present) {
    // A page opened in a context without installAxe: evaluate the source (also outside the CSP).
    await page.evaluate(fs.readFileSync(AXE_PATH, 'utf8'));
  }
  const results = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return results.violations;
}

const BLOCKING: readonly ImpactValue[] = ['serious', 'critical'];

/** The violations a page must not have: impact serious or critical. */
export function blockingViolations(violations: readonly Result[]): Result[] {
  return violations.filter((v) => v.impact !== undefined && v.impact !== null && BLOCKING.includes(v.impact));
}

/** Rule id, impact, help text and the offending elements (selector and a snippet), one block per rule. */
export function formatViolations(violations: readonly Result[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 10)
        .map(
          (n) =>
            `    - ${n.target.join(' ')}\n      ${n.html.replace(/\s+/g, ' ').slice(0, 200)}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\s+/g, ' ').slice(0, 300)}` : ''}`,
        )
        .join('\n');
      const more = v.nodes.length > 10 ? `\n    … and ${v.nodes.length - 10} more` : '';
      return `  [${v.impact ?? 'unknown'}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}${more}`;
    })
    .join('\n');
}
