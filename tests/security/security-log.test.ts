/**
 * Issue 8 §3 and §8 (21 CFR 11.10(e), 11.300): user lifecycle and security actions go to an
 * append-only, hash-chained security log that auditors read and export and that verification
 * recomputes. Admin actions carry the admin's identity; refused admin actions and refused
 * signatures are entries too. Real HTTP on a real database (SQLite, or PostgreSQL with
 * TEST_DATABASE_URL); tampering is done with raw SQL, as someone with database access would.
 */
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPostgres } from '../../src/store/sql.js';
import { verifySecurityLog } from '../../src/security-log.js';
import { createKnexStores } from '../../src/store/stores.js';
import { DIALECT } from '../support/db.js';
import { addUser, createTestContext, testApp, type TestContext, type TestUser } from '../support/fixtures.js';
import { Api, errorPaths, expectProblem, type Json } from '../http/helpers.js';

let ctx: TestContext;
let app: Express;
let api: Api;

beforeAll(async () => {
  ctx = await createTestContext();
  app = testApp(ctx);
  api = new Api(app);
});
afterAll(async () => ctx?.close());

async function entries(query = ''): Promise<Json[]> {
  const items: Json[] = [];
  let cursor: string | null = null;
  do {
    const res = await api.get(ctx.users.auditor, `/v1/audit/security-log?limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status, res.text).toBe(200);
    items.push(...(res.body.items as Json[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return items;
}

const adminIdentity = () => ({ id: ctx.users.admin.actor.id, name: 'Ada Admin', role: 'admin' });

describe('every lifecycle and security action appends an entry', () => {
  let target: TestUser;
  beforeAll(async () => {
    target = await addUser(ctx.services, 'fda', 'Dr. Logged Lifecycle');
  });

  it('admin actions over the API carry the admin’s identity', async () => {
    const admin = ctx.users.admin;
    const id = target.actor.id;
    expect((await api.post(admin, `/v1/users/${id}/signing-unlock`, {})).status).toBe(200);
    expect((await api.post(admin, `/v1/users/${id}/password-reset`, {})).status).toBe(200);
    expect((await api.post(admin, `/v1/users/${id}/token`, {})).status).toBe(200);
    expect((await api.post(admin, `/v1/users/${id}/disable`, {})).status).toBe(200);
    expect((await api.post(admin, `/v1/users/${id}/enable`, {})).status).toBe(200);
    const mine = await entries(`&user=${id}`);
    expect(mine.map((e) => e.type)).toEqual(['signing.unlocked', 'password.reset_issued', 'token.rotated', 'user.disabled', 'user.enabled']);
    for (const e of mine) {
      expect(e.subject).toBe(id);
      expect(e.actor).toEqual(adminIdentity());
      expect(e.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    }
    // Never a credential or token in an entry.
    expect(JSON.stringify(mine)).not.toMatch(/pwr_|pte_/);
  });

  it('a user’s own password set and change, and token rotation, carry the user’s identity', async () => {
    const u = await addUser(ctx.services, 'manufacturer', 'Nora Newpass', 'Acme Medical', { password: null });
    expect((await api.post(u, '/v1/me/password', { newPassword: 'First-Of-Mine-2026' })).status).toBe(204);
    expect((await api.post(u, '/v1/me/password', { currentPassword: 'First-Of-Mine-2026', newPassword: 'Second-Of-Mine-2026' })).status).toBe(204);
    const rotated = await api.post(u, '/v1/me/token', {});
    expect(rotated.status, rotated.text).toBe(200);
    const mine = await entries(`&user=${u.actor.id}`);
    expect(mine.map((e) => e.type)).toEqual(['password.set', 'password.changed', 'token.rotated']);
    for (const e of mine) expect(e.actor).toEqual({ id: u.actor.id, name: 'Nora Newpass', role: 'manufacturer' });
  });

  it('refusals are entries: a non-admin’s admin action, an admin setting a password, a wrong or locked password', async () => {
    const victim = await addUser(ctx.services, 'cofepris', 'Lic. Refusals');
    const intruder = ctx.users.manufacturer;
    expectProblem(await api.post(intruder, `/v1/users/${victim.actor.id}/signing-unlock`, {}), 403, 'forbidden');
    expectProblem(await api.post(intruder, `/v1/users/${victim.actor.id}/disable`, {}), 403, 'forbidden');
    expectProblem(await api.post(intruder, `/v1/users/${victim.actor.id}/token`, {}), 403, 'forbidden');
    expectProblem(
      await api.post(ctx.users.admin, `/v1/users/${victim.actor.id}/signing-unlock`, { newPassword: 'Admin-Sets-It-2026' }),
      422,
      'validation_failed',
    );
    expectProblem(
      await api.post(victim, '/v1/me/password', { currentPassword: 'Not-My-Password-1', newPassword: 'Whatever-Else-2026' }),
      401,
      'signature_invalid',
    );
    const refused = await entries(`&user=${victim.actor.id}`);
    expect(refused.map((e) => [e.type, e.data.action ?? e.data.status])).toEqual([
      ['admin.refused', 'signing.unlock'],
      ['admin.refused', 'user.disable'],
      ['admin.refused', 'token.rotate'],
      ['admin.refused', 'password.set'],
      ['signing.refused', 401],
    ]);
    expect(refused[0]!.actor).toEqual({ id: intruder.actor.id, name: intruder.actor.name, role: 'manufacturer' });
    expect(refused[3]!.actor).toEqual(adminIdentity());
    expect(refused[4]!.actor).toMatchObject({ id: victim.actor.id });
    // The exported function H3's signing path calls records a 423 too.
    await ctx.services.securityLog.signingRefused(victim.actor, 423, { during: 'signing' });
    const last = (await entries(`&user=${victim.actor.id}&type=signing.refused`)).at(-1)!;
    expect(last.data).toEqual({ status: 423, during: 'signing' });
  });
});

describe('the chain', () => {
  it('anyone can recompute every hash from the served entries (JCS, SHA-256), and verifySecurityLog agrees', async () => {
    const all = await entries();
    expect(all.length).toBeGreaterThan(10);
    let prev = '0'.repeat(64);
    all.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      expect(e.prevHash).toBe(prev);
      const { hash, ...rest } = e;
      expect(createHash('sha256').update(canonicalize(rest)!).digest('hex')).toBe(hash);
      prev = hash as string;
    });
    expect(await ctx.services.securityLog.verify()).toEqual({ ok: true, entries: all.length, breaks: [] });
  });

  it('UPDATE and DELETE are refused by the database; a tampered entry (trigger removed) is found by verifySecurityLog', async () => {
    const knex = ctx.services.db.knex;
    await expect(knex('security_log').where({ seq: 2 }).update({ actor_name: 'Someone Else' })).rejects.toThrow(/append-only/);
    await expect(knex('security_log').where({ seq: 2 }).delete()).rejects.toThrow(/append-only/);
    expect((await ctx.services.securityLog.verify()).ok).toBe(true);

    // Someone with the database's owner rights removes the guard and rewrites who acted.
    if (isPostgres(knex)) await knex.raw('ALTER TABLE security_log DISABLE TRIGGER security_log_append_only');
    else await knex.raw('DROP TRIGGER security_log_no_update');
    try {
      await knex('security_log').where({ seq: 2 }).update({ actor_name: 'Someone Else' });
      const v = await verifySecurityLog(createKnexStores(ctx.services.db).securityLog);
      expect(v.ok).toBe(false);
      expect(v.breaks).toEqual([{ seq: 2, reason: 'hash does not match the entry' }]);
    } finally {
      await knex('security_log').where({ seq: 2 }).update({ actor_name: 'Ada Admin' });
      if (isPostgres(knex)) await knex.raw('ALTER TABLE security_log ENABLE TRIGGER security_log_append_only');
      else
        await knex.raw(
          "CREATE TRIGGER security_log_no_update BEFORE UPDATE ON security_log BEGIN SELECT RAISE(ABORT, 'puente: security_log is append-only: UPDATE rejected'); END",
        );
    }
    expect((await ctx.services.securityLog.verify()).ok).toBe(true);
  });

  it('concurrent appends stay one line (seq without gaps, each prevHash its predecessor)', async () => {
    const before = (await ctx.services.securityLog.verify()).entries;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => ctx.services.securityLog.adminRefused(ctx.users.fda.actor, 'concurrency.probe', null, `attempt ${i}`)),
    );
    const v = await ctx.services.securityLog.verify();
    expect(v).toEqual({ ok: true, entries: before + 12, breaks: [] });
  });
});

describe('GET /v1/audit/security-log and its export', () => {
  it('auditors and admins read it; other roles get 403; no token 401', async () => {
    expect((await api.get(ctx.users.auditor, '/v1/audit/security-log')).status).toBe(200);
    expect((await api.get(ctx.users.admin, '/v1/audit/security-log')).status).toBe(200);
    for (const who of [ctx.users.manufacturer, ctx.users.fda, ctx.users.cofepris]) {
      expectProblem(await api.get(who, '/v1/audit/security-log'), 403, 'forbidden');
      expectProblem(await api.get(who, '/v1/audit/security-log/export'), 403, 'forbidden');
    }
    expectProblem(await request(app).get('/v1/audit/security-log'), 401, 'unauthenticated');
  });

  it('pages by keyset (limit, cursor) and filters by user and type', async () => {
    const first = await api.get(ctx.users.auditor, '/v1/audit/security-log?limit=2');
    expect(first.body.items.map((e: Json) => e.seq)).toEqual([1, 2]);
    const second = await api.get(ctx.users.auditor, `/v1/audit/security-log?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((e: Json) => e.seq)).toEqual([3, 4]);
    const typed = await entries('&type=password.reset_issued');
    expect(typed.length).toBeGreaterThan(0);
    expect(typed.every((e) => e.type === 'password.reset_issued')).toBe(true);
  });

  it('bad query parameters are 422 problems with their pointers', async () => {
    const cases: Array<[string, string]> = [
      ['limit=0', '/limit'],
      ['limit=201', '/limit'],
      ['limit=abc', '/limit'],
      ['cursor=!!', '/cursor'],
      [`cursor=${Buffer.from('nope').toString('base64url')}`, '/cursor'],
      ['type=user.deleted', '/type'],
      ['user=%20', '/user'],
      ['extra=1', '/extra'],
    ];
    for (const [q, path] of cases) {
      const body = expectProblem(await api.get(ctx.users.auditor, `/v1/audit/security-log?${q}`), 422, 'validation_failed');
      expect(errorPaths(body), q).toEqual([path]);
    }
    const exp = expectProblem(await api.get(ctx.users.auditor, '/v1/audit/security-log/export?limit=5'), 422, 'validation_failed');
    expect(errorPaths(exp)).toEqual(['/limit']);
  });

  it('exports every matching entry as JSONL, one entry per line as the list serves it', async () => {
    const res = await api
      .get(ctx.users.auditor, '/v1/audit/security-log/export')
      .buffer(true)
      .parse((r, cb) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString()));
        r.on('end', () => cb(null, text));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="puente-security-log-\d{8}T\d{6}Z\.jsonl"$/);
    const lines = (res.body as string)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
    expect(lines).toEqual(await entries());
  });
});

describe('append-only on this dialect', () => {
  it(`the trigger exists on ${DIALECT}`, async () => {
    const knex = ctx.services.db.knex;
    const names = isPostgres(knex)
      ? (await knex.raw("select tgname as name from pg_trigger where tgrelid = 'security_log'::regclass and not tgisinternal")).rows
      : await knex.raw("select name from sqlite_master where type = 'trigger' and tbl_name = 'security_log'");
    expect((names as Array<{ name: string }>).map((r) => r.name).sort()).toEqual(
      isPostgres(knex) ? ['security_log_append_only', 'security_log_no_truncate'] : ['security_log_no_delete', 'security_log_no_update'],
    );
  });
});
