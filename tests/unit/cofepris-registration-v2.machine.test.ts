/**
 * `cofepris-registration@2` against DESIGN §4 and reference/domain.md §2, §5.7, exhaustively: on
 * each of the four routes, every state reachable from `preparing` (found by `xstate/graph`) is
 * visited, and in each one every declared event type is sent with the pure `transition()`.
 * Expected outcomes come from `TABLE` below, transcribed by hand from domain.md §5.7 (rows 3–21)
 * and DESIGN §4, never from the machine. Then the route-eligibility matrix (agencies × classes ×
 * authorization types × routes) against a hand-written oracle, the renewal (prórroga) and
 * modification paths, roles, schemas, and version 1 left as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { getShortestPaths, getStateNodes } from 'xstate/graph';
import { describeWorkflow } from '../../src/engine/catalog.js';
import { activeDeadline, definitionHash, statePath, stateValue } from '../../src/engine/definitions.js';
import { addCalendarDays } from '../../src/engine/time.js';
import { createValidator, eventSchemaId, inputSchemaId } from '../../src/validation.js';
import { cofeprisRegistration } from '../../workflows/cofepris-registration.js';
import {
  cofeprisRegistrationV2,
  eligibilityProblems,
  type CofeprisContextV2,
  type CofeprisInputV2,
  type RouteV2,
} from '../../workflows/cofepris-registration-v2.js';
import { WORKFLOWS, latestWorkflow, workflowVersion } from '../../workflows/index.js';
import type { EventFacts, ReferenceFacts, WorkflowEvent } from '../../workflows/types.js';
import { reasonsText } from '../../src/messages/format.js';
import { roleTests, rolesByEvent } from '../support/machine-harness.js';

const w = cofeprisRegistrationV2;
const machine = w.machine;
const validator = createValidator(WORKFLOWS);

const ROUTES: readonly RouteV2[] = ['standard', 'third-party', 'equivalence', 'abbreviated'];
const TRACKED = { submissionId: '01936f00-0000-7000-8000-000000000001' };
const INPUT: Record<RouteV2, CofeprisInputV2> = {
  standard: { route: 'standard', mxClass: 'II' },
  'third-party': { route: 'third-party', mxClass: 'III' },
  equivalence: { route: 'equivalence', reference: TRACKED },
  abbreviated: { route: 'abbreviated', reference: TRACKED, identicalDevice: true },
};

// ---------------------------------------------------------------------------------------------
// The oracle: domain.md §5.7 rows 3–21 and DESIGN §4, transcribed.
// ---------------------------------------------------------------------------------------------

/** States before a resolution: DESIST (desistimiento, row 14) applies in each. */
const APPLICATION_STATES = ['preparing', 'thirdPartyReview', 'readyToSubmit', 'submitted', 'underReview', 'prevencion'];
const REGISTERED_STATES = [
  'registered.current',
  'registered.renewalDue',
  'registered.renewalUnderReview',
  'registered.renewalPrevencion',
  'registered.modificationUnderReview',
];
/** DESIGN §4 catalog: the final outcomes (registered is an outcome, then renewal). */
const CLOSED = ['closed.denied', 'closed.withdrawn', 'closed.desechado', 'closed.expired', 'closed.revoked'];
const RELIANCE: readonly RouteV2[] = ['equivalence', 'abbreviated'];

interface Row {
  readonly from: string | readonly string[];
  readonly event: string;
  readonly to: string;
  /** Only on these routes. */
  readonly routes?: readonly RouteV2[];
  /** Only while the reference decision stands (DESIGN §4 reliance paragraph). */
  readonly unlessInvalidated?: true;
  /** Only when the prórroga window was open when the row's state was entered (true) or not (false). */
  readonly windowOpen?: boolean;
  /** Only when the event is dated before the expiry date (true) or on/after it (false). LGS art. 376. */
  readonly beforeExpiry?: boolean;
}

const TABLE: readonly Row[] = [
  // Filing: standard, equivalence and abbreviated file from preparing (row 6); the third-party
  // route goes through the authorized third party first (rows 3–5), then files (row 6).
  { from: 'preparing', event: 'SUBMIT', to: 'submitted', routes: ['standard', 'equivalence', 'abbreviated'] },
  { from: 'preparing', event: 'SEND_TO_TPR', to: 'thirdPartyReview', routes: ['third-party'] },
  { from: 'thirdPartyReview', event: 'TPR_FINDINGS', to: 'thirdPartyReview' },
  { from: 'thirdPartyReview', event: 'TPR_FAVORABLE_REPORT', to: 'readyToSubmit' },
  { from: 'readyToSubmit', event: 'SUBMIT', to: 'submitted' },
  // Review (rows 7–12).
  { from: 'submitted', event: 'START_REVIEW', to: 'underReview' },
  { from: 'underReview', event: 'ISSUE_PREVENCION', to: 'prevencion' },
  { from: 'prevencion', event: 'RESPOND_PREVENCION', to: 'underReview' },
  { from: 'prevencion', event: 'PREVENCION_TIMEOUT', to: 'closed.desechado' },
  { from: 'underReview', event: 'GRANT', to: 'registered.current', unlessInvalidated: true },
  { from: 'underReview', event: 'DENY', to: 'closed.denied' },
  // Desistimiento (row 14).
  { from: APPLICATION_STATES, event: 'DESIST', to: 'closed.withdrawn' },
  // Reliance invalidation (row 15, DESIGN §4): reliance routes only; before filing only flagged,
  // a filed application goes (back) under review, a registration stays registered, flagged.
  { from: 'preparing', event: 'REFERENCE_INVALIDATED', to: 'preparing', routes: RELIANCE },
  { from: 'submitted', event: 'REFERENCE_INVALIDATED', to: 'underReview', routes: RELIANCE },
  { from: 'underReview', event: 'REFERENCE_INVALIDATED', to: 'underReview', routes: RELIANCE },
  { from: 'prevencion', event: 'REFERENCE_INVALIDATED', to: 'underReview', routes: RELIANCE },
  ...REGISTERED_STATES.map((s): Row => ({ from: s, event: 'REFERENCE_INVALIDATED', to: s, routes: RELIANCE })),
  // Revocation (row 21) from any registered sub-state.
  { from: REGISTERED_STATES, event: 'REVOKE', to: 'closed.revoked' },
  // Renewal (rows 16–19).
  { from: 'registered.current', event: 'RENEWAL_WINDOW_OPENS', to: 'registered.renewalDue' },
  { from: 'registered.renewalDue', event: 'SUBMIT_PRORROGA', to: 'registered.renewalUnderReview', beforeExpiry: true },
  { from: 'registered.renewalDue', event: 'EXPIRE', to: 'closed.expired', beforeExpiry: false },
  { from: 'registered.renewalUnderReview', event: 'ISSUE_PREVENCION', to: 'registered.renewalPrevencion' },
  { from: 'registered.renewalUnderReview', event: 'GRANT_PRORROGA', to: 'registered.current' },
  { from: 'registered.renewalUnderReview', event: 'DENY_PRORROGA', to: 'closed.expired' },
  { from: 'registered.renewalPrevencion', event: 'RESPOND_PREVENCION', to: 'registered.renewalUnderReview' },
  // An unanswered prevención makes the prórroga request "not filed": back to waiting for one.
  { from: 'registered.renewalPrevencion', event: 'PREVENCION_TIMEOUT', to: 'registered.renewalDue' },
  // Modifications (row 20): one at a time, back where the registration was.
  { from: ['registered.current', 'registered.renewalDue'], event: 'SUBMIT_MODIFICATION', to: 'registered.modificationUnderReview' },
  { from: 'registered.modificationUnderReview', event: 'APPROVE_MODIFICATION', to: 'registered.current', windowOpen: false },
  { from: 'registered.modificationUnderReview', event: 'APPROVE_MODIFICATION', to: 'registered.renewalDue', windowOpen: true },
  { from: 'registered.modificationUnderReview', event: 'REJECT_MODIFICATION', to: 'registered.current', windowOpen: false },
  { from: 'registered.modificationUnderReview', event: 'REJECT_MODIFICATION', to: 'registered.renewalDue', windowOpen: true },
  // A pending modification does not keep an unrenewed registration alive.
  { from: 'registered.modificationUnderReview', event: 'EXPIRE', to: 'closed.expired', beforeExpiry: false },
];

