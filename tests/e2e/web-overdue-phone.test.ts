/**
 * Overdue work and phones (tracker issue 18 §1 and §7), in Chromium on the demo data (`puente
 * demo` on a fresh SQLite file, a real server process):
 * - the demo COFEPRIS registration, past its resolution goal, is the portfolio's first row, in the
 *   warning style, its countdown in business days ("… business days overdue"), in English and in
 *   Spanish, also under "Overdue only"; a 510(k) whose decision goal was missed before an AI hold
 *   stays missed (not "paused") while the hold stops its clock;
 * - a submission opens on its card (state, who acts, next date, open requests, main action) within
 *   the first screen at 1280 and 390 px, in English and Spanish, with no machine code on show; the
 *   response form shows the request and refuses an empty answer at its field; the withdrawal is
 *   destructive-looking, signed and confirmed (issue 18 §2–§5);
 * - at 390 px no page (sign-in, portfolio, a submission of each pathway, new submission, audit,
 *   users) is wider than the viewport, and axe finds no violation; screenshots at 1280 and 390 px
 *   go to test-output/web-phone/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, formatViolations, installAxe } from '../support/axe.js';
import { SKIP_BROWSER, launchChromium } from '../support/browser.js';
import { ROOT, startServer, type RunningServer } from '../support/server.js';
import { latestWorkflow } from '../../workflows/index.js';

const OUT = path.join(ROOT, 'test-output/web-phone');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const REGISTRATION = 'CardioFlow registro sanitario (vía abreviada)';
const LATE_510K = 'Late decision 510(k) on AI hold';

type Role = 'manufacturer' | 'fda' | 'cofepris' | 'auditor' | 'admin';
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

let dir: string;
let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** The demo's printed credentials: e-mail and password per role, and API tokens. */
const login: Partial<Record<Role, { email: string; password: string }>> = {};
const tokens: Partial<Record<Role, string>> = {};

