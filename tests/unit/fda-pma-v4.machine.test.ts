/**
 * fda-pma@4 against reference/domain.md §7.2 (PMA rows) and §7.1, exhaustively: for each kind of
 * submission every state reachable from `draft` is visited and every declared event is sent with
 * the pure `transition()`; `TABLE` says where it leads, transcribed by hand from domain.md (§5.3
 * rows kept by §7.2, and the §7.2 corrections), never from the machine. Then the deadlines with
 * their consequence, the date guards, the filing date of 814.42(b), the goals, and the upgrade of
 * a v1–v3 context.
 */
import { describe, expect, it } from 'vitest';
import { getStateNodes } from 'xstate/graph';
import { activeDeadline } from '../../src/engine/definitions.js';
import { fdaPma, fdaPmaV3, type FdaPmaInput } from '../../workflows/fda-pma.js';
import { addDays, fdaPmaV4, upgradeContext, type FdaPmaV4Context } from '../../workflows/fda-pma-v4.js';
import type { DeadlineSpec, WorkflowEvent } from '../../workflows/types.js';
import { createMachineHarness, pathOf, type TableRow } from '../support/machine-harness.js';

type Kind = 'original' | 'panel-track' | '180-day' | 'real-time' | '30-day-notice';
const PARENT = 'P170019';
const VARIANTS: ReadonlyArray<{ kind: Kind; input: FdaPmaInput; approvalNumber: string }> = [
  { kind: 'original', input: {}, approvalNumber: 'P250001' },
  { kind: 'panel-track', input: { supplementType: 'panel-track', pmaNumber: PARENT }, approvalNumber: `${PARENT}/S012` },
  { kind: '180-day', input: { supplementType: '180-day', pmaNumber: PARENT }, approvalNumber: `${PARENT}/S013` },
  { kind: 'real-time', input: { supplementType: 'real-time', pmaNumber: PARENT }, approvalNumber: `${PARENT}/S014` },
  { kind: '30-day-notice', input: { supplementType: '30-day-notice', pmaNumber: PARENT }, approvalNumber: `${PARENT}/S015` },
];
type Variant = (typeof VARIANTS)[number];

interface Row extends TableRow {
  readonly kinds?: readonly Kind[];
}

/** The four holds on a letter the applicant answers (§7.2: 180 days, extension up to 360 in all). */
const LETTER_HOLDS = ['refusedToFile', 'mdlHold', 'approvable', 'notApprovable'];
/** The holds whose 180-day consequence a regulation states (814.37(c)(3), 814.44(g)): automatic. */
const AUTOMATIC: Record<string, string> = { mdlHold: 'MDL_TIMEOUT', approvable: 'APPROVABLE_TIMEOUT', notApprovable: 'NOT_APPROVABLE_TIMEOUT' };