interface Situation {
  route: RouteV2;
  referenceInvalidated: boolean;
  renewalWindowOpen: boolean;
  validUntil: string | null;
}

/** Where the table says `event` (dated `date`) leads from `state`, or null when it must be refused. */
function expectedNext(state: string, event: string, date: string | undefined, s: Situation): string | null {
  const rows = TABLE.filter((r) => {
    const from = typeof r.from === 'string' ? [r.from] : r.from;
    if (r.event !== event || !from.includes(state)) return false;
    if (r.routes && !r.routes.includes(s.route)) return false;
    if (r.unlessInvalidated && s.referenceInvalidated) return false;
    if (r.windowOpen !== undefined && r.windowOpen !== s.renewalWindowOpen) return false;
    if (r.beforeExpiry !== undefined) {
      if (!date || !s.validUntil) return false;
      if (r.beforeExpiry !== date < s.validUntil) return false;
    }
    return true;
  });
  if (rows.length > 1) throw new Error(`ambiguous expectation table for ${state} / ${event}`);
  return rows[0]?.to ?? null;
}

/** Every state the table reaches from `preparing` on `route` (BFS over the table; flags both ways). */
function tableReachable(route: RouteV2): Set<string> {
  const seen = new Set<string>();
  const visited = new Set<string>();
  const queue: Array<[string, boolean, boolean]> = [['preparing', false, false]];
  while (queue.length) {
    const [state, invalidated, windowOpen] = queue.shift()!;
    const key = `${state}|${invalidated}|${windowOpen}`;
    if (visited.has(key)) continue;
    visited.add(key);
    seen.add(state);
    for (const e of Object.keys(w.events)) {
      for (const date of ['2000-01-01', '2999-01-01']) {
        const to = expectedNext(state, e, date, { route, referenceInvalidated: invalidated, renewalWindowOpen: windowOpen, validUntil: '2500-01-01' });
        if (!to) continue;
        const open = e === 'RENEWAL_WINDOW_OPENS' ? true : e === 'GRANT_PRORROGA' ? false : windowOpen;
        queue.push([to, invalidated || e === 'REFERENCE_INVALIDATED', open]);
      }
    }
  }
  return seen;
}

// ---------------------------------------------------------------------------------------------
// Events and facts
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
  deviceClass: null,
  authorizationType: 'ordinary',
};
const GOOD_FACTS: EventFacts = { dossierMissing: [], reference: GOOD_REFERENCE };
/** What the engine sends on the standard and third-party routes: no reference at all. */
const NO_REFERENCE_FACTS: EventFacts = { dossierMissing: [] };

function submit(effectiveDate = '2026-01-10', facts: EventFacts | null = GOOD_FACTS): WorkflowEvent {
  return { type: 'SUBMIT', data: { folio: '263300101A0001' }, effectiveDate, ...(facts ? { facts } : {}) };
}

const EVENTS: Record<string, WorkflowEvent> = {
  SUBMIT: submit(),
  SEND_TO_TPR: { type: 'SEND_TO_TPR', data: { thirdParty: 'Tercero Autorizado TA-DM-001' }, effectiveDate: '2025-11-01' },
  TPR_FINDINGS: { type: 'TPR_FINDINGS', data: { findings: ['Biocompatibility summary incomplete'] }, effectiveDate: '2025-11-08' },
  TPR_FAVORABLE_REPORT: {
    type: 'TPR_FAVORABLE_REPORT',
    data: { reportNumber: 'ITF-2025-0042', issuedOn: '2025-12-15' },
    effectiveDate: '2025-12-15',
    facts: { dossierMissing: [] },
  },
  START_REVIEW: { type: 'START_REVIEW', effectiveDate: '2026-01-12' },
  ISSUE_PREVENCION: { type: 'ISSUE_PREVENCION', data: { items: ['Spanish IFU missing'] }, effectiveDate: '2026-01-20' },
  RESPOND_PREVENCION: { type: 'RESPOND_PREVENCION', data: { summary: 'IFU uploaded' }, effectiveDate: '2026-01-22' },
  PREVENCION_TIMEOUT: { type: 'PREVENCION_TIMEOUT', effectiveDate: '2026-01-28' },
  GRANT: { type: 'GRANT', data: { registrationNumber: '0123E2026 SSA' }, effectiveDate: '2026-02-20' },
  DENY: { type: 'DENY', data: { reason: 'Insufficient evidence' }, effectiveDate: '2026-02-20' },
  DESIST: { type: 'DESIST', data: { reason: 'Launch postponed' }, effectiveDate: '2026-01-15' },
  REVOKE: { type: 'REVOKE', data: { reason: 'Safety alert' }, effectiveDate: '2026-06-01' },
  REFERENCE_INVALIDATED: {
    type: 'REFERENCE_INVALIDATED',
    data: { referenceSubmissionId: TRACKED.submissionId, referenceState: 'closed.rescinded', reason: 'SE rescinded' },
    effectiveDate: '2026-01-25',
  },
  // Granted 2026-02-20 -> valid until 2031-02-20; the window opens 150 days before.
  RENEWAL_WINDOW_OPENS: { type: 'RENEWAL_WINDOW_OPENS', effectiveDate: '2030-09-23' },
  SUBMIT_PRORROGA: { type: 'SUBMIT_PRORROGA', data: { folio: '303300101P0001' }, effectiveDate: '2030-10-01' },
  GRANT_PRORROGA: { type: 'GRANT_PRORROGA', effectiveDate: '2030-12-01' },
  DENY_PRORROGA: { type: 'DENY_PRORROGA', data: { reason: 'Technovigilance report missing' }, effectiveDate: '2030-12-01' },
  EXPIRE: { type: 'EXPIRE', effectiveDate: '2031-02-20' },
  SUBMIT_MODIFICATION: { type: 'SUBMIT_MODIFICATION', data: { kind: 'administrative', description: 'New distributor address' }, effectiveDate: '2027-03-01' },
  APPROVE_MODIFICATION: { type: 'APPROVE_MODIFICATION', effectiveDate: '2027-03-02' },
  REJECT_MODIFICATION: { type: 'REJECT_MODIFICATION', data: { reason: 'Supporting document missing' }, effectiveDate: '2027-03-02' },
};

function ev(type: string, over: Partial<WorkflowEvent> = {}): WorkflowEvent {
  const e = EVENTS[type];
  if (!e) throw new Error(`no test event for ${type}`);
  return { ...e, ...over };
}

const pathOf = (s: AnyMachineSnapshot) => statePath(s.value);
const ctxOf = (s: AnyMachineSnapshot) => s.context as CofeprisContextV2;

function start(input: CofeprisInputV2): AnyMachineSnapshot {
  return initialTransition(machine, input as never)[0] as AnyMachineSnapshot;
}
function send(s: AnyMachineSnapshot, e: WorkflowEvent): AnyMachineSnapshot {
  return transition(machine, s, e as never)[0] as AnyMachineSnapshot;
}
function run(input: CofeprisInputV2, events: WorkflowEvent[]): AnyMachineSnapshot {
  let s = start(input);
  for (const e of events) {
    const next = send(s, e);
    if (next === s || (pathOf(next) === pathOf(s) && JSON.stringify(next.context) === JSON.stringify(s.context) && !s.can(e))) {
      throw new Error(`${e.type} refused in ${pathOf(s)}`);
    }
    s = next;
  }
  return s;
}

