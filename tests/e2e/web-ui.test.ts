/**
 * The web interface end to end (issue 7): a real server process on a fresh SQLite file, users
 * made with the real CLI, and headless Chromium from Debian driven by playwright-core, one
 * browser context (one session) per user.
 *
 * The scenario: a 510(k) from draft through an AI hold to cleared, then the COFEPRIS registration
 * that relies on it from dossier to registro sanitario (its reviewer working in Spanish), and an
 * auditor searching, reading and verifying the history. Every page visited is screenshot to
 * test-output/web/<nn>-<name>.png and checked with axe-core: no serious or critical violation,
 * in English and in Spanish, with form errors shown and the Mermaid diagram drawn.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Result } from 'axe-core';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKIP_BROWSER, launchChromium } from '../support/browser.js';
import { axeViolations, blockingViolations, formatViolations, installAxe } from '../support/axe.js';
import { ROOT, startServer, type RunningServer } from '../support/server.js';
import { latestWorkflow } from '../../workflows/index.js';

const OUT = path.join(ROOT, 'test-output/web');
const PASSWORD = 'Correct-Horse-Battery-9';
const STEP_TIMEOUT = 120_000;

interface Person {
  readonly name: string;
  readonly role: 'manufacturer' | 'fda' | 'cofepris' | 'auditor';
  readonly email: string;
  readonly org?: string;
}
const MFR: Person = { name: 'María López', role: 'manufacturer', email: 'maria.lopez@acme.example', org: 'Acme Medical' };
const FDA: Person = { name: 'Dr. James Carter', role: 'fda', email: 'james.carter@fda.example' };
const COF: Person = { name: 'Lic. Ana Torres', role: 'cofepris', email: 'ana.torres@cofepris.example' };
const AUD: Person = { name: 'Sam Reed', role: 'auditor', email: 'sam.reed@audit.example' };

const K_TITLE = 'CardioFlow 510(k)';
const K_NUMBER = 'K261234';
const REGISTRATION_NUMBER = '0123E2026 SSA';

/** `YYYY-MM-DD`, `n` days before today (UTC): effective dates in the recent past, in order. */
function daysAgo(n: number): string {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}

let dir: string;
let databaseUrl: string;
let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

/** Ids the steps pass on. */
let kId = '';
let rId = '';

// ---------------------------------------------------------------------------------------------
// Screenshots and axe on every page

let shot = 0;
/** Uncaught script errors and console errors of each page since its last check. */
const consoleErrors = new WeakMap<Page, string[]>();
function watchConsole(page: Page): void {
  const list: string[] = [];
  consoleErrors.set(page, list);
  page.on('pageerror', (e) => list.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') list.push(`console.error: ${m.text()}`);
  });
}

const audited: Array<{ file: string; url: string; lang: string; violations: Result[] }> = [];

/**
 * Every page visited: wait for the Mermaid diagram when the page has one, a full-page screenshot,
 * then axe. A serious or critical violation fails the test (softly, so the scenario goes on and
 * the report lists every page's problems).
 */
async function checkPage(page: Page, name: string): Promise<void> {
  const errors = consoleErrors.get(page) ?? [];
  const diagram = page.locator('pre.mermaid');
  if ((await diagram.count()) > 0) {
    // Whether app.js had started drawing when the page loaded (see diagramProbe): if not, Mermaid
    // may still draw the diagram on its own (startOnLoad), but app.js never marks it rendered.
    const started = await page.evaluate(() => ({
      started: (globalThis as { __diagramStartedAtLoad?: boolean | null }).__diagramStartedAtLoad,
      mermaid: typeof (globalThis as { mermaid?: unknown }).mermaid,
    }));
    expect
      .soft(
        started.started,
        `${name}: app.js had not started drawing the Mermaid diagram when the page loaded (window.mermaid is ${started.mermaid} now; console: ${errors.join(' | ') || 'nothing'})`,
      )
      .toBe(true);
    if (started.started) {
      // The full graph is folded: open it, as a reader asking for it would.
      const fold = page.locator('details#diagram-fold:not([open]) > summary');
      if ((await fold.count()) > 0) await fold.click();
      await page.locator('pre.mermaid[data-rendered]').first().waitFor({ state: 'attached', timeout: 20_000 });
      expect(await diagram.first().getAttribute('data-rendered'), `${name}: the Mermaid diagram renders; console: ${errors.join(' | ')}`).toBe('true');
      expect(await diagram.first().locator('svg[role="img"]').count(), `${name}: the diagram is an SVG image`).toBe(1);
    }
  }
  const file = `${String(++shot).padStart(2, '0')}-${name}.png`;
  await page.screenshot({ path: path.join(OUT, file), fullPage: true });
  const violations = await axeViolations(page);
  const lang = (await page.getAttribute('html', 'lang')) ?? '';
  audited.push({ file, url: new URL(page.url()).pathname + new URL(page.url()).search, lang, violations });
  const blocking = blockingViolations(violations);
  expect
    .soft(
      blocking.map((v) => v.id),
      `axe on ${file} (${page.url()}, lang ${lang}):\n${formatViolations(blocking)}`,
    )
    .toEqual([]);
  // No script error and nothing the page's own CSP blocked (4xx statuses of refused forms are expected).
  expect
    .soft(
      errors.filter((e) => e.startsWith('uncaught') || /Content Security Policy|Refused to/i.test(e)),
      `script errors on ${file}`,
    )
    .toEqual([]);
  errors.length = 0;
}

