/**
 * The Insights page (tracker issue 16 §3) in Chromium, on the demo data (`puente demo` on a fresh
 * SQLite file, a real server process) plus a registration granted through the API on the abbreviated
 * route after a prevención: every chart is an SVG the server rendered (no script on the page, under
 * the page's own CSP), named by its caption, with the table of its numbers under it; those numbers
 * are GET /v1/insights's; the page reads in English and in Spanish at 1280 and 390 px with no axe
 * violation, nothing wider than a phone's screen; the filters narrow it, and a bad period is
 * refused on the page next to its field. Screenshots go to test-output/web-insights/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestWorkflow } from '../../workflows/index.js';
import { axeViolations, formatViolations, installAxe } from '../support/axe.js';
import { SKIP_BROWSER, launchChromium } from '../support/browser.js';
import { ROOT, startServer, type RunningServer } from '../support/server.js';

const OUT = path.join(ROOT, 'test-output/web-insights');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const SECTIONS = ['goals', 'decisions', 'reliance', 'prevencion', 'overdue'] as const;

type Role = 'manufacturer' | 'fda' | 'cofepris' | 'auditor' | 'admin';
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

let dir: string;
let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const login: Partial<Record<Role, { email: string; password: string }>> = {};
const tokens: Partial<Record<Role, string>> = {};
/** Content-Security-Policy violations the pages reported. */
const cspViolations: string[] = [];

async function api(role: Role, method: string, url: string, body?: unknown, contentType = 'application/json'): Promise<Record<string, any>> {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { Authorization: `Bearer ${tokens[role]}`, ...(body !== undefined ? { 'Content-Type': contentType } : {}) },
    body: body === undefined ? undefined : contentType === 'application/json' ? JSON.stringify(body) : new Uint8Array(body as Buffer),
  });
  const json = (await res.json()) as Record<string, any>;
  expect(res.status, `${method} ${url}: ${JSON.stringify(json)}`).toBeLessThan(300);
  return json;
}

/** A registration step, signed with the sender's demo password where the workflow asks for it. */
async function step(role: Role, id: string, type: string, effectiveAt: string, data?: Record<string, unknown>): Promise<void> {
  const signature = latestWorkflow('cofepris-registration')!.events[type]?.requiresSignature
    ? { signature: { meaning: role === 'manufacturer' ? 'responsibility' : 'approval', password: login[role]!.password } }
    : {};
  await api(role, 'POST', `/v1/submissions/${id}/events`, { type, effectiveAt, ...(data ? { data } : {}), ...signature });
}