const TABLE: readonly Row[] = [
  { from: 'draft', event: 'SUBMIT', to: 'received' },
  { from: 'received', event: 'FEE_VERIFIED', to: 'acceptanceReview', kinds: ['original', 'panel-track'] },
  { from: 'received', event: 'FEE_VERIFIED', to: 'review.substantive', kinds: ['180-day', 'real-time'] },
  { from: 'received', event: 'FEE_VERIFIED', to: 'noticePeriod', kinds: ['30-day-notice'] },
  { from: 'received', event: 'FEE_UNPAID', to: 'userFeeHold' },
  { from: 'userFeeHold', event: 'FEE_PAID', to: 'received' },
  { from: 'acceptanceReview', event: 'ACCEPT', to: 'filingReview' },
  // §7.2: acceptance review not completed in 15 days -> considered accepted.
  { from: 'acceptanceReview', event: 'ACCEPTANCE_REVIEW_TIMEOUT', to: 'filingReview' },
  { from: 'acceptanceReview', event: 'REFUSE_TO_ACCEPT', to: 'rtaHold' },
  { from: 'rtaHold', event: 'RTA_RESPONSE', to: 'acceptanceReview' },
  // §7.1: the RTA window is assumed, so FDA decides.
  { from: 'rtaHold', event: 'CONSIDER_WITHDRAWN', to: 'closed.withdrawn' },
  { from: 'filingReview', event: 'FILE', to: 'review.substantive' },
  // §7.2: refuse to file is a hold: amend (filing review again) or informal conference (814.42(d)).
  { from: 'filingReview', event: 'REFUSE_TO_FILE', to: 'refusedToFile.responseWindow' },
  { from: 'refusedToFile.*', event: 'FILING_AMENDMENT', to: 'filingReview' },
  { from: 'refusedToFile.responseWindow', event: 'REQUEST_INFORMAL_CONFERENCE', to: 'refusedToFile.informalConference' },
  { from: 'refusedToFile.informalConference', event: 'FILE_AFTER_CONFERENCE', to: 'review.substantive' },
  { from: 'refusedToFile.informalConference', event: 'UPHOLD_REFUSAL_TO_FILE', to: 'refusedToFile.responseWindow' },
  ...['responseWindow', 'extensionRequested', 'extendedWindow'].map((w) => ({ from: `refusedToFile.${w}`, event: 'CLOSE_NOT_FILED', to: 'closed.notFiled' })),
  // §7.2: every letter's window may be extended on request, up to 360 days in all.
  ...LETTER_HOLDS.flatMap((h) => [
    { from: `${h}.responseWindow`, event: 'REQUEST_RESPONSE_EXTENSION', to: `${h}.extensionRequested` },
    { from: `${h}.extensionRequested`, event: 'GRANT_RESPONSE_EXTENSION', to: `${h}.extendedWindow` },
    // A refusal leaves the window counted from the letter: its own state where the window closes by itself.
    { from: `${h}.extensionRequested`, event: 'DENY_RESPONSE_EXTENSION', to: h in AUTOMATIC ? `${h}.extensionDenied` : `${h}.responseWindow` },
  ]),
  ...Object.entries(AUTOMATIC).flatMap(([h, timeout]) => [
    { from: `${h}.responseWindow`, event: timeout, to: 'closed.withdrawn' },
    { from: `${h}.extensionDenied`, event: timeout, to: 'closed.withdrawn' },
    { from: `${h}.extensionRequested`, event: 'CONSIDER_WITHDRAWN', to: 'closed.withdrawn' },
    { from: `${h}.extendedWindow`, event: 'CONSIDER_WITHDRAWN', to: 'closed.withdrawn' },
  ]),
  { from: 'review.substantive', event: 'SUBSTANTIVE_INTERACTION', to: 'review.interactive' },
  { from: 'review.*', event: 'ISSUE_MDL', to: 'mdlHold.responseWindow', kinds: ['original', 'panel-track', '180-day', '30-day-notice'] },
  { from: 'mdlHold.*', event: 'MAJOR_AMENDMENT', to: 'review.substantive' },
  { from: 'review.*', event: 'UNSOLICITED_MAJOR_AMENDMENT', to: 'self' },
  { from: 'review.*', event: 'REFER_TO_PANEL', to: 'advisoryPanel' },
  { from: 'advisoryPanel', event: 'PANEL_RECOMMENDATION', to: 'review.postPanel' },
  { from: 'review.*', event: 'ISSUE_APPROVAL_ORDER', to: 'approved' },
  { from: 'review.*', event: 'ISSUE_APPROVABLE', to: 'approvable.responseWindow' },
  { from: 'approvable.*', event: 'APPROVABLE_RESPONSE', to: 'review.final' },
  { from: 'review.*', event: 'ISSUE_NOT_APPROVABLE', to: 'notApprovable.responseWindow' },
  { from: 'notApprovable.*', event: 'AMENDMENT', to: 'review.substantive' },
  { from: 'review.*', event: 'ISSUE_DENIAL', to: 'closed.denied' },
  { from: 'notApprovable.*', event: 'ISSUE_DENIAL', to: 'closed.denied' },
  { from: '*', event: 'WITHDRAW', to: 'closed.withdrawn' },
  { from: 'noticePeriod', event: 'NOTICE_PERIOD_TIMEOUT', to: 'inEffect' },
  { from: 'noticePeriod', event: 'FDA_OBJECTS', to: 'closed.noticeInadequate' },
  { from: 'approved', event: 'WITHDRAW_APPROVAL', to: 'closed.approvalWithdrawn' },
];
const OUTCOMES = ['approved', 'inEffect', 'closed.denied', 'closed.notFiled', 'closed.withdrawn', 'closed.noticeInadequate', 'closed.approvalWithdrawn'];