// ---------------------------------------------------------------------------------------------
// Page helpers (the pages are server-rendered: once a navigation has loaded, the DOM is final)

async function text(loc: Locator): Promise<string> {
  return ((await loc.first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

async function h1(page: Page): Promise<string> {
  return text(page.locator('main h1'));
}

async function flash(page: Page): Promise<string> {
  return text(page.locator('main .flash[role="status"]'));
}

/** The state in words, then its code from the details toggle: `Received (received)`. */
async function state(page: Page): Promise<string> {
  const code = (await text(page.locator('#state details.codes code'))).split(' · ')[0];
  return `${await text(page.locator('#state > strong'))} (${code})`;
}

async function historyTypes(page: Page): Promise<string[]> {
  return page
    .locator('#history ol.timeline > li > details.codes code')
    .allTextContents()
    .then((l) => l.map((s) => s.trim()));
}

/**
 * Runs in every page before its own scripts: the first `load` listener, so it sees the diagram
 * before Mermaid's own startOnLoad handler could touch it. app.js starts drawing (mermaid.run
 * marks the element data-processed at once) by DOMContentLoaded at the latest.
 */
function diagramProbe(): void {
  addEventListener('load', () => {
    const el = document.querySelector('pre.mermaid');
    // A diagram folded in a closed <details> is drawn when it is opened, by design.
    (globalThis as { __diagramStartedAtLoad?: boolean | null }).__diagramStartedAtLoad = el
      ? el.hasAttribute('data-processed') || el.hasAttribute('data-rendered') || el.closest('details:not([open])') !== null
      : null;
  });
}

async function newContext(): Promise<BrowserContext> {
  // baseURL: page.goto('/x') and the relative links resolve against the server under test.
  const context = await browser.newContext({ baseURL: server.url, locale: 'en-US', viewport: { width: 1280, height: 900 } });
  await installAxe(context);
  await context.addInitScript(diagramProbe);
  contexts.push(context);
  return context;
}

/** What a page says, for failure messages: its heading and the start of its main text. */
async function gist(page: Page): Promise<string> {
  return `${page.url()} — h1 "${await h1(page)}": ${(await text(page.locator('main'))).slice(0, 400)}`;
}

/**
 * Clicks a form's submit button and waits for the page the post leads to (after the redirect, or
 * the form shown again): the status of the post itself and where the browser ended up.
 * (waitForNavigation, not waitForURL: a refused form comes back on the URL it was posted to.)
 */
async function submitForm(page: Page, act: Locator | (() => Promise<void>)): Promise<{ status: number; url: URL }> {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), typeof act === 'function' ? act() : act.click()]);
  let request = response!.request();
  while (request.redirectedFrom()) request = request.redirectedFrom()!;
  const status = request === response!.request() ? response!.status() : (await request.response())!.status();
  return { status, url: new URL(page.url()) };
}

/** Signs in through the form (e-mail and password, the button clicked) and lands on the portfolio. */
async function signIn(page: Page, who: Person, shotName?: string): Promise<void> {
  await page.goto('/sign-in');
  expect(await h1(page)).toMatch(/^(Sign in|Iniciar sesión)$/);
  if (shotName) await checkPage(page, shotName);
  await page.fill('#identifier', who.email);
  await page.fill('#password', PASSWORD);
  const r = await submitForm(page, page.locator('main form button[type="submit"]'));
  expect(`${r.status} ${r.url.pathname}`, `sign-in of ${who.email}: ${await gist(page)}`).toBe('303 /');
  expect(await text(page.locator('header .account span'))).toContain(who.name);
}

/** The `<details>` of an action, opened. */
async function openAction(page: Page, type: string): Promise<Locator> {
  const details = page.locator(`#event-${type}`);
  expect(
    await details.count(),
    `the action ${type} is offered (offered: ${await page
      .locator('#actions details')
      .evaluateAll((d) => d.map((e) => e.id))
      .then((x) => x.join(', '))})`,
  ).toBe(1);
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
  return details;
}

/**
 * Fills an action form and sends it. 'ok': the post redirects back to the submission with
 * `?done=TYPE`; a status: the form comes back with that status (refused).
 */
async function sendAction(page: Page, type: string, fill: (form: Locator) => Promise<void>, outcome: 'ok' | number = 'ok'): Promise<Locator> {
  const form = await openAction(page, type);
  await fill(form);
  const r = await submitForm(page, form.locator('button[type="submit"]'));
  if (outcome === 'ok') {
    expect(`${r.status} ${r.url.searchParams.get('done')}`, `${type} recorded: ${await gist(page)}`).toBe(`303 ${type}`);
  } else {
    expect(`${r.status} ${r.url.pathname.endsWith('/events')}`, `${type} refused with ${outcome}: ${await gist(page)}`).toBe(`${outcome} true`);
  }
  return page.locator(`#event-${type}`);
}

async function signWith(form: Locator, type: string, password: string, meaning?: string): Promise<void> {
  if (meaning) await form.locator(`#ev-${type}-signature-meaning`).selectOption(meaning);
  await form.locator(`#ev-${type}-signature-password`).fill(password);
}

