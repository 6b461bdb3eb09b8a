/**
 * cofepris-registration@6 (reference/domain.md §7.1, §7.3) on the pure machine: the prevención of
 * LFPA art. 17-A (once, first third, the authority's term, COFEPRIS decides the lapse), the class I
 * afirmativa ficta of RIS art. 179, a denial with its grounds, the prórroga's documents, the goals
 * of art. 179 with their sources, and the migration of v1–v5 contexts.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { createValidator, eventSchemaId } from '../../src/validation.js';
import { cofeprisRegistrationV6 as w, weekdaysBetween, type CofeprisContextV6 } from '../../workflows/cofepris-registration-v6.js';
import type { WorkflowEvent } from '../../workflows/types.js';
import { pathOf } from '../support/machine-harness.js';

const FILED = { dossierMissing: [] as string[] };
const ev = (type: string, effectiveDate: string, data: Record<string, unknown> = {}, facts?: WorkflowEvent['facts']): WorkflowEvent => ({
  type,
  data,
  effectiveDate,
  ...(facts ? { facts } : {}),
});
const prev = (on: string, termBusinessDays = 5) => ev('ISSUE_PREVENCION', on, { items: ['Falta el certificado'], termBusinessDays });

function run(input: Record<string, unknown>, events: WorkflowEvent[]): AnyMachineSnapshot {
  let [s] = initialTransition(w.machine, input);
  for (const e of events) [s] = transition(w.machine, s, e as never);
  return s;
}
/** Standard route, class `mxClass`, filed Mon 2 Mar 2026 and under review the next day. */
const underReview = () => [ev('SUBMIT', '2026-03-02', { folio: 'F-1' }, FILED), ev('START_REVIEW', '2026-03-03')];
const ctx = (s: AnyMachineSnapshot) => s.context as CofeprisContextV6;
const explain = (s: AnyMachineSnapshot, e: WorkflowEvent) => w.explainRefusal!(s.context, e)?.map((r) => r.code);

describe('prevención (LFPA art. 17-A, reading UNCONFIRMED)', () => {
  // Class II: 35 business days, a third is 11.67; Mon 2 Mar + 11 weekdays = Tue 17 Mar.
  it.each([
    ['in the first third, term 10 days', prev('2026-03-17', 10), 'prevencion', undefined],
    ['after the first third', prev('2026-03-18'), 'underReview', ['refusal.prevencion_late']],
  ])('%s', (_, e, state, codes) => {
    const before = run({ route: 'standard', mxClass: 'II' }, underReview());
    const after = transition(w.machine, before, e as never)[0];
    expect(pathOf(after)).toBe(state);
    expect(explain(before, e)).toEqual(codes);
  });

  it('the term set is an integer of at least 5 (LFPA art. 17-A floor) and at most 60 business days', () => {
    const valid = createValidator([w]).ajv.getSchema(eventSchemaId(w, 'ISSUE_PREVENCION'))!;
    const ok = (data: Record<string, unknown>) => valid({ items: ['x'], ...data });
    expect([4, 5, 60, 61, 7.5, undefined].map((termBusinessDays) => ok({ termBusinessDays }))).toEqual([false, true, true, false, false, false]);
    expect(ok({ termBusinessDays: 5, respondBy: '2026-03-17' })).toBe(false);
  });

  it('is issued once: after the answer a second one is refused; the term set is kept', () => {
    const s = run({ route: 'standard', mxClass: 'II' }, [...underReview(), prev('2026-03-09', 7), ev('RESPOND_PREVENCION', '2026-03-12')]);
    expect(pathOf(s)).toBe('underReview');
    expect(ctx(s)).toMatchObject({ filedOn: '2026-03-02', prevencion: { issuedOn: '2026-03-09', termBusinessDays: 7 }, prevencionTermBusinessDays: 7 });
    const again = prev('2026-03-13');
    expect(pathOf(transition(w.machine, s, again as never)[0])).toBe('underReview');
    expect(explain(s, again)).toEqual(['refusal.prevencion_once']);
  });

  it('the lapse is COFEPRIS’s decision, signed; puente counts the term set in Mexican business days from the prevención', () => {
    expect(w.events.PREVENCION_TIMEOUT).toMatchObject({ roles: ['cofepris'], requiresSignature: true });
    for (const id of ['prevencion', 'registered.renewalPrevencion']) {
      const node = w.machine.getStateNodeById(`cofepris-registration.${id}`);
      const spec = (node.meta as { deadline: Record<string, unknown> }).deadline;
      expect(spec, id).toMatchObject({
        lengthFrom: 'prevencionTermBusinessDays',
        length: 5,
        unit: 'mx-business',
        event: 'PREVENCION_TIMEOUT',
        consequence: 'decision',
      });
      expect(spec.anchor, id).toBeUndefined();
      expect(node.tags, id).toContain('hold');
    }
    // The engine refuses it while the term runs (refusal.deadline_running); the machine takes it.
    const s = run({ route: 'standard', mxClass: 'II' }, [...underReview(), prev('2026-03-09')]);
    expect(pathOf(transition(w.machine, s, ev('PREVENCION_TIMEOUT', '2026-03-17', { reason: 'sin desahogo' }) as never)[0])).toBe('closed.desechado');
  });

  it('counts weekdays after the filing', () =>
    expect([weekdaysBetween('2026-03-02', '2026-03-17'), weekdaysBetween('2026-03-06', '2026-03-09')]).toEqual([11, 1]));
});