const ON = '2026-03-02';
/** FDA's closing decisions are dated after every window (the date guards are tested below). */
const LATE = addDays(ON, 400);
const DATA: Record<string, Record<string, unknown>> = {
  FEE_PAID: { receipt: 'Pay.gov 26-0003' },
  REFUSE_TO_ACCEPT: { reasons: ['Clinical study report missing'] },
  RTA_RESPONSE: { summary: 'Report added' },
  REFUSE_TO_FILE: { reasons: ['Insufficient clinical data to file'] },
  FILING_AMENDMENT: { summary: 'Pivotal data added' },
  REQUEST_INFORMAL_CONFERENCE: { reason: 'The data are there, section 7' },
  UPHOLD_REFUSAL_TO_FILE: { reasons: ['Still insufficient'] },
  ISSUE_MDL: { deficiencies: ['Provide 2-year follow-up data'] },
  REQUEST_RESPONSE_EXTENSION: { reason: 'Follow-up data due in month 9' },
  PANEL_RECOMMENDATION: { recommendation: 'approval-with-conditions' },
  ISSUE_DENIAL: { reasons: ['No reasonable assurance of effectiveness'] },
  WITHDRAW_APPROVAL: { reason: 'Post-approval study not conducted' },
};
const TYPES = Object.keys(fdaPmaV4.events);
const ev = (type: string, v: Variant, effectiveDate = ['CONSIDER_WITHDRAWN', 'CLOSE_NOT_FILED'].includes(type) ? LATE : ON): WorkflowEvent => ({
  type,
  data: type === 'ISSUE_APPROVAL_ORDER' ? { pmaNumber: v.approvalNumber, decisionDate: ON } : (DATA[type] ?? {}),
  effectiveDate,
});

const h = createMachineHarness<Variant, Row>({
  workflow: fdaPmaV4,
  table: TABLE,
  isFinal: (s) => OUTCOMES.includes(s),
  applies: (row, v) => !row.kinds || row.kinds.includes(v.kind),
  event: (type, v) => ev(type, v),
  eventTypes: TYPES,
  machineInput: (v) => v.input,
  // The amendment list grows without end: one per path keeps the graph finite.
  graphEvents: (s, all) =>
    (s.context as FdaPmaV4Context).unsolicitedMajorAmendments.length ? all.filter((e) => e.type !== 'UNSOLICITED_MAJOR_AMENDMENT') : all,
});
h.describeFixtures(VARIANTS);
for (const v of VARIANTS) describe(`fda-pma@4 ${v.kind}: domain.md §7.2 table`, () => h.tableTests(v));

const original = VARIANTS[0]!;
const run = (steps: Array<string | [string, string] | WorkflowEvent>) =>
  h.run(
    original,
    steps.map((s) => (typeof s === 'string' ? s : Array.isArray(s) ? ev(s[0], original, s[1]) : s)),
  );
const deadlineOf = (steps: Parameters<typeof run>[0]): DeadlineSpec | undefined => activeDeadline(run(steps));

describe('fda-pma@4 deadlines: window, consequence and source (domain.md §7.1–§7.2)', () => {
  const nodes = getStateNodes(fdaPmaV4.machine.root).filter((n) => (n.meta as { deadline?: DeadlineSpec } | undefined)?.deadline);
  const actual = Object.fromEntries(
    nodes.map((n) => {
      const d = (n.meta as { deadline: DeadlineSpec }).deadline;
      return [n.path.join('.'), [d.length, d.anchor ?? 'entry', d.event, d.consequence, d.unconfirmed === true, d.source?.citation ?? d.source?.title]];
    }),
  );
  const guidance = fdaPmaV4.parameters.maxResponseDays!.source!.title;
  const acceptance = fdaPmaV4.parameters.acceptanceReviewDays!.source!.title;
  // An automatic window counts from the letter as the state's entry (the sweeper fires it once its
  // last day is over); after a refused extension, from the letter date kept in the context.
  const letterHold = (h: string, timeout: string, consequence: string, unconfirmed: boolean, source: string, close: string) => ({
    [`${h}.responseWindow`]: [180, consequence === 'automatic' ? 'entry' : 'letterIssuedOn', timeout, consequence, unconfirmed, source],
    [`${h}.extensionRequested`]: [180, 'letterIssuedOn', close, 'decision', false, guidance],
    [`${h}.extendedWindow`]: [0, 'responseDueOn', close, 'decision', true, guidance],
    ...(consequence === 'automatic' ? { [`${h}.extensionDenied`]: [180, 'letterIssuedOn', timeout, consequence, unconfirmed, source] } : {}),
  });
  it('are exactly these', () => {
    expect(actual).toEqual({
      acceptanceReview: [15, 'entry', 'ACCEPTANCE_REVIEW_TIMEOUT', 'automatic', false, acceptance],
      rtaHold: [180, 'entry', 'CONSIDER_WITHDRAWN', 'decision', true, acceptance],
      noticePeriod: [30, 'entry', 'NOTICE_PERIOD_TIMEOUT', 'automatic', false, '21 CFR 814.39(f)'],
      ...letterHold('refusedToFile', 'CLOSE_NOT_FILED', 'decision', true, guidance, 'CLOSE_NOT_FILED'),
      ...letterHold('mdlHold', 'MDL_TIMEOUT', 'automatic', false, '21 CFR 814.37(c)(3)', 'CONSIDER_WITHDRAWN'),
      ...letterHold('approvable', 'APPROVABLE_TIMEOUT', 'automatic', false, '21 CFR 814.44(g)', 'CONSIDER_WITHDRAWN'),
      ...letterHold('notApprovable', 'NOT_APPROVABLE_TIMEOUT', 'automatic', false, '21 CFR 814.44(g)', 'CONSIDER_WITHDRAWN'),
    });
  });

  it('the system sends the automatic ones only; FDA (signing) sends the decisions', () => {
    for (const [, , event, consequence] of Object.values(actual) as Array<[number, string, string, string]>) {
      expect(fdaPmaV4.events[event]!.roles, event).toEqual(consequence === 'automatic' ? ['system'] : ['fda']);
      if (consequence === 'decision') expect(fdaPmaV4.events[event]!.requiresSignature, event).toBe(true);
    }
  });
});

