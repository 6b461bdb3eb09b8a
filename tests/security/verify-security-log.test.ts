/**
 * DESIGN §9: `audit verify` proves the security log too. GET /v1/audit/verify reports the security
 * log's chain beside the submissions', and an entry edited behind puente's back (append-only
 * trigger lifted, as an attacker with database access would) makes the whole answer `ok: false`,
 * located by seq. Real database, real HTTP through supertest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestContext } from '../support/fixtures.js';
import { tamper } from '../support/tamper.js';
import { Api, openTestApp } from '../http/helpers.js';

let ctx: TestContext, api: Api;

beforeAll(async () => ({ ctx, api } = await openTestApp()));
afterAll(async () => ctx?.close());

describe('audit verify checks the security log (DESIGN §9)', () => {
  it('an honest log verifies with its entry count; an edited entry fails verify, named by seq', async () => {
    // Something to log: an admin disables and re-enables a user.
    const target = ctx.users.otherManufacturer.actor.id;
    expect((await api.post(ctx.users.admin, `/v1/users/${target}/disable`, {})).status).toBeLessThan(300);
    expect((await api.post(ctx.users.admin, `/v1/users/${target}/enable`, {})).status).toBeLessThan(300);
    const honest = await api.get(ctx.users.auditor, '/v1/audit/verify');
    expect(honest.status, honest.text).toBe(200);
    expect(honest.body.ok).toBe(true);
    expect(honest.body.securityLog.ok).toBe(true);
    expect(honest.body.securityLog.entries).toBeGreaterThanOrEqual(2);

    const knex = ctx.services.db.knex;
    const row = (await knex('security_log').where({ type: 'user.disabled' }).first()) as { seq: number | string };
    await tamper(knex, 'security_log', () => knex('security_log').where({ seq: row.seq }).update({ subject_id: ctx.users.manufacturer.actor.id }));
    const forged = await api.get(ctx.users.auditor, '/v1/audit/verify');
    expect(forged.status).toBe(200);
    expect(forged.body.ok).toBe(false);
    expect(forged.body.failures).toEqual([]);
    expect(forged.body.securityLog.ok).toBe(false);
    expect(forged.body.securityLog.failures).toEqual([expect.objectContaining({ seq: Number(row.seq) })]);
  });
});
