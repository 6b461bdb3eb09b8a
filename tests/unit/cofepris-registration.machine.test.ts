/**
 * The COFEPRIS registration machine against DESIGN §4, exhaustively: every state reachable from
 * `preparing` (found by `xstate/graph`) is visited, and in each one every event type declared in
 * `cofeprisRegistration.events` is sent with the pure `transition()`. Expected outcomes come from
 * `TABLE` below, transcribed by hand from DESIGN §4 (plus the reliance paragraph), never from the
 * machine. Then the SUBMIT guards (dossier, reference, age, route start) one by one.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { getShortestPaths, getStateNodes } from 'xstate/graph';
import { statePath } from '../../src/engine/definitions.js';
import { addYears, cofeprisRegistration, type CofeprisContext, type ReferenceInput, type Route } from '../../workflows/cofepris-registration.js';
import type { EventFacts, ReferenceFacts, WorkflowEvent } from '../../workflows/types.js';
import { reasonsText } from '../../src/messages/format.js';
import { roleTests, rolesByEvent } from '../support/machine-harness.js';

const ROUTES: readonly Route[] = ['equivalence', 'abbreviated'];
const REFERENCE: ReferenceInput = { submissionId: '01936f00-0000-7000-8000-000000000001' };

// ---------------------------------------------------------------------------------------------
// DESIGN §4, transcribed. `*` = any state that is not a final outcome. `unlessInvalidated`: the
// row only applies while the reference decision still stands (context.referenceInvalidated false).
// ---------------------------------------------------------------------------------------------

/** DESIGN §4 catalog table: the final outcomes of `cofepris-registration`. */
const FINAL_OUTCOMES = ['registered', 'closed.denied', 'closed.withdrawn', 'closed.desechado', 'closed.expired', 'closed.revoked'];

interface Row {
  readonly from: string;
  readonly event: string;
  readonly to: string;
  readonly unlessInvalidated?: true;
}

const TABLE: readonly Row[] = [
  { from: 'preparing', event: 'SUBMIT', to: 'submitted' }, // guards satisfied by the facts we send
  { from: 'submitted', event: 'START_REVIEW', to: 'underReview' },
  { from: 'underReview', event: 'ISSUE_PREVENCION', to: 'prevencion' },
  { from: 'prevencion', event: 'RESPOND_PREVENCION', to: 'underReview' },
  { from: 'prevencion', event: 'PREVENCION_TIMEOUT', to: 'closed.desechado' },
  { from: 'underReview', event: 'GRANT', to: 'registered', unlessInvalidated: true },
  { from: 'underReview', event: 'DENY', to: 'closed.denied' },
  { from: '*', event: 'DESIST', to: 'closed.withdrawn' },
  // Outcome `closed.revoked` (catalog table; REVOKE is a COFEPRIS event).
  { from: 'registered', event: 'REVOKE', to: 'closed.revoked' },
  // Reliance: "every relying COFEPRIS submission receives REFERENCE_INVALIDATED". Before filing it
  // is only flagged; a filed application goes (back) under review, where GRANT is then refused.
  { from: 'preparing', event: 'REFERENCE_INVALIDATED', to: 'preparing' },
  { from: 'submitted', event: 'REFERENCE_INVALIDATED', to: 'underReview' },
  { from: 'underReview', event: 'REFERENCE_INVALIDATED', to: 'underReview' },
  { from: 'prevencion', event: 'REFERENCE_INVALIDATED', to: 'underReview' },
  { from: 'registered', event: 'REFERENCE_INVALIDATED', to: 'registered' },
];

/** Where DESIGN §4 says `event` leads from `state`, or null when it must be refused. */
function expectedNext(state: string, event: string, ctx: Pick<CofeprisContext, 'referenceInvalidated'>): string | null {
  const rows = TABLE.filter(
    (r) => r.event === event && (r.from === '*' ? !FINAL_OUTCOMES.includes(state) : r.from === state) && !(r.unlessInvalidated && ctx.referenceInvalidated),
  );
  if (rows.length > 1) throw new Error(`ambiguous expectation table for ${state} / ${event}`);
  return rows[0]?.to ?? null;
}