async function apiCall(role: Role, method: string, url: string, body?: unknown): Promise<Record<string, any>> {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { Authorization: `Bearer ${tokens[role]}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as Record<string, any>;
  expect(res.status, `${method} ${url}: ${JSON.stringify(json)}`).toBeLessThan(300);
  return json;
}

/** Sends a step through the API, signed with the sender's demo password when the workflow asks for it. */
async function step(role: Role, id: string, type: string, effectiveAt: string, data?: Record<string, unknown>): Promise<void> {
  const spec = latestWorkflow('fda-510k')!.events[type];
  const signature = spec?.requiresSignature
    ? { signature: { meaning: role === 'manufacturer' ? 'responsibility' : 'approval', password: login[role]!.password } }
    : {};
  await apiCall(role, 'POST', `/v1/submissions/${id}/events`, { type, effectiveAt, ...(data ? { data } : {}), ...signature });
}

async function signedInPage(role: Role, viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ baseURL: server.url, locale: 'en-US', viewport });
  await installAxe(context);
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto('/sign-in');
  await page.fill('#identifier', login[role]!.email);
  await page.fill('#password', login[role]!.password);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/sign-in'), page.locator('main form button[type="submit"]').click()]);
  return page;
}

let shot = 0;
/**
 * The page as it is: a full-page screenshot, no axe violation (any impact), and at phone width
 * nothing wider than the viewport (the elements that stick out named in the failure).
 */
async function checkPage(page: Page, name: string): Promise<void> {
  const width = page.viewportSize()!.width;
  await page.screenshot({ path: path.join(OUT, `${String(++shot).padStart(2, '0')}-${name}-${width}.png`), fullPage: true });
  const violations = await axeViolations(page);
  expect
    .soft(
      violations.map((v) => v.id),
      `axe on ${name} at ${width} px (${page.url()}):\n${formatViolations(violations)}`,
    )
    .toEqual([]);
  if (width > PHONE.width) return;
  const { scrollWidth, wide } = await page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const wide = Array.from(document.querySelectorAll('body *'))
      .filter((e) => e.getBoundingClientRect().right > vw + 0.5 && !e.closest('.scroll-x, .diagram, details:not([open])'))
      .slice(0, 8)
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.split(' ').join('.')}` : ''} → ${Math.round(e.getBoundingClientRect().right)}`,
      );
    return { scrollWidth: document.documentElement.scrollWidth, wide };
  });
  expect.soft(scrollWidth, `${name} at ${width} px is ${scrollWidth} px wide; sticking out: ${wide.join(', ')}`).toBeLessThanOrEqual(width);
}

/** The portfolio's rows: title, whether the row is overdue, and its countdown in words. */
async function rows(page: Page): Promise<Array<{ title: string; overdue: boolean; words: string; next: string }>> {
  return page.locator('#portfolio tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({
      title: tr.querySelector('th a')?.textContent?.trim() ?? '',
      overdue: tr.classList.contains('overdue'),
      words: tr.querySelector('.countdown .status')?.textContent?.trim() ?? '',
      next: (tr.querySelector('td[data-label] time')?.parentElement?.textContent ?? '').replace(/\s+/g, ' ').trim(),
    })),
  );
}

describe.skipIf(SKIP_BROWSER)('overdue work and phone widths, on the demo data in Chromium', () => {
  let late510k = '';
  let registration = '';

  beforeAll(async () => {
    fs.mkdirSync(OUT, { recursive: true });
    for (const f of fs.readdirSync(OUT)) if (f.endsWith('.png')) fs.rmSync(path.join(OUT, f));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-phone-'));
    const env = { ...process.env, DATABASE_URL: `sqlite:${path.join(dir, 'puente.db')}`, LOG_LEVEL: 'warn' };
    execFileSync(process.execPath, ['bin/puente.js', 'migrate'], { cwd: ROOT, env });
    const out = execFileSync(process.execPath, ['bin/puente.js', 'demo'], { cwd: ROOT, env, encoding: 'utf8' });
    for (const m of out.matchAll(/^ {2}(manufacturer|fda|cofepris|auditor|admin) +(\S+@\S+) +(\S+)$/gm))
      login[m[1] as Role] = { email: m[2]!, password: m[3]! };
    for (const m of out.matchAll(/^ {2}(manufacturer|fda|cofepris|auditor|admin) +(pte_\S+)$/gm)) tokens[m[1] as Role] = m[2]!;
    expect(Object.keys(login).sort(), out).toEqual(['admin', 'auditor', 'cofepris', 'fda', 'manufacturer']);
    server = await startServer(env.DATABASE_URL, { SWEEP_INTERVAL_SECONDS: '0', WEBHOOK_INTERVAL_MS: '0' });
    browser = await launchChromium();

    // A 510(k) past its 90-FDA-day decision goal (FDA day 120) when FDA asks for more information.
    const created = await apiCall('manufacturer', 'POST', '/v1/submissions', {
      workflow: 'fda-510k',
      title: LATE_510K,
      device: { name: 'Late pump', productCode: 'FRN' },
      input: { format: 'eSTAR', variant: 'traditional' },
    });
    late510k = created.id as string;
    await step('manufacturer', late510k, 'SUBMIT', daysAgo(150));
    await step('fda', late510k, 'FEE_VERIFIED', daysAgo(150));
    await step('fda', late510k, 'SCREEN_PASS', daysAgo(140));
    await step('fda', late510k, 'SUBSTANTIVE_INTERACTION', daysAgo(100));
    await step('fda', late510k, 'REQUEST_AI', daysAgo(30), { deficiencies: ['Provide the bench report.'] });
    const list = await apiCall('manufacturer', 'GET', '/v1/submissions?limit=50');
    registration = (list.items as Array<{ id: string; title: string }>).find((s) => s.title === REGISTRATION)!.id;
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('the overdue registration comes first, in the warning style, counted in business days, in English and Spanish', async () => {
    const page = await signedInPage('manufacturer');
    const all = await rows(page);
    expect(all[0], JSON.stringify(all, null, 1)).toMatchObject({ title: REGISTRATION, overdue: true });
    expect(all[0]!.words).toMatch(/^\d+ business days overdue \(\d+ calendar days\)$/);
    expect(all[0]!.next).toMatch(/Goal: .+ Missed$/);
    // Overdue rows first, then the rest; the warning colour on the words.
    const firstOnTime = all.findIndex((r) => !r.overdue);
    expect(
      all.slice(firstOnTime).some((r) => r.overdue),
      JSON.stringify(all, null, 1),
    ).toBe(false);
    expect(
      await page
        .locator('#portfolio tbody tr.overdue .countdown .status.overdue')
        .first()
        .evaluate((e) => getComputedStyle(e).color),
    ).toBe('rgb(185, 28, 28)');
    await checkPage(page, 'portfolio-en');

    await page.locator('#f-overdue').check();
    await Promise.all([page.waitForURL(/overdue=true/), page.locator('form.filters button[type="submit"]').click()]);
    const overdue = await rows(page);
    expect(overdue.map((r) => r.title)).toEqual(expect.arrayContaining([REGISTRATION, LATE_510K]));
    expect(overdue[0]!.title).toBe(REGISTRATION);
    expect(overdue.filter((r) => !r.overdue)).toEqual([]);

    await page.goto('/lang/es?next=/');
    const es = await rows(page);
    expect(es[0]).toMatchObject({ title: REGISTRATION, overdue: true });
    expect(es[0]!.words).toMatch(/^Vencido hace \d+ días hábiles \(\d+ días naturales\)$/);
    await checkPage(page, 'portfolio-es');
  }, 120_000);

  it('a goal missed before a hold stays missed while the hold stops its clock', async () => {
    const page = await signedInPage('manufacturer');
    const row = (await rows(page)).find((r) => r.title === LATE_510K)!;
    expect(row).toMatchObject({ overdue: true, words: expect.stringMatching(/^\d+ FDA days overdue$/) });
    const view = await apiCall('manufacturer', 'GET', `/v1/submissions/${late510k}`);
    expect(view.state).toBe('aiHold');
    expect(view.clocks.goals.find((g: { kind: string }) => g.kind === 'decision')).toMatchObject({ status: 'missed', paused: false });
    expect(view.clocks.nextDue).toMatchObject({ source: 'goal', unit: 'fda-days', remainingDays: expect.any(Number) });
    expect(view.clocks.nextDue.remainingDays).toBeLessThan(0);
    await page.goto(`/submissions/${late510k}`);
    const statuses = await page.locator('#clocks-heading ~ table .status').allTextContents();
    expect(statuses).toContain('Missed');
    await checkPage(page, 'late-510k-en');
  }, 60_000);

  it('a submission opens on its card, in both languages and at both widths: state, who acts, the next date, the open request, the main action; the response needs content and the withdrawal a signature', async () => {
    const words = {
      en: { heading: 'Where it stands', requests: 'Open requests', who: 'Who must act', summary: /Summary\s*\(required\)/, blank: 'is required' },
      es: {
        heading: 'Situación actual',
        requests: 'Requerimientos pendientes',
        who: 'Quién debe actuar',
        summary: /Resumen\s*\(obligatorio\)/,
        blank: 'obligatorio',
      },
    } as const;
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await signedInPage('manufacturer', viewport);
      for (const lang of ['en', 'es'] as const) {
        await page.goto(`/lang/${lang}?next=/submissions/${late510k}`);
        const card = page.locator('#overview');
        // The card starts on the first screen and carries what matters.
        const box = (await card.boundingBox())!;
        expect(box.y, `card at ${box.y} px on a ${viewport.height} px screen`).toBeLessThan(viewport.height * 0.5);
        const text = (await card.innerText()).replace(/\s+/g, ' ');
        expect(text).toContain(words[lang].requests);
        expect(text).toContain(words[lang].who);
        expect(text).toContain('Provide the bench report.');
        expect(await card.locator('a.button[href="#event-AI_RESPONSE"]').count()).toBe(1);
        // No machine code on show: state ids and versions only inside the closed "codes" toggles.
        const visible = await page.evaluate(() => {
          const clone = document.querySelector('main')!.cloneNode(true) as HTMLElement;
          for (const d of Array.from(clone.querySelectorAll('details.codes, details#diagram-fold, script, pre.mermaid'))) d.remove();
          return clone.innerText;
        });
        expect(visible).not.toMatch(/\baiHold\b|fda-510k@\d|review\.substantive/);
        expect(await page.locator('details#diagram-fold').getAttribute('open')).toBeNull();
        // The response form: the open request in front of the one who answers, the summary required.
        await page.locator('#event-AI_RESPONSE > summary').click();
        const form = page.locator('#event-AI_RESPONSE form');
        expect((await form.innerText()).replace(/\s+/g, ' ')).toMatch(words[lang].summary);
        expect(await form.innerText()).toContain('Provide the bench report.');
        await checkPage(page, `first-screen-${lang}`);
        // An empty response is refused at its field, in the page's language, and nothing moves.
        await Promise.all([page.waitForLoadState('load'), form.locator('button[type="submit"]').click()]);
        const error = page.locator('#event-AI_RESPONSE .field-error').first();
        expect((await error.innerText()).toLowerCase()).toContain(words[lang].blank);
        expect((await apiCall('manufacturer', 'GET', `/v1/submissions/${late510k}`)).state).toBe('aiHold');
        // The withdrawal looks destructive and asks for the signature and the confirmation.
        const withdraw = page.locator('#event-WITHDRAW');
        expect(await withdraw.getAttribute('class')).toContain('ends');
        expect(await withdraw.locator('input[name="signature.password"]').count()).toBe(1);
        expect(await withdraw.locator('input[name="confirm"]').count()).toBe(1);
        expect(await withdraw.locator('button.danger').count()).toBe(1);
      }
    }
  }, 180_000);

  it('at 390 px no page is wider than the screen, and axe finds nothing, in English and Spanish', async () => {
    const list = await apiCall('manufacturer', 'GET', '/v1/submissions?limit=50');
    // One submission of each pathway in the demo (and the late 510(k) on hold).
    const byWorkflow = new Map<string, string>();
    for (const s of list.items as Array<{ id: string; workflow: { id: string } }>) if (!byWorkflow.has(s.workflow.id)) byWorkflow.set(s.workflow.id, s.id);
    const submissions = [...new Set([...byWorkflow.values(), registration, late510k])];

    const anonymous = await browser.newContext({ baseURL: server.url, viewport: PHONE });
    await installAxe(anonymous);
    contexts.push(anonymous);
    const signIn = await anonymous.newPage();
    await signIn.goto('/sign-in');
    await checkPage(signIn, 'sign-in');

    const pages: Array<[Role, string, string]> = [
      ['manufacturer', '/', 'portfolio'],
      ['manufacturer', '/?overdue=true', 'portfolio-overdue'],
      ['manufacturer', '/submissions/new', 'new-submission'],
      ...submissions.map((id, i): [Role, string, string] => ['manufacturer', `/submissions/${id}`, `submission-${i + 1}`]),
      ['cofepris', `/submissions/${registration}`, 'registration-cofepris'],
      ['auditor', '/audit', 'audit'],
      ['admin', '/users', 'users'],
    ];
    for (const lang of ['en', 'es'] as const) {
      const byRole = new Map<Role, Page>();
      for (const [role, url, name] of pages) {
        if (!byRole.has(role)) {
          const p = await signedInPage(role, PHONE);
          await p.goto(`/lang/${lang}?next=/`);
          byRole.set(role, p);
        }
        const page = byRole.get(role)!;
        await page.goto(url);
        expect(await page.getAttribute('html', 'lang')).toMatch(new RegExp(`^${lang}`));
        await checkPage(page, `${name}-${lang}`);
      }
    }
    // The portfolio's countdown is on the screen: inside the viewport, not cut off to the right.
    const phone = await signedInPage('manufacturer', PHONE);
    const box = (await phone.locator('#portfolio tbody tr').first().locator('.countdown').boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
  }, 300_000);
});
