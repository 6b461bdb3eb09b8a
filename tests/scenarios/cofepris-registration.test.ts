/**
 * Worked scenarios of cofepris-registration@6 through the real engine on SQLite, with the shipped
 * Mexican calendar (LFT art. 74 holidays: Mon 2 Feb and Mon 16 Mar 2026 are not business days).
 * Each is titled with the article it implements (reference/domain.md §7.3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, testApp, type TestContext } from '../support/fixtures.js';
import { Api, DEVICE, type Json } from '../http/helpers.js';

let clock = new Date('2026-01-30T18:00:00Z');
let ctx: TestContext;
let api: Api;
beforeAll(async () => {
  ctx = await createTestContext({ now: () => clock });
  api = new Api(testApp(ctx));
});
afterAll(async () => ctx?.close());

/** A standard-route registration of `mxClass`, filed Fri 30 Jan 2026. */
async function filed(title: string, mxClass: string): Promise<Json> {
  const { manufacturer: m, cofepris } = ctx.users;
  const reg = await api.create(m, { workflow: 'cofepris-registration', title, device: DEVICE, input: { route: 'standard', mxClass } });
  expect(reg.workflow).toEqual({ id: 'cofepris-registration', version: 7 });
  await api.completeDossier(m, reg.id);
  await api.send(m, reg.id, 'SUBMIT', { data: { folio: `F-${title}` }, effectiveAt: '2026-01-30' });
  clock = new Date('2026-02-03T18:00:00Z');
  return (await api.send(cofepris, reg.id, 'START_REVIEW', { effectiveAt: '2026-02-03' })).submission;
}
const goal = (s: Json, kind: string) => (s.clocks.goals as Json[]).find((g) => g.kind === kind)!;
const sweepOn = async (iso: string) => {
  clock = new Date(iso);
  return ctx.services.engine.sweep();
};

describe('RIS art. 179 + LFPA art. 28: class I resolved in 30 business days, else afirmativa ficta', () => {
  it('filed Fri 30 Jan 2026, the term skips Mon 2 Feb and Mon 16 Mar: due Tue 17 Mar; on the 18th puente records the ficta grant', async () => {
    const s = await filed('Ficta class I', 'I');
    expect(goal(s, 'resolutionFicta')).toMatchObject({ dueDate: '2026-03-17', fires: 'AFIRMATIVA_FICTA' });

    expect((await sweepOn('2026-03-17T23:00:00Z')).fired.filter((f) => f.submissionId === s.id)).toEqual([]);
    const swept = await sweepOn('2026-03-18T15:00:00Z');
    expect(swept.fired.filter((f) => f.submissionId === s.id)).toEqual([expect.objectContaining({ event: 'AFIRMATIVA_FICTA', state: 'registered.ficta' })]);
    const after = await api.submission(ctx.users.manufacturer, s.id);
    expect(after.state).toBe('registered.ficta');
    const history = await api.history(ctx.users.auditor, s.id);
    expect(history.at(-1)).toMatchObject({ type: 'AFIRMATIVA_FICTA', to: 'registered.ficta' });
  });
});

describe('LFPA art. 17-A (reading UNCONFIRMED): a prevención suspends the term; its lapse is left to COFEPRIS', () => {
  it('class II: a prevención in the first third moves the resolution goal by the days on hold; the passed term is recorded, not closed', async () => {
    clock = new Date('2026-01-30T18:00:00Z');
    const s = await filed('Prevención class II', 'II');
    expect(goal(s, 'resolution').dueDate).toBe('2026-03-24');
    const { cofepris, manufacturer: m } = ctx.users;
    clock = new Date('2026-02-04T18:00:00Z');
    // Wed 4 Feb: 2 business days after the filing (Mon 2 Feb is a holiday); puente counts the 5 business days set: Wed 11 Feb.
    const r = await api.send(cofepris, s.id, 'ISSUE_PREVENCION', {
      data: { items: ['Falta el certificado de análisis'], termBusinessDays: 5 },
      effectiveAt: '2026-02-04',
    });
    expect(r.submission.state).toBe('prevencion');
    expect(r.submission.deadlines).toEqual([expect.objectContaining({ kind: 'prevencionResponse', dueDate: '2026-02-11', consequence: 'decision' })]);
    // COFEPRIS cannot desechar while the term runs (its last day included).
    clock = new Date('2026-02-11T18:00:00Z');
    const early = await api.event(cofepris, s.id, { type: 'PREVENCION_TIMEOUT', data: { reason: 'Sin desahogo' }, effectiveAt: '2026-02-11' });
    expect([early.status, early.body.detail]).toEqual([409, expect.stringContaining('2026-02-11')]);

    const passed = await sweepOn('2026-02-12T18:00:00Z');
    expect(passed.passed.filter((p) => p.submissionId === s.id)).toEqual([expect.objectContaining({ kind: 'prevencionResponse' })]);
    expect((await api.submission(m, s.id)).state).toBe('prevencion');

    // Answered late on Fri 13 Feb; COFEPRIS goes on with the review: 7 business days on hold.
    clock = new Date('2026-02-16T18:00:00Z');
    const back = await api.send(m, s.id, 'RESPOND_PREVENCION', { data: { summary: 'Certificado adjunto' }, effectiveAt: '2026-02-13' });
    expect(back.submission.state).toBe('underReview');
    expect(goal(back.submission, 'resolution').dueDate > '2026-03-24').toBe(true);
    const again = await api.event(cofepris, s.id, {
      type: 'ISSUE_PREVENCION',
      data: { items: ['Otra'], termBusinessDays: 5 },
      effectiveAt: '2026-02-16',
    });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('a prevención was already issued in this procedure on 2026-02-04');
  });
});