/** Every state path the table reaches from `preparing` (BFS over the table, both flag values). */
function tableReachable(): Set<string> {
  const seen = new Set<string>();
  const queue: Array<[string, boolean]> = [['preparing', false]];
  const key = (s: string, f: boolean) => `${s}|${f}`;
  const visited = new Set<string>();
  while (queue.length) {
    const [s, flag] = queue.shift()!;
    if (visited.has(key(s, flag))) continue;
    visited.add(key(s, flag));
    seen.add(s);
    for (const e of Object.keys(cofeprisRegistration.events)) {
      const to = expectedNext(s, e, { referenceInvalidated: flag });
      if (to) queue.push([to, flag || e === 'REFERENCE_INVALIDATED']);
    }
  }
  return seen;
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

const GOOD_REFERENCE: ReferenceFacts = {
  label: 'K261234',
  decision: 'SE',
  decisionDate: '2025-01-01',
  favourable: true,
  status: 'ok',
  external: false,
  letterOnFile: true,
  agency: 'FDA',
  deviceClass: '2',
  authorizationType: 'ordinary',
};
const GOOD_FACTS: EventFacts = { dossierMissing: [], reference: GOOD_REFERENCE };

/** `facts: null` sends no facts at all (the engine could not compute them). */
function submit(effectiveDate = '2026-01-10', facts: EventFacts | null = GOOD_FACTS): WorkflowEvent {
  return {
    type: 'SUBMIT',
    data: { folio: '263300101A0001' },
    effectiveDate,
    ...(facts ? { facts } : {}),
  };
}

const EVENTS: Record<string, WorkflowEvent> = {
  SUBMIT: submit(),
  START_REVIEW: { type: 'START_REVIEW', effectiveDate: '2026-01-12' },
  ISSUE_PREVENCION: { type: 'ISSUE_PREVENCION', data: { items: ['Spanish IFU missing'] }, effectiveDate: '2026-01-20' },
  RESPOND_PREVENCION: { type: 'RESPOND_PREVENCION', data: { summary: 'IFU uploaded' }, effectiveDate: '2026-01-22' },
  PREVENCION_TIMEOUT: { type: 'PREVENCION_TIMEOUT', effectiveDate: '2026-01-28' },
  GRANT: { type: 'GRANT', data: { registrationNumber: 'X' }, effectiveDate: '2026-02-20' },
  DENY: { type: 'DENY', data: { reason: 'Insufficient evidence' }, effectiveDate: '2026-02-20' },
  DESIST: { type: 'DESIST', data: { reason: 'Launch postponed' }, effectiveDate: '2026-01-15' },
  REVOKE: { type: 'REVOKE', data: { reason: 'Safety alert' }, effectiveDate: '2026-06-01' },
  REFERENCE_INVALIDATED: {
    type: 'REFERENCE_INVALIDATED',
    data: { referenceSubmissionId: '01936f00-0000-7000-8000-000000000001', referenceState: 'closed.rescinded', reason: 'SE rescinded' },
    effectiveDate: '2026-01-25',
  },
};

function ev(type: string): WorkflowEvent {
  const e = EVENTS[type];
  if (!e) throw new Error(`no test event for ${type}`);
  return e;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));

const machine = cofeprisRegistration.machine;
const pathOf = (s: AnyMachineSnapshot) => statePath(s.value);
const ctxOf = (s: AnyMachineSnapshot) => s.context as CofeprisContext;

function start(route: Route, reference: ReferenceInput = REFERENCE): AnyMachineSnapshot {
  const [s] = initialTransition(machine, { route, reference });
  return s as AnyMachineSnapshot;
}

/** Sends events in order from the initial snapshot of `route`. */
function run(route: Route, events: WorkflowEvent[]): AnyMachineSnapshot {
  let s = start(route);
  for (const e of events) s = send(s, e);
  return s;
}

function send(s: AnyMachineSnapshot, e: WorkflowEvent): AnyMachineSnapshot {
  const [next] = transition(machine, s, e);
  return next as AnyMachineSnapshot;
}

function reachableSnapshots(route: Route): AnyMachineSnapshot[] {
  return getShortestPaths(machine, { events: Object.values(EVENTS), input: { route, reference: REFERENCE } }).map((p) => p.state as AnyMachineSnapshot);
}

const LEAF_PATHS = getStateNodes(machine.root)
  .filter((n) => Object.keys(n.states).length === 0)
  .map((n) => n.path.join('.'))
  .sort();

/**
 * No transition of DESIGN §4 leads to `closed.expired` (expiry needs a renewal workflow that is
 * not built yet), so it cannot be reached from `preparing`.
 */
const KNOWN_UNREACHABLE = ['closed.expired'];

interface Mismatch {
  event: string;
  expected: string | null;
  actual: string;
  detail?: string;
}