describe('afirmativa ficta (RIS art. 179)', () => {
  it.each([
    ['standard', 'I', 'registered.ficta'],
    ['third-party', 'I', 'underReview'],
    ['standard', 'II', 'underReview'],
    ['standard', 'low-risk', 'underReview'],
  ])('%s class %s → %s', (route, mxClass, state) => {
    const start = route === 'third-party' ? [ev('SEND_TO_TPR', '2026-02-02', { thirdParty: 'TA-1' }), ev('TPR_FAVORABLE_REPORT', '2026-02-20', {}, FILED)] : [];
    const s = run({ route, mxClass }, [...start, ...underReview(), ev('AFIRMATIVA_FICTA', '2026-04-15')]);
    expect(pathOf(s)).toBe(route === 'third-party' ? 'registered.ficta' : state);
  });

  it('a ficta grant has no number until COFEPRIS records the constancia, and is valid 5 years from the day it took effect', () => {
    const s = run({ route: 'standard', mxClass: 'I' }, [ev('SUBMIT', '2026-03-02', {}, FILED), ev('AFIRMATIVA_FICTA', '2026-04-15')]);
    expect(ctx(s)).toMatchObject({ afirmativaFicta: true, registrationNumber: null, grantedOn: '2026-04-15', validUntil: '2031-04-15' });
    const node = w.machine.getStateNodeById('cofepris-registration.registered.ficta');
    expect((node.meta as { description: string }).description).toMatch(/^AFIRMATIVA FICTA/);
    const numbered = transition(w.machine, s, ev('RECORD_FICTA_CERTIFICATE', '2026-04-20', { registrationNumber: '0001E2026 SSA' }) as never)[0];
    expect([pathOf(numbered), ctx(numbered).registrationNumber, ctx(numbered).afirmativaFicta]).toEqual(['registered.current', '0001E2026 SSA', true]);
  });

  it('the class I goal fires AFIRMATIVA_FICTA; every goal, deadline and parameter names its source', () => {
    const ficta = w.goals.filter((g) => g.fires);
    expect(ficta.map((g) => [g.when, g.length, g.fires])).toEqual([
      [{ route: 'standard', mxClass: 'I' }, 30, 'AFIRMATIVA_FICTA'],
      [{ route: 'third-party', mxClass: 'I' }, 30, 'AFIRMATIVA_FICTA'],
    ]);
    const lengths = Object.fromEntries(w.goals.filter((g) => g.when?.route === 'standard').map((g) => [g.when!.mxClass, g.length]));
    expect(lengths).toEqual({ I: 30, II: 35, III: 60, 'low-risk': 30 });
    expect(w.goals.find((g) => g.when?.route === 'third-party' && !g.when.mxClass && g.kind === 'resolution')?.length).toBe(15);
    expect(w.events.AFIRMATIVA_FICTA!.roles).toEqual(['system']);
    for (const g of w.goals) expect(g.source, g.kind).toBeDefined();
    for (const [name, p] of Object.entries(w.parameters)) expect(p.source, name).toBeDefined();
    for (const name of ['relianceMaxAgeYears', 'equivalenceRouteEffectiveUntil', 'renewalWindowDays', 'simplificationAcuerdoChange', 'lowRiskTerm'])
      expect(w.parameters[name]?.unconfirmed, name).toBe(true);
  });
});

describe('denial, prórroga, migration', () => {
  it('DENY requires its fundamentación y motivación and keeps them', () => {
    expect(w.events.DENY!.schema).toMatchObject({ required: ['fundamentacion', 'motivacion'] });
    const s = run({ route: 'standard', mxClass: 'II' }, [
      ...underReview(),
      ev('DENY', '2026-03-20', { fundamentacion: 'RIS art. 179', motivacion: 'Sin evidencia clínica' }),
    ]);
    expect([pathOf(s), ctx(s).denial]).toEqual([
      'closed.denied',
      { fundamentacion: 'RIS art. 179', motivacion: 'Sin evidencia clínica', deniedOn: '2026-03-20' },
    ]);
  });

  it('SUBMIT_PRORROGA reads the dossier like the filing: refused while incomplete or unchecked', () => {
    const granted = run({ route: 'standard', mxClass: 'II' }, [
      ...underReview(),
      ev('GRANT', '2026-03-20', { registrationNumber: '1' }),
      ev('RENEWAL_WINDOW_OPENS', '2030-10-21'),
    ]);
    expect(w.factsFor?.SUBMIT_PRORROGA).toEqual(['dossierMissing']);
    const cases: Array<[WorkflowEvent['facts'], string, string[] | undefined]> = [
      [undefined, 'registered.renewalDue', ['refusal.dossier_unchecked']],
      [{ dossierMissing: ['fee-receipt'] }, 'registered.renewalDue', ['refusal.dossier_incomplete']],
      [FILED, 'registered.renewalUnderReview', undefined],
    ];
    for (const [facts, state, codes] of cases) {
      const e = ev('SUBMIT_PRORROGA', '2031-01-10', {}, facts);
      expect(pathOf(transition(w.machine, granted, e as never)[0])).toBe(state);
      if (codes) expect(explain(granted, e)).toEqual(codes);
    }
  });

  it.each([1, 2, 5])('upgradeContext from v%i gives the new fields their defaults', (from) => {
    const old =
      from === 1
        ? { route: 'abbreviated', reference: { submissionId: 'x' }, referenceInvalidated: false, registrationNumber: null, grantedOn: null, validUntil: null }
        : { ...ctx(run({ route: 'standard', mxClass: 'I' }, [])), filedOn: undefined, prevencion: undefined };
    const up = w.upgradeContext!(JSON.parse(JSON.stringify(old)), from) as CofeprisContextV6;
    expect(up).toMatchObject({ prevencion: null, prevencionTermBusinessDays: null, afirmativaFicta: false, denial: null, prorrogaPrevencion: null });
    expect(up.route).toBe(old.route);
  });
});
