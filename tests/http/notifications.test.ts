/**
 * E-mail notification preferences (issue 16 §2; DESIGN §10): GET and PUT /v1/me/notifications
 * over HTTP on a real database, bad input answered as problem+json naming the field's pointer,
 * what a PUT stores for the mail (language, the origin its links point at), and the web's
 * Notifications page with its CSRF check.
 */
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, errorPaths, expectProblem, type Json, openTestApp } from './helpers.js';
import { addUser, type TestContext, type TestUser } from '../support/fixtures.js';
import { browse } from '../support/web-agent.js';
import { insertUser } from '../../src/store/users-store.js';
import { newToken } from '../../src/http/auth.js';

let ctx: TestContext, api: Api, app: Express;
/** A user whose account has an e-mail address (the fixtures' users have none). */
let withEmail: TestUser;

const put = (user: TestUser, body: unknown, headers: Record<string, string> = {}) =>
  request(app)
    .put('/v1/me/notifications')
    .set(user.auth)
    .set(headers)
    .send(body as object);

beforeAll(async () => {
  ({ ctx, api, app } = await openTestApp());
  const { token, tokenHash } = newToken();
  const org = ctx.users.manufacturer.actor.organization;
  const u = await insertUser(ctx.services.db.knex, {
    name: 'Elena Email',
    role: 'manufacturer',
    organization: org,
    tokenHash,
    now: new Date().toISOString(),
    email: 'Elena@Acme.test',
  });
  withEmail = {
    actor: { id: u.id, name: u.name, role: u.role, organization: u.organization },
    token,
    password: null,
    auth: { Authorization: `Bearer ${token}` },
  };
}, 60_000);

afterAll(async () => ctx?.close());

describe('GET /v1/me/notifications', () => {
  it('answers the defaults until the user chooses: off, 14 days, the account address, the asked language, mail off on this server', async () => {
    const res = await api.get(ctx.users.fda, '/v1/me/notifications');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ mode: 'off', digestDaysAhead: 14, email: null, sendsTo: null, language: 'en', mailEnabled: false });
    const es = await api.get(ctx.users.fda, '/v1/me/notifications').set('Accept-Language', 'es-MX,es;q=0.9');
    expect(es.body.language).toBe('es');
    expect((await api.get(withEmail, '/v1/me/notifications')).body).toMatchObject({ email: null, sendsTo: 'elena@acme.test' });
  });

  it('needs a bearer token and takes no query', async () => {
    expectProblem(await request(app).get('/v1/me/notifications'), 401, 'unauthenticated');
    const res = expectProblem(await api.get(ctx.users.fda, '/v1/me/notifications?mode=off'), 422, 'validation_failed');
    expect(errorPaths(res)).toEqual(['/mode']);
  });
});