function checkEveryEvent(snapshot: AnyMachineSnapshot): Mismatch[] {
  const from = pathOf(snapshot);
  const out: Mismatch[] = [];
  for (const type of Object.keys(cofeprisRegistration.events)) {
    const event = ev(type);
    const expected = expectedNext(from, type, ctxOf(snapshot));
    const next = send(snapshot, event);
    const actual = pathOf(next);
    if (expected === null) {
      if (actual !== from) out.push({ event: type, expected: `refused (stay ${from})`, actual });
      else if (JSON.stringify(next.context) !== JSON.stringify(snapshot.context)) {
        out.push({ event: type, expected: 'refused, context unchanged', actual, detail: JSON.stringify(next.context) });
      } else if (snapshot.can(event)) out.push({ event: type, expected: 'can() false', actual: 'can() true' });
    } else {
      if (actual !== expected) out.push({ event: type, expected, actual });
      else if (!snapshot.can(event)) out.push({ event: type, expected: 'can() true', actual: 'can() false' });
      else if (type === 'REFERENCE_INVALIDATED' && !ctxOf(next).referenceInvalidated) {
        out.push({ event: type, expected: 'referenceInvalidated true', actual: 'false' });
      }
    }
  }
  return out;
}

describe('cofepris-registration test fixtures', () => {
  it('has one test event for every declared event type, each valid against its payload schema', () => {
    expect(Object.keys(EVENTS).sort()).toEqual(Object.keys(cofeprisRegistration.events).sort());
    for (const [type, spec] of Object.entries(cofeprisRegistration.events)) {
      const validate = ajv.compile(spec.schema);
      expect(validate(ev(type).data ?? {}), `${type}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('the expectation table only names declared events', () => {
    for (const row of TABLE) expect(Object.keys(cofeprisRegistration.events)).toContain(row.event);
  });
});

for (const route of ROUTES) {
  const snapshots = reachableSnapshots(route);

  describe(`cofepris-registration, route ${route}`, () => {
    it('starts in preparing with the creation input in context', () => {
      const s = start(route);
      expect(pathOf(s)).toBe('preparing');
      expect(s.context).toEqual({
        route,
        reference: REFERENCE,
        referenceInvalidated: false,
        registrationNumber: null,
        grantedOn: null,
        validUntil: null,
      });
    });

    it('reaches exactly the states DESIGN §4 reaches', () => {
      expect([...new Set(snapshots.map(pathOf))].sort()).toEqual([...tableReachable()].sort());
    });

    it('reaches every leaf state node except closed.expired', () => {
      const reached = new Set(snapshots.map(pathOf));
      expect(LEAF_PATHS.filter((p) => !reached.has(p))).toEqual(KNOWN_UNREACHABLE);
    });

    const byPath = new Map<string, AnyMachineSnapshot[]>();
    for (const s of snapshots) byPath.set(pathOf(s), [...(byPath.get(pathOf(s)) ?? []), s]);

    for (const [path, group] of [...byPath.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      it(`in ${path}, every declared event is allowed or refused as DESIGN §4 says`, () => {
        // Both sides of the reference-invalidated flag are visited where reachable.
        for (const snapshot of group) {
          expect(checkEveryEvent(snapshot), `context ${JSON.stringify(snapshot.context)}`).toEqual([]);
        }
      });
    }
  });
}

describe('cofepris-registration graph coverage', () => {
  it('the machine has exactly the leaf states of DESIGN §4', () => {
    const fromTable = new Set<string>(['preparing', ...FINAL_OUTCOMES]);
    for (const row of TABLE) {
      fromTable.add(row.to);
      if (row.from !== '*') fromTable.add(row.from);
    }
    expect(LEAF_PATHS).toEqual([...fromTable].sort());
  });

  it('visits underReview both with and without an invalidated reference', () => {
    const flags = reachableSnapshots('equivalence')
      .filter((s) => pathOf(s) === 'underReview')
      .map((s) => ctxOf(s).referenceInvalidated);
    expect(new Set(flags)).toEqual(new Set([false, true]));
  });
});

describe('cofepris-registration SUBMIT guards', () => {
  const explain = (route: Route, e: WorkflowEvent) => reasonsText(cofeprisRegistration.explainRefusal?.(start(route).context, e)) ?? '';

  function expectRefused(route: Route, e: WorkflowEvent): void {
    const s = start(route);
    const next = send(s, e);
    expect(pathOf(next)).toBe('preparing');
    expect(next.context).toEqual(s.context);
    expect(s.can(e)).toBe(false);
  }

  function expectAccepted(route: Route, e: WorkflowEvent): void {
    const s = start(route);
    expect(pathOf(send(s, e))).toBe('submitted');
    expect(reasonsText(cofeprisRegistration.explainRefusal?.(s.context, e))).toBeUndefined();
  }

  it.each(ROUTES)('accepts a complete dossier with a favourable, recent reference (%s)', (route) => {
    expectAccepted(route, submit());
  });

  it.each(ROUTES)('refuses while the dossier is incomplete, naming the missing documents (%s)', (route) => {
    const e = submit('2026-01-10', { ...GOOD_FACTS, dossierMissing: ['fee-receipt', 'label-ifu-es'] });
    expectRefused(route, e);
    const why = explain(route, e);
    expect(why).toMatch(/dossier/i);
    expect(why).toContain('fee-receipt');
    expect(why).toContain('label-ifu-es');
  });

  it.each(ROUTES)('refuses when the facts could not be computed (%s)', (route) => {
    expectRefused(route, submit('2026-01-10', null));
    expectRefused(route, submit('2026-01-10', { reference: GOOD_REFERENCE }));
    expectRefused(route, submit('2026-01-10', { dossierMissing: [] }));
  });

  it.each(ROUTES)('refuses when the reference has no favourable decision, saying why (%s)', (route) => {
    const e = submit('2026-01-10', {
      dossierMissing: [],
      reference: { ...GOOD_REFERENCE, decision: null, decisionDate: null, favourable: false, status: 'the 510(k) is in state review.substantive' },
    });
    expectRefused(route, e);
    const why = explain(route, e);
    expect(why).toContain('K261234');
    expect(why).toMatch(/favourable/i);
    expect(why).toContain('the 510(k) is in state review.substantive');
  });

  it.each(ROUTES)('refuses an external reference without an uploaded decision letter (%s)', (route) => {
    const e = submit('2026-01-10', { dossierMissing: [], reference: { ...GOOD_REFERENCE, external: true, letterOnFile: false } });
    expectRefused(route, e);
    expect(explain(route, e)).toContain('fda-decision-letter');
    expectAccepted(route, submit('2026-01-10', { dossierMissing: [], reference: { ...GOOD_REFERENCE, external: true, letterOnFile: true } }));
  });

  it('abbreviated route: refuses a decision more than 5 years before the application, saying so', () => {
    const old = { dossierMissing: [], reference: { ...GOOD_REFERENCE, decisionDate: '2020-01-01' } };
    const e = submit('2026-01-10', old);
    expectRefused('abbreviated', e);
    const why = explain('abbreviated', e);
    expect(why).toContain('2020-01-01');
    expect(why).toMatch(/5 years/);
  });

  it('equivalence route: accepts the same old decision (no age limit)', () => {
    expectAccepted('equivalence', submit('2026-01-10', { dossierMissing: [], reference: { ...GOOD_REFERENCE, decisionDate: '2020-01-01' } }));
  });

  it('abbreviated route: a decision exactly 5 years old is accepted, one day older is refused', () => {
    const at = (decisionDate: string) => submit('2026-01-10', { dossierMissing: [], reference: { ...GOOD_REFERENCE, decisionDate } });
    expectAccepted('abbreviated', at('2021-01-10'));
    expectRefused('abbreviated', at('2021-01-09'));
  });

  it('abbreviated route: refuses applications dated before 2025-09-01, saying so', () => {
    const e = submit('2025-08-31');
    expectRefused('abbreviated', e);
    expect(explain('abbreviated', e)).toContain('2025-09-01');
    expectAccepted('abbreviated', submit('2025-09-01'));
    expectAccepted('equivalence', submit('2025-08-31'));
  });

  it('explains every problem at once', () => {
    const e = submit('2025-08-31', {
      dossierMissing: ['apostille'],
      reference: { ...GOOD_REFERENCE, favourable: false, status: 'rescinded by FDA' },
    });
    const why = explain('abbreviated', e);
    expect(why).toContain('2025-09-01');
    expect(why).toContain('apostille');
    expect(why).toContain('rescinded by FDA');
  });
});

describe('cofepris-registration REFERENCE_INVALIDATED and GRANT', () => {
  const invalidated = ev('REFERENCE_INVALIDATED');
  const submitted = [submit()];
  const underReview = [...submitted, ev('START_REVIEW')];

  it('in preparing: stays preparing, flagged', () => {
    const s = run('equivalence', [invalidated]);
    expect(pathOf(s)).toBe('preparing');
    expect(ctxOf(s).referenceInvalidated).toBe(true);
  });

  it.each([
    ['submitted', submitted],
    ['prevencion', [...underReview, ev('ISSUE_PREVENCION')]],
    ['underReview', underReview],
  ] as const)('from %s: goes to underReview, flagged, and GRANT is then refused with a reason', (from, path) => {
    const before = run('abbreviated', [...path]);
    expect(pathOf(before)).toBe(from);
    const s = send(before, invalidated);
    expect(pathOf(s)).toBe('underReview');
    expect(ctxOf(s).referenceInvalidated).toBe(true);
    const grant = ev('GRANT');
    const after = send(s, grant);
    expect(pathOf(after)).toBe('underReview');
    expect(after.context).toEqual(s.context);
    expect(reasonsText(cofeprisRegistration.explainRefusal?.(s.context, grant))).toMatch(/invalidated/);
    // Still decidable otherwise: DENY and DESIST remain possible.
    expect(pathOf(send(s, ev('DENY')))).toBe('closed.denied');
    expect(pathOf(send(s, ev('DESIST')))).toBe('closed.withdrawn');
  });

  it('GRANT records the number, the grant date and validity of 5 years (29 Feb -> 28 Feb)', () => {
    const s = run('equivalence', [submit('2024-01-10'), ev('START_REVIEW'), { type: 'GRANT', data: { registrationNumber: 'X' }, effectiveDate: '2024-02-29' }]);
    expect(pathOf(s)).toBe('registered');
    expect(ctxOf(s)).toMatchObject({ registrationNumber: 'X', grantedOn: '2024-02-29', validUntil: '2029-02-28' });
    expect(addYears('2024-02-29', 5)).toBe('2029-02-28');
  });

  it('GRANT on an ordinary date is valid until the same date 5 years later', () => {
    const s = run('abbreviated', [submit(), ev('START_REVIEW'), ev('GRANT')]);
    expect(ctxOf(s)).toMatchObject({ registrationNumber: 'X', grantedOn: '2026-02-20', validUntil: '2031-02-20' });
  });

  it('addYears keeps the day when it exists and clamps 29 Feb otherwise', () => {
    expect(addYears('2026-01-10', 5)).toBe('2031-01-10');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2023-12-31', 1)).toBe('2024-12-31');
  });
});

describe('cofepris-registration event roles and schemas (DESIGN §3, §4)', () => {
  const EXPECTED_ROLES = rolesByEvent({
    manufacturer: 'SUBMIT RESPOND_PREVENCION DESIST',
    cofepris: 'START_REVIEW ISSUE_PREVENCION GRANT DENY REVOKE',
    system: 'PREVENCION_TIMEOUT REFERENCE_INVALIDATED',
  });

  roleTests(cofeprisRegistration, EXPECTED_ROLES, { declaresTitle: 'declares exactly the events of DESIGN §4' });

  it('every event payload schema forbids unknown fields', () => {
    for (const [type, spec] of Object.entries(cofeprisRegistration.events)) {
      expect(spec.schema.additionalProperties, type).toBe(false);
      expect(ajv.validate(spec.schema, { ...(ev(type).data ?? {}), unexpected: 1 }), type).toBe(false);
    }
  });

  it('ISSUE_PREVENCION requires a non-empty list of items; GRANT requires a registration number', () => {
    const prev = ajv.compile(cofeprisRegistration.events.ISSUE_PREVENCION!.schema);
    expect(prev({})).toBe(false);
    expect(prev({ items: [] })).toBe(false);
    expect(prev({ items: ['Spanish IFU missing'] })).toBe(true);
    const grant = ajv.compile(cofeprisRegistration.events.GRANT!.schema);
    expect(grant({})).toBe(false);
    expect(grant({ registrationNumber: '' })).toBe(false);
    expect(grant({ registrationNumber: '1234E2026 SSA' })).toBe(true);
  });

  it('the creation input names a route and a reference (submission id or external FDA decision)', () => {
    const validate = ajv.compile(cofeprisRegistration.inputSchema);
    expect(validate({ route: 'equivalence', reference: REFERENCE })).toBe(true);
    expect(validate({ route: 'abbreviated', reference: { agency: 'FDA', number: 'K231234', decisionDate: '2023-05-02', decision: 'SE' } })).toBe(true);
    expect(validate({ route: 'abbreviated' })).toBe(false);
    expect(validate({ route: 'equivalence', reference: { agency: 'FDA', number: 'K231234', decisionDate: '2023-05-02' } })).toBe(false);
    expect(validate({ route: 'equivalence', reference: REFERENCE, extra: 1 })).toBe(false);
  });
});
