/**
 * The workflow catalog the API shows (DESIGN §4, §5 `GET /v1/workflows/:id` and `/diagram`, §7):
 * every state with its tags and deadlines, every event with roles and schema, a Mermaid
 * `stateDiagram-v2`, and a stable definition hash. Expected values are transcribed from DESIGN.
 */
import { describe, expect, it } from 'vitest';
import { definitionHash } from '../../src/engine/definitions.js';
import { describeWorkflow, mermaidDiagram } from '../../src/engine/catalog.js';
import { cofeprisRegistration } from '../../workflows/cofepris-registration.js';
import { fda510k } from '../../workflows/fda-510k.js';
import type { WorkflowDefinition } from '../../workflows/types.js';

interface Expected {
  readonly w: WorkflowDefinition;
  readonly initial: string;
  /** Every state path, compound ones included, with the clock tags in force there (own + ancestors'). */
  readonly tags: Readonly<Record<string, readonly string[]>>;
  /** States with a hard deadline: the event the sweeper sends, its length and unit. */
  readonly deadlines: Readonly<Record<string, { event: string; length: number; unit: string }>>;
  /** Transitions that change state (from, event, to); `review.*` = each review sub-state. */
  readonly edges: ReadonlyArray<readonly [string, string, string]>;
  readonly withdraw: { readonly event: string; readonly from: readonly string[]; readonly to: string };
}

const FDA: Expected = {
  w: fda510k,
  initial: 'draft',
  tags: {
    draft: [],
    received: [],
    userFeeHold: ['hold'],
    technicalScreening: ['fda-clock'],
    eStarHold: ['hold'],
    acceptanceReview: ['fda-clock'],
    rtaHold: ['hold'],
    review: ['fda-clock'],
    'review.substantive': ['fda-clock'],
    'review.interactive': ['fda-clock'],
    aiHold: ['hold'],
    cleared: [],
    closed: [],
    'closed.nse': [],
    'closed.withdrawn': [],
    'closed.deleted': [],
    'closed.rescinded': [],
  },
  deadlines: {
    aiHold: { event: 'AI_TIMEOUT', length: 180, unit: 'calendar' },
    rtaHold: { event: 'RTA_TIMEOUT', length: 180, unit: 'calendar' },
  },
  edges: [
    ['draft', 'SUBMIT', 'received'],
    ['received', 'FEE_VERIFIED', 'technicalScreening'],
    ['received', 'FEE_VERIFIED', 'acceptanceReview'],
    ['received', 'FEE_UNPAID', 'userFeeHold'],
    ['userFeeHold', 'FEE_PAID', 'received'],
    ['technicalScreening', 'SCREEN_PASS', 'review.substantive'],
    ['technicalScreening', 'SCREEN_FAIL', 'eStarHold'],
    ['eStarHold', 'REPLACEMENT_SUBMITTED', 'technicalScreening'],
    ['acceptanceReview', 'ACCEPT', 'review.substantive'],
    ['acceptanceReview', 'REFUSE_TO_ACCEPT', 'rtaHold'],
    ['rtaHold', 'RTA_RESPONSE', 'acceptanceReview'],
    ['rtaHold', 'RTA_TIMEOUT', 'closed.withdrawn'],
    ['review.substantive', 'SUBSTANTIVE_INTERACTION', 'review.interactive'],
    ['review.*', 'REQUEST_AI', 'aiHold'],
    ['aiHold', 'AI_RESPONSE', 'review.substantive'],
    ['aiHold', 'AI_TIMEOUT', 'closed.deleted'],
    ['review.*', 'DECIDE_SE', 'cleared'],
    ['review.*', 'DECIDE_NSE', 'closed.nse'],
    ['cleared', 'RESCIND_SE', 'closed.rescinded'],
  ],
  withdraw: {
    event: 'WITHDRAW',
    from: ['draft', 'received', 'userFeeHold', 'technicalScreening', 'eStarHold', 'acceptanceReview', 'rtaHold', 'review.*', 'aiHold'],
    to: 'closed.withdrawn',
  },
};