describe('fda-pma@4 extension on request and the date guards (review-clock guidance §III.F)', () => {
  const mdl = ['SUBMIT', 'FEE_VERIFIED', 'ACCEPT', 'FILE', 'ISSUE_MDL', 'REQUEST_RESPONSE_EXTENSION'];
  it.each([
    ['a due date after day 180 and at most day 360', { dueDate: addDays(ON, 300) }, addDays(ON, 300)],
    ['no due date: day 360', {}, addDays(ON, 360)],
    ['day 180 itself', { dueDate: addDays(ON, 180) }, null],
    ['day 361', { dueDate: addDays(ON, 361) }, null],
  ])('FDA grants %s', (_name, data, due) => {
    const s = run(mdl);
    const grant: WorkflowEvent = { type: 'GRANT_RESPONSE_EXTENSION', data, effectiveDate: ON };
    expect(s.can(grant)).toBe(due !== null);
    if (due) expect((run([...mdl, grant]).context as FdaPmaV4Context).responseDueOn).toBe(due);
  });

  it.each([
    ['rtaHold', ['SUBMIT', 'FEE_VERIFIED', 'REFUSE_TO_ACCEPT'], 'CONSIDER_WITHDRAWN', 180],
    ['refusedToFile.responseWindow', ['SUBMIT', 'FEE_VERIFIED', 'ACCEPT', 'REFUSE_TO_FILE'], 'CLOSE_NOT_FILED', 180],
    ['mdlHold.extensionRequested', mdl, 'CONSIDER_WITHDRAWN', 180],
    ['mdlHold.extendedWindow', [...mdl, 'GRANT_RESPONSE_EXTENSION'], 'CONSIDER_WITHDRAWN', 360],
  ] as const)('in %s FDA closes the file only after day %s', (path, steps, type, day) => {
    const s = run([...steps]);
    expect(pathOf(s)).toBe(path);
    expect(s.can(ev(type, original, addDays(ON, day)))).toBe(false);
    expect(s.can(ev(type, original, addDays(ON, day + 1)))).toBe(true);
  });

  it('a refused extension leaves the window counted from the letter', () => {
    const d = deadlineOf([...mdl, 'DENY_RESPONSE_EXTENSION']);
    expect(d).toMatchObject({ anchor: 'letterIssuedOn', length: 180, event: 'MDL_TIMEOUT', consequence: 'automatic' });
  });
});

