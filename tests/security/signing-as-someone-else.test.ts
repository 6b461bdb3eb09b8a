/**
 * Issue 8 §3 (21 CFR 11.100(a), 11.200, 11.300): nobody signs as somebody else. An admin could set
 * a user's password with `signing-unlock {newPassword}` and then sign in that user's name; now
 * that is refused, and a reset issues a one-time credential that only lets the user set a password
 * of their own: it cannot sign, cannot authenticate, is spent on use and expires
 * (PASSWORD_RESET_HOURS, default 24). Every web session of the user ends on a reset and on every
 * password change. Real HTTP on a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL).
 */
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, signatureOf, TEST_PASSWORD, type TestContext, type TestUser } from '../support/fixtures.js';
import { Api, body510k, daysAgo, errorPaths, expectProblem, type Json, openTestApp, new510kInReview } from '../http/helpers.js';

let clock = new Date();
let ctx: TestContext, app: Express, api: Api;

beforeAll(async () => ({ ctx, app, api } = await openTestApp({ now: () => clock })));
afterAll(async () => ctx?.close());

/** A new 510(k) taken to review.substantive, ready for a signed FDA decision. */
const inReview = (title: string): Promise<string> => new510kInReview(api, ctx.users, title);

function decide(user: TestUser, id: string, password: string) {
  return api.event(user, id, {
    type: 'DECIDE_SE',
    data: { kNumber: 'K261234', decisionDate: daysAgo(1) },
    effectiveAt: daysAgo(1),
    signature: { meaning: 'approval', password },
  });
}

async function sessionsOf(user: TestUser): Promise<number> {
  const [row] = await ctx.services.db.knex('web_sessions').where({ user_id: user.actor.id }).count<Array<{ n: number | string }>>({ n: '*' });
  return Number(row!.n);
}

async function signIn(user: TestUser, password: string): Promise<void> {
  await ctx.services.sessions.signIn(user.actor.name, password, '127.0.0.9');
}

