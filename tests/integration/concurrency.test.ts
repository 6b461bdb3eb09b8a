/**
 * Version races on a real database: the SQL version check lets exactly one of two commands on
 * the same version commit, and the history never has a gap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { verifyChain } from '../../src/engine/hash.js';
import { listTransitions } from '../../src/store/history-store.js';
import { DIALECT } from '../support/db.js';
import { createTestContext, signatureOf, type TestContext, new510k } from '../support/fixtures.js';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

async function inReview(): Promise<string> {
  const { engine } = ctx.services;
  const { manufacturer: m, fda } = ctx.users;
  const id = await new510k(ctx, 'Race');
  await engine.sendEvent(m.actor, id, { type: 'SUBMIT', signature: signatureOf(m) });
  await engine.sendEvent(fda.actor, id, { type: 'FEE_VERIFIED' });
  await engine.sendEvent(fda.actor, id, { type: 'SCREEN_PASS' });
  return id;
}

function codeOf(r: PromiseSettledResult<unknown>): string {
  if (r.status === 'fulfilled') return 'ok';
  return r.reason instanceof AppError ? r.reason.code : `unexpected ${String(r.reason)}`;
}

describe(`concurrency on ${DIALECT}`, () => {
  it('two commands with the same If-Match: exactly one commits, the other gets version_mismatch', async () => {
    const { engine } = ctx.services;
    const id = await inReview();
    const version = (await engine.getSubmission(ctx.users.fda.actor, id)).version;
    const results = await Promise.allSettled([
      engine.sendEvent(ctx.users.fda.actor, id, { type: 'REQUEST_AI', data: { deficiencies: ['a'] } }, { ifMatch: version }),
      engine.sendEvent(
        ctx.users.fda.actor,
        id,
        { type: 'DECIDE_SE', data: { kNumber: 'K261234', decisionDate: '2026-06-20' }, signature: signatureOf(ctx.users.fda) },
        { ifMatch: version },
      ),
    ]);
    expect(results.map(codeOf).sort()).toEqual(['ok', 'version_mismatch']);
    const rows = await listTransitions(ctx.services.db.knex, id);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(verifyChain(rows as never)).toBeNull();
  });

  it('without If-Match the loser is retried on fresh state and refused when no longer allowed', async () => {
    const { engine } = ctx.services;
    const id = await inReview();
    const results = await Promise.allSettled([
      engine.sendEvent(ctx.users.fda.actor, id, { type: 'REQUEST_AI', data: { deficiencies: ['a'] } }),
      engine.sendEvent(ctx.users.fda.actor, id, { type: 'DECIDE_NSE', signature: signatureOf(ctx.users.fda) }),
    ]);
    expect(results.map(codeOf).sort()).toEqual(['event_not_allowed', 'ok']);
    const rows = await listTransitions(ctx.services.db.knex, id);
    expect(rows).toHaveLength(5);
    expect(verifyChain(rows as never)).toBeNull();
  });

  it('many concurrent commands that all stay allowed all commit, with no gap in seq', async () => {
    const { engine } = ctx.services;
    const id = await inReview();
    const uploads = Array.from({ length: 12 }, (_, i) =>
      engine.addDocument(ctx.users.manufacturer.actor, id, {
        kind: `annex-${i}`,
        filename: `annex-${i}.pdf`,
        contentType: 'application/pdf',
        bytes: Buffer.from(`annex ${i}`),
      }),
    );
    const results = await Promise.allSettled(uploads);
    expect(results.map(codeOf)).toEqual(Array(12).fill('ok'));
    const rows = await listTransitions(ctx.services.db.knex, id);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(verifyChain(rows as never)).toBeNull();
    const s = await engine.getSubmission(ctx.users.manufacturer.actor, id);
    expect(s.version).toBe(16);
  });
});
