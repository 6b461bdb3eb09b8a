/**
 * Part 11 electronic signatures (issue 6) over HTTP on a real database (SQLite, or PostgreSQL with
 * TEST_DATABASE_URL): events that the workflow version marks `requiresSignature` need
 * `signature: { meaning, password }`; the server re-authenticates, locks signing after five wrong
 * passwords until an admin unlocks it, and keeps only the manifestation `{ name, meaning, signedAt }`
 * inside the hashed history record. The password reaches neither the history, nor a response, nor
 * the idempotency table, nor the log.
 */
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNING_MAX_FAILURES } from '../../src/engine/signatures.js';
import { verifyDatabase } from '../../src/engine/verify.js';
import { createLogger } from '../../src/logger.js';
import { fda510kV2 } from '../../workflows/fda-510k.js';
import { latestWorkflow } from '../../workflows/index.js';
import { DIALECT } from '../support/db.js';
import { TEST_PASSWORD, addUser, signatureOf, type TestContext, type TestUser } from '../support/fixtures.js';
import { Api, body510k, daysAgo, errorPaths, expectProblem, type Json, logInto, openTestApp, new510kInReview } from './helpers.js';

let ctx: TestContext, app: Express, api: Api;
const logChunks: string[] = [];
/** Every response text the tests saw, checked for passwords at the end. */
const seen: string[] = [];

beforeAll(async () => {
  // The production logger (with its redaction), at the level that logs every request.
  ({ ctx, app, api } = await openTestApp({ logger: createLogger('info', logInto(logChunks)) }));
});
afterAll(async () => ctx?.close());

const SE = { kNumber: 'K261234', decisionDate: daysAgo(1) };

function keep<T extends { text: string }>(res: T): T {
  seen.push(res.text);
  return res;
}

/** A new 510(k) taken to review.substantive (SUBMIT signed by the manufacturer). */
const inReview = (title: string): Promise<string> => new510kInReview(api, ctx.users, title);

async function failures(user: TestUser): Promise<{ failures: number; locked: string | null }> {
  const row = await ctx.services.db.knex('users').where({ id: user.actor.id }).first('signature_failures', 'signing_locked_at');
  return { failures: Number(row.signature_failures), locked: row.signing_locked_at };
}

const decide = (user: TestUser, id: string, signature?: Json, headers: Record<string, string> = {}) =>
  api.event(user, id, { type: 'DECIDE_SE', data: SE, effectiveAt: daysAgo(1), ...(signature ? { signature } : {}) }, headers).then(keep);

