/**
 * `cofepris-registration` (its latest version, 6) over HTTP on a real database (SQLite, or PostgreSQL with
 * TEST_DATABASE_URL): a registration on each route driven to each final outcome by the right
 * roles; reliance on a tracked cleared 510(k), on external Health Canada licences (class III
 * accepted, class I refused with the reason) and an emergency authorization refused on the
 * abbreviated route; the renewal (prórroga) and expiry paths with the timer events sent by the
 * system actor (`engine.sendSystemEvent`), dated as the sweeper would date them.
 *
 * Regulatory dates are real past dates (a registration granted 2021-03-01 is due for renewal in
 * October 2025: reference/domain.md §5.8), so these tests need a clock after 2026-06-01.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, testApp, type TestContext, type TestUser } from '../support/fixtures.js';
import { Api, DEVICE, addDays, daysAgo, expectProblem, type Json } from './helpers.js';

let ctx: TestContext;
let app: Express;
let api: Api;

beforeAll(async () => {
  ctx = await createTestContext();
  app = testApp(ctx);
  api = new Api(app);
});
afterAll(async () => ctx?.close());

/** A denial states its grounds (fundamentación y motivación). */
const DENIAL = { fundamentacion: 'RIS art. 179; LGS art. 376', motivacion: 'Evidencia clínica insuficiente' };
const registration = (input: Json, title = 'AIP-200 registro sanitario') => ({ workflow: 'cofepris-registration', title, device: DEVICE, input });

/** Sends a system (timer) event the way the sweeper does; returns `{ submission, transition }`. */
async function system(id: string, type: string, effectiveAt: string): Promise<Json> {
  const r = await ctx.services.engine.sendSystemEvent(id, { type, effectiveAt });
  expect(r.outcome).toBe('applied');
  return r.body;
}

async function types(id: string): Promise<string[]> {
  return (await api.history(ctx.users.auditor, id)).map((t) => t.type as string).filter((t) => t !== 'DOCUMENT_ADDED');
}

/** Uploads every missing dossier kind but `except`. */
async function uploadAllBut(user: TestUser, id: string, except: string[]): Promise<void> {
  const s = await api.submission(user, id);
  for (const kind of s.dossier.missing as string[]) {
    if (except.includes(kind)) continue;
    const res = await api.upload(user, id, kind, Buffer.from(`%PDF-1.7\n% ${kind}\n`));
    expect(res.status, res.text).toBe(201);
  }
}

/** An eCopy 510(k) driven to `cleared` by SUBMIT, FEE_VERIFIED, ACCEPT, DECIDE_SE on the given dates. */
async function cleared510k(kNumber: string, dates: { submit: string; fee: string; accept: string; se: string }): Promise<string> {
  const { manufacturer: m, fda } = ctx.users;
  const k = await api.create(m, { workflow: 'fda-510k', title: `${kNumber} reference`, device: DEVICE, input: { format: 'eCopy', variant: 'traditional' } });
  await api.send(m, k.id, 'SUBMIT', { effectiveAt: dates.submit });
  expect((await api.send(fda, k.id, 'FEE_VERIFIED', { effectiveAt: dates.fee })).submission.state).toBe('acceptanceReview');
  expect((await api.send(fda, k.id, 'ACCEPT', { effectiveAt: dates.accept })).submission.state).toBe('review.substantive');
  const d = await api.send(fda, k.id, 'DECIDE_SE', { data: { kNumber, decisionDate: dates.se }, effectiveAt: dates.se });
  expect(d.submission.state).toBe('cleared');
  return k.id as string;
}

