/**
 * E-mail notifications end to end (tracker issue 16 §2): a real server process (`puente serve` on
 * the demo data, a fresh SQLite file) with SMTP_URL and MAIL_FROM pointing at an SMTP server in
 * this process. A reviewer chooses immediate mail on the Notifications page in Chromium (English
 * and Spanish, 1280 and 390 px, no axe violation, a refused value shown at its field); the
 * manufacturer files a 510(k) through the API; the server's own dispatcher mails the reviewer, in
 * the language chosen, with the link to the page. Screenshots go to test-output/web-notifications/.
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
import { startSmtpSink, type SmtpSink } from '../support/smtp.js';

const OUT = path.join(ROOT, 'test-output/web-notifications');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
type Role = 'manufacturer' | 'fda';

let dir: string;
let server: RunningServer;
let smtp: SmtpSink;
let browser: Browser;
const contexts: BrowserContext[] = [];
const login: Partial<Record<Role, { email: string; password: string }>> = {};
const tokens: Partial<Record<Role, string>> = {};

async function api(role: Role, method: string, url: string, body?: unknown): Promise<Record<string, any>> {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { Authorization: `Bearer ${tokens[role]}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, any>;
  expect(res.status, `${method} ${url}: ${JSON.stringify(json)}`).toBeLessThan(300);
  return json;
}

async function signedInPage(role: Role, locale: string, viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ baseURL: server.url, locale, viewport });
  await installAxe(context);
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto('/sign-in');
  await page.fill('#identifier', login[role]!.email);
  await page.fill('#password', login[role]!.password);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/sign-in'), page.locator('main form button[type="submit"]').click()]);
  return page;
}

let shot = 0;
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
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect.soft(scrollWidth, `${name} at ${width} px is ${scrollWidth} px wide`).toBeLessThanOrEqual(width);
}

describe.skipIf(SKIP_BROWSER)('e-mail notifications through a real server, SMTP server and browser', () => {
  beforeAll(async () => {
    fs.mkdirSync(OUT, { recursive: true });
    for (const f of fs.readdirSync(OUT)) if (f.endsWith('.png')) fs.rmSync(path.join(OUT, f));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-mail-'));
    const env = { ...process.env, DATABASE_URL: `sqlite:${path.join(dir, 'puente.db')}`, LOG_LEVEL: 'warn' };
    execFileSync(process.execPath, ['bin/puente.js', 'migrate'], { cwd: ROOT, env });
    const out = execFileSync(process.execPath, ['bin/puente.js', 'demo'], { cwd: ROOT, env, encoding: 'utf8' });
    for (const m of out.matchAll(/^ {2}(manufacturer|fda) +(\S+@\S+) +(\S+)$/gm)) login[m[1] as Role] = { email: m[2]!, password: m[3]! };
    for (const m of out.matchAll(/^ {2}(manufacturer|fda) +(pte_\S+)$/gm)) tokens[m[1] as Role] = m[2]!;
    expect(Object.keys(tokens).sort(), out).toEqual(['fda', 'manufacturer']);
    smtp = await startSmtpSink();
    server = await startServer(env.DATABASE_URL, {
      SWEEP_INTERVAL_SECONDS: '0',
      WEBHOOK_INTERVAL_MS: '0',
      SMTP_URL: smtp.url,
      MAIL_FROM: 'puente <puente@example.test>',
    });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    await smtp?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('a reviewer chooses immediate mail on the page and is mailed, in Spanish, when a 510(k) is filed', async () => {
    expect(server.logs.join('')).toContain('e-mail notifications on');
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await signedInPage('fda', 'en-US', viewport);
      await page.locator('nav a[href="/notifications"]').click();
      await page.waitForURL(/\/notifications$/);
      expect(await page.locator('h1').textContent()).toBe('E-mail notifications');
      expect(await page.locator('#mode-off').isChecked()).toBe(true);
      await checkPage(page, 'notifications-en');
      // A refused value: the page answers 422 with the message at the field, and stays accessible.
      await page.locator('#mode-digest').check();
      await page.fill('#digestDaysAhead', '400');
      await page.locator('main form button[type="submit"]').click();
      await expect.poll(() => page.locator('#digestDaysAhead-error').count()).toBe(1);
      expect(await page.locator('#digestDaysAhead').getAttribute('aria-invalid')).toBe('true');
      await checkPage(page, 'notifications-refused-en');
    }

    const page = await signedInPage('fda', 'es-MX');
    await page.goto('/notifications');
    expect(await page.locator('h1').textContent()).toBe('Notificaciones por correo');
    await page.locator('#mode-immediate').check();
    await page.fill('#email', 'revisor@fda.example');
    await page.selectOption('#language', 'es');
    await Promise.all([page.waitForURL(/saved=1/), page.locator('main form button[type="submit"]').click()]);
    expect(await page.locator('#mode-immediate').isChecked()).toBe(true);
    await checkPage(page, 'notifications-saved-es');

    const s = await api('manufacturer', 'POST', '/v1/submissions', {
      workflow: 'fda-510k',
      title: 'Mailed end to end 510(k)',
      device: { name: 'Mail pump', productCode: 'FRN' },
      input: { format: 'eSTAR', variant: 'traditional' },
    });
    // Yesterday (UTC): today may not have begun yet in the workflow's time zone.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const signed = latestWorkflow('fda-510k')!.events.SUBMIT?.requiresSignature
      ? { signature: { meaning: 'responsibility', password: login.manufacturer!.password } }
      : {};
    await api('manufacturer', 'POST', `/v1/submissions/${s.id}/events`, { type: 'SUBMIT', effectiveAt: yesterday, ...signed });
    // The server's own dispatcher (a pass every 5 s) sends it; nothing in the test drives it.
    await expect
      .poll(() => smtp.received.filter((m) => m.envelope.to.includes('revisor@fda.example')).length, { timeout: 30_000, interval: 250 })
      .toBeGreaterThan(0);
    const mail = smtp.received.find((m) => m.envelope.to.includes('revisor@fda.example'))!;
    expect(mail.parsed.subject).toMatch(/^puente: .+ en Mailed end to end 510\(k\)$/);
    expect(mail.parsed.text).toContain(`${server.url}/submissions/${s.id}`);
    expect(mail.parsed.html as string).toContain(`href="${server.url}/submissions/${s.id}"`);
    expect(mail.parsed.text).toContain('Estado actual:');
    expect(mail.raw).not.toContain(tokens.manufacturer!);
    expect(mail.raw).not.toContain(login.fda!.password);
  });
});