describe('signing a command', () => {
  it('an event the version marks requiresSignature without a signature -> 422 at /signature, nothing written', async () => {
    const m = ctx.users.manufacturer;
    const s = await api.create(m, body510k('Unsigned SUBMIT'));
    const body = expectProblem(keep(await api.event(m, s.id, { type: 'SUBMIT' })), 422, 'validation_failed');
    expect(errorPaths(body)).toEqual(['/signature']);
    expect(body.detail).toMatch(/SUBMIT must be signed/);
    const id = await inReview('Unsigned decision');
    const before = await api.history(ctx.users.fda, id);
    expect(errorPaths(expectProblem(await decide(ctx.users.fda, id), 422, 'validation_failed'))).toEqual(['/signature']);
    expect(await api.history(ctx.users.fda, id)).toEqual(before);
    // A step refused anyway says why first: the same unsigned decision before review is 409
    // (on a filed 510(k): a draft is not FDA's to see at all, issue 8 §6).
    const received = await api.create(m, body510k('Received, not in review'));
    await api.send(m, received.id, 'SUBMIT', { effectiveAt: daysAgo(20) });
    expectProblem(await decide(ctx.users.fda, received.id), 409, 'event_not_allowed');
  });

  it('a signature that is not { meaning (one of four), password } -> 422 with pointers', async () => {
    const id = await inReview('Bad signature shape');
    const bad = [
      [{ meaning: 'approval' }, '/signature'],
      [{ meaning: 'Decision authority', password: TEST_PASSWORD }, '/signature/meaning'],
      [{ meaning: 'approval', password: '' }, '/signature/password'],
      [{ meaning: 'approval', password: TEST_PASSWORD, signer: 'someone else' }, '/signature/signer'],
    ] as const;
    for (const [signature, path] of bad) {
      const body = expectProblem(await decide(ctx.users.fda, id, signature), 422, 'validation_failed');
      expect(errorPaths(body).join(' ')).toContain(path);
    }
    expect(await failures(ctx.users.fda)).toEqual({ failures: 0, locked: null });
  });

  it('a wrong password -> 401 signature_invalid at /signature/password, counted; nothing written; a success resets the count', async () => {
    const fda = await addUser(ctx.services, 'fda', 'Dr. Wrong Password');
    const id = await inReview('Wrong password');
    const before = await api.history(fda, id);
    const res = await decide(fda, id, { meaning: 'approval', password: 'Not-The-Password-1' });
    const body = expectProblem(res, 401, 'signature_invalid');
    expect(errorPaths(body)).toEqual(['/signature/password']);
    expect(body.detail).toMatch(/1 of 5/);
    expect(res.headers['www-authenticate']).toBeUndefined(); // the bearer token was fine
    expect(await api.history(fda, id)).toEqual(before);
    expect(await failures(fda)).toEqual({ failures: 1, locked: null });

    const ok = keep(await decide(fda, id, signatureOf(fda)));
    expect(ok.status, ok.text).toBe(200);
    expect(await failures(fda)).toEqual({ failures: 0, locked: null });
  });

  it('the manifestation { name, meaning, signedAt } is in the history row; an unsigned step has null', async () => {
    const fda = ctx.users.fda;
    const id = await inReview('Manifestation');
    const res = keep(await decide(fda, id, { meaning: 'review', password: TEST_PASSWORD }));
    expect(res.status, res.text).toBe(200);
    const t = res.body.transition as Json;
    expect(t.signature).toEqual({ name: 'Dr. FDA Reviewer', meaning: 'review', signedAt: t.recordedAt });
    const history = await api.history(ctx.users.auditor, id);
    expect(history.at(-1)).toEqual(t);
    expect(history.find((r) => r.type === 'SUBMIT')!.signature).toMatchObject({ name: 'Maria Lopez', meaning: 'responsibility' });
    expect(history.find((r) => r.type === 'FEE_VERIFIED')!.signature).toBeNull();
    // An event that needs no signature may carry one, with the same checks.
    const s2 = await inReview('Optional signature');
    const ai = keep(
      await api.event(fda, s2, { type: 'REQUEST_AI', data: { deficiencies: ['x'] }, signature: { meaning: 'authorship', password: TEST_PASSWORD } }),
    );
    expect(ai.status, ai.text).toBe(200);
    expect(ai.body.transition.signature).toEqual({ name: 'Dr. FDA Reviewer', meaning: 'authorship', signedAt: ai.body.transition.recordedAt });
    expectProblem(
      keep(
        await api.event(ctx.users.manufacturer, s2, {
          type: 'AI_RESPONSE',
          data: { summary: 'Answer' },
          signature: { meaning: 'authorship', password: 'wrong-Password-9' },
        }),
      ),
      401,
      'signature_invalid',
    );
    expect((await verifyDatabase(ctx.services.db.reader)).ok).toBe(true);
  });

  it('a user without a password cannot sign: 422 at /signature/password, not counted', async () => {
    const fda = await addUser(ctx.services, 'fda', 'Dr. No Password', undefined, { password: null });
    const id = await inReview('No password');
    const body = expectProblem(await decide(fda, id, { meaning: 'approval', password: 'Anything-1234' }), 422, 'validation_failed');
    expect(errorPaths(body)).toEqual(['/signature/password']);
    expect(body.detail).toMatch(/no password/);
    expect(await failures(fda)).toEqual({ failures: 0, locked: null });
  });
});