describe('PUT /v1/me/notifications', () => {
  it('replaces the preferences and answers them as saved; GET reads them back', async () => {
    const u = await addUser(ctx.services, 'cofepris', 'Revisora Put');
    const res = await put(u, { mode: 'digest', digestDaysAhead: 30, email: 'Revisora@COFEPRIS.test' }, { 'Accept-Language': 'es', Host: 'puente.example.mx' });
    expect(res.status, res.text).toBe(200);
    const saved = {
      mode: 'digest',
      digestDaysAhead: 30,
      email: 'revisora@cofepris.test',
      sendsTo: 'revisora@cofepris.test',
      language: 'es',
      mailEnabled: false,
    };
    expect(res.body).toEqual(saved);
    expect((await api.get(u, '/v1/me/notifications')).body).toEqual(saved);
    // What the mail needs beside: the origin its links point at, and the language.
    const row = await ctx.services.db.knex('notification_preferences').where({ user_id: u.actor.id }).first();
    expect(row).toMatchObject({ mode: 'digest', lang: 'es', base_url: 'http://puente.example.mx' });

    // A PUT replaces: left-out fields take their defaults (the account address, 14 days, the asked language).
    const again = await put(u, { mode: 'off' });
    expect(again.body).toEqual({ mode: 'off', digestDaysAhead: 14, email: null, sendsTo: null, language: 'en', mailEnabled: false });
    expect((await put(u, { mode: 'immediate', email: 'r@cofepris.test', language: 'es' })).body).toMatchObject({ mode: 'immediate', language: 'es' });
  });

  it('lets a user with an account address choose immediate mail without naming one', async () => {
    const res = await put(withEmail, { mode: 'immediate' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ mode: 'immediate', email: null, sendsTo: 'elena@acme.test' });
  });

  it.each([
    [{ mode: 'weekly' }, ['/mode']],
    [{}, ['/mode']],
    [{ mode: 'digest', email: 'x@y.test', digestDaysAhead: 0 }, ['/digestDaysAhead']],
    [{ mode: 'digest', email: 'x@y.test', digestDaysAhead: 91 }, ['/digestDaysAhead']],
    [{ mode: 'digest', email: 'x@y.test', digestDaysAhead: '14' }, ['/digestDaysAhead']],
    [{ mode: 'digest', email: 'x@y.test', digestDaysAhead: 2.5 }, ['/digestDaysAhead']],
    [{ mode: 'immediate', email: 'not an address' }, ['/email']],
    [{ mode: 'immediate', email: 'a@b' }, ['/email']],
    [{ mode: 'immediate', email: `${'a'.repeat(250)}@b.test` }, ['/email']],
    [{ mode: 'immediate', email: 'x@y.test', language: 'fr' }, ['/language']],
    [{ mode: 'off', frequency: 'daily' }, ['/frequency']],
  ] as Array<[Json, string[]]>)('refuses %j with 422 at %j', async (body, paths) => {
    const before = await ctx.services.db.knex('notification_preferences').where({ user_id: ctx.users.auditor.actor.id }).first();
    const res = expectProblem(await put(ctx.users.auditor, body), 422, 'validation_failed');
    for (const p of paths) expect(errorPaths(res)).toContain(p);
    expect(res.detail).toMatch(/^The notification preferences are invalid/);
    // Nothing stored.
    expect(await ctx.services.db.knex('notification_preferences').where({ user_id: ctx.users.auditor.actor.id }).first()).toEqual(before);
  });

  it('refuses immediate or digest mail without any address, at /email, in the language asked for', async () => {
    for (const mode of ['immediate', 'digest']) {
      const res = expectProblem(await put(ctx.users.fda, { mode }), 422, 'validation_failed');
      expect(res.errors).toEqual([{ path: '/email', message: expect.stringMatching(/your account has no e-mail address/) }]);
    }
    const es = expectProblem(await put(ctx.users.fda, { mode: 'digest' }, { 'Accept-Language': 'es' }), 422, 'validation_failed');
    expect(es.detail).toMatch(/su cuenta no tiene/);
    expect(es.errors[0].path).toBe('/email');
    expect(await ctx.services.db.knex('notification_preferences').where({ user_id: ctx.users.fda.actor.id }).first()).toBeUndefined();
  });

  it('answers 400 for broken JSON, 415 for another media type, 401 without a token', async () => {
    expectProblem(await put(ctx.users.fda, '{"mode":').set('Content-Type', 'application/json'), 400, 'malformed_json');
    expectProblem(await put(ctx.users.fda, 'mode=off').set('Content-Type', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type');
    expectProblem(await request(app).put('/v1/me/notifications').send({ mode: 'off' }), 401, 'unauthenticated');
    const res = expectProblem(await request(app).post('/v1/me/notifications').set(ctx.users.fda.auth).send({}), 405, 'method_not_allowed');
    expect(res).toBeDefined();
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await request(app).get('/openapi.json')).body as Json;
    expect(Object.keys(doc.paths['/v1/me/notifications']).sort()).toEqual(['get', 'put']);
    expect(doc.components.schemas.NotificationPreferences).toBeDefined();
    expect(doc.components.schemas.PutNotificationPreferences.required).toEqual(['mode']);
  });
});

describe('the Notifications page', () => {
  it.each(['en', 'es'] as const)('saves the form with CSRF, and shows refusals next to their field (%s)', async (lang) => {
    const user = await addUser(ctx.services, 'fda', `Web Reviewer ${lang}`);
    const b = await browse(app, user);
    const html = (p: request.Test) => p.set('Accept', 'text/html').set('Cookie', `puente_lang=${lang}`);
    const page = await html(b.agent.get('/notifications'));
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain('href="/notifications"');
    expect(page.text).toContain(lang === 'es' ? 'Notificaciones por correo' : 'E-mail notifications');
    expect(page.text).toContain('id="mail-off"');
    expect(page.text).toMatch(/id="mode-off" name="mode" value="off" checked/);

    // Without the session's CSRF token: refused, nothing stored.
    expect((await html(b.agent.post('/notifications').type('form').send({ _csrf: 'wrong', mode: 'digest', email: 'w@fda.test' }))).status).toBe(403);
    expect(await ctx.services.db.knex('notification_preferences').where({ user_id: user.actor.id }).first()).toBeUndefined();

    // A refused form: 422, the typed values kept, the message at its field.
    const bad = await html(b.agent.post('/notifications').type('form').send({ _csrf: b.csrf, mode: 'digest', digestDaysAhead: '400', email: 'w@fda.test' }));
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('id="digestDaysAhead-error"');
    expect(bad.text).toMatch(/id="digestDaysAhead"[^>]*value="400"[^>]*aria-describedby="digestDaysAhead-hint digestDaysAhead-error" aria-invalid="true"/);
    expect(bad.text).toMatch(/id="mode-digest" name="mode" value="digest" checked/);
    const noAddress = await html(b.agent.post('/notifications').type('form').send({ _csrf: b.csrf, mode: 'immediate', email: '' }));
    expect(noAddress.status).toBe(422);
    expect(noAddress.text).toContain('id="email-error"');
    expect(noAddress.text).toContain(lang === 'es' ? 'su cuenta no tiene dirección de correo' : 'your account has no e-mail address');

    const ok = await html(
      b.agent.post('/notifications').type('form').send({ _csrf: b.csrf, mode: 'digest', digestDaysAhead: '21', email: 'W@FDA.test', language: lang }),
    );
    expect(ok.status, ok.text).toBe(303);
    expect(ok.headers.location).toBe('/notifications?saved=1');
    const after = await html(b.agent.get('/notifications?saved=1'));
    expect(after.text).toContain(lang === 'es' ? 'Se guardaron sus preferencias' : 'Your notification preferences were saved.');
    expect(after.text).toMatch(/id="mode-digest" name="mode" value="digest" checked/);
    expect(after.text).toMatch(/id="digestDaysAhead"[^>]*value="21"/);
    expect(after.text).toContain('w@fda.test');
    expect((await api.get(user, '/v1/me/notifications')).body).toMatchObject({ mode: 'digest', digestDaysAhead: 21, email: 'w@fda.test', language: lang });
  });
});
