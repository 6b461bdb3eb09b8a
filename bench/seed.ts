/**
 * Seeds a benchmark dataset fast, without the HTTP layer but with the engine's own pure pieces:
 * every submission's snapshot comes from the real machine, every history record from the real
 * hash chain, so `puente audit verify` passes on the result and the server can advance it.
 */
import type { Knex } from 'knex';
import { v7 as uuidv7 } from 'uuid';
import { initialTransition, transition, type AnyMachineSnapshot, type StateValue } from 'xstate';
import { latestWorkflow } from '../workflows/index.js';
import { computeClocks } from '../src/engine/clocks.js';
import { MexicanCalendar, addCalendarDays, dateIn } from '../src/engine/time.js';
import { XSTATE_VERSION, chainRecord, dueDatesOf, persisted, statusOf } from '../src/engine/engine.js';
import { statePath } from '../src/engine/definitions.js';
import { GENESIS_HASH } from '../src/engine/hash.js';
import { randomBytes } from 'node:crypto';
import { newToken } from '../src/http/auth.js';
import { sha256Hex } from '../src/engine/hash.js';
import { insertSession } from '../src/store/sessions-store.js';
import { SESSION_COOKIE, csrfTokenOf } from '../src/web/sessions.js';
import { ensureOrganization, insertUser } from '../src/store/users-store.js';
import { submissionRow, transitionRow } from '../src/store/rows.js';
import { NO_DUE_DATES, type Actor, type Submission, type Transition } from '../src/store/types.js';

export interface SeedResult {
  tokens: { manufacturer: string; fda: string; auditor: string };
  /** Web session cookies (issue 7) of the same users, and each session's CSRF token. */
  sessions: Record<'manufacturer' | 'fda' | 'auditor', { cookie: string; csrf: string }>;
  /** Submissions in review.substantive, ready for REQUEST_AI. */
  submissionIds: string[];
  /** Submissions whose history has exactly 100 records. */
  longHistoryIds: string[];
  rows: number;
}

const BASE_EVENTS = ['SUBMIT', 'FEE_VERIFIED', 'SCREEN_PASS'] as const;

/**
 * `count` 510(k)s of `rowsEach` history records each (CREATED, SUBMIT, FEE_VERIFIED, SCREEN_PASS,
 * then REQUEST_AI / AI_RESPONSE pairs), ending in review.substantive; plus `longCount` with 100,
 * and `overdueCount` left on an AI hold whose 180-day window ended long ago (for the sweeper).
 */