describe('five consecutive failures lock signing until an admin unlocks it', () => {
  it('locks after the fifth, refuses even the right password (423), and POST /v1/users/:id/signing-unlock (admin) unlocks', async () => {
    const fda = await addUser(ctx.services, 'fda', 'Dr. Locked Out');
    const id = await inReview('Lockout');
    const before = await api.history(fda, id);
    for (let i = 1; i <= SIGNING_MAX_FAILURES; i++) {
      const body = expectProblem(await decide(fda, id, { meaning: 'approval', password: `Guess-number-${i}` }), 401, 'signature_invalid');
      if (i === SIGNING_MAX_FAILURES) expect(body.detail).toMatch(/now locked/);
    }
    expect((await failures(fda)).locked).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // Locked: the right password is not even checked.
    const locked = expectProblem(await decide(fda, id, signatureOf(fda)), 423, 'signature_locked');
    expect(errorPaths(locked)).toEqual(['/signature/password']);
    expect(locked.detail).toMatch(/administrator/);
    // Nor can the locked user change the password to get out.
    expectProblem(keep(await api.post(fda, '/v1/me/password', { currentPassword: TEST_PASSWORD, newPassword: 'Brand-New-Pass-42' })), 423, 'signature_locked');
    // Unsigned work goes on.
    expect((await api.event(fda, id, { type: 'SUBSTANTIVE_INTERACTION', effectiveAt: daysAgo(2) })).status).toBe(200);
    expect((await api.history(fda, id)).length).toBe(before.length + 1);

    // Only admins unlock.
    for (const who of [fda, ctx.users.auditor, ctx.users.manufacturer]) {
      expectProblem(keep(await api.post(who, `/v1/users/${fda.actor.id}/signing-unlock`, {})), 403, 'forbidden');
    }
    expectProblem(keep(await api.post(ctx.users.admin, '/v1/users/0193f000-0000-7000-8000-000000000000/signing-unlock', {})), 404, 'not_found');
    const unlocked = keep(await api.post(ctx.users.admin, `/v1/users/${fda.actor.id}/signing-unlock`, {}));
    expect(unlocked.status, unlocked.text).toBe(200);
    expect(unlocked.body).toEqual({ id: fda.actor.id, name: 'Dr. Locked Out', signingLocked: false, passwordReset: false });
    expect(await failures(fda)).toEqual({ failures: 0, locked: null });
    const signed = keep(await decide(fda, id, signatureOf(fda)));
    expect(signed.status, signed.text).toBe(200);
  });

  it('an admin cannot set a password (422 at /newPassword, issue 8); a reset credential lets the user set one, which clears the lock', async () => {
    const cof = await addUser(ctx.services, 'cofepris', 'Lic. Reset');
    const admin = ctx.users.admin;
    await ctx.services.db.knex('users').where({ id: cof.actor.id }).update({ signature_failures: 5, signing_locked_at: new Date().toISOString() });
    const refused = expectProblem(
      keep(await api.post(admin, `/v1/users/${cof.actor.id}/signing-unlock`, { newPassword: 'Temporary-Reset-2026' })),
      422,
      'validation_failed',
    );
    expect(errorPaths(refused)).toEqual(['/newPassword']);
    expect(refused.detail).toMatch(/password-reset/);
    expect((await failures(cof)).locked).not.toBeNull();
    expectProblem(keep(await api.post(admin, `/v1/users/${cof.actor.id}/signing-unlock`, { password: 'x' })), 422, 'validation_failed');
    const res = keep(await api.post(admin, `/v1/users/${cof.actor.id}/password-reset`, {}));
    expect(res.status, res.text).toBe(200);
    // Still locked until the user sets the new password with the credential.
    expect((await failures(cof)).locked).not.toBeNull();
    const done = keep(await request(app).post('/v1/password-reset').send({ resetToken: res.body.resetToken, newPassword: 'Chosen-By-Me-2026' }));
    expect(done.status, done.text).toBe(204);
    expect(await failures(cof)).toEqual({ failures: 0, locked: null });
    // The old password no longer works; the new one does (checked through POST /v1/me/password).
    expectProblem(keep(await api.post(cof, '/v1/me/password', { currentPassword: TEST_PASSWORD, newPassword: 'Chosen-Again-2027' })), 401, 'signature_invalid');
    expect(keep(await api.post(cof, '/v1/me/password', { currentPassword: 'Chosen-By-Me-2026', newPassword: 'Chosen-Again-2027' })).status).toBe(204);
  });
});