describe('creation', () => {
  it('new registrations start on version 6 (the terms of RIS art. 179) with the route-specific dossier; the catalog keeps version 1 readable', async () => {
    const m = ctx.users.manufacturer;
    const std = await api.create(m, registration({ route: 'standard', mxClass: 'II' }));
    expect(std).toMatchObject({ workflow: { id: 'cofepris-registration', version: 7 }, state: 'preparing', reference: null });
    expect(std.dossier.required).toEqual(expect.arrayContaining(['clinical-evidence', 'manufacturing-process', 'lab-test-reports', 'cfs']));
    expect(std.dossier.required).not.toContain('fda-decision-letter');
    const tpr = await api.create(m, registration({ route: 'third-party', mxClass: 'III' }));
    expect(tpr.dossier.required).toEqual([...std.dossier.required, 'third-party-technical-report']);
    expect(tpr.allowedEvents).toEqual(expect.arrayContaining(['SEND_TO_TPR', 'SUBMIT', 'DESIST']));

    const v2 = await api.get(ctx.users.auditor, '/v1/workflows/cofepris-registration');
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ id: 'cofepris-registration', version: 7, clock: { kind: 'mx', start: ['SUBMIT'] } });
    expect(Object.keys(v2.body.events)).toEqual(
      expect.arrayContaining(['SUBMIT_PRORROGA', 'RENEWAL_WINDOW_OPENS', 'EXPIRE', 'SUBMIT_MODIFICATION', 'SEND_TO_TPR']),
    );
    const v1 = await api.get(ctx.users.auditor, '/v1/workflows/cofepris-registration?version=1');
    expect(v1.status).toBe(200);
    expect(v1.body.version).toBe(1);
    expect(Object.keys(v1.body.events)).not.toContain('SUBMIT_PRORROGA');
  });

  it('the input schema: reference forbidden on standard, identical-device attestation required on abbreviated, unknown fields rejected (422)', async () => {
    const m = ctx.users.manufacturer;
    const cases: Array<[Json, string]> = [
      [{ route: 'standard', reference: { agency: 'FDA', number: 'K231234', decisionDate: '2023-05-02', decision: 'SE' } }, '/input/reference'],
      [{ route: 'abbreviated', reference: { agency: 'FDA', number: 'K231234', decisionDate: '2023-05-02', decision: 'SE' } }, '/input/identicalDevice'],
      [{ route: 'equivalence' }, '/input/reference'],
      [{ route: 'third-party', tpr: 'x' }, '/input/tpr'],
      [
        { route: 'equivalence', reference: { agency: 'HealthCanada', number: '1', decisionDate: '2024-01-01', decision: 'approved', deviceClass: '3' } },
        '/input/reference/deviceClass',
      ],
    ];
    for (const [input, pointer] of cases) {
      const p = expectProblem(await api.post(m, '/v1/submissions', registration(input)), 422, 'validation_failed');
      expect(
        p.errors.map((e: Json) => e.path),
        JSON.stringify(input),
      ).toContain(pointer);
    }
  });
});

