/**
 * The auditor finds things (issue 18 §8), in Chromium against a real server process on a fresh
 * SQLite file: results name submissions by title, device and decision number (the id only in a
 * toggle); the Submission field finds a title or a K-number; event types come from a list in
 * the page's language; the exports say what they hold and follow the filter; the printable
 * report reads as a document in the page's language, with times in the jurisdiction's zone and
 * the authority's signature law. In English and Spanish, at 1280 px and 390 px; every page
 * screenshot to test-output/web-audit/ and checked with axe: no violation at all.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, formatViolations, installAxe } from '../support/axe.js';
import { SKIP_BROWSER, launchChromium } from '../support/browser.js';
import { ROOT, startServer, type RunningServer } from '../support/server.js';
import { SIGNED_EVENTS } from '../http/helpers.js';

const OUT = path.join(ROOT, 'test-output/web-audit');
const PASSWORD = 'Correct-Horse-Battery-9';
const K_TITLE = 'CardioFlow 510(k)';
const K_NUMBER = 'K261234';
const R_TITLE = 'CardioFlow registro sanitario';
const OTHER_TITLE = 'Unrelated pump 510(k)';
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

/** What each language must show: labels from the catalogs. */
const WORDS = {
  en: {
    decide: 'Decide: substantially equivalent',
    matching: 'Matching transitions (JSON Lines)',
    scope: 'The exports hold every transition matching this search',
    all: 'All transitions (JSON Lines)',
    report: 'Report: ',
    history: 'History of ',
    law: '21 CFR Part 11',
    mxLaw: 'Electronic signature under Mexico’s Ley de Firma Electrónica Avanzada',
    lang: 'en',
    number: `Number: ${K_NUMBER}`,
    relies: `Relies on ${K_NUMBER}`,
  },
  es: {
    decide: 'Decidir: sustancialmente equivalente',
    matching: 'Transiciones que coinciden (JSON Lines)',
    scope: 'Las exportaciones contienen cada transición que coincide con esta búsqueda',
    all: 'Todas las transiciones (JSON Lines)',
    report: 'Reporte: ',
    history: 'Historial de ',
    law: '21 CFR parte 11',
    mxLaw: 'Firma electrónica conforme a la Ley de Firma Electrónica Avanzada',
    lang: 'es-MX',
    number: `Número: ${K_NUMBER}`,
    relies: `Se apoya en ${K_NUMBER}`,
  },
} as const;

let dir: string;
let server: RunningServer;
let browser: Browser;
const ids = { k: '', r: '', other: '' };
let shot = 0;

/** A full-page screenshot, then axe: no violation of any impact. */
async function checkPage(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(OUT, `${String(++shot).padStart(2, '0')}-${name}.png`), fullPage: true });
  const violations = await axeViolations(page);
  expect
    .soft(
      violations.map((v) => v.id),
      `axe on ${name} (${page.url()}):\n${formatViolations(violations)}`,
    )
    .toEqual([]);
}

/** The page is no wider than its viewport: nothing scrolls sideways but the tables meant to. */
async function expectFits(page: Page, name: string): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect.soft(scroll, `${name}: the page is ${scroll}px wide in a ${width}px window`).toBeLessThanOrEqual(width);
}