describe('POST /v1/me/password', () => {
  it('a user without a password sets one with the bearer token alone; then it is required to change it', async () => {
    const m = await addUser(ctx.services, 'manufacturer', 'Nadia Nopass', 'Acme Medical', { password: null });
    expectProblem(keep(await api.post(m, '/v1/me/password', { currentPassword: 'whatever-1A', newPassword: 'First-Password-2026' })), 422, 'validation_failed');
    const set = keep(await api.post(m, '/v1/me/password', { newPassword: 'First-Password-2026' }));
    expect(set.status, set.text).toBe(204);
    expect(set.text).toBe('');
    const row = await ctx.services.db.knex('users').where({ id: m.actor.id }).first('password_hash', 'password_changed_at');
    expect(row.password_hash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    expect(row.password_changed_at).toMatch(/^\d{4}-/);

    const missing = expectProblem(keep(await api.post(m, '/v1/me/password', { newPassword: 'Second-Password-2026' })), 422, 'validation_failed');
    expect(errorPaths(missing)).toEqual(['/currentPassword']);
    const same = expectProblem(
      keep(await api.post(m, '/v1/me/password', { currentPassword: 'First-Password-2026', newPassword: 'First-Password-2026' })),
      422,
      'validation_failed',
    );
    expect(errorPaths(same)).toEqual(['/newPassword']);
    const wrong = expectProblem(
      keep(await api.post(m, '/v1/me/password', { currentPassword: 'Not-First-2026', newPassword: 'Second-Password-2026' })),
      401,
      'signature_invalid',
    );
    expect(errorPaths(wrong)).toEqual(['/currentPassword']);
    expect((await failures(m)).failures).toBe(1);
    expect(keep(await api.post(m, '/v1/me/password', { currentPassword: 'First-Password-2026', newPassword: 'Second-Password-2026' })).status).toBe(204);
    expect((await failures(m)).failures).toBe(0);

    // The new password signs; the old one does not.
    const s = await api.create(m, body510k('Signed with the new password'));
    expectProblem(
      keep(await api.event(m, s.id, { type: 'SUBMIT', signature: { meaning: 'responsibility', password: 'First-Password-2026' } })),
      401,
      'signature_invalid',
    );
    expect(keep(await api.event(m, s.id, { type: 'SUBMIT', signature: { meaning: 'responsibility', password: 'Second-Password-2026' } })).status).toBe(200);
  });

  it('refuses passwords that break the rules (PASSWORD_MIN_LENGTH, PASSWORD_MIN_CHARACTER_CLASSES) and bad bodies, each with its pointer', async () => {
    const u = await addUser(ctx.services, 'fda', 'Dr. Rules', undefined, { password: null });
    const cases: Array<[unknown, number, string, RegExp?]> = [
      [{ newPassword: 'Short-1' }, 422, '/newPassword', /at least 12 characters/],
      [{ newPassword: 'alllowercaseletters' }, 422, '/newPassword', /mix at least 3/],
      [{ newPassword: ' Leading-Space-2026' }, 422, '/newPassword', /white space/],
      [{ newPassword: 'Dr. Rules' }, 422, '/newPassword'],
      [{ newPassword: 'x'.repeat(1025) }, 422, '/newPassword'],
      [{ newPassword: 12345678901234 }, 422, '/newPassword'],
      [{}, 422, ''],
      [{ newPassword: 'Valid-Password-2026', extra: true }, 422, '/extra'],
      [[], 422, ''],
    ];
    for (const [body, status, path, message] of cases) {
      const res = keep(await api.post(u, '/v1/me/password', body));
      const problem = expectProblem(res, status, 'validation_failed');
      expect(errorPaths(problem).join(' '), JSON.stringify(body).slice(0, 60)).toContain(path);
      if (message) expect(JSON.stringify(problem.errors)).toMatch(message);
    }
    expectProblem(
      keep(await request(app).post('/v1/me/password').set(u.auth).set('Content-Type', 'application/json').send('{"newPassword":')),
      400,
      'malformed_json',
    );
    expectProblem(
      keep(await request(app).post('/v1/me/password').set(u.auth).set('Content-Type', 'text/plain').send('Valid-Password-2026')),
      415,
      'unsupported_media_type',
    );
    expectProblem(keep(await request(app).post('/v1/me/password').send({ newPassword: 'Valid-Password-2026' })), 401, 'unauthenticated');
    expect((await ctx.services.db.knex('users').where({ id: u.actor.id }).first('password_hash')).password_hash).toBeNull();
  });
});

describe('the password stays secret', () => {
  it('an Idempotency-Key replay does not re-check the password, and the idempotency record holds no password', async () => {
    const fda = ctx.users.fda;
    const id = await inReview('Idempotent decision');
    const first = await decide(fda, id, signatureOf(fda), { 'Idempotency-Key': 'decide-once' });
    expect(first.status, first.text).toBe(200);
    // A retry with a wrong (or no longer valid) password is the same request: the first answer.
    const again = await decide(fda, id, { meaning: 'approval', password: 'Typo-In-Retry-1' }, { 'Idempotency-Key': 'decide-once' });
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await failures(fda)).toEqual({ failures: 0, locked: null });
    // Another meaning is another request.
    expectProblem(await decide(fda, id, { meaning: 'review', password: TEST_PASSWORD }, { 'Idempotency-Key': 'decide-once' }), 422, 'idempotency_key_reused');
    const rows = await ctx.services.db.knex('idempotency_keys').select('*');
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(TEST_PASSWORD);
    expect(JSON.stringify(rows)).not.toContain('Typo-In-Retry-1');
  });

  it('never in the history, a response, the idempotency table or the log; refusals are logged without it', async () => {
    const passwords = [
      TEST_PASSWORD,
      'Not-The-Password-1',
      'Guess-number-',
      'Temporary-Reset-2026',
      'Chosen-By-Me-2026',
      'First-Password-2026',
      'Second-Password-2026',
      'Typo-In-Retry-1',
      'wrong-Password-9',
      'Brand-New-Pass-42',
    ];
    const knex = ctx.services.db.knex;
    const dump = JSON.stringify({
      transitions: await knex('transitions').select('*'),
      idempotency: await knex('idempotency_keys').select('*'),
      users: await knex('users').select('*'),
      submissions: await knex('submissions').select('*'),
    });
    const log = logChunks.join('');
    expect(log).toMatch(/"msg":"signature refused"/);
    expect(log).toMatch(/"msg":"signing unlocked"/);
    for (const p of passwords) {
      expect(dump, `database holds ${p}`).not.toContain(p);
      expect(log, `log holds ${p}`).not.toContain(p);
      for (const text of seen) expect(text, `a response holds ${p}`).not.toContain(p);
    }
    // Redaction at the source, should a body ever be passed to the logger.
    const lines: string[] = [];
    const logger = createLogger('info', logInto(lines));
    logger.info(
      {
        body: { signature: { meaning: 'approval', password: 'Leaky-Password-1' } },
        currentPassword: 'Leaky-Password-2',
        req: { body: { newPassword: 'Leaky-Password-3', signature: { password: 'Leaky-Password-4' } } },
      },
      'x',
    );
    expect(lines.join('')).not.toMatch(/Leaky-Password/);
  });
});