describe('standard route', () => {
  it('registered, renewed by prórroga (with a prevención), modified, then revoked; history on the real dates', async () => {
    const { manufacturer: m, cofepris, auditor } = ctx.users;
    const reg = await api.create(m, registration({ route: 'standard', mxClass: 'II' }, 'Standard route, renewal'));
    await api.completeDossier(m, reg.id);
    let r = await api.send(m, reg.id, 'SUBMIT', { data: { folio: '203300101A0101' }, effectiveAt: '2020-05-04' });
    expect(r.submission.state).toBe('submitted');
    expect(r.submission.clocks.running).toContain('mx-clock');
    await api.send(cofepris, reg.id, 'START_REVIEW', { effectiveAt: '2020-05-11' });
    // In the first third of the 35 business days (LFPA art. 17-A reading); 10 business days set.
    const prevencion = (items: string[]) => ({ data: { items, termBusinessDays: 10 } });
    r = await api.send(cofepris, reg.id, 'ISSUE_PREVENCION', { ...prevencion(['Falta estudio de biocompatibilidad']), effectiveAt: '2020-05-13' });
    expect(r.submission.state).toBe('prevencion');
    await api.send(m, reg.id, 'RESPOND_PREVENCION', { data: { summary: 'Estudio ISO 10993 adjunto' }, effectiveAt: '2020-05-20' });
    r = await api.send(cofepris, reg.id, 'GRANT', { data: { registrationNumber: '1234E2021 SSA' }, effectiveAt: '2021-03-01' });
    expect(r.submission).toMatchObject({ state: 'registered.current', status: 'active' });
    // Valid until 2026-03-01; the prórroga window opens 150 days before (the §5.8 scenario).
    expect(r.submission.deadlines).toEqual([expect.objectContaining({ kind: 'renewalWindow', event: 'RENEWAL_WINDOW_OPENS', dueDate: '2025-10-02' })]);
    expect(r.submission.allowedEvents).toEqual(['REVOKE']);
    expect((await api.submission(m, reg.id)).allowedEvents).toEqual(['SUBMIT_MODIFICATION']);

    // Nobody but the system opens the window or expires a registration.
    for (const u of [m, cofepris, auditor]) {
      expectProblem(await api.event(u, reg.id, { type: 'RENEWAL_WINDOW_OPENS' }), 403, 'forbidden');
      expectProblem(await api.event(u, reg.id, { type: 'EXPIRE' }), 403, 'forbidden');
    }
    const opened = await system(reg.id, 'RENEWAL_WINDOW_OPENS', '2025-10-02');
    expect(opened.transition).toMatchObject({
      type: 'RENEWAL_WINDOW_OPENS',
      from: 'registered.current',
      to: 'registered.renewalDue',
      actor: { role: 'system' },
    });
    const view = await api.submission(m, reg.id);
    expect(view.state).toBe('registered.renewalDue');
    expect(view.deadlines).toEqual([expect.objectContaining({ kind: 'registrationExpiry', event: 'EXPIRE', dueDate: '2026-03-01' })]);
    expect([...view.allowedEvents].sort()).toEqual(['SUBMIT_MODIFICATION', 'SUBMIT_PRORROGA']);

    // An administrative modification while the window is open comes back to renewalDue.
    r = await api.send(m, reg.id, 'SUBMIT_MODIFICATION', {
      data: { kind: 'administrative', description: 'Cambio de domicilio del distribuidor' },
      effectiveAt: '2025-10-10',
    });
    expect(r.submission.state).toBe('registered.modificationUnderReview');
    expectProblem(await api.event(m, reg.id, { type: 'APPROVE_MODIFICATION' }), 403, 'forbidden');
    r = await api.send(cofepris, reg.id, 'APPROVE_MODIFICATION', { effectiveAt: '2025-10-11' });
    expect(r.submission.state).toBe('registered.renewalDue');

    expectProblem(await api.event(cofepris, reg.id, { type: 'SUBMIT_PRORROGA' }), 403, 'forbidden');
    r = await api.send(m, reg.id, 'SUBMIT_PRORROGA', { data: { folio: '253300101P0001' }, effectiveAt: '2025-10-20' });
    expect(r.submission).toMatchObject({ state: 'registered.renewalUnderReview', deadlines: [] });
    r = await api.send(cofepris, reg.id, 'ISSUE_PREVENCION', { ...prevencion(['Falta reporte de tecnovigilancia']), effectiveAt: '2025-11-03' });
    expect(r.submission.state).toBe('registered.renewalPrevencion');
    expect(r.submission.clocks.onHold).toBe(true);
    // Mon 3 Nov 2025 + 10 business days (Mon 17 Nov is a holiday, LFT art. 74): Tue 18 Nov.
    expect(r.submission.deadlines).toEqual([
      expect.objectContaining({ kind: 'prevencionResponse', event: 'PREVENCION_TIMEOUT', dueDate: '2025-11-18', consequence: 'decision' }),
    ]);
    await api.send(m, reg.id, 'RESPOND_PREVENCION', { data: { summary: 'Reporte adjunto' }, effectiveAt: '2025-11-05' });
    expectProblem(await api.event(m, reg.id, { type: 'GRANT_PRORROGA' }), 403, 'forbidden');
    r = await api.send(cofepris, reg.id, 'GRANT_PRORROGA', { effectiveAt: '2026-01-15' });
    expect(r.submission.state).toBe('registered.current');
    // Valid until 2031-03-01 now: the next window is counted from the new date.
    expect(r.submission.deadlines).toEqual([expect.objectContaining({ kind: 'renewalWindow', dueDate: '2030-10-02' })]);

    r = await api.send(m, reg.id, 'SUBMIT_MODIFICATION', {
      data: { kind: 'technical', description: 'Nuevo sitio de esterilización' },
      effectiveAt: '2026-02-01',
    });
    expect(r.submission.state).toBe('registered.modificationUnderReview');
    r = await api.send(cofepris, reg.id, 'REJECT_MODIFICATION', { data: { reason: 'Falta validación del proceso' }, effectiveAt: '2026-03-01' });
    expect(r.submission.state).toBe('registered.current');

    r = await api.send(cofepris, reg.id, 'REVOKE', { data: { reason: 'Alerta sanitaria' }, effectiveAt: '2026-06-01' });
    expect(r.submission).toMatchObject({ state: 'closed.revoked', status: 'closed', allowedEvents: [] });

    expect(await types(reg.id)).toEqual([
      'CREATED',
      'SUBMIT',
      'START_REVIEW',
      'ISSUE_PREVENCION',
      'RESPOND_PREVENCION',
      'GRANT',
      'RENEWAL_WINDOW_OPENS',
      'SUBMIT_MODIFICATION',
      'APPROVE_MODIFICATION',
      'SUBMIT_PRORROGA',
      'ISSUE_PREVENCION',
      'RESPOND_PREVENCION',
      'GRANT_PRORROGA',
      'SUBMIT_MODIFICATION',
      'REJECT_MODIFICATION',
      'REVOKE',
    ]);
    for (const t of await api.history(auditor, reg.id)) expect(t.workflow).toMatchObject({ id: 'cofepris-registration', version: 7 });
  });

  it('shows the registration number and validity of a registration without a reference', async () => {
    const { manufacturer: m, cofepris } = ctx.users;
    const reg = await api.create(m, registration({ route: 'standard' }, 'Standard route, decision view'));
    await api.completeDossier(m, reg.id);
    await api.send(m, reg.id, 'SUBMIT', { effectiveAt: '2024-01-08' });
    await api.send(cofepris, reg.id, 'START_REVIEW', { effectiveAt: '2024-01-09' });
    const r = await api.send(cofepris, reg.id, 'GRANT', { data: { registrationNumber: '2222E2024 SSA' }, effectiveAt: '2024-02-29' });
    expect(r.submission.decision).toMatchObject({ registrationNumber: '2222E2024 SSA', grantedOn: '2024-02-29', validUntil: '2029-02-28' });
  });

  it('expires when no prórroga is filed: EXPIRE before the date is refused (409), on it the registration closes', async () => {
    const { manufacturer: m, cofepris } = ctx.users;
    const reg = await api.create(m, registration({ route: 'standard', mxClass: 'I' }, 'Standard route, expiry'));
    await api.completeDossier(m, reg.id);
    await api.send(m, reg.id, 'SUBMIT', { effectiveAt: '2021-01-11' });
    await api.send(cofepris, reg.id, 'START_REVIEW', { effectiveAt: '2021-01-12' });
    await api.send(cofepris, reg.id, 'GRANT', { data: { registrationNumber: '0456E2021 SSA' }, effectiveAt: '2021-06-01' });
    await system(reg.id, 'RENEWAL_WINDOW_OPENS', '2026-01-02');
    expect((await api.submission(m, reg.id)).deadlines).toEqual([expect.objectContaining({ event: 'EXPIRE', dueDate: '2026-06-01' })]);
    await expect(ctx.services.engine.sendSystemEvent(reg.id, { type: 'EXPIRE', effectiveAt: '2026-05-31' })).rejects.toMatchObject({
      code: 'event_not_allowed',
      message: expect.stringMatching(/valid until 2026-06-01/),
    });
    // A prórroga dated on the expiry date is too late.
    const late = expectProblem(await api.event(m, reg.id, { type: 'SUBMIT_PRORROGA', effectiveAt: '2026-06-01' }), 409, 'event_not_allowed');
    expect(late.detail).toMatch(/expired on 2026-06-01/);
    const r = await system(reg.id, 'EXPIRE', '2026-06-01');
    expect(r.submission).toMatchObject({ state: 'closed.expired', status: 'closed', deadlines: [] });
    expect(r.transition).toMatchObject({ actor: { role: 'system' }, from: 'registered.renewalDue', to: 'closed.expired' });
  });

  it('denied', async () => {
    const { manufacturer: m, cofepris } = ctx.users;
    const reg = await api.create(m, registration({ route: 'standard', mxClass: 'III' }, 'Standard route, denied'));
    const early = expectProblem(await api.event(m, reg.id, { type: 'SUBMIT', effectiveAt: daysAgo(60) }), 409, 'event_not_allowed');
    expect(early.detail).toContain('clinical-evidence');
    await api.completeDossier(m, reg.id);
    await api.send(m, reg.id, 'SUBMIT', { effectiveAt: daysAgo(60) });
    await api.send(cofepris, reg.id, 'START_REVIEW', { effectiveAt: daysAgo(50) });
    expectProblem(await api.event(m, reg.id, { type: 'DENY' }), 403, 'forbidden');
    const r = await api.send(cofepris, reg.id, 'DENY', { data: DENIAL, effectiveAt: daysAgo(10) });
    expect(r.submission).toMatchObject({ state: 'closed.denied', status: 'closed' });
  });
});