async function api(token: string, method: string, url: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(new URL(url, server.url), {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  expect(res.status, `${method} ${url}: ${JSON.stringify(json)}`).toBeLessThan(300);
  return json;
}

describe.skipIf(SKIP_BROWSER)('the auditor finds things, in Chromium', () => {
  beforeAll(async () => {
    fs.mkdirSync(OUT, { recursive: true });
    for (const f of fs.readdirSync(OUT)) if (f.endsWith('.png')) fs.rmSync(path.join(OUT, f));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-web-audit-'));
    const databaseUrl = `sqlite:${path.join(dir, 'puente.db')}`;
    const env = { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' };
    const cli = (args: string[], input?: string) => execFileSync(process.execPath, ['bin/puente.js', ...args], { cwd: ROOT, env, input, encoding: 'utf8' });
    cli(['migrate']);
    const token: Record<string, string> = {};
    for (const [role, name, org] of [
      ['manufacturer', 'María López', 'Acme Medical'],
      ['fda', 'Dr. James Carter', undefined],
      ['auditor', 'Sam Reed', undefined],
    ] as const) {
      const out = cli(
        ['user', 'add', '--name', name, '--role', role, ...(org ? ['--org', org] : []), '--email', `${role}@example.org`, '--password-stdin', '--json'],
        PASSWORD,
      );
      token[role] = (JSON.parse(out) as { token: string }).token;
    }
    server = await startServer(databaseUrl, { SWEEP_INTERVAL_SECONDS: '0', WEBHOOK_INTERVAL_MS: '0' });
    const device = { name: 'CardioFlow Pump', model: 'CF-1', productCode: 'FRN' };
    const send = (role: 'manufacturer' | 'fda', id: string, type: string, rest: Record<string, unknown>) =>
      api(token[role]!, 'POST', `/v1/submissions/${id}/events`, {
        type,
        ...rest,
        ...(SIGNED_EVENTS.has(type) ? { signature: { meaning: role === 'fda' ? 'approval' : 'responsibility', password: PASSWORD } } : {}),
      });
    const input = { format: 'eSTAR', variant: 'traditional' };
    ids.k = (await api(token.manufacturer!, 'POST', '/v1/submissions', { workflow: 'fda-510k', title: K_TITLE, device, input })).id as string;
    await send('manufacturer', ids.k, 'SUBMIT', { effectiveAt: daysAgo(90) });
    await send('fda', ids.k, 'FEE_VERIFIED', { effectiveAt: daysAgo(88) });
    await send('fda', ids.k, 'SCREEN_PASS', { effectiveAt: daysAgo(80) });
    await send('fda', ids.k, 'DECIDE_SE', { data: { kNumber: K_NUMBER, decisionDate: daysAgo(30) }, effectiveAt: daysAgo(30) });
    const reference = { agency: 'FDA', number: K_NUMBER, decisionDate: daysAgo(30), decision: 'SE' };
    ids.r = (
      await api(token.manufacturer!, 'POST', '/v1/submissions', {
        workflow: 'cofepris-registration',
        title: R_TITLE,
        device,
        input: { route: 'abbreviated', reference, identicalDevice: true },
      })
    ).id as string;
    ids.other = (
      await api(token.manufacturer!, 'POST', '/v1/submissions', { workflow: 'fda-510k', title: OTHER_TITLE, device: { ...device, name: 'Other Pump' }, input })
    ).id as string;
    await send('manufacturer', ids.other, 'SUBMIT', { effectiveAt: daysAgo(10) });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const runs = (['en', 'es'] as const).flatMap((lang) => ([1280, 390] as const).map((width) => [lang, width] as const));

  it.each(runs)(
    'in %s at %i px: search by title and K-number, pick an event type, export and print what was found',
    async (lang, width) => {
      const w = WORDS[lang];
      const tag = `${lang}-${width}`;
      const context = await browser.newContext({ baseURL: server.url, locale: lang === 'es' ? 'es-MX' : 'en-US', viewport: { width, height: 900 } });
      await installAxe(context);
      await context.addCookies([{ name: 'puente_lang', value: lang, url: server.url }]);
      const page = await context.newPage();
      try {
        await page.goto('/sign-in');
        await page.fill('#identifier', 'auditor@example.org');
        await page.fill('#password', PASSWORD);
        await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.locator('main form button[type="submit"]').click()]);
        await page.goto('/audit');
        expect(await page.getAttribute('html', 'lang')).toBe(w.lang);
        await checkPage(page, `audit-${tag}`);
        await expectFits(page, `audit-${tag}`);

        // Event types are a list, labelled in the page's language.
        expect(await page.locator('#a-type').evaluate((e) => e.tagName)).toBe('SELECT');
        expect((await page.locator('#a-type option[value="DECIDE_SE"]').textContent())?.trim()).toBe(w.decide);
        expect(await page.locator('#a-type option[value="CREATED"]').count()).toBe(1);
        // Before any search the exports hold everything and say so.
        expect(await page.locator('a[href^="/audit/export?format=jsonl"]').textContent()).toBe(w.all);

        // A part of the title, in another case: the 510(k)'s records, named by title, device and number.
        await page.fill('#a-submission', 'cardioflow 510');
        await Promise.all([
          page.waitForURL((u) => u.searchParams.get('submission') === 'cardioflow 510'),
          page.locator('#search-heading ~ form button[type="submit"]').click(),
        ]);
        const rows = page.locator('#audit-results tbody tr');
        expect(await rows.count()).toBe(5);
        const titles = await rows.locator('td:first-child > a').allTextContents();
        expect(new Set(titles)).toEqual(new Set([K_TITLE]));
        for (const href of await rows.locator('td:first-child > a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
          expect(href).toMatch(new RegExp(`^/submissions/${ids.k}#record-\\d$`));
        }
        expect(await rows.first().locator('.audit-facts').textContent()).toContain(w.number);
        // The id only inside the toggle: not visible until asked for, then there.
        const visible = await page.locator('#audit-results').innerText();
        expect(visible).not.toContain(ids.k);
        expect(visible).not.toContain('DECIDE_SE');
        await rows.first().locator('td:first-child details.codes summary').click();
        expect(await rows.first().locator('td:first-child details.codes').innerText()).toContain(ids.k);
        await checkPage(page, `audit-title-${tag}`);
        await expectFits(page, `audit-title-${tag}`);

        // The K-number finds the 510(k) and the registration relying on it; the event type narrows it.
        await page.fill('#a-submission', K_NUMBER.toLowerCase());
        await page.selectOption('#a-type', 'DECIDE_SE');
        await Promise.all([
          page.waitForURL((u) => u.searchParams.get('type') === 'DECIDE_SE'),
          page.locator('#search-heading ~ form button[type="submit"]').click(),
        ]);
        expect(await rows.count()).toBe(1);
        expect(await rows.locator('td:nth-child(2)').innerText()).toContain(w.decide);
        expect(await page.locator('#a-type').inputValue()).toBe('DECIDE_SE');
        // The exports say what they hold and hold exactly that.
        const scope = await page.locator('#export-scope').innerText();
        expect(scope).toContain(w.scope);
        expect(scope).toContain(K_NUMBER.toLowerCase());
        expect(scope).toContain(w.decide);
        const jsonl = page.locator('a[href^="/audit/export?format=jsonl"]');
        expect((await jsonl.textContent())?.trim()).toBe(w.matching);
        const exported = await context.request.get(new URL((await jsonl.getAttribute('href'))!, server.url).toString());
        const lines = (await exported.text())
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { submissionId: string; type: string });
        expect(lines.map((l) => [l.submissionId, l.type])).toEqual([[ids.k, 'DECIDE_SE']]);
        await checkPage(page, `audit-number-type-${tag}`);

        // Without the event type, the registration relying on the number is found too.
        await page.goto(`/audit?search=1&submission=${K_NUMBER}`);
        const found = new Set(await rows.locator('td:first-child > a').allTextContents());
        expect(found).toEqual(new Set([K_TITLE, R_TITLE]));
        expect(await rows.filter({ hasText: R_TITLE }).first().locator('.audit-facts').textContent()).toContain(w.relies);
        expect(await page.locator('#audit-results').innerText()).not.toContain(OTHER_TITLE);
        const reports = page.locator('#reports a');
        expect(new Set(await reports.allTextContents())).toEqual(new Set([`${w.report}${K_TITLE}`, `${w.report}${R_TITLE}`]));
        await expectFits(page, `audit-number-${tag}`);

        // The report of the 510(k): a document in the page's language, FDA law, New York time.
        await Promise.all([page.waitForURL((u) => u.pathname === `/submissions/${ids.k}/report`), reports.filter({ hasText: K_TITLE }).click()]);
        expect(await page.getAttribute('html', 'lang')).toBe(w.lang);
        expect(await page.locator('h1').innerText()).toBe(`${w.history}${K_TITLE}`);
        const doc = await page.locator('main').innerText();
        for (const word of [w.decide, K_NUMBER, w.law, 'America/New_York']) expect(doc, word).toContain(word);
        expect(doc).not.toContain('DECIDE_SE');
        expect(doc).not.toContain(ids.k);
        expect(await page.locator('details#technical').innerText()).not.toContain('DECIDE_SE'); // closed: codes only on request
        await page.locator('details#technical summary').click();
        expect(await page.locator('details#technical').innerText()).toContain('DECIDE_SE');
        await checkPage(page, `report-510k-${tag}`);
        await expectFits(page, `report-510k-${tag}`);

        // The registration's report cites Mexican law for signatures.
        await page.goto(`/submissions/${ids.r}/report`);
        const mx = await page.locator('main').innerText();
        expect(mx).toContain(w.mxLaw);
        expect(mx).toContain('NOM-151-SCFI-2016');
        expect(mx).not.toContain('21 CFR');
        await checkPage(page, `report-registration-${tag}`);
        await expectFits(page, `report-registration-${tag}`);
      } finally {
        await context.close();
      }
    },
    120_000,
  );
});