describe('versions', () => {
  it('the catalog shows requiresSignature per event: decisions and filings on the latest version, none on older ones', async () => {
    const latest = (await api.get(ctx.users.auditor, '/v1/workflows/fda-510k')).body as Json;
    // fda-510k@4 (issue 9) is the latest; it keeps version 3's signed events.
    expect(latest.version).toBe(5);
    expect(latest.events.DECIDE_SE.requiresSignature).toBe(true);
    expect(latest.events.SUBMIT.requiresSignature).toBe(true);
    expect(latest.events.REQUEST_AI.requiresSignature).toBe(false);
    expect(latest.events.AI_TIMEOUT.requiresSignature).toBe(false);
    // A hold is not a decision: version 4's eCopy hold is not signed.
    expect(latest.events.ECOPY_HOLD.requiresSignature).toBe(false);
    const v2 = (await api.get(ctx.users.auditor, '/v1/workflows/fda-510k?version=2')).body as Json;
    expect(Object.values(v2.events as Record<string, Json>).every((e) => e.requiresSignature === false)).toBe(true);
  });

  it('a submission started on an older version keeps working without signatures (and may still sign)', async () => {
    const { engine } = ctx.services;
    const m = ctx.users.manufacturer;
    const s = await api.create(m, body510k('Started on version 2'));
    // As if it had been created before version 3: moved back from the latest version to fda-510k@2 while in draft.
    const moved = await engine.migrateWorkflow(latestWorkflow('fda-510k')!, fda510kV2, { dryRun: false, by: 'test' });
    expect(moved.moved.map((x) => x.id)).toContain(s.id);
    expect((await api.submission(m, s.id)).workflow).toEqual({ id: 'fda-510k', version: 2 });
    const submitted = keep(await api.event(m, s.id, { type: 'SUBMIT', effectiveAt: daysAgo(20) }));
    expect(submitted.status, submitted.text).toBe(200);
    expect(submitted.body.transition.signature).toBeNull();
    await api.send(ctx.users.fda, s.id, 'FEE_VERIFIED', { effectiveAt: daysAgo(19) });
    await api.send(ctx.users.fda, s.id, 'SCREEN_PASS', { effectiveAt: daysAgo(18) });
    const unsigned = keep(await api.event(ctx.users.fda, s.id, { type: 'DECIDE_SE', data: SE, effectiveAt: daysAgo(1) }));
    expect(unsigned.status, unsigned.text).toBe(200);
    expect(unsigned.body.transition).toMatchObject({ signature: null, workflow: { version: 2 } });
    // Signing is still checked when offered.
    expectProblem(
      keep(await api.event(ctx.users.fda, s.id, { type: 'RESCIND_SE', signature: { meaning: 'approval', password: 'Wrong-Password-77' } })),
      401,
      'signature_invalid',
    );
    const signed = keep(await api.event(ctx.users.fda, s.id, { type: 'RESCIND_SE', signature: signatureOf(ctx.users.fda) }));
    expect(signed.status, signed.text).toBe(200);
    expect(signed.body.transition.signature).toMatchObject({ name: 'Dr. FDA Reviewer', meaning: 'approval' });
  });

  it('the system actor never signs (timer events need no signature)', async () => {
    const id = await inReview('System actor');
    await expect(ctx.services.engine.sendSystemEvent(id, { type: 'AI_TIMEOUT', signature: { meaning: 'approval', password: 'x' } })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });
});

describe(`tamper evidence on ${DIALECT}`, () => {
  it('the manifestation is covered by the hash: editing it in the database is caught by verify, naming submission and seq', async () => {
    const id = await inReview('Forged manifestation');
    const res = keep(await decide(ctx.users.fda, id, signatureOf(ctx.users.fda)));
    expect(res.status, res.text).toBe(200);
    const seq = res.body.transition.seq as number;
    expect((await verifyDatabase(ctx.services.db.reader)).ok).toBe(true);
    const knex = ctx.services.db.knex;
    // The append-only trigger refuses the edit; an attacker with DBA rights drops it first.
    // (migration 001's triggers: RAISE EXCEPTION, SQLSTATE P0001, on PostgreSQL; RAISE(ABORT) on SQLite)
    await expect(knex('transitions').where({ submission_id: id, seq }).update({ signature: '{}' })).rejects.toMatchObject({
      code: DIALECT === 'postgres' ? 'P0001' : 'SQLITE_CONSTRAINT',
      message: expect.stringContaining('puente: transitions is append-only: UPDATE rejected'),
    });
    if (DIALECT === 'postgres') await knex.raw('DROP TRIGGER transitions_append_only ON transitions');
    else await knex.raw('DROP TRIGGER transitions_no_update');
    const forged = JSON.stringify({ meaning: 'approval', name: 'Someone Else', signedAt: res.body.transition.recordedAt });
    await knex('transitions').where({ submission_id: id, seq }).update({ signature: forged });
    const result = await verifyDatabase(ctx.services.db.reader);
    expect(result.ok).toBe(false);
    expect(result.breaks).toEqual([expect.objectContaining({ submissionId: id, seq })]);
  });
});