describe('third-party route', () => {
  it('third party reviews, its report is uploaded then recorded, filed, prevención unanswered -> desechado', async () => {
    const { manufacturer: m, cofepris } = ctx.users;
    const reg = await api.create(m, registration({ route: 'third-party', mxClass: 'II' }, 'Third-party route, desechado'));
    await uploadAllBut(m, reg.id, ['third-party-technical-report']);
    const direct = expectProblem(await api.event(m, reg.id, { type: 'SUBMIT', effectiveAt: daysAgo(120) }), 409, 'event_not_allowed');
    expect(direct.detail).toMatch(/SEND_TO_TPR/);

    let r = await api.send(m, reg.id, 'SEND_TO_TPR', { data: { thirdParty: 'Tercero Autorizado TA-DM-007' }, effectiveAt: daysAgo(120) });
    expect(r.submission).toMatchObject({ state: 'thirdPartyReview', clocks: { running: [] } });
    // Not filed yet (the third party's pre-review comes first): COFEPRIS does not see it (issue 8 §6).
    expectProblem(await api.event(cofepris, reg.id, { type: 'TPR_FINDINGS', data: { findings: ['x'] } }), 404, 'not_found');
    r = await api.send(m, reg.id, 'TPR_FINDINGS', { data: { findings: ['Falta resumen de biocompatibilidad'] }, effectiveAt: daysAgo(113) });
    expect(r.transition).toMatchObject({ from: 'thirdPartyReview', to: 'thirdPartyReview' });
    const noReport = expectProblem(
      await api.event(m, reg.id, { type: 'TPR_FAVORABLE_REPORT', data: { reportNumber: 'ITF-0007' }, effectiveAt: daysAgo(90) }),
      409,
      'event_not_allowed',
    );
    expect(noReport.detail).toContain('third-party-technical-report');
    expect((await api.upload(m, reg.id, 'third-party-technical-report', Buffer.from('%PDF-1.7\n% ITF-0007\n'))).status).toBe(201);
    r = await api.send(m, reg.id, 'TPR_FAVORABLE_REPORT', { data: { reportNumber: 'ITF-0007', issuedOn: daysAgo(90) }, effectiveAt: daysAgo(90) });
    expect(r.submission.state).toBe('readyToSubmit');
    expect(r.submission.dossier.missing).toEqual([]);
    r = await api.send(m, reg.id, 'SUBMIT', { effectiveAt: daysAgo(85) });
    expect(r.submission.state).toBe('submitted');
    await api.send(cofepris, reg.id, 'START_REVIEW', { effectiveAt: daysAgo(84) });
    // In the first third of the 15 business days (LFPA art. 17-A reading).
    r = await api.send(cofepris, reg.id, 'ISSUE_PREVENCION', {
      data: { items: ['Etiqueta sin número de lote'], termBusinessDays: 5 },
      effectiveAt: daysAgo(83),
    });
    const due = r.submission.deadlines[0].dueDate as string;
    expect(due > daysAgo(83)).toBe(true);
    // The lapse is COFEPRIS's decision: the sweeper records that the term passed and changes nothing.
    expectProblem(await api.event(m, reg.id, { type: 'PREVENCION_TIMEOUT', data: { reason: 'x' } }), 403, 'forbidden');
    const swept = await ctx.services.engine.sweep();
    expect(swept.passed.filter((p) => p.submissionId === reg.id)).toEqual([expect.objectContaining({ kind: 'prevencionResponse' })]);
    expect((await api.submission(m, reg.id)).state).toBe('prevencion');
    const end = await api.send(cofepris, reg.id, 'PREVENCION_TIMEOUT', { data: { reason: 'Prevención sin desahogo' }, effectiveAt: addDays(due, 1) });
    expect(end.submission).toMatchObject({ state: 'closed.desechado', status: 'closed' });
    expect(await types(reg.id)).toEqual([
      'CREATED',
      'SEND_TO_TPR',
      'TPR_FINDINGS',
      'TPR_FAVORABLE_REPORT',
      'SUBMIT',
      'START_REVIEW',
      'ISSUE_PREVENCION',
      'DEADLINE_PASSED',
      'PREVENCION_TIMEOUT',
    ]);
  });

  it('desistimiento during the third party review -> withdrawn', async () => {
    const m = ctx.users.manufacturer;
    const reg = await api.create(m, registration({ route: 'third-party' }, 'Third-party route, withdrawn'));
    await api.send(m, reg.id, 'SEND_TO_TPR', { data: { thirdParty: 'TA-DM-009' }, effectiveAt: daysAgo(30) });
    const r = await api.send(m, reg.id, 'DESIST', { data: { reason: 'Cambio de estrategia' }, effectiveAt: daysAgo(20) });
    expect(r.submission).toMatchObject({ state: 'closed.withdrawn', status: 'closed' });
  });

  it('SEND_TO_TPR on the standard route is refused with the reason', async () => {
    const m = ctx.users.manufacturer;
    const reg = await api.create(m, registration({ route: 'standard' }, 'Standard route, no third party'));
    const p = expectProblem(await api.event(m, reg.id, { type: 'SEND_TO_TPR', data: { thirdParty: 'TA' } }), 409, 'event_not_allowed');
    expect(p.detail).toMatch(/third-party route/);
  });
});