const MX: Expected = {
  w: cofeprisRegistration,
  initial: 'preparing',
  tags: {
    preparing: [],
    submitted: ['mx-clock'],
    underReview: ['mx-clock'],
    prevencion: ['hold'],
    registered: [],
    closed: [],
    'closed.denied': [],
    'closed.withdrawn': [],
    'closed.desechado': [],
    'closed.expired': [],
    'closed.revoked': [],
  },
  deadlines: {
    prevencion: { event: 'PREVENCION_TIMEOUT', length: 5, unit: 'mx-business' },
  },
  edges: [
    ['preparing', 'SUBMIT', 'submitted'],
    ['submitted', 'START_REVIEW', 'underReview'],
    ['submitted', 'REFERENCE_INVALIDATED', 'underReview'],
    ['underReview', 'ISSUE_PREVENCION', 'prevencion'],
    ['prevencion', 'RESPOND_PREVENCION', 'underReview'],
    ['prevencion', 'PREVENCION_TIMEOUT', 'closed.desechado'],
    ['prevencion', 'REFERENCE_INVALIDATED', 'underReview'],
    ['underReview', 'GRANT', 'registered'],
    ['underReview', 'DENY', 'closed.denied'],
    ['registered', 'REVOKE', 'closed.revoked'],
  ],
  withdraw: { event: 'DESIST', from: ['preparing', 'submitted', 'underReview', 'prevencion'], to: 'closed.withdrawn' },
};

/** `review.*` -> the review sub-states listed in `tags`. */
function expandFrom(e: Expected, from: string): string[] {
  if (!from.endsWith('.*')) return [from];
  const prefix = from.slice(0, -1);
  return Object.keys(e.tags).filter((p) => p.startsWith(prefix));
}

/** The path and its ancestors: `review.substantive` -> [`review.substantive`, `review`]. */
function selfAndAncestors(path: string): string[] {
  const parts = path.split('.');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('.'));
}

