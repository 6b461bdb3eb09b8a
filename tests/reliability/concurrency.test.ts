/**
 * Concurrency against real server processes (issue 3): optimistic locking with If-Match under a
 * burst, and a burst of valid commands without If-Match over many submissions, on one server and
 * (PostgreSQL) on two servers sharing the database. Every acknowledged command must be in the
 * history, nothing refused may be written, seq never has a gap, every chain recomputes, no 5xx.
 *
 * Sizes are "CI size"; RELIABILITY_SCALE=n multiplies them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECT, type TestDatabase } from '../support/db.js';
import { startServer, type RunningServer } from '../support/server.js';
import {
  SCALE,
  SEED,
  SETUP_RECORDS,
  addUser,
  auditVerify,
  call,
  chainProblems,
  describeOutcome,
  must,
  nextEvent,
  prng,
  rowFor,
  submissionInReview,
  type Json,
  type Outcome,
  type User,
} from './helpers.js';

let db: TestDatabase;
let server: RunningServer;
let mfr: User;
let fda: User;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startServer(db.url); // applies the migrations before the CLI adds users
  [mfr, fda] = await Promise.all([addUser(db.url, 'Maria Lopez', 'manufacturer', 'Acme Medical'), addUser(db.url, 'Dr. James Carter', 'fda')]);
}, 90_000);

afterAll(async () => {
  await server?.stop('SIGTERM');
  await db?.drop();
});

/** One command of the mixed load, and what came back. */
interface Command {
  readonly submissionId: string;
  readonly kind: 'upload' | 'event';
  /** Unique per command: the upload's filename, or the event's comment. */
  readonly tag: string;
  readonly type: string;
  outcome?: Outcome;
}

function tagOf(row: Json): string | undefined {
  return row.type === 'DOCUMENT_ADDED' ? (row.data?.filename as string | undefined)?.replace(/\.pdf$/, '') : (row.comment ?? undefined);
}

/**
 * 200 (x scale) valid commands over 20 (x scale) submissions in review.substantive, all sent at
 * once without If-Match, spread round-robin over `bases`: per submission, uploads (always allowed
 * for the manufacturer) interleaved with REQUEST_AI / AI_RESPONSE, which may legitimately be 409
 * when the other one has not committed yet. Then checks every property against the history.
 */
async function mixedLoad(bases: string[], label: string): Promise<void> {
  const submissions = 20 * SCALE;
  const perSubmission = 10;
  const rand = prng(SEED);
  const ids = await Promise.all(Array.from({ length: submissions }, (_, i) => submissionInReview(bases[i % bases.length]!, mfr, fda, `${label} ${i}`)));

  const commands: Command[] = [];
  ids.forEach((submissionId, s) => {
    for (let k = 0; k < perSubmission; k++) {
      const tag = `${label}-s${s}-c${k}`;
      if (k % 2 === 0) commands.push({ submissionId, kind: 'upload', tag, type: 'DOCUMENT_ADDED' });
      else {
        // REQUEST_AI, AI_RESPONSE, REQUEST_AI, ... : each is valid in the state the previous one leads to
        const type = ((k - 1) / 2) % 2 === 0 ? 'REQUEST_AI' : 'AI_RESPONSE';
        commands.push({ submissionId, kind: 'event', tag, type });
      }
    }
  });
  // shuffle, so the requests of one submission are not sent in order
  for (let i = commands.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [commands[i], commands[j]] = [commands[j]!, commands[i]!];
  }

  await Promise.all(
    commands.map(async (c, i) => {
      const base = bases[i % bases.length]!;
      if (c.kind === 'upload') {
        const bytes = Buffer.from(`%PDF-1.4 ${c.tag}\n${'x'.repeat(Math.floor(rand() * 4096))}`);
        c.outcome = await call(base, `/v1/submissions/${c.submissionId}/documents?kind=annex&filename=${c.tag}.pdf`, { token: mfr.token, bytes });
      } else {
        const ev = nextEvent(c.type === 'REQUEST_AI' ? 'review.substantive' : 'aiHold', c.tag);
        c.outcome = await call(base, `/v1/submissions/${c.submissionId}/events`, { token: ev.role === 'fda' ? fda.token : mfr.token, json: ev.body });
      }
    }),
  );

  // Every request was answered, never with a 5xx; uploads always commit; events commit or are
  // refused because the state moved on (409 event_not_allowed), nothing else.
  const unexpected = commands.filter((c) => {
    const o = c.outcome!;
    if (o.kind !== 'response') return true;
    if (c.kind === 'upload') return o.status !== 201;
    return !(o.status === 200 || (o.status === 409 && o.body?.code === 'event_not_allowed'));
  });
  expect(
    unexpected.map((c) => `${c.tag} ${c.type}: ${describeOutcome(c.outcome!)}`),
    `seed ${SEED}`,
  ).toEqual([]);

  const acked = commands.filter((c) => c.outcome?.kind === 'response' && c.outcome.status < 300);
  const refused = commands.filter((c) => c.outcome?.kind === 'response' && c.outcome.status === 409);
  // the load is not vacuous: every upload and at least the first event of each submission commit
  expect(acked.length).toBeGreaterThanOrEqual(submissions * (perSubmission / 2 + 1));

  const problems: string[] = [];
  for (const [s, id] of ids.entries()) {
    const base = bases[s % bases.length]!;
    const items = (await must(base, `/v1/submissions/${id}/history`, 200, { token: fda.token })).items as Json[];
    problems.push(...chainProblems(id, items));
    const mine = acked.filter((c) => c.submissionId === id);
    // exactly the setup plus every acknowledged command: nothing lost, nothing extra
    if (items.length !== SETUP_RECORDS + mine.length) problems.push(`${id}: ${items.length} records, expected ${SETUP_RECORDS} + ${mine.length} acknowledged`);
    for (const c of mine) {
      const body = (c.outcome as { body: Json }).body;
      const ack = c.kind === 'event' ? { kind: 'event' as const, id: body.transition.id as string } : { kind: 'upload' as const, id: body.id as string };
      const row = rowFor(items, ack);
      if (!row) problems.push(`${id}: acknowledged ${c.type} ${c.tag} (${ack.id}) is not in the history`);
      else if (c.kind === 'event' && JSON.stringify(row) !== JSON.stringify(body.transition))
        problems.push(`${id}: history row ${row.seq} differs from the acknowledged transition`);
      else if (c.kind === 'upload' && (row.data.sha256 !== body.sha256 || row.data.filename !== `${c.tag}.pdf`))
        problems.push(`${id}: DOCUMENT_ADDED ${row.seq} does not match the upload ${c.tag}`);
    }
    const tags = items.slice(SETUP_RECORDS).map(tagOf);
    for (const c of refused.filter((r) => r.submissionId === id)) {
      if (tags.includes(c.tag)) problems.push(`${id}: refused ${c.type} ${c.tag} was written anyway`);
    }
    const view = await must(base, `/v1/submissions/${id}`, 200, { token: fda.token });
    const last = items[items.length - 1];
    if (view.version !== items.length) problems.push(`${id}: version ${view.version} but ${items.length} history records`);
    if (view.state !== last?.to) problems.push(`${id}: state ${view.state} but the last record ends in ${last?.to}`);
    const docs = (await must(base, `/v1/submissions/${id}/documents`, 200, { token: mfr.token })).items as Json[];
    const documented = items.filter((r) => r.type === 'DOCUMENT_ADDED').map((r) => r.data.documentId as string);
    if (JSON.stringify(docs.map((d) => d.id as string).sort()) !== JSON.stringify([...documented].sort()))
      problems.push(`${id}: documents and DOCUMENT_ADDED records differ`);
  }
  expect(problems, `seed ${SEED}`).toEqual([]);

  const audit = await auditVerify(db.url);
  expect(audit).toMatchObject({ ok: true, breaks: [], exitCode: 0 });
}