/** Facts the route's SUBMIT gets from the engine (no reference on standard / third-party). */
const factsFor = (route: RouteV2) => (RELIANCE.includes(route) ? GOOD_FACTS : NO_REFERENCE_FACTS);
function eventsFor(route: RouteV2): WorkflowEvent[] {
  return Object.values(EVENTS).map((e) => (e.type === 'SUBMIT' ? submit('2026-01-10', factsFor(route)) : e));
}

/**
 * Reachable snapshots by shortest path. States are told apart by path and by the context flags
 * the table depends on; counters and lists (findings, modifications, prórrogas) would otherwise
 * make the graph infinite.
 */
function reachableSnapshots(route: RouteV2): AnyMachineSnapshot[] {
  return getShortestPaths(machine, {
    events: eventsFor(route),
    input: INPUT[route],
    serializeState: (s: AnyMachineSnapshot) => {
      const c = s.context as CofeprisContextV2;
      return JSON.stringify([statePath(s.value), c.referenceInvalidated, c.renewalWindowOpen]);
    },
  } as never).map((p) => p.state as AnyMachineSnapshot);
}

const LEAF_PATHS = getStateNodes(machine.root)
  .filter((n) => Object.keys(n.states).length === 0)
  .map((n) => n.path.join('.'))
  .sort();

function situation(route: RouteV2, s: AnyMachineSnapshot): Situation {
  const c = ctxOf(s);
  return { route, referenceInvalidated: c.referenceInvalidated, renewalWindowOpen: c.renewalWindowOpen, validUntil: c.validUntil };
}

interface Mismatch {
  event: string;
  expected: string | null;
  actual: string;
  detail?: string;
}