describe('fda-pma@4 filing date (21 CFR 814.42(b), (d))', () => {
  const filingOf = (steps: Parameters<typeof run>[0]) => (run(steps).context as FdaPmaV4Context).filingDate;
  it.each([
    [
      'the receipt of the PMA filed',
      [
        ['SUBMIT', '2026-01-05'],
        ['FEE_VERIFIED', '2026-01-06'],
        ['ACCEPT', '2026-01-15'],
        ['FILE', '2026-02-10'],
      ],
      '2026-01-05',
    ],
    [
      'the fee paid after a user-fee hold',
      [
        ['SUBMIT', '2026-01-05'],
        ['FEE_UNPAID', '2026-01-06'],
        ['FEE_PAID', '2026-01-20'],
        ['FEE_VERIFIED', '2026-01-21'],
        ['ACCEPTANCE_REVIEW_TIMEOUT', '2026-02-06'],
        ['FILE', '2026-03-01'],
      ],
      '2026-01-20',
    ],
    [
      'the answer to a refusal to accept',
      [
        ['SUBMIT', '2026-01-05'],
        ['FEE_VERIFIED', '2026-01-06'],
        ['REFUSE_TO_ACCEPT', '2026-01-15'],
        ['RTA_RESPONSE', '2026-02-01'],
        ['ACCEPT', '2026-02-10'],
        ['FILE', '2026-03-01'],
      ],
      '2026-02-01',
    ],
    [
      'the amendment after a refusal to file',
      [
        ['SUBMIT', '2026-01-05'],
        ['FEE_VERIFIED', '2026-01-06'],
        ['ACCEPT', '2026-01-15'],
        ['REFUSE_TO_FILE', '2026-02-10'],
        ['FILING_AMENDMENT', '2026-04-01'],
        ['FILE', '2026-05-01'],
      ],
      '2026-04-01',
    ],
    [
      'the decision after an informal conference',
      [
        ['SUBMIT', '2026-01-05'],
        ['FEE_VERIFIED', '2026-01-06'],
        ['ACCEPT', '2026-01-15'],
        ['REFUSE_TO_FILE', '2026-02-10'],
        ['REQUEST_INFORMAL_CONFERENCE', '2026-02-17'],
        ['FILE_AFTER_CONFERENCE', '2026-03-09'],
      ],
      '2026-03-09',
    ],
  ] as const)('is %s', (_name, steps, date) => {
    expect(filingOf(steps.map(([t, d]) => [t, d] as [string, string]))).toBe(date);
  });
});

describe('fda-pma@4 goals and parameters', () => {
  it('MDUFA V Total Time to Decision: calendar days, original and panel-track only, the FY2025–27 value applied', () => {
    const ttd = fdaPmaV4.goals.filter((g) => g.kind === 'totalTimeToDecision');
    expect(ttd.map((g) => [g.when?.supplementType, g.length, g.unit])).toEqual([
      ['original', 285, 'calendar'],
      ['panel-track', 285, 'calendar'],
    ]);
    expect([fdaPmaV4.parameters.ttdDaysFy2023to2024?.value, fdaPmaV4.parameters.ttdDaysFy2025to2027?.value]).toEqual([290, 285]);
  });

  it('keeps v3 goals, and signs what v3 signs plus the new filings and closing decisions', () => {
    expect(fdaPmaV4.goals.filter((g) => !['totalTimeToDecision', 'refilingReview'].includes(g.kind)).map((g) => g.kind)).toEqual(
      fdaPmaV3.goals.map((g) => g.kind),
    );
    const signed = (w: typeof fdaPmaV4) =>
      Object.keys(w.events)
        .filter((t) => w.events[t]!.requiresSignature)
        .sort();
    expect(signed(fdaPmaV4)).toEqual([...signed(fdaPmaV3), 'CLOSE_NOT_FILED', 'CONSIDER_WITHDRAWN', 'FILING_AMENDMENT', 'UPHOLD_REFUSAL_TO_FILE'].sort());
  });
});

describe('fda-pma@4 upgrades a v1–v3 context (workflow migrate)', () => {
  const v3 = (steps: string[]) => createMachineHarness({ ...h.spec, workflow: fdaPma, eventTypes: Object.keys(fdaPma.events) }).run(original, steps);

  it('every v3 state exists in v4 (itself, or its initial sub-state)', () => {
    const v3Leaves = createMachineHarness({ ...h.spec, workflow: fdaPmaV3, eventTypes: Object.keys(fdaPmaV3.events) }).leafPaths;
    for (const path of v3Leaves) {
      const next = fdaPmaV4.machine.resolveState({
        value: path.includes('.') ? { [path.split('.')[0]!]: path.split('.')[1]! } : path,
        context: upgradeContext({}, 3),
      });
      expect(pathOf(next) === path || pathOf(next).startsWith(`${path}.`), path).toBe(true);
    }
  });

  it.each([
    [
      'an MDL (v3 extended window: 360 days from it)',
      ['SUBMIT', 'FEE_VERIFIED', 'ACCEPT', 'FILE', 'ISSUE_MDL'],
      { letterIssuedOn: ON, responseDueOn: addDays(ON, 360) },
    ],
    ['an approvable letter', ['SUBMIT', 'FEE_VERIFIED', 'ACCEPT', 'FILE', 'ISSUE_APPROVABLE'], { letterIssuedOn: ON, responseDueOn: null }],
    ['a draft', [], { letterIssuedOn: null, responseDueOn: null }],
  ])('%s', (_name, steps, want) => {
    const c = upgradeContext(v3(steps).context, 3);
    expect(c).toMatchObject({ ...want, receivedOn: null, filingDate: null, extensionRequestedOn: null });
    expect(upgradeContext(c, 4)).toBe(c);
  });
});