for (const e of [FDA, MX]) {
  describe(`describeWorkflow(${e.w.id})`, () => {
    const d = describeWorkflow(e.w);
    const byPath = new Map(d.states.map((s) => [s.path, s]));

    it('names the workflow, its version, hash and initial state', () => {
      expect(d).toMatchObject({ id: e.w.id, version: 1, jurisdiction: e.w.jurisdiction, initial: e.initial });
      expect(d.definitionHash).toBe(definitionHash(e.w));
    });

    it('lists every state path exactly once', () => {
      expect(d.states.map((s) => s.path).sort()).toEqual(Object.keys(e.tags).sort());
    });

    it('shows the clock tags in force in every state', () => {
      const effective = (path: string) => [...new Set(selfAndAncestors(path).flatMap((p) => byPath.get(p)?.tags ?? []))].sort();
      for (const [path, tags] of Object.entries(e.tags)) expect(effective(path), path).toEqual([...tags].sort());
    });

    it('clocks are the tags that are not `hold`', () => {
      for (const s of d.states) expect(s.clocks, s.path).toEqual(s.tags.filter((t) => t !== 'hold'));
    });

    it('shows each hard deadline on its state, and no deadline elsewhere', () => {
      for (const s of d.states) {
        const want = e.deadlines[s.path];
        if (want) expect(s.deadline, s.path).toMatchObject(want);
        else expect(s.deadline, s.path).toBeNull();
      }
    });

    it('each deadline event is a system event that leaves the state', () => {
      for (const [path, { event }] of Object.entries(e.deadlines)) {
        expect(e.w.events[event]?.roles).toEqual(['system']);
        const t = byPath.get(path)?.transitions.find((x) => x.event === event);
        expect(t?.targets.length, `${path} ${event}`).toBe(1);
        expect(t?.targets[0]).not.toBe(path);
      }
    });

    it('every state has a description', () => {
      for (const s of d.states) expect(s.description, s.path).toMatch(/\S/);
    });

    it('lists every event with its roles and payload schema', () => {
      expect(Object.keys(d.events).sort()).toEqual(Object.keys(e.w.events).sort());
      for (const [type, spec] of Object.entries(e.w.events)) {
        expect(d.events[type]).toEqual({
          roles: spec.roles,
          description: spec.description,
          schema: spec.schema,
          requiresSignature: spec.requiresSignature === true,
        });
      }
    });

    it('lists every DESIGN §4 transition on its state (or an ancestor)', () => {
      const rows: Array<[string, string, string]> = [];
      for (const [from, event, to] of e.edges) for (const f of expandFrom(e, from)) rows.push([f, event, to]);
      for (const from of e.withdraw.from) for (const f of expandFrom(e, from)) rows.push([f, e.withdraw.event, e.withdraw.to]);
      for (const [from, event, to] of rows) {
        const found = selfAndAncestors(from).some((p) => byPath.get(p)?.transitions.some((t) => t.event === event && t.targets.includes(to)));
        expect(found, `${from} --${event}--> ${to}`).toBe(true);
      }
    });
  });

  describe(`mermaidDiagram(${e.w.id})`, () => {
    const text = mermaidDiagram(e.w);
    const lines = text.split('\n');
    const ids = new Map<string, string>();
    for (const l of lines) {
      const m = /^\s*state "([^"]+)" as (\S+)/.exec(l);
      if (m) ids.set(m[1]!, m[2]!);
    }

    it('starts with stateDiagram-v2', () => {
      expect(lines[0]).toBe('stateDiagram-v2');
    });

    it('declares every state path', () => {
      expect([...ids.keys()].sort()).toEqual(Object.keys(e.tags).sort());
    });

    it('marks the initial state', () => {
      expect(lines.some((l) => l.trim() === `[*] --> ${ids.get(e.initial)}`)).toBe(true);
    });

    /** Is there a line `<from or an ancestor> --> <to>: EVENT [guard]?` */
    const hasEdge = (from: string, event: string, to: string) =>
      selfAndAncestors(from).some((p) => {
        const src = ids.get(p);
        const dst = ids.get(to);
        if (!src || !dst) return false;
        return lines.some((l) => {
          const m = /^\s*(\S+) --> (\S+): (\S+)(?: \[[^\]]+\])?$/.exec(l);
          return m !== null && m[1] === src && m[2] === dst && m[3] === event;
        });
      });

    it('has a line for every transition of DESIGN §4', () => {
      for (const [from, event, to] of e.edges) {
        for (const f of expandFrom(e, from)) expect(hasEdge(f, event, to), `${f} --> ${to}: ${event}`).toBe(true);
      }
    });

    it(`has a ${e.withdraw.event} line from every non-final state`, () => {
      for (const from of e.withdraw.from) {
        for (const f of expandFrom(e, from)) expect(hasEdge(f, e.withdraw.event, e.withdraw.to), f).toBe(true);
      }
    });

    it('every event that changes state appears in some line', () => {
      const events = new Set([...e.edges.map(([, ev]) => ev), e.withdraw.event]);
      for (const ev of events)
        expect(
          lines.some((l) => l.includes(`: ${ev}`)),
          ev,
        ).toBe(true);
    });
  });
}

describe('definitionHash', () => {
  it('is 64 lowercase hex characters', () => {
    expect(definitionHash(fda510k)).toMatch(/^[0-9a-f]{64}$/);
    expect(definitionHash(cofeprisRegistration)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is stable across calls', () => {
    expect(definitionHash(fda510k)).toBe(definitionHash(fda510k));
    expect(definitionHash(cofeprisRegistration)).toBe(definitionHash(cofeprisRegistration));
  });

  it('is the same for an equal copy of a definition (content, not identity)', () => {
    expect(definitionHash({ ...fda510k })).toBe(definitionHash(fda510k));
  });

  it('differs between the two workflows', () => {
    expect(definitionHash(fda510k)).not.toBe(definitionHash(cofeprisRegistration));
  });

  it('changes when an event role or a parameter changes', () => {
    const roles = { ...fda510k, events: { ...fda510k.events, WITHDRAW: { ...fda510k.events.WITHDRAW!, roles: ['fda' as const] } } };
    expect(definitionHash(roles)).not.toBe(definitionHash(fda510k));
    const params = { ...fda510k, parameters: { ...fda510k.parameters, aiResponseDays: { value: 90, note: 'x' } } };
    expect(definitionHash(params)).not.toBe(definitionHash(fda510k));
  });
});