function checkEveryEvent(route: RouteV2, snapshot: AnyMachineSnapshot): Mismatch[] {
  const from = pathOf(snapshot);
  const out: Mismatch[] = [];
  for (const event of eventsFor(route)) {
    const type = event.type;
    const expected = expectedNext(from, type, event.effectiveDate, situation(route, snapshot));
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

// ---------------------------------------------------------------------------------------------
// The exhaustive walk
// ---------------------------------------------------------------------------------------------

describe('cofepris-registration@2 test fixtures', () => {
  it('has one test event for every declared event type, each valid against its payload schema (strict ajv)', () => {
    expect(Object.keys(EVENTS).sort()).toEqual(Object.keys(w.events).sort());
    for (const type of Object.keys(w.events)) {
      expect(() => validator.check(eventSchemaId(w, type), ev(type).data ?? {}), type).not.toThrow();
    }
  });

  it('the expectation table only names declared events and real states', () => {
    for (const row of TABLE) {
      expect(Object.keys(w.events)).toContain(row.event);
      for (const s of [...(typeof row.from === 'string' ? [row.from] : row.from), row.to]) expect(LEAF_PATHS).toContain(s);
    }
  });

  it('each creation input of the walk is valid', () => {
    for (const route of ROUTES) expect(() => validator.check(inputSchemaId(w), INPUT[route]), route).not.toThrow();
  });
});

for (const route of ROUTES) {
  const snapshots = reachableSnapshots(route);

  describe(`cofepris-registration@2, route ${route}`, () => {
    it('starts in preparing with the creation input in context', () => {
      const s = start(INPUT[route]);
      expect(pathOf(s)).toBe('preparing');
      expect(ctxOf(s)).toMatchObject({
        route,
        reference: INPUT[route].reference ?? null,
        mxClass: INPUT[route].mxClass ?? null,
        identicalDevice: route === 'abbreviated',
        referenceInvalidated: false,
        registrationNumber: null,
        validUntil: null,
        modifications: [],
        prorrogas: [],
      });
    });

    it('reaches exactly the states the table reaches', () => {
      expect([...new Set(snapshots.map(pathOf))].sort()).toEqual([...tableReachable(route)].sort());
    });

    it(`reaches every final outcome of DESIGN §4 (registered, ${CLOSED.join(', ')})`, () => {
      const reached = new Set(snapshots.map(pathOf));
      for (const s of [...CLOSED, ...REGISTERED_STATES]) expect(reached.has(s), s).toBe(true);
      expect(reached.has('thirdPartyReview')).toBe(route === 'third-party');
      expect(reached.has('readyToSubmit')).toBe(route === 'third-party');
    });

    const byPath = new Map<string, AnyMachineSnapshot[]>();
    for (const s of snapshots) byPath.set(pathOf(s), [...(byPath.get(pathOf(s)) ?? []), s]);

    for (const [p, group] of [...byPath.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      it(`in ${p}, every declared event is allowed or refused as the table says`, () => {
        for (const snapshot of group) expect(checkEveryEvent(route, snapshot), `context ${JSON.stringify(ctxOf(snapshot))}`).toEqual([]);
      });
    }
  });
}

describe('cofepris-registration@2 graph coverage', () => {
  it('the machine has exactly the leaf states the table names', () => {
    const fromTable = new Set<string>(['preparing', ...CLOSED]);
    for (const row of TABLE) {
      fromTable.add(row.to);
      for (const f of typeof row.from === 'string' ? [row.from] : row.from) fromTable.add(f);
    }
    expect(LEAF_PATHS).toEqual([...fromTable].sort());
  });

  it('visits underReview and registered.* both with and without an invalidated reference (reliance routes)', () => {
    const snaps = reachableSnapshots('equivalence');
    for (const p of ['underReview', 'registered.current']) {
      expect(new Set(snaps.filter((s) => pathOf(s) === p).map((s) => ctxOf(s).referenceInvalidated)), p).toEqual(new Set([false, true]));
    }
  });

  it('visits modificationUnderReview with the prórroga window both open and not', () => {
    const flags = reachableSnapshots('standard')
      .filter((s) => pathOf(s) === 'registered.modificationUnderReview')
      .map((s) => ctxOf(s).renewalWindowOpen);
    expect(new Set(flags)).toEqual(new Set([false, true]));
  });

  it('has one region only (the engine stores one state path): no parallel states', () => {
    expect(getStateNodes(machine.root).filter((n) => n.type === 'parallel')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Route eligibility (domain.md §5.7 guards), as a matrix against a hand-written oracle
// ---------------------------------------------------------------------------------------------

/** IMDRF Management Committee ∪ MDSAP full members (domain.md §2.2; IMDRF, mdsap.global, Swissmedic 2025). */
const ORACLE_ARR = ['FDA', 'HealthCanada', 'PMDA', 'TGA', 'ANVISA', 'NMPA', 'EU', 'MFDS', 'HSA', 'MHRA', 'Roszdravnadzor', 'Swissmedic'];
const AGENCIES = [...ORACLE_ARR, 'ANMAT', 'COFEPRIS'];
const CLASSES: Array<string | null> = [null, '1', '2', '3', 'I', 'II', 'III', 'IV'];
const AUTH_TYPES = ['ordinary', 'emergency', 'accelerated', 'conditional', 'reliance', 'judicial'];

/** Hand-written: may `route` rely on this reference (the favourable, letter-backed, recent case)? */
function oracleEligible(route: RouteV2, agency: string, deviceClass: string | null, authorizationType: string, authorities = ORACLE_ARR): boolean {
  switch (route) {
    case 'standard':
    case 'third-party':
      return true; // no reference is consulted
    case 'equivalence':
      // Acuerdos 2010 (FDA any class; Health Canada) and 2012 (PMDA): HC and PMDA class II–IV.
      if (agency === 'FDA') return true;
      if (agency === 'HealthCanada' || agency === 'PMDA') return deviceClass === 'II' || deviceClass === 'III' || deviceClass === 'IV';
      return false;
    case 'abbreviated':
      // Lineamientos 2025: ARR member, ordinary authorization (identical device attested).
      return authorities.includes(agency) && authorizationType === 'ordinary';
  }
}

function reference(agency: string, deviceClass: string | null, authorizationType: string): ReferenceFacts {
  return { ...GOOD_REFERENCE, label: `${agency}-123`, external: true, agency, deviceClass, authorizationType };
}

describe('route eligibility: agencies × classes × authorization types × routes', () => {
  it('eligibilityProblems and SUBMIT agree with the oracle in every combination', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const route of ROUTES) {
      const s = start(route === 'third-party' ? INPUT.standard : INPUT[route]);
      const r = route === 'third-party' ? 'standard' : route; // third-party files later; same rule
      for (const agency of AGENCIES) {
        for (const cls of CLASSES) {
          for (const auth of AUTH_TYPES) {
            const facts: EventFacts = { dossierMissing: [], reference: reference(agency, cls, auth) };
            const want = oracleEligible(r, agency, cls, auth);
            const problems = eligibilityProblems(route, facts.reference, { identicalDevice: true, onDate: '2026-01-10' });
            const accepted = pathOf(send(s, submit('2026-01-10', facts))) === 'submitted';
            checked++;
            if ((problems.length === 0) !== want || accepted !== want) {
              wrong.push(`${route} ${agency} class ${cls} ${auth}: want ${want}, problems ${JSON.stringify(problems)}, SUBMIT ${accepted}`);
            }
          }
        }
      }
    }
    expect(checked).toBe(ROUTES.length * AGENCIES.length * CLASSES.length * AUTH_TYPES.length);
    expect(wrong).toEqual([]);
  });

  it('configured reference authorities replace the default list on the abbreviated route', () => {
    for (const authorities of [['FDA'], ['PMDA', 'ANMAT'], []]) {
      for (const agency of AGENCIES) {
        const facts: EventFacts = { dossierMissing: [], reference: reference(agency, 'II', 'ordinary'), referenceAuthorities: authorities };
        const accepted = pathOf(send(start(INPUT.abbreviated), submit('2026-01-10', facts))) === 'submitted';
        expect(accepted, `${agency} with ${authorities.join(',')}`).toBe(oracleEligible('abbreviated', agency, 'II', 'ordinary', authorities));
      }
    }
  });

  const explain = (input: CofeprisInputV2, e: WorkflowEvent) => reasonsText(w.explainRefusal?.(start(input).context, e)) ?? '';

  it('says why: equivalence with a Health Canada class I licence', () => {
    const e = submit('2026-01-10', { dossierMissing: [], reference: reference('HealthCanada', 'I', 'ordinary') });
    expect(pathOf(send(start(INPUT.equivalence), e))).toBe('preparing');
    const why = explain(INPUT.equivalence, e);
    expect(why).toContain('HealthCanada');
    expect(why).toMatch(/class II, III, IV/);
    expect(why).toMatch(/class I\b/);
  });

  it('says why: equivalence with an authority the acuerdos do not name', () => {
    expect(explain(INPUT.equivalence, submit('2026-01-10', { dossierMissing: [], reference: reference('TGA', 'III', 'ordinary') }))).toMatch(/not TGA/);
  });

  it('says why: abbreviated with an emergency authorization, or from a non-reference authority', () => {
    const emergency = explain(INPUT.abbreviated, submit('2026-01-10', { dossierMissing: [], reference: reference('FDA', '2', 'emergency') }));
    expect(emergency).toMatch(/emergency/);
    expect(emergency).toMatch(/ordinary/);
    expect(explain(INPUT.abbreviated, submit('2026-01-10', { dossierMissing: [], reference: reference('ANMAT', 'II', 'ordinary') }))).toMatch(
      /ANMAT is not a reference authority/,
    );
  });

  it('abbreviated requires the identical-device attestation', () => {
    const noAttestation: CofeprisInputV2 = { route: 'abbreviated', reference: TRACKED };
    const e = submit();
    expect(pathOf(send(start(noAttestation), e))).toBe('preparing');
    expect(explain(noAttestation, e)).toMatch(/identical/);
    expect(pathOf(send(start(INPUT.abbreviated), e))).toBe('submitted');
  });

  it('abbreviated: a decision exactly 5 years old is accepted, one day older is refused (equivalence: no limit)', () => {
    const at = (decisionDate: string) => submit('2026-01-10', { dossierMissing: [], reference: { ...GOOD_REFERENCE, decisionDate } });
    expect(pathOf(send(start(INPUT.abbreviated), at('2021-01-10')))).toBe('submitted');
    expect(pathOf(send(start(INPUT.abbreviated), at('2021-01-09')))).toBe('preparing');
    expect(explain(INPUT.abbreviated, at('2021-01-09'))).toMatch(/2021-01-09.*5 years/);
    expect(pathOf(send(start(INPUT.equivalence), at('2010-01-01')))).toBe('submitted');
  });

  it('abbreviated: applications dated before 2025-09-01 are refused, saying so', () => {
    expect(pathOf(send(start(INPUT.abbreviated), submit('2025-08-31')))).toBe('preparing');
    expect(explain(INPUT.abbreviated, submit('2025-08-31'))).toContain('2025-09-01');
    expect(pathOf(send(start(INPUT.abbreviated), submit('2025-09-01')))).toBe('submitted');
    expect(pathOf(send(start(INPUT.equivalence), submit('2025-08-31')))).toBe('submitted');
  });

  it.each(RELIANCE)('%s: an unfavourable reference, or an external one without its letter, is refused naming the letter kind', (route) => {
    const input = INPUT[route];
    const unfavourable = submit('2026-01-10', {
      dossierMissing: [],
      reference: { ...GOOD_REFERENCE, favourable: false, status: 'it is in state review.substantive' },
    });
    expect(pathOf(send(start(input), unfavourable))).toBe('preparing');
    expect(explain(input, unfavourable)).toContain('it is in state review.substantive');
    const fdaNoLetter = submit('2026-01-10', { dossierMissing: [], reference: { ...GOOD_REFERENCE, external: true, letterOnFile: false } });
    expect(pathOf(send(start(input), fdaNoLetter))).toBe('preparing');
    expect(explain(input, fdaNoLetter)).toContain('fda-decision-letter');
    const hcNoLetter = submit('2026-01-10', { dossierMissing: [], reference: { ...reference('HealthCanada', 'III', 'ordinary'), letterOnFile: false } });
    expect(pathOf(send(start(input), hcNoLetter))).toBe('preparing');
    expect(explain(input, hcNoLetter)).toContain('reference-authorization');
  });

  it.each(ROUTES)('%s: SUBMIT without facts, or with an incomplete dossier, is refused naming what is missing', (route) => {
    const input = INPUT[route];
    const ready = route === 'third-party' ? run(input, [ev('SEND_TO_TPR'), ev('TPR_FAVORABLE_REPORT')]) : start(input);
    expect(pathOf(send(ready, submit('2026-01-10', null)))).toBe(pathOf(ready));
    const incomplete = submit('2026-01-10', { ...factsFor(route), dossierMissing: ['fee-receipt', 'clinical-evidence'] });
    expect(pathOf(send(ready, incomplete))).toBe(pathOf(ready));
    const why = reasonsText(w.explainRefusal?.(ready.context, incomplete)) ?? '';
    expect(why).toContain('fee-receipt');
    expect(why).toContain('clinical-evidence');
    if (RELIANCE.includes(route)) expect(pathOf(send(ready, submit('2026-01-10', { dossierMissing: [] })))).toBe(pathOf(ready));
  });
});

// ---------------------------------------------------------------------------------------------
// Third-party route
// ---------------------------------------------------------------------------------------------

describe('third-party route (domain.md §5.7 rows 3–6)', () => {
  const input = INPUT['third-party'];

  it('SUBMIT from preparing is refused: the third party reviews first', () => {
    expect(pathOf(send(start(input), submit('2026-01-10', NO_REFERENCE_FACTS)))).toBe('preparing');
    expect(reasonsText(w.explainRefusal?.(start(input).context, submit('2026-01-10', NO_REFERENCE_FACTS)))).toMatch(/SEND_TO_TPR/);
  });

  it('SEND_TO_TPR is refused on the other routes, saying why', () => {
    for (const route of ['standard', 'equivalence', 'abbreviated'] as const) {
      expect(pathOf(send(start(INPUT[route]), ev('SEND_TO_TPR')))).toBe('preparing');
      expect(reasonsText(w.explainRefusal?.(start(INPUT[route]).context, ev('SEND_TO_TPR')))).toContain(route);
    }
  });

  it('records findings rounds, then the favourable report only once the report document is uploaded', () => {
    let s = run(input, [ev('SEND_TO_TPR'), ev('TPR_FINDINGS'), ev('TPR_FINDINGS')]);
    expect(pathOf(s)).toBe('thirdPartyReview');
    expect(ctxOf(s)).toMatchObject({ thirdParty: 'Tercero Autorizado TA-DM-001', tprFindingRounds: 2, tprReport: null });
    const withoutReport = ev('TPR_FAVORABLE_REPORT', { facts: { dossierMissing: ['third-party-technical-report', 'fee-receipt'] } });
    expect(pathOf(send(s, withoutReport))).toBe('thirdPartyReview');
    expect(reasonsText(w.explainRefusal?.(s.context, withoutReport))).toContain('third-party-technical-report');
    expect(pathOf(send(s, ev('TPR_FAVORABLE_REPORT', { facts: undefined })))).toBe('thirdPartyReview');
    // Other documents may still be missing: only the report gates this step.
    s = send(s, ev('TPR_FAVORABLE_REPORT', { facts: { dossierMissing: ['fee-receipt'] } }));
    expect(pathOf(s)).toBe('readyToSubmit');
    expect(ctxOf(s).tprReport).toEqual({ reportNumber: 'ITF-2025-0042', recordedOn: '2025-12-15' });
    expect(pathOf(send(s, submit('2026-01-10', { dossierMissing: ['fee-receipt'] })))).toBe('readyToSubmit');
    const filed = send(s, submit('2026-01-10', NO_REFERENCE_FACTS));
    expect(pathOf(filed)).toBe('submitted');
    expect(ctxOf(filed).folio).toBe('263300101A0001');
  });

  it('the engine is told to compute facts for every event whose guard reads them', () => {
    expect(w.factsFor?.SUBMIT).toEqual(expect.arrayContaining(['dossierMissing', 'reference']));
    expect(w.factsFor?.TPR_FAVORABLE_REPORT).toEqual(expect.arrayContaining(['dossierMissing']));
  });
});

// ---------------------------------------------------------------------------------------------
// Renewal (prórroga) and expiry
// ---------------------------------------------------------------------------------------------

describe('renewal (domain.md §2.5, §5.7 rows 16–19, §5.8 scenario)', () => {
  const input = INPUT.standard;
  const filed = [submit('2020-06-01', NO_REFERENCE_FACTS), ev('START_REVIEW', { effectiveDate: '2020-06-10' })];
  const granted = (date: string) => run(input, [...filed, ev('GRANT', { effectiveDate: date })]);

  it('GRANT sets validity 5 years; the renewal window deadline counts back 150 calendar days from validUntil', () => {
    const s = granted('2021-03-01');
    expect(pathOf(s)).toBe('registered.current');
    expect(ctxOf(s)).toMatchObject({ registrationNumber: '0123E2026 SSA', grantedOn: '2021-03-01', validUntil: '2026-03-01', renewalWindowOpen: false });
    const d = activeDeadline(s);
    expect(d).toMatchObject({ event: 'RENEWAL_WINDOW_OPENS', anchor: 'validUntil', length: -150, unit: 'calendar', unconfirmed: true });
    // The §5.8 scenario: granted 2021-03-01 -> window opens about 2025-10 (150 days before 2026-03-01).
    expect(addCalendarDays(ctxOf(s).validUntil!, d!.length)).toBe('2025-10-02');
    expect(w.events[d!.event]?.roles).toEqual(['system']);
  });

  it('window opens, prórroga filed in time and granted: valid 5 more years from the old expiry; a second cycle works too', () => {
    let s = granted('2021-03-01');
    s = send(s, ev('RENEWAL_WINDOW_OPENS', { effectiveDate: '2025-10-02' }));
    expect(pathOf(s)).toBe('registered.renewalDue');
    expect(ctxOf(s).renewalWindowOpen).toBe(true);
    expect(activeDeadline(s)).toMatchObject({ event: 'EXPIRE', anchor: 'validUntil', length: 0 });
    s = send(s, ev('SUBMIT_PRORROGA', { effectiveDate: '2025-10-20' }));
    expect(pathOf(s)).toBe('registered.renewalUnderReview');
    expect(ctxOf(s).prorrogaFiledOn).toBe('2025-10-20');
    expect(activeDeadline(s)).toBeUndefined(); // filed in time: no expiry while COFEPRIS decides
    expect(s.hasTag('mx-clock')).toBe(true);
    s = send(s, ev('GRANT_PRORROGA', { effectiveDate: '2026-04-15' })); // decided after the old expiry: still valid
    expect(pathOf(s)).toBe('registered.current');
    expect(ctxOf(s)).toMatchObject({
      validUntil: '2031-03-01',
      renewalWindowOpen: false,
      prorrogaFiledOn: null,
      prorrogas: [{ grantedOn: '2026-04-15', previousValidUntil: '2026-03-01', validUntil: '2031-03-01' }],
      registrationNumber: '0123E2026 SSA',
    });
    s = send(s, ev('RENEWAL_WINDOW_OPENS', { effectiveDate: '2030-10-02' }));
    s = send(s, ev('SUBMIT_PRORROGA', { effectiveDate: '2031-01-10' }));
    s = send(s, ev('GRANT_PRORROGA', { effectiveDate: '2031-02-01' }));
    expect(ctxOf(s).validUntil).toBe('2036-03-01');
    expect(ctxOf(s).prorrogas).toHaveLength(2);
  });

  it('29 February: valid until 28 February five years later, and so on', () => {
    let s = granted('2024-02-29');
    expect(ctxOf(s).validUntil).toBe('2029-02-28');
    s = send(
      send(send(s, ev('RENEWAL_WINDOW_OPENS', { effectiveDate: '2028-10-01' })), ev('SUBMIT_PRORROGA', { effectiveDate: '2028-10-02' })),
      ev('GRANT_PRORROGA', { effectiveDate: '2028-12-01' }),
    );
    expect(ctxOf(s).validUntil).toBe('2034-02-28');
  });

  it('a prórroga dated on or after the expiry date is refused, saying so', () => {
    const due = send(granted('2021-03-01'), ev('RENEWAL_WINDOW_OPENS', { effectiveDate: '2025-10-02' }));
    for (const late of ['2026-03-01', '2026-05-01']) {
      const e = ev('SUBMIT_PRORROGA', { effectiveDate: late });
      expect(pathOf(send(due, e))).toBe('registered.renewalDue');
      expect(reasonsText(w.explainRefusal?.(due.context, e))).toMatch(/expired on 2026-03-01/);
    }
    expect(pathOf(send(due, ev('SUBMIT_PRORROGA', { effectiveDate: '2026-02-28' })))).toBe('registered.renewalUnderReview');
  });

  it('EXPIRE before the expiry date is refused; on it the registration expires', () => {
    const due = send(granted('2021-03-01'), ev('RENEWAL_WINDOW_OPENS', { effectiveDate: '2025-10-02' }));
    const early = ev('EXPIRE', { effectiveDate: '2026-02-28' });
    expect(pathOf(send(due, early))).toBe('registered.renewalDue');
    expect(reasonsText(w.explainRefusal?.(due.context, early))).toContain('2026-03-01');
    expect(pathOf(send(due, ev('EXPIRE', { effectiveDate: '2026-03-01' })))).toBe('closed.expired');
  });

  it('DENY_PRORROGA expires the registration', () => {
    const s = run(input, [
      ...filed,
      ev('GRANT', { effectiveDate: '2021-03-01' }),
      ev('RENEWAL_WINDOW_OPENS', { effectiveDate: '2025-10-02' }),
      ev('SUBMIT_PRORROGA', { effectiveDate: '2025-10-20' }),
      ev('DENY_PRORROGA', { effectiveDate: '2026-01-10' }),
    ]);
    expect(pathOf(s)).toBe('closed.expired');
  });

  it('prevención on the prórroga: answered goes back under review; unanswered, the request is as not filed and the registration can expire', () => {
    const underReview = run(input, [
      ...filed,
      ev('GRANT', { effectiveDate: '2021-03-01' }),
      ev('RENEWAL_WINDOW_OPENS', { effectiveDate: '2025-10-02' }),
      ev('SUBMIT_PRORROGA', { effectiveDate: '2025-10-20' }),
    ]);
    const prev = send(underReview, ev('ISSUE_PREVENCION', { effectiveDate: '2025-11-03' }));
    expect(pathOf(prev)).toBe('registered.renewalPrevencion');
    expect(prev.hasTag('hold')).toBe(true);
    expect(activeDeadline(prev)).toMatchObject({ event: 'PREVENCION_TIMEOUT', unit: 'mx-business', unconfirmed: true });
    expect(pathOf(send(prev, ev('RESPOND_PREVENCION', { effectiveDate: '2025-11-05' })))).toBe('registered.renewalUnderReview');
    const desechada = send(prev, ev('PREVENCION_TIMEOUT', { effectiveDate: '2025-11-11' }));
    expect(pathOf(desechada)).toBe('registered.renewalDue');
    expect(ctxOf(desechada).prorrogaFiledOn).toBeNull();
    expect(pathOf(send(desechada, ev('SUBMIT_PRORROGA', { effectiveDate: '2025-12-01' })))).toBe('registered.renewalUnderReview');
    expect(pathOf(send(desechada, ev('EXPIRE', { effectiveDate: '2026-03-01' })))).toBe('closed.expired');
  });
});

// ---------------------------------------------------------------------------------------------
// Modifications
// ---------------------------------------------------------------------------------------------

describe('modifications (domain.md §2.4, §5.7 row 20)', () => {
  const input = INPUT.equivalence;
  const registered = () => run(input, [submit(), ev('START_REVIEW'), ev('GRANT')]);

  it('approved: recorded in context with its kind, description and dates; back to registered.current', () => {
    let s = send(registered(), ev('SUBMIT_MODIFICATION', { data: { kind: 'technical', description: 'New sterilization site' } }));
    expect(pathOf(s)).toBe('registered.modificationUnderReview');
    expect(ctxOf(s).pendingModification).toEqual({ kind: 'technical', description: 'New sterilization site', submittedOn: '2027-03-01' });
    expect(s.hasTag('mx-clock')).toBe(true);
    s = send(s, ev('APPROVE_MODIFICATION'));
    expect(pathOf(s)).toBe('registered.current');
    expect(ctxOf(s)).toMatchObject({
      pendingModification: null,
      modifications: [{ kind: 'technical', description: 'New sterilization site', submittedOn: '2027-03-01', approvedOn: '2027-03-02' }],
      rejectedModifications: 0,
      validUntil: '2031-02-20',
    });
    s = send(send(s, ev('SUBMIT_MODIFICATION')), ev('APPROVE_MODIFICATION'));
    expect(ctxOf(s).modifications).toHaveLength(2);
  });

  it('rejected: counted, the registration unchanged', () => {
    const s = send(send(registered(), ev('SUBMIT_MODIFICATION')), ev('REJECT_MODIFICATION'));
    expect(pathOf(s)).toBe('registered.current');
    expect(ctxOf(s)).toMatchObject({ pendingModification: null, modifications: [], rejectedModifications: 1 });
  });

  it('requested while the prórroga window is open: resolved back to renewalDue, and expiry still applies meanwhile', () => {
    const due = send(registered(), ev('RENEWAL_WINDOW_OPENS'));
    const mod = send(due, ev('SUBMIT_MODIFICATION', { effectiveDate: '2030-10-01' }));
    expect(pathOf(mod)).toBe('registered.modificationUnderReview');
    expect(activeDeadline(mod)).toMatchObject({ event: 'EXPIRE', anchor: 'validUntil', length: 0 });
    expect(pathOf(send(mod, ev('APPROVE_MODIFICATION', { effectiveDate: '2030-10-02' })))).toBe('registered.renewalDue');
    expect(pathOf(send(mod, ev('REJECT_MODIFICATION', { effectiveDate: '2030-10-02' })))).toBe('registered.renewalDue');
    expect(pathOf(send(mod, ev('EXPIRE', { effectiveDate: '2031-02-19' })))).toBe('registered.modificationUnderReview');
    expect(pathOf(send(mod, ev('EXPIRE', { effectiveDate: '2031-02-20' })))).toBe('closed.expired');
  });

  it('SUBMIT_MODIFICATION data: kind administrative|technical and a description, nothing else', () => {
    const id = eventSchemaId(w, 'SUBMIT_MODIFICATION');
    expect(() => validator.check(id, { kind: 'administrative', description: 'x' })).not.toThrow();
    expect(() => validator.check(id, { kind: 'technical', description: 'x' })).not.toThrow();
    for (const bad of [{}, { kind: 'administrative' }, { description: 'x' }, { kind: 'cosmetic', description: 'x' }, { kind: 'technical', description: '' }]) {
      expect(() => validator.check(id, bad), JSON.stringify(bad)).toThrow();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// REFERENCE_INVALIDATED and GRANT
// ---------------------------------------------------------------------------------------------

describe('REFERENCE_INVALIDATED (v1 semantics, reliance routes only)', () => {
  it.each(RELIANCE)('%s: from submitted and prevencion goes under review flagged; GRANT then refused with a reason', (route) => {
    for (const path of [[submit()], [submit(), ev('START_REVIEW'), ev('ISSUE_PREVENCION')]]) {
      const s = send(run(INPUT[route], path), ev('REFERENCE_INVALIDATED'));
      expect(pathOf(s)).toBe('underReview');
      expect(ctxOf(s).referenceInvalidated).toBe(true);
      expect(pathOf(send(s, ev('GRANT')))).toBe('underReview');
      expect(reasonsText(w.explainRefusal?.(s.context, ev('GRANT')))).toMatch(/invalidated/);
      expect(pathOf(send(s, ev('DENY')))).toBe('closed.denied');
    }
  });

  it.each(['standard', 'third-party'] as const)('%s: refused everywhere, saying the route relies on no reference', (route) => {
    const s = start(INPUT[route]);
    expect(s.can(ev('REFERENCE_INVALIDATED'))).toBe(false);
    expect(reasonsText(w.explainRefusal?.(s.context, ev('REFERENCE_INVALIDATED')))).toContain(`the ${route} route relies on no reference`);
  });

  it('a registered reliance registration stays registered, flagged, and keeps its renewal cycle', () => {
    let s = run(INPUT.abbreviated, [submit(), ev('START_REVIEW'), ev('GRANT'), ev('RENEWAL_WINDOW_OPENS')]);
    s = send(s, ev('REFERENCE_INVALIDATED'));
    expect(pathOf(s)).toBe('registered.renewalDue');
    expect(ctxOf(s).referenceInvalidated).toBe(true);
    expect(pathOf(send(s, ev('REVOKE')))).toBe('closed.revoked');
  });
});

// ---------------------------------------------------------------------------------------------
// Roles, schemas, dossier, goals, parameters
// ---------------------------------------------------------------------------------------------

describe('cofepris-registration@2 roles and schemas', () => {
  /** DESIGN §3: registration-holder events to manufacturer, COFEPRIS acts to cofepris, timers and cross-machine notices to system. */
  const EXPECTED_ROLES = rolesByEvent({
    manufacturer: 'SUBMIT SEND_TO_TPR TPR_FINDINGS TPR_FAVORABLE_REPORT RESPOND_PREVENCION DESIST SUBMIT_PRORROGA SUBMIT_MODIFICATION',
    cofepris: 'START_REVIEW ISSUE_PREVENCION GRANT DENY REVOKE GRANT_PRORROGA DENY_PRORROGA APPROVE_MODIFICATION REJECT_MODIFICATION',
    system: 'PREVENCION_TIMEOUT REFERENCE_INVALIDATED RENEWAL_WINDOW_OPENS EXPIRE',
  });

  roleTests(w, EXPECTED_ROLES);

  it('every deadline event is a system event that leaves its state', () => {
    const d = describeWorkflow(w);
    const withDeadline = d.states.filter((s) => s.deadline);
    expect(withDeadline.map((s) => s.path).sort()).toEqual(
      ['prevencion', 'registered.current', 'registered.modificationUnderReview', 'registered.renewalDue', 'registered.renewalPrevencion'].sort(),
    );
    for (const s of withDeadline) {
      expect(w.events[s.deadline!.event]?.roles, s.path).toEqual(['system']);
      const t = s.transitions.find((x) => x.event === s.deadline!.event);
      expect(
        t?.targets.every((x) => x !== s.path),
        s.path,
      ).toBe(true);
    }
    for (const s of d.states) expect(s.description, s.path).toMatch(/\S/);
  });

  it('every event payload schema forbids unknown fields', () => {
    for (const type of Object.keys(w.events)) {
      expect(w.events[type]!.schema.additionalProperties, type).toBe(false);
      expect(() => validator.check(eventSchemaId(w, type), { ...(ev(type).data ?? {}), unexpected: 1 }), type).toThrow();
    }
  });

  const input = (x: unknown) => () => validator.check(inputSchemaId(w), x, '/input');
  /** The input refusal naming `pointer`: matched by code and JSON pointer (stable), not by sentence. */
  const refusedAt = (pointer: string) =>
    expect.objectContaining({ code: 'validation_failed', errors: expect.arrayContaining([expect.objectContaining({ path: pointer })]) });
  const hc = { agency: 'HealthCanada', number: '98765', decisionDate: '2024-05-02', decision: 'approved', deviceClass: 'III' };
  const fda = { agency: 'FDA', number: 'K231234', decisionDate: '2023-05-02', decision: 'SE' };

  it('input: reference required on equivalence and abbreviated, forbidden on standard and third-party', () => {
    expect(input({ route: 'standard' })).not.toThrow();
    expect(input({ route: 'third-party', mxClass: 'low-risk' })).not.toThrow();
    expect(input({ route: 'standard', reference: TRACKED })).toThrow(refusedAt('/input/reference'));
    expect(input({ route: 'third-party', reference: fda })).toThrow(refusedAt('/input/reference'));
    expect(input({ route: 'equivalence' })).toThrow(refusedAt('/input/reference'));
    expect(input({ route: 'equivalence', reference: TRACKED })).not.toThrow();
    expect(input({ route: 'abbreviated', reference: TRACKED })).toThrow(refusedAt('/input/identicalDevice')); // identicalDevice missing
    expect(input({ route: 'abbreviated', reference: TRACKED, identicalDevice: false })).toThrow(refusedAt('/input/identicalDevice'));
    expect(input({ route: 'abbreviated', reference: TRACKED, identicalDevice: true })).not.toThrow();
  });

  it('input: external references by agency (FDA number patterns, class vocabularies, decisions, authorization types)', () => {
    expect(input({ route: 'equivalence', reference: hc })).not.toThrow();
    expect(input({ route: 'equivalence', reference: { ...hc, deviceClass: '3' } })).toThrow(refusedAt('/input/reference/deviceClass'));
    expect(input({ route: 'equivalence', reference: { ...hc, decision: 'SE' } })).toThrow(refusedAt('/input/reference/decision'));
    expect(input({ route: 'equivalence', reference: { ...hc, agency: 'Atlantis' } })).toThrow(refusedAt('/input/reference/agency'));
    for (const number of ['K231234', 'DEN230001', 'P230001', 'P230001/S002', 'H230001'])
      expect(input({ route: 'equivalence', reference: { ...fda, number } }), number).not.toThrow();
    for (const number of ['X231234', 'K23123', 'k231234'])
      expect(input({ route: 'equivalence', reference: { ...fda, number } }), number).toThrow(refusedAt('/input/reference/number'));
    expect(input({ route: 'equivalence', reference: { ...fda, deviceClass: '2' } })).not.toThrow();
    expect(input({ route: 'equivalence', reference: { ...fda, deviceClass: 'II' } })).toThrow(refusedAt('/input/reference/deviceClass'));
    for (const t of AUTH_TYPES) expect(input({ route: 'abbreviated', identicalDevice: true, reference: { ...fda, authorizationType: t } }), t).not.toThrow();
    expect(input({ route: 'abbreviated', identicalDevice: true, reference: { ...fda, authorizationType: 'EUA' } })).toThrow(
      refusedAt('/input/reference/authorizationType'),
    );
    expect(
      input({
        route: 'equivalence',
        reference: { agency: 'TGA', number: 'ARTG 123456', decisionDate: '2024-01-01', decision: 'approved', deviceClass: 'IIb' },
      }),
    ).not.toThrow();
  });

  it('input: unknown fields are rejected at every level', () => {
    expect(input({ route: 'standard', extra: 1 })).toThrow(refusedAt('/input/extra'));
    expect(input({ route: 'equivalence', reference: { ...TRACKED, extra: 1 } })).toThrow(refusedAt('/input/reference/extra'));
    expect(input({ route: 'equivalence', reference: { ...hc, extra: 1 } })).toThrow(refusedAt('/input/reference/extra'));
    expect(input({ route: 'standard', mxClass: 'IV' })).toThrow(refusedAt('/input/mxClass'));
    expect(input({ route: 'express' })).toThrow(refusedAt('/input/route'));
  });
});

describe('cofepris-registration@2 dossier, goals and parameters', () => {
  const kinds = (input: CofeprisInputV2) => w.dossier(input as never).map((d) => d.kind);
  const TECHNICAL = ['device-description', 'manufacturing-process', 'lab-test-reports', 'clinical-evidence', 'bibliographic-references'];

  it('standard: the full technical dossier; third-party adds the third party report; neither names a reference letter', () => {
    expect(kinds(INPUT.standard)).toEqual(expect.arrayContaining(['application-form', 'fee-receipt', 'label-ifu-es', 'qms-certificate', 'cfs', ...TECHNICAL]));
    expect(kinds(INPUT['third-party'])).toEqual([...kinds(INPUT.standard), 'third-party-technical-report']);
    for (const k of ['fda-decision-letter', 'reference-authorization', 'apostille']) expect(kinds(INPUT.standard)).not.toContain(k);
  });

  it('reliance routes as v1 for an FDA reference; another authority needs its authorization document instead of the FDA letter', () => {
    expect([...kinds(INPUT.equivalence)].sort()).toEqual([...cofeprisRegistration.dossier({ route: 'equivalence' }).map((d) => d.kind)].sort());
    expect([...kinds(INPUT.abbreviated)].sort()).toEqual([...cofeprisRegistration.dossier({ route: 'abbreviated' }).map((d) => d.kind)].sort());
    const external = kinds({
      route: 'abbreviated',
      identicalDevice: true,
      reference: { agency: 'PMDA', number: '30200BZX00001000', decisionDate: '2024-01-01', decision: 'approved' },
    });
    expect(external).toContain('reference-authorization');
    expect(external).not.toContain('fda-decision-letter');
    expect(external).toEqual(expect.arrayContaining(['inspection-report', 'technovigilance-summary', 'apostille']));
    const externalFda = kinds({ route: 'equivalence', reference: { agency: 'FDA', number: 'K231234', decisionDate: '2023-05-02', decision: 'SE' } });
    expect(externalFda).toContain('fda-decision-letter');
  });

  it('dossierCatalog lists the checklist of every route', () => {
    const cat = w.dossierCatalog!;
    expect(Object.keys(cat)).toEqual(expect.arrayContaining(['standard', 'third-party', 'equivalence', 'abbreviated']));
    expect(cat['third-party']!.map((d) => d.kind)).toContain('third-party-technical-report');
    expect(Object.values(cat).some((list) => list.some((d) => d.kind === 'reference-authorization'))).toBe(true);
  });

  it('resolution goals by route; standard and third-party by Mexican class (secondary targets)', () => {
    const goal = (when: Record<string, string>) => w.goals.find((g) => g.kind === 'resolution' && JSON.stringify(g.when) === JSON.stringify(when))?.length;
    expect(goal({ route: 'abbreviated' })).toBe(30);
    expect(goal({ route: 'equivalence' })).toBe(30);
    for (const route of ['standard', 'third-party']) {
      expect([goal({ route, mxClass: 'low-risk' }), goal({ route, mxClass: 'I' }), goal({ route, mxClass: 'II' }), goal({ route, mxClass: 'III' })]).toEqual([
        20, 30, 60, 180,
      ]);
    }
    for (const g of w.goals) expect(g.unit).toBe('mx-business');
  });

  it('every UNCONFIRMED value is a flagged parameter', () => {
    const p = w.parameters;
    for (const k of [
      'renewalWindowDays',
      'renewalWindowUnit',
      'prevencionResponseDays',
      'abbreviatedRequiresApostille',
      'defaultReferenceAuthorities',
      'equivalenceResolutionDays',
      'standardTargetClassIIIDays',
    ]) {
      expect(p[k]?.unconfirmed, k).toBe(true);
    }
    expect(p.renewalWindowDays?.value).toBe(150);
    expect(p.renewalWindowUnit?.value).toBe('calendar');
    expect(p.registrationValidityYears?.value).toBe(5);
    expect(p.prorrogaExtensionYears?.value).toBe(5);
    expect(String(p.defaultReferenceAuthorities?.value).split(',').sort()).toEqual([...ORACLE_ARR].sort());
  });
});

// ---------------------------------------------------------------------------------------------
// Version 1 is untouched
// ---------------------------------------------------------------------------------------------

describe('cofepris-registration@1 stays as released', () => {
  const pinned = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../fixtures/definition-hashes.json'), 'utf8')) as Record<string, string>;

  it("v1 keeps its pinned definition hash; v2 (and v3, v2 with its clock; v4, v3 with signatures; v5, v4 recording its guards' facts) hash differently", () => {
    expect(workflowVersion('cofepris-registration', 1)).toBe(cofeprisRegistration);
    expect(workflowVersion('cofepris-registration', 2)).toBe(cofeprisRegistrationV2);
    // v5 is the last on v2's machine; v6 (RIS art. 179 terms, LFPA art. 17-A prevención) has its own.
    expect(workflowVersion('cofepris-registration', 5)!.machine).toBe(cofeprisRegistrationV2.machine);
    expect(latestWorkflow('cofepris-registration')).toBe(workflowVersion('cofepris-registration', 7));
    expect(definitionHash(cofeprisRegistration)).toBe(pinned['cofepris-registration@1']);
    expect(definitionHash(cofeprisRegistrationV2)).not.toBe(definitionHash(cofeprisRegistration));
  });

  it('a persisted v1 snapshot restores with v1 and behaves as before (no renewal events; REVOKE works)', () => {
    const v1 = cofeprisRegistration.machine;
    const context = {
      route: 'equivalence',
      reference: TRACKED,
      referenceInvalidated: false,
      registrationNumber: 'X',
      grantedOn: '2026-02-20',
      validUntil: '2031-02-20',
    };
    const s = v1.resolveState({ value: stateValue('registered'), context }) as AnyMachineSnapshot;
    expect(pathOf(s)).toBe('registered');
    expect(s.can(ev('RENEWAL_WINDOW_OPENS') as never)).toBe(false);
    expect(s.can(ev('SUBMIT_MODIFICATION') as never)).toBe(false);
    expect(statePath(transition(v1, s, ev('REVOKE') as never)[0].value)).toBe('closed.revoked');
    const flagged = transition(v1, s, ev('REFERENCE_INVALIDATED') as never)[0];
    expect(statePath(flagged.value)).toBe('registered');
    expect((flagged.context as { referenceInvalidated: boolean }).referenceInvalidated).toBe(true);
  });

  it('upgradeContext (puente workflow migrate): a v1 registration restores on v2 in registered.current and can renew', () => {
    const v1Context = {
      route: 'equivalence',
      reference: TRACKED,
      referenceInvalidated: true,
      registrationNumber: 'X',
      grantedOn: '2021-03-01',
      validUntil: '2026-03-01',
    };
    const upgraded = w.upgradeContext!(v1Context, 1) as CofeprisContextV2;
    expect(upgraded).toMatchObject({ ...v1Context, mxClass: null, identicalDevice: false, prorrogas: [], modifications: [], renewalWindowOpen: false });
    let s = machine.resolveState({ value: stateValue('registered'), context: upgraded }) as AnyMachineSnapshot;
    expect(pathOf(s)).toBe('registered.current');
    expect(activeDeadline(s)).toMatchObject({ event: 'RENEWAL_WINDOW_OPENS', anchor: 'validUntil' });
    s = send(
      send(send(s, ev('RENEWAL_WINDOW_OPENS', { effectiveDate: '2025-10-02' })), ev('SUBMIT_PRORROGA', { effectiveDate: '2025-10-20' })),
      ev('GRANT_PRORROGA', { effectiveDate: '2026-01-15' }),
    );
    expect(ctxOf(s)).toMatchObject({ validUntil: '2031-03-01', referenceInvalidated: true, prorrogas: [{ previousValidUntil: '2026-03-01' }] });
    // A v1 abbreviated registration never attested the identical device: nothing is attested for it.
    const abbreviated = w.upgradeContext!({ ...v1Context, route: 'abbreviated', referenceInvalidated: false }, 1) as CofeprisContextV2;
    const preparing = machine.resolveState({ value: stateValue('preparing'), context: abbreviated }) as AnyMachineSnapshot;
    expect(pathOf(send(preparing, submit()))).toBe('preparing');
    expect(reasonsText(w.explainRefusal?.(abbreviated, submit()))).toMatch(/identical/);
    expect(w.upgradeContext!(upgraded, 2)).toBe(upgraded);
  });

  it('v1 still refuses the routes and events it never had', () => {
    expect(() => validator.check(inputSchemaId(cofeprisRegistration), { route: 'standard' })).toThrow();
    expect(cofeprisRegistration.events.SUBMIT_PRORROGA).toBeUndefined();
    expect(cofeprisRegistration.events.SEND_TO_TPR).toBeUndefined();
    const [s] = initialTransition(cofeprisRegistration.machine, { route: 'equivalence', reference: TRACKED });
    expect(statePath(transition(cofeprisRegistration.machine, s, submit() as never)[0].value)).toBe('submitted');
  });
});