async function signedInPage(role: Role, viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ baseURL: server.url, locale: 'en-US', viewport });
  await installAxe(context);
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('console', (m) => {
    if (/Content[- ]Security[- ]Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.goto('/sign-in');
  await page.fill('#identifier', login[role]!.email);
  await page.fill('#password', login[role]!.password);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/sign-in'), page.locator('main form button[type="submit"]').click()]);
  return page;
}

let shot = 0;
/** A full-page screenshot, no axe violation, and at phone width nothing wider than the screen. */
async function checkPage(page: Page, name: string): Promise<void> {
  const width = page.viewportSize()!.width;
  await page.screenshot({ path: path.join(OUT, `${String(++shot).padStart(2, '0')}-${name}-${width}.png`), fullPage: true });
  const violations = await axeViolations(page);
  expect
    .soft(
      violations.map((v) => v.id),
      `axe on ${name} at ${width} px:\n${formatViolations(violations)}`,
    )
    .toEqual([]);
  if (width > PHONE.width) return;
  const { scrollWidth, wide } = await page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const wide = Array.from(document.querySelectorAll('body *'))
      .filter((e) => e.getBoundingClientRect().right > vw + 0.5 && !e.closest('svg'))
      .slice(0, 8)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''} → ${Math.round(e.getBoundingClientRect().right)}`);
    return { scrollWidth: document.documentElement.scrollWidth, wide };
  });
  expect.soft(scrollWidth, `${name} at ${width} px is ${scrollWidth} px wide; sticking out: ${wide.join(', ')}`).toBeLessThanOrEqual(width);
}

/** Each section: its heading, whether it has a chart (and how the chart is named), and its table's rows as text. */
async function sections(page: Page) {
  return page.locator('section.insight').evaluateAll((els) =>
    els.map((s) => {
      const svg = s.querySelector('figure svg');
      const label = svg?.getAttribute('aria-labelledby');
      return {
        id: s.getAttribute('aria-labelledby')!.replace(/-heading$/, ''),
        heading: s.querySelector('h2')!.textContent!.trim(),
        svg: svg
          ? { role: svg.getAttribute('role'), name: label ? document.getElementById(label)?.textContent?.trim() : null, text: svg.textContent ?? '' }
          : null,
        rows: Array.from(s.querySelectorAll('table:not(.overdue-list) tbody tr')).map((tr) =>
          Array.from(tr.children).map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim()),
        ),
      };
    }),
  );
}

describe.skipIf(SKIP_BROWSER)('the Insights page in Chromium, on the demo data', () => {
  beforeAll(async () => {
    fs.mkdirSync(OUT, { recursive: true });
    for (const f of fs.readdirSync(OUT)) if (f.endsWith('.png')) fs.rmSync(path.join(OUT, f));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-insights-'));
    const env = { ...process.env, DATABASE_URL: `sqlite:${path.join(dir, 'puente.db')}`, LOG_LEVEL: 'warn' };
    execFileSync(process.execPath, ['bin/puente.js', 'migrate'], { cwd: ROOT, env });
    const out = execFileSync(process.execPath, ['bin/puente.js', 'demo'], { cwd: ROOT, env, encoding: 'utf8' });
    for (const m of out.matchAll(/^ {2}(manufacturer|fda|cofepris|auditor|admin) +(\S+@\S+) +(\S+)$/gm))
      login[m[1] as Role] = { email: m[2]!, password: m[3]! };
    for (const m of out.matchAll(/^ {2}(manufacturer|fda|cofepris|auditor|admin) +(pte_\S+)$/gm)) tokens[m[1] as Role] = m[2]!;
    expect(Object.keys(login).sort(), out).toEqual(['admin', 'auditor', 'cofepris', 'fda', 'manufacturer']);
    server = await startServer(env.DATABASE_URL, { SWEEP_INTERVAL_SECONDS: '0', WEBHOOK_INTERVAL_MS: '0' });
    browser = await launchChromium();

    // A registration on the abbreviated route relying on the demo's cleared 510(k): a prevención of 6 days, granted 5 days ago.
    const list = await api('manufacturer', 'GET', '/v1/submissions?workflow=fda-510k&state=cleared');
    const cleared = list.items[0] as { id: string };
    const reg = await api('manufacturer', 'POST', '/v1/submissions', {
      workflow: 'cofepris-registration',
      title: 'Insights registro (vía abreviada)',
      device: { name: 'Insights device', productCode: 'FRN' },
      input: { route: 'abbreviated', identicalDevice: true, reference: { submissionId: cleared.id } },
    });
    for (const kind of reg.dossier.missing as string[])
      await api(
        'manufacturer',
        'POST',
        `/v1/submissions/${reg.id}/documents?kind=${kind}&filename=${kind}.pdf`,
        Buffer.from(`%PDF-1.7\n% ${kind}\n%%EOF\n`),
        'application/pdf',
      );
    await step('manufacturer', reg.id, 'SUBMIT', daysAgo(20), { folio: 'F-INSIGHTS' });
    await step('cofepris', reg.id, 'START_REVIEW', daysAgo(19));
    await step('cofepris', reg.id, 'ISSUE_PREVENCION', daysAgo(18), { items: ['Apostilla'], termBusinessDays: 10 });
    await step('manufacturer', reg.id, 'RESPOND_PREVENCION', daysAgo(12), { summary: 'Apostilla adjunta' });
    await step('cofepris', reg.id, 'GRANT', daysAgo(5), { registrationNumber: '0100E2026 SSA' });
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('in English: a chart named by its caption and a table of the API’s numbers per figure, at 1280 and 390 px', async () => {
    const figures = await api('manufacturer', 'GET', '/v1/insights');
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await signedInPage('manufacturer', viewport);
      await page.locator('nav a[href="/insights"]').click();
      await page.waitForURL(/\/insights$/);
      expect(await page.locator('h1').textContent()).toBe('Insights');
      const all = await sections(page);
      expect(all.map((s) => s.id)).toEqual([...SECTIONS]);
      for (const s of all.filter((x) => x.svg)) {
        expect(s.svg!.role).toBe('img');
        expect(s.svg!.name!.length).toBeGreaterThan(10);
      }
      // Goals, decisions, reliance and what is overdue have data on the demo: each is drawn.
      for (const id of ['goals', 'decisions', 'reliance', 'prevencion', 'overdue']) expect(all.find((s) => s.id === id)!.svg, id).not.toBeNull();
      const decisions = all.find((s) => s.id === 'decisions')!;
      const d = figures.daysToDecision[0];
      expect(decisions.rows[0]).toEqual([
        'FDA 510(k)',
        String(d.decisions),
        String(d.fdaDays.median),
        String(d.fdaDays.p90),
        String(d.calendarDays.median),
        String(d.calendarDays.p90),
        String(d.holdDays.median),
      ]);
      expect(decisions.svg!.text).toContain('FDA days, median');
      const abbreviated = figures.relianceLeadTime.find((r: { route: string }) => r.route === 'abbreviated');
      expect(abbreviated).toMatchObject({ granted: 1 });
      expect(all.find((s) => s.id === 'reliance')!.rows.find((r) => r[0] === 'Abbreviated')).toEqual([
        'Abbreviated',
        '1',
        String(abbreviated.leadDays.median),
        String(abbreviated.leadDays.p90),
        String(abbreviated.pending),
      ]);
      const prevencion = figures.prevencion.find((r: { route: string }) => r.route === 'abbreviated');
      expect(prevencion).toMatchObject({ registrations: 1, open: 0, days: { median: 6 } });
      expect(all.find((s) => s.id === 'prevencion')!.rows.find((r) => r[0] === 'Abbreviated')).toEqual(['Abbreviated', '1', '6', '6', '0']);
      const overdue = all.find((s) => s.id === 'overdue')!;
      expect(overdue.rows.map((r) => r.slice(1).map(Number))).toEqual(
        figures.overdue.map((r: { submissions: number; deadlinesPassed: number; goalsMissed: number }) => [r.submissions, r.deadlinesPassed, r.goalsMissed]),
      );
      await checkPage(page, 'insights-en');
    }
  }, 120_000);

  it('in Spanish: the same figures, every word of the charts and tables in Spanish, at 1280 and 390 px', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await signedInPage('manufacturer', viewport);
      await page.goto('/lang/es?next=/insights');
      expect(await page.locator('h1').textContent()).toBe('Indicadores');
      const all = await sections(page);
      expect(all.map((s) => s.heading)).toEqual([
        'Cumplimiento de metas MDUFA',
        'Días hasta la decisión',
        'Tiempo de reconocimiento (reliance)',
        'Tiempo en prevención',
        'Vencido hoy',
      ]);
      const goals = all.find((s) => s.id === 'goals')!;
      expect(goals.svg!.text).toMatch(/Metas/);
      expect(goals.svg!.text).not.toMatch(/\bMet\b|\bPending\b|Goals/);
      expect(goals.rows[0]![1]).toMatch(/^\d{4} T[1-4]$/);
      expect(all.find((s) => s.id === 'decisions')!.svg!.text).toContain('Días FDA, mediana');
      expect(all.find((s) => s.id === 'reliance')!.rows.map((r) => r[0])).toEqual(['Ordinaria', 'Tercero autorizado', 'Equivalencia (acuerdos)', 'Abreviada']);
      await checkPage(page, 'insights-es');
    }
  }, 120_000);

  it('the filters narrow every figure, and a period that ends before it starts is refused next to its field', async () => {
    const page = await signedInPage('auditor');
    await page.goto('/insights');
    await page.selectOption('#f-pathway', 'cofepris-registration');
    await Promise.all([page.waitForURL(/pathway=cofepris-registration/), page.locator('form.filters button[type="submit"]').click()]);
    const narrowed = await api('auditor', 'GET', '/v1/insights?pathway=cofepris-registration');
    expect(await page.locator('#insights-count').textContent()).toBe(`${narrowed.submissions} submissions counted.`);
    const all = await sections(page);
    expect(all.find((s) => s.id === 'goals')!.svg).toBeNull();
    expect(all.find((s) => s.id === 'reliance')!.svg).not.toBeNull();

    await page.goto('/insights?from=2026-05-01&to=2026-04-30');
    await expect.poll(() => page.locator('.error-summary').count()).toBe(1);
    expect(await page.locator('#f-to').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#f-to-error').textContent()).toBe('must be on or after from (2026-05-01)');
    expect(await page.locator('section.insight').count()).toBe(0);
    await checkPage(page, 'insights-refused');
    // No page broke its own Content-Security-Policy (the charts are plain SVG, no script, no style element).
    expect(cspViolations).toEqual([]);
  }, 120_000);
});
