/**
 * A submission's first screen (guide issue 13 §2–§5, tracker issue 18), over HTTP on a real
 * database: the API's `steps` say who may take each step and whether a guard would refuse it now
 * (with the refusal's code and parameters), `openRequests` carry what the regulator asked,
 * `reliedOnBy` the registrations relying on an FDA decision; the page opens on a card with the
 * state in words, who must act, the open requests and the main action, shows a blocked step as
 * blocked with its reason in the page's language, keeps machine codes in a details toggle, and
 * asks for a confirmation before a step that ends the submission.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mainPath } from '../../src/web/pages/submission-overview.js';
import { latestWorkflows } from '../../workflows/index.js';
import { type TestContext } from '../support/fixtures.js';
import { browse, type Browser } from '../support/web-agent.js';
import { Api, body510k, bodyRegistration, daysAgo, type Json, openTestApp } from './helpers.js';

let ctx: TestContext, app: Express, api: Api;

beforeAll(async () => ({ ctx, app, api } = await openTestApp()), 60_000);

afterAll(async () => ctx?.close());

async function page(b: Browser, id: string, lang: 'en' | 'es' = 'en'): Promise<string> {
  const res = await b.agent.get(`/submissions/${id}`).set('Accept', 'text/html').set('Cookie', `puente_lang=${lang}`);
  expect(res.status, res.text.slice(0, 500)).toBe(200);
  return res.text;
}

/** The page's visible words outside `<details class="codes">` toggles and attributes. */
function visibleText(html: string): string {
  return html
    .replace(/<details class="codes">[\s\S]*?<\/details>/g, ' ')
    .replace(/<pre class="mermaid"[\s\S]*?<\/pre>/g, ' ')
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]*>/g, ' ');
}

async function aiHold(title: string): Promise<string> {
  const { manufacturer: m, fda } = ctx.users;
  const s = await api.create(m, body510k(title));
  await api.send(m, s.id, 'SUBMIT', { effectiveAt: daysAgo(30) });
  await api.send(fda, s.id, 'FEE_VERIFIED', { effectiveAt: daysAgo(29) });
  await api.send(fda, s.id, 'SCREEN_PASS', { effectiveAt: daysAgo(20) });
  await api.send(fda, s.id, 'REQUEST_AI', {
    data: { deficiencies: ['Provide ISO 10993-1 data', 'Clarify the sterilization validation'] },
    effectiveAt: daysAgo(5),
  });
  return s.id as string;
}

describe('steps: who may take each step, and whether it would pass now', () => {
  it('a registration whose dossier is incomplete shows SUBMIT blocked with the refusal code and the missing kinds', async () => {
    const { manufacturer: m } = ctx.users;
    const ref = await api.cleared510k(m, ctx.users.fda, { kNumber: 'K260901', decisionDaysAgo: 100 });
    const r = await api.create(m, bodyRegistration({ submissionId: ref }));
    const view = await api.submission(m, r.id);
    const submit = (view.steps as Json[]).find((st) => st.event === 'SUBMIT')!;
    expect(submit).toMatchObject({ roles: ['manufacturer'], mine: true, blocked: true, ends: false });
    const incomplete = (submit.reasons as Json[]).find((x) => x.code === 'refusal.dossier_incomplete');
    expect(incomplete?.params?.kinds).toEqual(view.dossier.missing);
    // The same step after the dossier is complete: not blocked.
    await api.completeDossier(m, r.id);
    const after = await api.submission(m, r.id);
    expect((after.steps as Json[]).find((st) => st.event === 'SUBMIT')).toMatchObject({ blocked: false, reasons: [] });
    // The page names the blocked step and its reason in words, the kinds by their names (Spanish too).
    const other = await api.create(m, bodyRegistration({ submissionId: ref }, 'abbreviated', 'Blocked registration'));
    const b = await browse(app, m);
    const es = await page(b, other.id as string, 'es');
    expect(es).toMatch(/class="blocked-step" id="event-SUBMIT"/);
    expect(visibleText(es)).toContain('Bloqueado por ahora');
    expect(visibleText(es)).toContain('el expediente está incompleto');
    expect(visibleText(es)).not.toMatch(/missing: |[a-z]+-[a-z]+-[a-z]+,/);
  });

  it('GET /v1/submissions/:id lists the roles of every human step; timer events are never steps', async () => {
    const id = await aiHold('Steps in AI hold');
    const view = await api.submission(ctx.users.fda, id);
    const events = (view.steps as Json[]).map((st) => st.event);
    expect(events).toContain('AI_RESPONSE');
    expect(events).not.toContain('AI_TIMEOUT');
    for (const st of view.steps as Json[]) {
      expect(st.roles.length).toBeGreaterThan(0);
      expect(st.roles).not.toContain('system');
      expect(st.mine).toBe((st.roles as string[]).includes('fda'));
    }
    expect((view.steps as Json[]).find((st) => st.event === 'WITHDRAW')).toMatchObject({ ends: true, roles: ['manufacturer'] });
  });
});