describe('an admin cannot set a password that signs for another user', () => {
  it('signing-unlock with newPassword is refused (422 at /newPassword); the password chosen by the admin never signs', async () => {
    const fda = await addUser(ctx.services, 'fda', 'Dr. Target One');
    const id = await inReview('Not the admin’s signature');
    const res = await api.post(ctx.users.admin, `/v1/users/${fda.actor.id}/signing-unlock`, { newPassword: 'Admin-Chosen-Pass-2026' });
    const body = expectProblem(res, 422, 'validation_failed');
    expect(errorPaths(body)).toEqual(['/newPassword']);
    expect(body.detail).toMatch(/password-reset/);
    // The admin's password does not sign; the user's own still does.
    expectProblem(await decide(fda, id, 'Admin-Chosen-Pass-2026'), 401, 'signature_invalid');
    const signed = await decide(fda, id, TEST_PASSWORD);
    expect(signed.status, signed.text).toBe(200);
    expect(signed.body.transition.signature).toMatchObject({ name: 'Dr. Target One' });
  });

  it('after a reset the admin holds no password: the user’s old password, the reset credential and the admin’s token sign nothing', async () => {
    const fda = await addUser(ctx.services, 'fda', 'Dr. Target Two');
    const id = await inReview('Reset in the middle');
    const reset = await api.post(ctx.users.admin, `/v1/users/${fda.actor.id}/password-reset`, {});
    expect(reset.status, reset.text).toBe(200);
    expect(reset.body).toEqual({
      id: fda.actor.id,
      name: 'Dr. Target Two',
      resetToken: expect.stringMatching(/^pwr_[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(String),
    });
    const resetToken = reset.body.resetToken as string;
    // Only the credential's SHA-256 is stored.
    const row = await ctx.services.db.knex('users').where({ id: fda.actor.id }).first('password_hash', 'password_reset_hash');
    expect(row.password_hash).toBeNull();
    expect(JSON.stringify(row)).not.toContain(resetToken);

    // Nothing signs now: not the old password, not the credential.
    expectProblem(await decide(fda, id, TEST_PASSWORD), 422, 'validation_failed');
    expectProblem(await decide(fda, id, resetToken), 422, 'validation_failed');
    // The credential is no bearer token.
    expectProblem(await request(app).get('/v1/me').set('Authorization', `Bearer ${resetToken}`), 401, 'unauthenticated');
    // Whoever holds the user's bearer token cannot set the password without the credential.
    const viaToken = expectProblem(await api.post(fda, '/v1/me/password', { newPassword: 'Token-Holder-Pass-2026' }), 422, 'validation_failed');
    expect(errorPaths(viaToken)).toEqual(['/newPassword']);
    // The reset does not set a password either: the admin's earlier choice is gone too.
    expectProblem(await decide(fda, id, 'Admin-Chosen-Pass-2026'), 422, 'validation_failed');

    // The user sets a password of their own with the credential, and signs with it.
    const done = await request(app).post('/v1/password-reset').send({ resetToken, newPassword: 'My-Own-Choice-2026' });
    expect(done.status, done.text).toBe(204);
    const signed = await decide(fda, id, 'My-Own-Choice-2026');
    expect(signed.status, signed.text).toBe(200);
    // The credential is spent.
    expectProblem(await request(app).post('/v1/password-reset').send({ resetToken, newPassword: 'Second-Use-Pass-2026' }), 401, 'unauthenticated');
  });

  it('a locked user stays locked until the user sets the new password with the credential', async () => {
    const fda = await addUser(ctx.services, 'fda', 'Dr. Target Three');
    const id = await inReview('Locked then reset');
    await ctx.services.db.knex('users').where({ id: fda.actor.id }).update({ signature_failures: 5, signing_locked_at: new Date().toISOString() });
    const reset = await api.post(ctx.users.admin, `/v1/users/${fda.actor.id}/password-reset`, {});
    expect(reset.status, reset.text).toBe(200);
    const locked = await ctx.services.db.knex('users').where({ id: fda.actor.id }).first('signing_locked_at');
    expect(locked.signing_locked_at).not.toBeNull();
    const done = await request(app).post('/v1/password-reset').send({ resetToken: reset.body.resetToken, newPassword: 'Unlocked-By-Me-2026' });
    expect(done.status, done.text).toBe(204);
    const after = await ctx.services.db.knex('users').where({ id: fda.actor.id }).first('signing_locked_at', 'signature_failures');
    expect(after.signing_locked_at).toBeNull();
    expect(Number(after.signature_failures)).toBe(0);
    expect((await decide(fda, id, 'Unlocked-By-Me-2026')).status).toBe(200);
  });

  it('the credential expires after PASSWORD_RESET_HOURS (default 24) by the injected clock', async () => {
    const cof = await addUser(ctx.services, 'cofepris', 'Lic. Late Reset');
    const t0 = new Date();
    clock = t0;
    const reset = await api.post(ctx.users.admin, `/v1/users/${cof.actor.id}/password-reset`, {});
    expect(reset.status, reset.text).toBe(200);
    expect(reset.body.expiresAt).toBe(new Date(t0.getTime() + 24 * 3_600_000).toISOString());
    try {
      clock = new Date(t0.getTime() + 24 * 3_600_000 + 1000);
      const late = expectProblem(
        await request(app).post('/v1/password-reset').send({ resetToken: reset.body.resetToken, newPassword: 'Too-Late-Pass-2026' }),
        401,
        'unauthenticated',
      );
      expect(errorPaths(late)).toEqual(['/resetToken']);
      clock = new Date(t0.getTime() + 23 * 3_600_000);
      const inTime = await request(app).post('/v1/password-reset').send({ resetToken: reset.body.resetToken, newPassword: 'Just-In-Time-2026' });
      expect(inTime.status, inTime.text).toBe(204);
    } finally {
      clock = new Date();
    }
  });

  it('only admins reset, and the refusal is on the security log; bad input is a 4xx problem with its pointer', async () => {
    const target = await addUser(ctx.services, 'fda', 'Dr. Target Four');
    for (const who of [ctx.users.fda, ctx.users.auditor, ctx.users.manufacturer, target]) {
      expectProblem(await api.post(who, `/v1/users/${target.actor.id}/password-reset`, {}), 403, 'forbidden');
    }
    const refused = await api.get(ctx.users.auditor, `/v1/audit/security-log?type=admin.refused&user=${target.actor.id}&limit=200`);
    expect(refused.status, refused.text).toBe(200);
    expect((refused.body.items as Json[]).filter((e) => e.data.action === 'password.reset').length).toBe(4);
    expectProblem(await api.post(ctx.users.admin, '/v1/users/0193f000-0000-7000-8000-000000000000/password-reset', {}), 404, 'not_found');
    const extra = expectProblem(await api.post(ctx.users.admin, `/v1/users/${target.actor.id}/password-reset`, { newPassword: 'x' }), 422, 'validation_failed');
    expect(errorPaths(extra)).toEqual(['/newPassword']);
    expectProblem(await api.post(ctx.users.admin, `/v1/users/${target.actor.id}/password-reset?x=1`, {}), 422, 'validation_failed');

    const cases: Array<[unknown, string]> = [
      [{}, ''],
      [{ resetToken: 'pwr_short', newPassword: 'Valid-Password-2026' }, '/resetToken'],
      [{ resetToken: `pwr_${'a'.repeat(43)}`, newPassword: 12 }, '/newPassword'],
      [{ resetToken: `pwr_${'a'.repeat(43)}`, newPassword: 'Valid-Password-2026', extra: 1 }, '/extra'],
      [[], ''],
    ];
    for (const [body, path] of cases) {
      const p = expectProblem(
        await request(app)
          .post('/v1/password-reset')
          .send(body as object),
        422,
        'validation_failed',
      );
      expect(errorPaths(p).join(' ')).toContain(path);
    }
    expectProblem(await request(app).post('/v1/password-reset').set('Content-Type', 'application/json').send('{"resetToken":'), 400, 'malformed_json');
    // Its other methods: 405 naming POST, with or without a token.
    expectProblem(await request(app).get('/v1/password-reset'), 405, 'method_not_allowed');
    expect((await request(app).put('/v1/password-reset').set(ctx.users.admin.auth).send({})).headers.allow).toBe('POST');
    // An unknown credential: 401 at /resetToken.
    const unknown = expectProblem(
      await request(app)
        .post('/v1/password-reset')
        .send({ resetToken: `pwr_${'b'.repeat(43)}`, newPassword: 'Valid-Password-2026' }),
      401,
      'unauthenticated',
    );
    expect(errorPaths(unknown)).toEqual(['/resetToken']);
    // A password that breaks the rules leaves the credential usable.
    const reset = await api.post(ctx.users.admin, `/v1/users/${target.actor.id}/password-reset`, {});
    const weak = expectProblem(
      await request(app).post('/v1/password-reset').send({ resetToken: reset.body.resetToken, newPassword: 'short' }),
      422,
      'validation_failed',
    );
    expect(errorPaths(weak)).toContain('/newPassword');
    expect((await request(app).post('/v1/password-reset').send({ resetToken: reset.body.resetToken, newPassword: 'Strong-Enough-2026' })).status).toBe(204);
  });
});

describe('every web session of the user ends', () => {
  it('on a reset, on the user setting the new password, and on every password change', async () => {
    const m = await addUser(ctx.services, 'manufacturer', 'Sessions Sam', 'Acme Medical');
    const other = await addUser(ctx.services, 'manufacturer', 'Other Olga', 'Acme Medical');
    await signIn(m, TEST_PASSWORD);
    await signIn(m, TEST_PASSWORD);
    await signIn(other, TEST_PASSWORD);
    expect(await sessionsOf(m)).toBe(2);

    const reset = await api.post(ctx.users.admin, `/v1/users/${m.actor.id}/password-reset`, {});
    expect(reset.status, reset.text).toBe(200);
    expect(await sessionsOf(m)).toBe(0);
    expect(await sessionsOf(other)).toBe(1);
    // The old password no longer signs in.
    await expect(signIn(m, TEST_PASSWORD)).rejects.toThrow();

    expect((await request(app).post('/v1/password-reset').send({ resetToken: reset.body.resetToken, newPassword: 'Reset-Of-Mine-2026' })).status).toBe(204);
    await signIn(m, 'Reset-Of-Mine-2026');
    expect(await sessionsOf(m)).toBe(1);

    const changed = await api.post(m, '/v1/me/password', { currentPassword: 'Reset-Of-Mine-2026', newPassword: 'Changed-Again-2027' });
    expect(changed.status, changed.text).toBe(204);
    expect(await sessionsOf(m)).toBe(0);
    expect(await sessionsOf(other)).toBe(1);
    await signIn(m, 'Changed-Again-2027');
    expect(await sessionsOf(m)).toBe(1);
    const s = await api.create(m, body510k('Signed after the change'));
    expect((await api.event(m, s.id, { type: 'SUBMIT', signature: { ...signatureOf({ ...m, password: 'Changed-Again-2027' }) } })).status).toBe(200);
  });
});