describe('equivalence route', () => {
  it('relies on a tracked cleared 510(k) (eCopy: SUBMIT, FEE_VERIFIED, ACCEPT, DECIDE_SE); registered; prórroga denied -> expired', async () => {
    const { manufacturer: m, cofepris } = ctx.users;
    const k = await cleared510k('K190101', { submit: '2019-01-07', fee: '2019-01-09', accept: '2019-01-20', se: '2019-04-01' });
    const reg = await api.create(m, registration({ route: 'equivalence', reference: { submissionId: k } }, 'Equivalence on a tracked 510(k)'));
    expect(reg.reference).toMatchObject({ submissionId: k, decision: 'SE', decisionDate: '2019-04-01', favourable: true, invalidated: false });
    expect(reg.dossier.required).toEqual(expect.arrayContaining(['fda-decision-letter', 'cfg']));
    expect(reg.dossier.required).not.toContain('clinical-evidence');
    await api.completeDossier(m, reg.id);
    await api.send(m, reg.id, 'SUBMIT', { effectiveAt: '2020-02-03' }); // no age limit on this route
    await api.send(cofepris, reg.id, 'START_REVIEW', { effectiveAt: '2020-02-10' });
    let r = await api.send(cofepris, reg.id, 'GRANT', { data: { registrationNumber: '0789E2021 SSA' }, effectiveAt: '2021-03-01' });
    expect(r.submission.decision).toMatchObject({ registrationNumber: '0789E2021 SSA', grantedOn: '2021-03-01', validUntil: '2026-03-01' });
    await system(reg.id, 'RENEWAL_WINDOW_OPENS', '2025-10-02');
    await api.send(m, reg.id, 'SUBMIT_PRORROGA', { effectiveAt: '2025-10-20' });
    r = await api.send(cofepris, reg.id, 'DENY_PRORROGA', { data: { reason: 'Requisitos del art. 190 Bis 4 incompletos' }, effectiveAt: '2026-01-10' });
    expect(r.submission).toMatchObject({ state: 'closed.expired', status: 'closed' });
  });

  it('external Health Canada class III licence: accepted and registered', async () => {
    const { manufacturer: m, cofepris } = ctx.users;
    const hc = { agency: 'HealthCanada', number: '104567', decisionDate: daysAgo(700), decision: 'approved', deviceClass: 'III' };
    const reg = await api.create(m, registration({ route: 'equivalence', reference: hc }, 'Equivalence on Health Canada class III'));
    expect(reg.dossier.required).toEqual(expect.arrayContaining(['reference-authorization', 'cfs']));
    expect(reg.dossier.required).not.toContain('fda-decision-letter');
    // The licence must be on file before filing.
    await uploadAllBut(m, reg.id, ['reference-authorization']);
    const noLetter = expectProblem(await api.event(m, reg.id, { type: 'SUBMIT', effectiveAt: daysAgo(100) }), 409, 'event_not_allowed');
    expect(noLetter.detail).toContain('reference-authorization');
    await api.completeDossier(m, reg.id);
    const r = await api.send(m, reg.id, 'SUBMIT', { effectiveAt: daysAgo(100) });
    expect(r.submission.state).toBe('submitted');
    await api.send(cofepris, reg.id, 'START_REVIEW', { effectiveAt: daysAgo(95) });
    const g = await api.send(cofepris, reg.id, 'GRANT', { data: { registrationNumber: '0999E2026 SSA' }, effectiveAt: daysAgo(40) });
    expect(g.submission.state).toBe('registered.current');
    expect(g.submission.decision.validUntil).toBe(`${Number(daysAgo(40).slice(0, 4)) + 5}${daysAgo(40).slice(4)}`);
  });

  it('external Health Canada class I licence: SUBMIT refused (409) with the reason, nothing recorded', async () => {
    const m = ctx.users.manufacturer;
    const hc = { agency: 'HealthCanada', number: '104568', decisionDate: daysAgo(700), decision: 'approved', deviceClass: 'I' };
    const reg = await api.create(m, registration({ route: 'equivalence', reference: hc }, 'Equivalence on Health Canada class I'));
    await api.completeDossier(m, reg.id);
    const before = await api.history(m, reg.id);
    const p = expectProblem(await api.event(m, reg.id, { type: 'SUBMIT', effectiveAt: daysAgo(10) }), 409, 'event_not_allowed');
    expect(p.detail).toMatch(/HealthCanada devices of class II, III, IV only/);
    expect(p.detail).toMatch(/class I\b/);
    expect(p.detail).not.toMatch(/missing:/);
    expect(await api.history(m, reg.id)).toEqual(before);
  });

  it('external Health Canada class II licence, denied', async () => {
    const { manufacturer: m, cofepris } = ctx.users;
    const hc = { agency: 'HealthCanada', number: '104569', decisionDate: daysAgo(500), decision: 'approved', deviceClass: 'II' };
    const reg = await api.create(m, registration({ route: 'equivalence', reference: hc }, 'Equivalence, denied'));
    await api.completeDossier(m, reg.id);
    await api.send(m, reg.id, 'SUBMIT', { effectiveAt: daysAgo(50) });
    await api.send(cofepris, reg.id, 'START_REVIEW', { effectiveAt: daysAgo(45) });
    expect((await api.send(cofepris, reg.id, 'DENY', { data: DENIAL, effectiveAt: daysAgo(5) })).submission.state).toBe('closed.denied');
  });
});