describe('open requests are in front of the person who must answer', () => {
  it('an AI hold carries the deficiencies in the API, under the state and inside the response form', async () => {
    const id = await aiHold('Open requests');
    const view = await api.submission(ctx.users.manufacturer, id);
    expect(view.openRequests).toEqual([
      expect.objectContaining({ event: 'REQUEST_AI', items: { deficiencies: ['Provide ISO 10993-1 data', 'Clarify the sterilization validation'] } }),
    ]);
    const html = await page(await browse(app, ctx.users.manufacturer), id);
    const card = html.slice(html.indexOf('id="overview"'), html.indexOf('id="actions"'));
    expect(card).toContain('Open requests');
    expect(card).toContain('Provide ISO 10993-1 data');
    const form = html.slice(html.indexOf('id="event-AI_RESPONSE"'));
    expect(form.slice(0, form.indexOf('</details>'))).toContain('Clarify the sterilization validation');
    // Answered: nothing open any more.
    await api.send(ctx.users.manufacturer, id, 'AI_RESPONSE', { data: { summary: 'Data attached.' } });
    expect((await api.submission(ctx.users.manufacturer, id)).openRequests).toEqual([]);
  });
});

describe('the first screen', () => {
  it('opens with the state in words, who must act, the main action and the progress strip; codes only in a toggle', async () => {
    const id = await aiHold('First screen');
    const html = await page(await browse(app, ctx.users.manufacturer), id);
    const card = html.slice(html.indexOf('id="overview"'), html.indexOf('id="actions"'));
    expect(html.indexOf('id="overview"')).toBeLessThan(html.indexOf('id="summary-heading"'));
    expect(card).toMatch(/Who must act<\/dt><dd>you \(Manufacturer\)/);
    expect(card).toMatch(/<a class="button" href="#event-AI_RESPONSE">/);
    expect(card).toMatch(/<li class="current detour" aria-current="step">/);
    expect(visibleText(card)).not.toMatch(/\baiHold\b|fda-510k@\d/);
    expect(card).toMatch(/<details class="codes">[\s\S]*aiHold/);
    // The full graph, on demand, in the reader's words (no machine ids, no guard names).
    const es = await page(await browse(app, ctx.users.manufacturer), id, 'es');
    const diagram = /<pre class="mermaid"[^>]*>([\s\S]*?)<\/pre>/.exec(es)![1]!;
    expect(diagram).toContain('state &quot;Borrador&quot; as draft');
    expect(diagram).not.toMatch(/state &quot;[a-z]+[A-Z][A-Za-z.]*&quot;/);
    expect(diagram).toMatch(/: Solicitar información adicional/);
    // History and diagram fold.
    expect(html).toMatch(/<details class="fold" id="history">/);
    expect(html).toMatch(/<details class="fold" id="diagram-fold">/);
  });

  it('every current workflow has a main path from its first state to its favourable outcome', () => {
    for (const w of latestWorkflows()) {
      const path = mainPath(w);
      expect(path.length, w.id).toBeGreaterThan(2);
      expect(path.at(-1), w.id).toMatch(/^(cleared|granted|approved|designated|registered|closed\.(minutesFinal|feedbackOnly))/);
    }
  });

  it('a cleared 510(k) lists the registrations that rely on it, linked', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const ref = await api.cleared510k(m, fda, { kNumber: 'K260902', decisionDaysAgo: 50 });
    const r = await api.create(m, bodyRegistration({ submissionId: ref }, 'abbreviated', 'Relying registration'));
    const view = await api.submission(m, ref);
    expect(view.reliedOnBy).toEqual([expect.objectContaining({ id: r.id, title: 'Relying registration', state: 'preparing' })]);
    const html = await page(await browse(app, m), ref);
    expect(html).toContain(`<a href="/submissions/${r.id}">Relying registration</a>`);
    // FDA does not see a registration (another jurisdiction's draft): the list is scoped like every read.
    expect((await api.submission(fda, ref)).reliedOnBy).toEqual([]);
  });
});