export async function seed(knex: Knex, opts: { count: number; rowsEach: number; longCount: number; overdueCount?: number }): Promise<SeedResult> {
  const now = new Date().toISOString();
  const org = await ensureOrganization(knex, 'Bench Medical', now);
  const tokens = { manufacturer: newToken(), fda: newToken(), auditor: newToken() };
  const mfrUser = await insertUser(knex, {
    name: 'Bench Manufacturer',
    role: 'manufacturer',
    organization: org,
    tokenHash: tokens.manufacturer.tokenHash,
    now,
  });
  const fdaUser = await insertUser(knex, { name: 'Bench FDA', role: 'fda', organization: null, tokenHash: tokens.fda.tokenHash, now });
  const audUser = await insertUser(knex, { name: 'Bench Auditor', role: 'auditor', organization: null, tokenHash: tokens.auditor.tokenHash, now });
  // Signed-in browser sessions, as POST /sign-in would open them (without the scrypt work).
  const sessions = {} as SeedResult['sessions'];
  for (const [role, user] of [
    ['manufacturer', mfrUser],
    ['fda', fdaUser],
    ['auditor', audUser],
  ] as const) {
    const token = randomBytes(32).toString('base64url');
    await insertSession(knex, { tokenHash: sha256Hex(token), userId: user.id, now, expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    sessions[role] = { cookie: `${SESSION_COOKIE}=${token}`, csrf: csrfTokenOf(token) };
  }
  const mfr: Actor = { id: mfrUser.id, name: mfrUser.name, role: 'manufacturer', organization: org };
  const fda: Actor = { id: fdaUser.id, name: fdaUser.name, role: 'fda', organization: null };
  // The current 510(k) version, so every GET and event computes its clocks from the history.
  const w = latestWorkflow('fda-510k')!;
  const input = { format: 'eSTAR', variant: 'traditional' } as const;
  // Receipts spread over the last 300 days: some goals on track, some due soon, most missed.
  const nowMs = Date.now();
  const start = nowMs - 300 * 86_400_000;
  const calendar = new MexicanCalendar();

  const build = (i: number, rows: number, overdue = false): { s: Submission; records: Transition[] } => {
    const id = uuidv7();
    // Overdue ones: an AI request about 250 days ago, its 180-day window long over.
    const created = new Date(overdue ? nowMs - 250 * 86_400_000 + i * 1_000 : start + (i % 290) * 86_400_000 + i * 1_000).toISOString();
    let [snap] = initialTransition(w.machine, input) as [AnyMachineSnapshot, unknown];
    let s: Submission = {
      id,
      organization: org,
      workflowId: w.id,
      workflowVersion: w.version,
      jurisdiction: w.jurisdiction,
      title: `Bench device ${i} 510(k)`,
      device: { name: `Bench device ${i}` },
      input,
      state: statePath(snap.value as StateValue),
      status: 'active',
      snapshot: persisted(snap),
      xstateVersion: XSTATE_VERSION,
      version: 0,
      referenceSubmissionId: null,
      dossierPresent: [],
      headSeq: 0,
      headHash: GENESIS_HASH,
      lastEffectiveAt: null,
      stateSince: created,
      deadline: null,
      due: NO_DUE_DATES,
      createdAt: created,
      updatedAt: created,
    };
    const records: Transition[] = [];
    const push = (type: string, actor: Actor, data: Record<string, unknown>, at: string) => {
      const from = s.state;
      if (type !== 'CREATED') [snap] = transition(w.machine, snap, { type, data }) as [AnyMachineSnapshot, unknown];
      const to = statePath(snap.value as StateValue);
      // A step the version marks requiresSignature carries its manifestation, as the API writes it.
      const signature = w.events[type]?.requiresSignature
        ? { name: actor.name, meaning: actor.role === 'manufacturer' ? 'responsibility' : 'approval', signedAt: at }
        : null;
      const t = chainRecord(s, w, { type, data, from: type === 'CREATED' ? null : from, to, actor, comment: null, effectiveAt: at, recordedAt: at, signature });
      records.push(t);
      s = {
        ...s,
        state: to,
        status: statusOf(to),
        snapshot: persisted(snap),
        version: s.version + 1,
        headSeq: t.seq,
        headHash: t.hash,
        lastEffectiveAt: type === 'CREATED' ? null : at,
        stateSince: at,
        updatedAt: at,
      };
    };
    push('CREATED', mfr, { title: s.title, device: s.device, input }, created);
    let day = 0;
    const at = () => new Date(Date.parse(created) + ++day * 3_600_000).toISOString();
    push(BASE_EVENTS[0], mfr, {}, at());
    push(BASE_EVENTS[1], fda, {}, at());
    push(BASE_EVENTS[2], fda, {}, at());
    while (records.length + 2 <= rows) {
      push('REQUEST_AI', fda, { deficiencies: ['Clarify the bench test'] }, at());
      push('AI_RESPONSE', mfr, { summary: 'Bench report attached' }, at());
    }
    if (overdue) {
      push('REQUEST_AI', fda, { deficiencies: ['Clarify the bench test'] }, at());
      const spec = (snap.getMeta() as Record<string, { deadline?: { kind: string; length: number; event: string } }>)[`${w.id}.aiHold`]!.deadline!;
      s = { ...s, deadline: { kind: spec.kind, dueDate: addCalendarDays(dateIn(new Date(s.stateSince), w.timeZone), spec.length), event: spec.event } };
    }
    // The due dates every command stores (portfolio queries), as the engine derives them.
    const figures = computeClocks(w, input, records, { now: new Date(nowMs), calendar, dueSoonDays: 14, deadlines: s.deadline ? [s.deadline] : [] });
    s = { ...s, due: dueDatesOf(figures) };
    return { s, records };
  };

  const submissionIds: string[] = [];
  const longHistoryIds: string[] = [];
  let rows = 0;
  const BATCH = 500;
  const total = opts.count + opts.longCount + (opts.overdueCount ?? 0);
  for (let offset = 0; offset < total; offset += BATCH) {
    const subs: ReturnType<typeof submissionRow>[] = [];
    const recs: ReturnType<typeof transitionRow>[] = [];
    for (let i = offset; i < Math.min(total, offset + BATCH); i++) {
      const long = i >= opts.count && i < opts.count + opts.longCount;
      const overdue = i >= opts.count + opts.longCount;
      const { s, records } = build(i, long ? 100 : opts.rowsEach, overdue);
      if (!overdue) (long ? longHistoryIds : submissionIds).push(s.id);
      subs.push(submissionRow(s));
      for (const r of records) recs.push(transitionRow(r));
    }
    rows += recs.length;
    await knex.transaction(async (trx) => {
      await trx.batchInsert('submissions', subs, 100);
      await trx.batchInsert('transitions', recs, 50);
    });
  }
  return {
    tokens: { manufacturer: tokens.manufacturer.token, fda: tokens.fda.token, auditor: tokens.auditor.token },
    sessions,
    submissionIds,
    longHistoryIds,
    rows,
  };
}