describe(`concurrency against a real server on ${DIALECT} (scale ${SCALE})`, () => {
  it(
    `${50 * SCALE} concurrent events with the same If-Match: exactly one 200, the rest 412 version_mismatch, one new history row`,
    async () => {
      const n = 50 * SCALE;
      const id = await submissionInReview(server.url, mfr, fda, 'If-Match race');
      const view = await must(server.url, `/v1/submissions/${id}`, 200, { token: fda.token });
      const version = view.version as number;
      const before = (await must(server.url, `/v1/submissions/${id}/history`, 200, { token: fda.token })).items as Json[];
      expect(before).toHaveLength(version);

      const outcomes = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          call(server.url, `/v1/submissions/${id}/events`, {
            token: fda.token,
            headers: { 'if-match': `"${version}"` },
            json: { type: 'REQUEST_AI', data: { deficiencies: [`deficiency ${i}`] }, comment: `race ${i}` },
          }),
        ),
      );
      const summary = outcomes.map((o) => (o.kind === 'response' ? `${o.status} ${o.body?.code ?? ''}`.trim() : `error ${o.code}`));
      expect(summary.filter((s) => s === '200')).toHaveLength(1);
      expect(summary.filter((s) => s === '412 version_mismatch')).toHaveLength(n - 1);

      const winner = outcomes.find((o) => o.kind === 'response' && o.status === 200) as { body: Json };
      const after = (await must(server.url, `/v1/submissions/${id}/history`, 200, { token: fda.token })).items as Json[];
      expect(after).toHaveLength(before.length + 1);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after[before.length]).toEqual(winner.body.transition);
      expect(chainProblems(id, after)).toEqual([]);
      const now = await must(server.url, `/v1/submissions/${id}`, 200, { token: fda.token });
      expect(now).toMatchObject({ version: version + 1, state: 'aiHold' });
    },
    60_000 * SCALE,
  );

  it(
    `${200 * SCALE} concurrent valid commands over ${20 * SCALE} submissions without If-Match: every acknowledged command is in its chain, no gaps, no 5xx`,
    async () => {
      await mixedLoad([server.url], 'one-server');
    },
    90_000 * SCALE,
  );

  it.skipIf(DIALECT !== 'postgres')(
    'the same load split between two server processes on one PostgreSQL database',
    async () => {
      const second = await startServer(db.url);
      try {
        await mixedLoad([server.url, second.url], 'two-servers');
      } finally {
        expect(await second.stop('SIGTERM')).toBe(0);
      }
    },
    90_000 * SCALE,
  );
});