describe('a registration shows its expiry and the last day to ask for the prórroga', () => {
  it('granted: valid until the date the grant set, the prórroga until the day before, in both languages', async () => {
    const { manufacturer: m, fda, cofepris } = ctx.users;
    const ref = await api.cleared510k(m, fda, { kNumber: 'K260903', decisionDaysAgo: 80 });
    const r = await api.create(m, bodyRegistration({ submissionId: ref }, 'abbreviated', 'Granted registration'));
    await api.completeDossier(m, r.id);
    await api.send(m, r.id, 'SUBMIT', { effectiveAt: daysAgo(40) });
    await api.send(cofepris, r.id, 'START_REVIEW', { effectiveAt: daysAgo(39) });
    await api.send(cofepris, r.id, 'GRANT', { data: { registrationNumber: '0901E2026 SSA' }, effectiveAt: daysAgo(10) });
    const view = await api.submission(m, r.id);
    const until = view.decision.validUntil as string;
    expect(until).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const b = await browse(app, m);
    const en = visibleText(await page(b, r.id as string, 'en'));
    const dayBefore = new Date(Date.parse(`${until}T00:00:00Z`) - 86_400_000);
    const fmt = (d: Date, locale: string) => new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(d);
    expect(en.replace(/\s+/g, ' ')).toContain(
      `Registration valid until ${fmt(new Date(`${until}T00:00:00Z`), 'en-US')}; the prórroga (renewal) can be requested until ${fmt(dayBefore, 'en-US')}.`,
    );
    const es = visibleText(await page(b, r.id as string, 'es'));
    expect(es.replace(/\s+/g, ' ')).toContain(`la prórroga puede solicitarse hasta el ${fmt(dayBefore, 'es-MX')}`);
  });
});

describe("dates and times in the reader's time zone", () => {
  it('the puente_tz cookie the page script sets moves the history times to that zone, named; an unknown zone is UTC', async () => {
    const id = await aiHold('Time zones');
    const b = await browse(app, ctx.users.manufacturer);
    const at = async (cookie: string) =>
      (await b.agent.get(`/submissions/${id}`).set('Accept', 'text/html').set('Cookie', cookie)).text.match(
        /<time datetime="[^"]+T[^"]+">([^<]+)<\/time>/,
      )![1]!;
    expect(await at('puente_lang=en')).toMatch(/UTC$/);
    expect(await at('puente_lang=en; puente_tz=America/Mexico_City')).toMatch(/(CST|CDT|GMT-[56])$/);
    expect(await at('puente_lang=en; puente_tz=Not/AZone')).toMatch(/UTC$/);
    expect(await at('puente_lang=en; puente_tz=%3Cscript%3E')).toMatch(/UTC$/);
  });
});

describe('a step that ends the submission is deliberate', () => {
  it('WITHDRAW from the web without the confirmation is 422 at /confirm and writes nothing; with it, 303', async () => {
    const s = await api.create(ctx.users.manufacturer, body510k('Deliberate withdrawal'));
    const b = await browse(app, ctx.users.manufacturer);
    const html = await page(b, s.id as string);
    expect(html).toMatch(/<details id="event-WITHDRAW" class="ends">/);
    expect(html).toMatch(/<button type="submit" class="danger">/);
    const refused = await b.agent
      .post(`/submissions/${s.id}/events`)
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: b.csrf, type: 'WITHDRAW', 'signature.meaning': 'responsibility', 'signature.password': ctx.users.manufacturer.password!, version: '1' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('tick the box to confirm that this ends the submission');
    expect((await api.submission(ctx.users.manufacturer, s.id)).state).toBe('draft');
    const done = await b.agent.post(`/submissions/${s.id}/events`).type('form').set('Accept', 'text/html').send({
      _csrf: b.csrf,
      type: 'WITHDRAW',
      confirm: 'yes',
      'signature.meaning': 'responsibility',
      'signature.password': ctx.users.manufacturer.password!,
      version: '1',
    });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/submissions/${s.id}?done=WITHDRAW#overview`);
    expect((await api.submission(ctx.users.manufacturer, s.id)).state).toBe('closed.withdrawn');
  });
});