async function openSubmission(page: Page, title: string): Promise<void> {
  await page.goto('/');
  await page.locator('#portfolio tbody th a', { hasText: title }).first().click();
  await page.waitForURL(/\/submissions\/[0-9a-f-]{36}$/);
  expect(await h1(page)).toBe(title);
}

// ---------------------------------------------------------------------------------------------

describe.skipIf(SKIP_BROWSER)('web interface, end to end in Chromium', () => {
  let mfr: Page;
  let fda: Page;
  let cof: Page;
  let aud: Page;

  beforeAll(async () => {
    fs.mkdirSync(OUT, { recursive: true });
    for (const f of fs.readdirSync(OUT)) if (/^\d+-.*\.png$/.test(f)) fs.rmSync(path.join(OUT, f));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-web-'));
    databaseUrl = `sqlite:${path.join(dir, 'puente.db')}`;
    const env = { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' };
    const cli = (args: string[], input?: string) => execFileSync(process.execPath, ['bin/puente.js', ...args], { cwd: ROOT, env, input, encoding: 'utf8' });
    cli(['migrate']);
    for (const p of [MFR, FDA, COF, AUD]) {
      const out = cli(
        ['user', 'add', '--name', p.name, '--role', p.role, ...(p.org ? ['--org', p.org] : []), '--email', p.email, '--password-stdin', '--json'],
        PASSWORD,
      );
      expect(JSON.parse(out)).toMatchObject({ name: p.name, role: p.role });
    }
    // No background sweeps or webhook deliveries; a checkpoint signed each second the log grows,
    // so the auditor sees one covering every record.
    server = await startServer(databaseUrl, { SWEEP_INTERVAL_SECONDS: '0', WEBHOOK_INTERVAL_MS: '0', CHECKPOINT_INTERVAL_SECONDS: '1' });
    browser = await launchChromium();
    const pages: Page[] = [];
    for (let i = 0; i < 4; i++) {
      const p = await (await newContext()).newPage();
      p.setDefaultTimeout(10_000);
      p.setDefaultNavigationTimeout(30_000);
      watchConsole(p);
      pages.push(p);
    }
    [mfr, fda, cof, aud] = pages as [Page, Page, Page, Page];
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    // The server's own log, to read next to the screenshots when a step fails.
    if (server) fs.writeFileSync(path.join(OUT, 'server.log'), server.logs.join(''));
    if (audited.length) {
      fs.writeFileSync(
        path.join(OUT, 'axe-report.json'),
        `${JSON.stringify(
          audited.map((a) => ({
            ...a,
            violations: a.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })),
          })),
          null,
          2,
        )}\n`,
      );
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it(
    'keyboard: the skip link comes first; a wrong password is refused; sign-in works with the keyboard alone',
    async () => {
      await mfr.goto('/');
      // Not signed in: the portfolio sends to sign-in and back.
      expect(new URL(mfr.url()).pathname).toBe('/sign-in');
      expect(new URL(mfr.url()).searchParams.get('next')).toBe('/');
      expect(await mfr.getAttribute('html', 'lang')).toBe('en');
      await mfr.keyboard.press('Tab');
      const first = await mfr.evaluate(() => ({
        tag: document.activeElement?.tagName,
        cls: document.activeElement?.className,
        text: document.activeElement?.textContent?.trim(),
        href: document.activeElement?.getAttribute('href'),
      }));
      expect(first).toEqual({ tag: 'A', cls: 'skip', text: 'Skip to main content', href: '#main' });
      // The skip link is visible when focused, and moves focus to <main>.
      const box = await mfr.locator('a.skip').boundingBox();
      expect(box && box.x >= 0 && box.y >= 0 && box.width > 0).toBe(true);
      await checkPage(mfr, 'sign-in-skip-link-focused');
      await mfr.keyboard.press('Enter');
      expect(await mfr.evaluate(() => document.activeElement?.id)).toBe('main');

      // A wrong password: the sign-in error, announced, tied to the fields.
      await mfr.fill('#identifier', MFR.email);
      await mfr.fill('#password', 'not-my-password');
      const refused = await submitForm(mfr, mfr.locator('main form button[type="submit"]'));
      expect(`${refused.status} ${refused.url.pathname}`, await gist(mfr)).toBe('401 /sign-in');
      expect(await h1(mfr)).toBe('Sign in');
      expect(await text(mfr.locator('#sign-in-error[role="alert"]'))).toBe('The name, e-mail or password is not right, or the account is disabled.');
      expect(await mfr.getAttribute('#password', 'aria-invalid')).toBe('true');
      expect(await mfr.getAttribute('#password', 'aria-describedby')).toBe('sign-in-error');
      expect(await mfr.inputValue('#identifier')).toBe(MFR.email);
      expect(await mfr.inputValue('#password')).toBe('');
      await checkPage(mfr, 'sign-in-wrong-password');

      // Keyboard only: focus the name field by tabbing, type, Tab, type, Enter.
      await mfr.goto('/sign-in');
      for (let i = 0; i < 20 && (await mfr.evaluate(() => document.activeElement?.id)) !== 'identifier'; i++) await mfr.keyboard.press('Tab');
      expect(await mfr.evaluate(() => document.activeElement?.id)).toBe('identifier');
      await mfr.keyboard.type(MFR.email);
      await mfr.keyboard.press('Tab');
      expect(await mfr.evaluate(() => document.activeElement?.id)).toBe('password');
      await mfr.keyboard.type(PASSWORD);
      const signedIn = await submitForm(mfr, () => mfr.keyboard.press('Enter'));
      expect(`${signedIn.status} ${signedIn.url.pathname}`, await gist(mfr)).toBe('303 /');
      expect(await h1(mfr)).toBe('Portfolio');
      expect(await text(mfr.locator('header .account span'))).toBe(`Signed in as ${MFR.name} (Manufacturer)`);
      expect(await text(mfr.locator('main'))).toContain('No submission matches.');
      await checkPage(mfr, 'portfolio-manufacturer-empty');
    },
    STEP_TIMEOUT,
  );

  it(
    '1. the manufacturer creates a 510(k) and submits it with a signature',
    async () => {
      await mfr.locator('header nav a', { hasText: 'New submission' }).click();
      await mfr.waitForURL((u) => u.pathname === '/submissions/new');
      expect(await h1(mfr)).toBe('New submission');
      await checkPage(mfr, 'new-submission-choose');
      await mfr.selectOption('#new-workflow', 'fda-510k');
      await mfr.locator('main form[action="/submissions/new"] button[type="submit"]').click();
      await mfr.waitForURL((u) => u.searchParams.get('workflow') === 'fda-510k');
      expect(await text(mfr.locator('main h2').first())).toMatch(/510\(k\)/);
      await checkPage(mfr, 'new-submission-510k-form');

      // Created without a title: refused, the error next to the field.
      await mfr.fill('#new-device-name', 'CardioFlow PTCA catheter');
      await mfr.selectOption('#new-input-format', 'eSTAR');
      await mfr.selectOption('#new-input-variant', 'traditional');
      const noTitle = await submitForm(mfr, mfr.locator('main form[action="/submissions"] button[type="submit"]'));
      expect(`${noTitle.status} ${noTitle.url.pathname}`, await gist(mfr)).toBe('422 /submissions');
      expect(await text(mfr.locator('.error-summary h2'))).toBe('Check the highlighted fields');
      expect(await mfr.getAttribute('#new-title', 'aria-invalid')).toBe('true');
      expect(await text(mfr.locator('#new-title--error.field-error'))).not.toBe('');
      expect(await mfr.inputValue('#new-device-name')).toBe('CardioFlow PTCA catheter');
      await checkPage(mfr, 'new-submission-510k-error');

      await mfr.fill('#new-title', K_TITLE);
      await mfr.fill('#new-device-model', 'CF-300');
      await mfr.fill('#new-device-productCode', 'LOX');
      const created = await submitForm(mfr, mfr.locator('main form[action="/submissions"] button[type="submit"]'));
      expect(`${created.status} ${created.url.searchParams.get('created')}`, await gist(mfr)).toBe('303 1');
      kId = /\/submissions\/([0-9a-f-]{36})/.exec(mfr.url())![1]!;
      expect(await h1(mfr)).toBe(K_TITLE);
      expect(await flash(mfr)).toBe('Submission created.');
      expect(await state(mfr)).toContain('Draft');
      // Codes only in the details toggle (guide issue 13 §5): the words first.
      expect(await text(mfr.locator('#state > strong'))).toBe('Draft');
      expect(await text(mfr.locator('#state details.codes code'))).toContain('draft');
      expect(await text(mfr.locator('#summary-heading + dl'))).toContain(`fda-510k@${latestWorkflow('fda-510k')!.version}`);
      expect(await text(mfr.locator('#clocks-heading ~ p').first())).toBe('The clock has not started (the submission is not received yet).');
      expect(await historyTypes(mfr)).toEqual(['CREATED']);
      // A form offered must be usable: an upload form needs at least one document kind to choose.
      if ((await mfr.locator('#upload-kind').count()) > 0) {
        expect
          .soft(await mfr.locator('#upload-kind option').count(), 'the upload form on a pathway without a dossier checklist offers no document kind')
          .toBeGreaterThan(0);
      }
      await checkPage(mfr, 'submission-510k-created');

      // SUBMIT on fda-510k@3 is a Part 11 signed filing.
      const submit = await openAction(mfr, 'SUBMIT');
      expect(await submit.locator('fieldset.signature legend').count()).toBe(1);
      expect(await submit.locator('#ev-SUBMIT-signature-meaning').inputValue()).toBe('responsibility');
      await sendAction(mfr, 'SUBMIT', async (f) => {
        await f.locator('#ev-SUBMIT-effectiveAt').fill(daysAgo(20));
        await f.locator('#ev-SUBMIT-comment').fill('eSTAR sent through the CDRH portal');
        await signWith(f, 'SUBMIT', PASSWORD);
      });
      expect(await flash(mfr)).toBe('Recorded: Submit.');
      expect(await state(mfr)).toContain('Received');
      expect(await historyTypes(mfr)).toEqual(['CREATED', 'SUBMIT']);
      const sig = await text(mfr.locator('#history li').last().locator('.signature-manifestation'));
      expect(sig).toContain(`Signed by ${MFR.name} (Responsibility)`);
      expect(await text(mfr.locator('#history li').last())).toContain('eSTAR sent through the CDRH portal');
      await checkPage(mfr, 'submission-510k-submitted');
    },
    STEP_TIMEOUT,
  );

  it(
    '2. FDA finds it, screens it and puts it on AI hold (a deficiency list from the schema form)',
    async () => {
      await signIn(fda, FDA, 'sign-in-fda');
      expect(await h1(fda)).toBe('Portfolio');
      const row = fda.locator('#portfolio tbody tr', { hasText: K_TITLE });
      expect(await row.count()).toBe(1);
      expect(await text(row)).toContain('Acme Medical');
      expect(await text(row)).toContain('Received');
      await checkPage(fda, 'portfolio-fda');

      await openSubmission(fda, K_TITLE);
      expect(await state(fda)).toContain('(received)');
      await checkPage(fda, 'submission-510k-fda-received');

      await sendAction(fda, 'FEE_VERIFIED', async (f) => f.locator('#ev-FEE_VERIFIED-effectiveAt').fill(daysAgo(19)));
      expect(await flash(fda)).toBe('Recorded: Confirm user fee paid and submission valid.');
      expect(await state(fda)).toContain('eSTAR technical screening');
      await checkPage(fda, 'submission-510k-screening');

      await sendAction(fda, 'SCREEN_PASS', async (f) => f.locator('#ev-SCREEN_PASS-effectiveAt').fill(daysAgo(18)));
      expect(await flash(fda)).toBe('Recorded: Pass eSTAR technical screening.');
      expect(await state(fda)).toContain('(review.substantive)');
      await checkPage(fda, 'submission-510k-substantive-review');

      // The AI request without its deficiencies: refused, the error beside the list.
      const refused = await sendAction(fda, 'REQUEST_AI', async (f) => f.locator('#ev-REQUEST_AI-effectiveAt').fill(daysAgo(15)), 422);
      expect(await refused.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
      expect(await text(refused.locator('.error-summary h3'))).toBe('Check the highlighted fields');
      expect(await fda.getAttribute('#ev-REQUEST_AI-data-deficiencies', 'aria-invalid')).toBe('true');
      expect(await text(refused.locator('#ev-REQUEST_AI-data-deficiencies--error.field-error'))).not.toBe('');
      expect(await fda.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
      expect(await state(fda)).toContain('(review.substantive)');
      await checkPage(fda, 'submission-510k-request-ai-error');

      await sendAction(fda, 'REQUEST_AI', async (f) => {
        await f.locator('#ev-REQUEST_AI-effectiveAt').fill(daysAgo(15));
        await f.locator('#ev-REQUEST_AI-data-deficiencies').fill('Provide ISO 10993-1 biocompatibility data\nClarify the sterilization validation');
      });
      expect(await flash(fda)).toBe('Recorded: Request additional information (AI hold).');
      expect(await state(fda)).toContain('Additional information hold (AI)');
      expect(await text(fda.locator('#state details.codes code'))).toContain('aiHold');
      const last = await text(fda.locator('#history li').last());
      expect(last).toContain('Provide ISO 10993-1 biocompatibility data');
      expect(last).toContain('Clarify the sterilization validation');
      // The hold's hard deadline: 180 calendar days from the request.
      expect(await text(fda.locator('#deadline + p'))).toContain('Additional information response');
      expect(await text(fda.locator('#deadline + p'))).toContain(`the system sends Additional information response period expired`);
      await checkPage(fda, 'submission-510k-ai-hold');
    },
    STEP_TIMEOUT,
  );

  it(
    '3. the manufacturer answers; FDA clears it with a signature, after a wrong password is refused',
    async () => {
      await mfr.goto(`/submissions/${kId}`);
      expect(await text(mfr.locator('#state details.codes code'))).toContain('aiHold');
      await sendAction(mfr, 'AI_RESPONSE', async (f) => {
        await f.locator('#ev-AI_RESPONSE-effectiveAt').fill(daysAgo(10));
        await f.locator('#ev-AI_RESPONSE-data-summary').fill('Biocompatibility test reports attached');
      });
      expect(await flash(mfr)).toBe('Recorded: Respond to the additional information request.');
      expect(await state(mfr)).toContain('(review.substantive)');
      await checkPage(mfr, 'submission-510k-ai-answered');

      await fda.goto(`/submissions/${kId}`);
      const before = await historyTypes(fda);
      const decide = async (password: string) =>
        sendAction(
          fda,
          'DECIDE_SE',
          async (f) => {
            await f.locator('#ev-DECIDE_SE-effectiveAt').fill(daysAgo(5));
            await f.locator('#ev-DECIDE_SE-data-kNumber').fill(K_NUMBER);
            await f.locator('#ev-DECIDE_SE-data-decisionDate').fill(daysAgo(5));
            await signWith(f, 'DECIDE_SE', password, 'approval');
          },
          password === PASSWORD ? 'ok' : 401,
        );

      // A wrong signature password: the error next to the password field, and nothing recorded.
      const refused = await decide('not-my-password');
      expect(await text(refused.locator('.error-summary h3'))).toBe('The signature was not accepted');
      const pw = fda.locator('#ev-DECIDE_SE-signature-password');
      expect(await pw.getAttribute('aria-invalid')).toBe('true');
      expect(await pw.inputValue()).toBe('');
      const pwError = refused.locator('fieldset.signature .field', { has: pw }).locator('.field-error');
      expect(await pwError.count()).toBe(1);
      expect(await text(pwError)).toContain('is not your password');
      expect((await pw.getAttribute('aria-describedby'))?.split(' ')).toContain(await pwError.getAttribute('id'));
      expect(await refused.locator('#ev-DECIDE_SE-data-kNumber').inputValue()).toBe(K_NUMBER);
      expect(await state(fda)).toContain('(review.substantive)');
      expect(await historyTypes(fda)).toEqual(before);
      await checkPage(fda, 'submission-510k-wrong-signature');

      await decide(PASSWORD);
      expect(await flash(fda)).toBe('Recorded: Decide: substantially equivalent.');
      expect(await state(fda)).toContain('Cleared (SE)');
      expect(await state(fda)).toContain('(cleared)');
      expect(await historyTypes(fda)).toEqual([...before, 'DECIDE_SE']);
      const last = fda.locator('#history li').last();
      expect(await text(last.locator('.signature-manifestation'))).toContain(`Signed by ${FDA.name} (Approval)`);
      expect(await text(last)).toContain(K_NUMBER);
      // The clocks follow the effective dates: received 20 days ago, on hold from 15 to 10 days ago, decided 5 days ago.
      const clocks = (await fda.locator('#clocks-heading + dl.facts').innerText()).replace(/\s+/g, ' ');
      expect(clocks).toContain('Calendar days 15 days');
      expect(clocks).toContain('Days on hold 5 days');
      expect(clocks).toContain('FDA days 10 days');
      await checkPage(fda, 'submission-510k-cleared');
    },
    STEP_TIMEOUT,
  );

  it(
    '4. the manufacturer opens the relying COFEPRIS registration, completes the dossier and files it',
    async () => {
      await mfr.goto(`/submissions/${kId}`);
      expect(await state(mfr)).toContain('(cleared)');
      await checkPage(mfr, 'submission-510k-cleared-manufacturer');
      await mfr.locator('a', { hasText: 'Open the COFEPRIS registration that relies on this decision' }).click();
      await mfr.waitForURL((u) => u.pathname === '/submissions/new' && u.searchParams.get('workflow') === 'cofepris-registration');
      expect(await mfr.inputValue('#new-workflow')).toBe('cofepris-registration');
      expect(await mfr.inputValue('#new-input-route')).toBe('abbreviated');
      expect(await mfr.inputValue('#new-reference')).toBe(kId);
      expect(await text(mfr.locator('#new-reference option:checked'))).toContain(K_NUMBER);
      expect(await mfr.inputValue('#new-title')).toContain('CardioFlow');
      expect(await mfr.inputValue('#new-device-name')).toBe('CardioFlow PTCA catheter');
      await checkPage(mfr, 'new-registration-prefilled');

      // The abbreviated route needs the identical-device attestation.
      await mfr.selectOption('#new-input-identicalDevice', 'true');
      const created = await submitForm(mfr, mfr.locator('main form[action="/submissions"] button[type="submit"]'));
      expect(`${created.status} ${created.url.searchParams.get('created')}`, await gist(mfr)).toBe('303 1');
      rId = /\/submissions\/([0-9a-f-]{36})/.exec(mfr.url())![1]!;
      expect(await flash(mfr)).toBe('Submission created.');
      expect(await state(mfr)).toContain('(preparing)');
      expect(await text(mfr.locator('#summary-heading + dl'))).toContain(K_NUMBER);
      await checkPage(mfr, 'registration-created');

      // Filing before the dossier is complete is shown blocked, with the reason and the missing documents by name.
      const blocked = mfr.locator('#actions .blocked-step#event-SUBMIT');
      expect(await blocked.count(), await gist(mfr)).toBe(1);
      expect(await text(blocked)).toContain('Blocked now');
      expect(await text(blocked)).toContain('the dossier is incomplete');
      expect(await text(blocked)).not.toContain('application-form');
      expect(await mfr.locator('#overview a.button').count()).toBe(0);
      expect(await state(mfr)).toContain('(preparing)');
      await checkPage(mfr, 'registration-submit-blocked-incomplete');

      // Every missing document, through the upload form.
      await mfr.goto(`/submissions/${rId}`);
      const missing = await mfr
        .locator('#dossier ul.checklist li:has(.bad) details.codes code')
        .allTextContents()
        .then((l) => l.map((s) => s.trim()));
      expect(missing.length).toBeGreaterThan(5);
      expect(missing).toContain('fda-decision-letter');
      for (const [i, kind] of missing.entries()) {
        await mfr.selectOption('#upload-kind', kind);
        await mfr.setInputFiles('#upload-file', { name: `${kind}.pdf`, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${kind}\n%%EOF\n`) });
        const up = await submitForm(mfr, mfr.locator('form[action$="/documents"] button[type="submit"]'));
        expect(`${up.status} ${up.url.searchParams.get('uploaded')}`, await gist(mfr)).toBe(`303 ${kind}.pdf`);
        expect(await flash(mfr)).toBe(`Uploaded ${kind}.pdf.`);
        expect(await text(mfr.locator('#dossier ul.checklist li', { has: mfr.locator('details.codes code', { hasText: new RegExp(`^${kind}$`) }) }))).toContain(
          'Uploaded',
        );
        if (i === 0 || i === missing.length - 1) await checkPage(mfr, `registration-uploaded-${i + 1}-of-${missing.length}`);
      }
      expect(await mfr.locator('#dossier ul.checklist li .bad').count()).toBe(0);
      expect(await mfr.locator('#dossier ul.checklist li .ok').count()).toBe(missing.length);
      expect(await mfr.locator('#dossier table tbody tr').count()).toBe(missing.length);

      await sendAction(mfr, 'SUBMIT', async (f) => {
        await f.locator('#ev-SUBMIT-data-folio').fill('253300401A0123');
        await signWith(f, 'SUBMIT', PASSWORD);
      });
      expect(await flash(mfr)).toBe('Recorded: Submit.');
      expect(await state(mfr)).toContain('(submitted)');
      expect(await text(mfr.locator('#history li').last().locator('.signature-manifestation'))).toContain(`Signed by ${MFR.name} (Responsibility)`);
      await checkPage(mfr, 'registration-filed');
    },
    STEP_TIMEOUT,
  );

  it(
    '5. COFEPRIS switches to Spanish, starts the review and grants the registro (an error shown in Spanish first)',
    async () => {
      await signIn(cof, COF);
      expect(await cof.getAttribute('html', 'lang')).toBe('en');
      await cof.locator('header a[hreflang="es"]', { hasText: 'Español' }).click();
      await cof.waitForURL((u) => u.pathname === '/');
      expect(await cof.getAttribute('html', 'lang')).toBe('es-MX');
      expect(await h1(cof)).toBe('Cartera');
      expect(await text(cof.locator('header nav'))).toContain('Cartera');
      expect(await text(cof.locator('a.skip'))).toBe('Saltar al contenido principal');
      expect(await text(cof.locator('header a[hreflang="en"]'))).toBe('English');
      const row = cof.locator('#portfolio tbody tr', { has: cof.locator(`a[href="/submissions/${rId}"]`) });
      expect(await row.count()).toBe(1);
      expect(await text(row)).toContain('Ingresado');
      await checkPage(cof, 'es-portfolio-cofepris');

      await row.locator(`a[href="/submissions/${rId}"]`).click();
      await cof.waitForURL((u) => u.pathname === `/submissions/${rId}`);
      expect(await text(cof.locator('#history-heading'))).toBe('Historial');
      expect(await text(cof.locator('#actions-heading'))).toBe('Acciones');
      expect(await text(cof.locator('#dossier-heading'))).toBe('Lista de verificación del expediente');
      expect(await state(cof)).toContain('Ingresado');
      await checkPage(cof, 'es-registration-filed');

      await sendAction(cof, 'START_REVIEW', async () => undefined);
      expect(await flash(cof)).toBe('Registrado: Iniciar la revisión.');
      expect(await state(cof)).toContain('En revisión');
      await checkPage(cof, 'es-registration-under-review');

      // GRANT without its registration number: the error beside the field, in Spanish.
      const refused = await sendAction(cof, 'GRANT', async (f) => signWith(f, 'GRANT', PASSWORD), 422);
      expect(await cof.getAttribute('html', 'lang')).toBe('es-MX');
      expect(await text(refused.locator('.error-summary h3'))).toBe('Revise los campos señalados');
      expect(await cof.getAttribute('#ev-GRANT-data-registrationNumber', 'aria-invalid')).toBe('true');
      const fieldError = await text(refused.locator('#ev-GRANT-data-registrationNumber--error.field-error'));
      expect(fieldError).not.toBe('');
      expect(fieldError).not.toMatch(/\b(must|required|property|should|is|not|allowed|invalid)\b/i);
      const summary = await text(refused.locator('.error-summary'));
      expect(summary).not.toMatch(/\b(must|required|property|should|is|not|allowed|invalid)\b/i);
      expect(await state(cof)).toContain('En revisión');
      await checkPage(cof, 'es-registration-grant-error');

      await sendAction(cof, 'GRANT', async (f) => {
        await f.locator('#ev-GRANT-data-registrationNumber').fill(REGISTRATION_NUMBER);
        await signWith(f, 'GRANT', PASSWORD, 'approval');
      });
      expect(await flash(cof)).toBe('Registrado: Otorgar.');
      expect(await state(cof)).toContain('Registrado');
      expect(await state(cof)).toContain('(registered.current)');
      const last = cof.locator('#history li').last();
      expect(await text(last.locator('.signature-manifestation'))).toContain(`Firmado por ${COF.name} (Aprobación)`);
      expect(await text(last)).toContain(REGISTRATION_NUMBER);
      // The summary in Spanish: no English words or raw booleans left.
      const summaryEs = (await cof.locator('#summary-heading + dl.facts').innerText()).replace(/\s+/g, ' ');
      expect
        .soft(summaryEs.match(/\b(true|false|decision|of|Granted on|Valid until)\b/g) ?? [], `English left in the Spanish summary: ${summaryEs}`)
        .toEqual([]);
      await checkPage(cof, 'es-registration-registered');
    },
    STEP_TIMEOUT,
  );

  it(
    '6. the auditor searches, reads the hash chain, verifies, sees the exports and the checkpoint; then signs out',
    async () => {
      await signIn(aud, AUD, 'sign-in-auditor');
      await checkPage(aud, 'portfolio-auditor');
      await aud.locator('header nav a', { hasText: 'Audit' }).click();
      await aud.waitForURL((u) => u.pathname === '/audit');
      expect(await h1(aud)).toBe('Audit');
      await checkPage(aud, 'audit');

      // Transitions of the COFEPRIS pathway.
      await aud.selectOption('#a-workflow', 'cofepris-registration');
      await aud.locator('#search-heading ~ form button[type="submit"]').click();
      await aud.waitForURL((u) => u.pathname === '/audit' && u.searchParams.get('workflow') === 'cofepris-registration');
      const rows = aud.locator('#audit-results tbody tr');
      const types = await rows
        .locator('td:nth-child(2) .muted')
        .allTextContents()
        .then((l) => l.map((s) => s.replace(/[()]/g, '')));
      expect(types).toEqual(expect.arrayContaining(['CREATED', 'DOCUMENT_ADDED', 'SUBMIT', 'START_REVIEW', 'GRANT']));
      expect(await text(rows.filter({ hasText: 'GRANT' }))).toContain(COF.name);
      await checkPage(aud, 'audit-search-workflow');

      // By submission id: the 510(k)'s rows, then its page with the chain.
      await aud.goto('/audit');
      await aud.fill('#a-submission', kId);
      await aud.locator('#search-heading ~ form button[type="submit"]').click();
      await aud.waitForURL((u) => u.searchParams.get('submission') === kId);
      const kTypes = await rows
        .locator('td:nth-child(2) .muted')
        .allTextContents()
        .then((l) => l.map((s) => s.replace(/[()]/g, '')));
      expect(kTypes).toEqual(['CREATED', 'SUBMIT', 'FEE_VERIFIED', 'SCREEN_PASS', 'REQUEST_AI', 'AI_RESPONSE', 'DECIDE_SE']);
      await checkPage(aud, 'audit-search-submission');

      await rows.last().locator('a').click();
      await aud.waitForURL((u) => u.pathname === `/submissions/${kId}`);
      expect(await h1(aud)).toBe(K_TITLE);
      const hashes = await aud
        .locator('#history li')
        .evaluateAll((lis) => lis.map((li) => Array.from(li.querySelectorAll('dd.hash')).map((d) => d.textContent?.trim() ?? '')));
      expect(hashes).toHaveLength(7);
      for (const [i, [hash, prev]] of hashes.entries()) {
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
        if (i > 0) expect(prev).toBe(hashes[i - 1]![0]);
      }
      expect(await aud.locator('#history .signature-manifestation').count()).toBe(2);
      await checkPage(aud, 'submission-510k-auditor');

      // The registration's history length, for the verify count.
      await aud.goto(`/submissions/${rId}`);
      const rCount = await aud.locator('#history ol.timeline > li').count();
      await checkPage(aud, 'registration-auditor');

      // Verify: every record.
      await aud.goto('/audit');
      const verified = await submitForm(aud, aud.locator('#verify form button[type="submit"]'));
      expect(`${verified.status} ${verified.url.pathname}`, await gist(aud)).toBe('200 /audit/verify');
      const total = hashes.length + rCount;
      expect(await text(aud.locator('#verify-result[role="status"] .ok'))).toBe(`Verified: ${total} records, no failure.`);
      await checkPage(aud, 'audit-verify-ok');

      // Exports: both links, and what they serve.
      const jsonl = await aud.getAttribute('a[href^="/audit/export?format=jsonl"]', 'href');
      const csv = await aud.getAttribute('a[href^="/audit/export?format=csv"]', 'href');
      expect(jsonl).toBeTruthy();
      expect(csv).toBeTruthy();
      const exported = await aud.context().request.get(new URL(jsonl!, aud.url()).toString());
      expect(exported.status()).toBe(200);
      expect(exported.headers()['content-disposition']).toMatch(/attachment; filename="puente-history-.*\.jsonl"/);
      expect((await exported.text()).trim().split('\n')).toHaveLength(total);
      const exportedCsv = await aud.context().request.get(new URL(csv!, aud.url()).toString());
      expect(exportedCsv.status()).toBe(200);

      // The checkpoint the server signs each second the log grew: one covering every record.
      await expect
        .poll(
          async () => {
            await aud.goto('/audit');
            return (await aud.locator('#checkpoint-heading + dl.facts dd').count()) ? text(aud.locator('#checkpoint-heading + dl.facts dd')) : '';
          },
          { timeout: 20_000, interval: 250 },
        )
        .toBe(String(total));
      expect(await text(aud.locator('#checkpoint-heading ~ dl.facts dd.hash'))).toMatch(/^[0-9a-f]{64}$/);
      expect(await aud.locator('#checkpoint-heading ~ pre.hash').textContent()).toContain(`\n${total}\n`);
      await checkPage(aud, 'audit-checkpoint');

      // Sign out: back to sign-in, and the portfolio asks to sign in again.
      const out = await submitForm(aud, aud.locator('header form[action="/sign-out"] button'));
      expect(`${out.status} ${out.url.pathname}${out.url.search}`, await gist(aud)).toBe('303 /sign-in?signedOut=1');
      expect(await flash(aud)).toBe('You are signed out.');
      await checkPage(aud, 'signed-out');
      await aud.goto('/');
      expect(new URL(aud.url()).pathname).toBe('/sign-in');
      expect(await aud.locator('header .account').count()).toBe(0);
    },
    STEP_TIMEOUT,
  );
});