describe('abbreviated route', () => {
  it('an emergency authorization is refused (409) saying the route needs an ordinary one', async () => {
    const m = ctx.users.manufacturer;
    const eua = { agency: 'FDA', number: 'K250123', decisionDate: daysAgo(300), decision: 'SE', authorizationType: 'emergency' };
    const reg = await api.create(m, registration({ route: 'abbreviated', reference: eua, identicalDevice: true }, 'Abbreviated on an emergency authorization'));
    await api.completeDossier(m, reg.id);
    const p = expectProblem(await api.event(m, reg.id, { type: 'SUBMIT', effectiveAt: daysAgo(20) }), 409, 'event_not_allowed');
    expect(p.detail).toMatch(/emergency/);
    expect(p.detail).toMatch(/ordinary/);
    expect((await api.submission(m, reg.id)).state).toBe('preparing');
  });

  it('an authority outside IMDRF MC / MDSAP cannot be named (422); a PMDA approval is accepted (default list)', async () => {
    const { manufacturer: m } = ctx.users;
    const anmat = { agency: 'ANMAT', number: 'PM-1234-5', decisionDate: daysAgo(300), decision: 'approved' };
    expectProblem(
      await api.post(m, '/v1/submissions', registration({ route: 'abbreviated', reference: anmat, identicalDevice: true })),
      422,
      'validation_failed',
    );
    const pmda = { agency: 'PMDA', number: '30600BZX00123000', decisionDate: daysAgo(300), decision: 'approved', deviceClass: 'II' };
    const reg = await api.create(m, registration({ route: 'abbreviated', reference: pmda, identicalDevice: true }, 'Abbreviated on PMDA'));
    await api.completeDossier(m, reg.id);
    expect((await api.send(m, reg.id, 'SUBMIT', { effectiveAt: daysAgo(20) })).submission.state).toBe('submitted');
    const r = await api.send(m, reg.id, 'DESIST', { data: { reason: 'Producto descontinuado' }, effectiveAt: daysAgo(10) });
    expect(r.submission).toMatchObject({ state: 'closed.withdrawn', status: 'closed' });
  });

  it('on a tracked cleared 510(k): registered, then the rescission flags it (REFERENCE_INVALIDATED, system) and it stays registered', async () => {
    const { manufacturer: m, fda, cofepris } = ctx.users;
    const k = await cleared510k('K250202', { submit: daysAgo(400), fee: daysAgo(398), accept: daysAgo(385), se: daysAgo(300) });
    const reg = await api.create(
      m,
      registration({ route: 'abbreviated', reference: { submissionId: k }, identicalDevice: true }, 'Abbreviated on a tracked 510(k)'),
    );
    expect(reg.dossier.required).toEqual(expect.arrayContaining(['fda-decision-letter', 'apostille', 'inspection-report']));
    await api.completeDossier(m, reg.id);
    await api.send(m, reg.id, 'SUBMIT', { effectiveAt: daysAgo(200) });
    await api.send(cofepris, reg.id, 'START_REVIEW', { effectiveAt: daysAgo(190) });
    const g = await api.send(cofepris, reg.id, 'GRANT', { data: { registrationNumber: '0321E2026 SSA' }, effectiveAt: daysAgo(100) });
    const validUntil = g.submission.decision.validUntil as string;
    expect(g.submission.deadlines).toEqual([expect.objectContaining({ kind: 'renewalWindow', dueDate: addDays(validUntil, -150) })]);
    const rescind = await api.send(fda, k, 'RESCIND_SE', { data: { reason: 'Nuevos datos de seguridad' } });
    expect(rescind.submission.state).toBe('closed.rescinded');
    const last = (await api.history(cofepris, reg.id)).at(-1)!;
    expect(last).toMatchObject({ type: 'REFERENCE_INVALIDATED', from: 'registered.current', to: 'registered.current', actor: { role: 'system' } });
    const view = await api.submission(cofepris, reg.id);
    expect(view).toMatchObject({ state: 'registered.current', reference: { invalidated: true } });
    expect(view.allowedEvents).toEqual(['REVOKE']);
  });
});
