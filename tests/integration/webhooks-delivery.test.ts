/**
 * Webhook delivery end to end on a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL)
 * and a real local HTTP receiver: the outbox filled in the command's transaction, signed
 * deliveries, retries with backoff, failure after the last attempt, filters, organization
 * isolation, deadline warnings once, a hanging receiver that blocks nothing, two dispatchers
 * racing, and no secret in the logs. Passes are driven explicitly and the dispatcher's clock is
 * advanced by hand: no assertion depends on timing.
 */
import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Database } from '../../src/store/db.js';
import { createWebhookDispatcher, type DispatcherOptions } from '../../src/webhooks/dispatcher.js';
import { Api, DEVICE, body510k, daysAgo, type Json, openTestApp } from '../http/helpers.js';
import { createTestDatabase } from '../support/db.js';
import { signatureOf, testApp, type TestContext, type TestUser } from '../support/fixtures.js';
import { startReceiver, type Answer, type Receiver } from '../support/receiver.js';

let ctx: TestContext, api: Api;
const receivers: Receiver[] = [];
/**
 * The dispatchers' clock: frozen at the time the file started, it moves only when a test moves it
 * to make retries due, so "not due yet" never depends on how fast the machine runs.
 */
let clockMs = Date.now();
const clock = () => new Date(clockMs);
const advance = (ms: number) => {
  clockMs += ms;
};
const silent = pino({ level: 'silent' });

function dispatcher(options: Partial<DispatcherOptions> = {}, db: Database = ctx.services.db, logger = silent) {
  // The receivers listen on 127.0.0.1: the fixtures' services allow private targets (WEBHOOK_ALLOW_PRIVATE_NETWORKS=true).
  return createWebhookDispatcher({
    db,
    logger,
    now: clock,
    addressPolicy: ctx.services.webhookAddressPolicy,
    options: { intervalMs: 0, timeoutMs: 5000, maxAttempts: 3, backoffMs: 1000, ...options },
  });
}

async function receiver(answer?: (r: { path: string }, i: number) => Answer): Promise<Receiver> {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
}

async function subscribe(user: TestUser, body: Json): Promise<Json> {
  const res = await api.post(user, '/v1/webhooks', body);
  expect(res.status, res.text).toBe(201);
  return res.body as Json;
}

async function deliveries(user: TestUser, id: string): Promise<Json[]> {
  const res = await api.get(user, `/v1/webhooks/${id}/deliveries`);
  expect(res.status, res.text).toBe(200);
  return res.body.items as Json[];
}

/** The signature recomputed independently of the server's code. */
function expectSigned(r: { headers: Record<string, unknown>; body: string }, secret: string): void {
  const ts = String(r.headers['puente-timestamp']);
  expect(ts).toMatch(/^\d+$/);
  const expected = `v1=${createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`;
  expect(r.headers['puente-signature']).toBe(expected);
  const wrong = `v1=${createHmac('sha256', `${secret}x`).update(`${ts}.${r.body}`).digest('hex')}`;
  expect(r.headers['puente-signature']).not.toBe(wrong);
}

beforeAll(async () => ({ ctx, api } = await openTestApp()), 60_000);

afterEach(async () => {
  // Each test starts with no subscriptions (their deliveries and warnings go with them) and an empty outbox.
  await ctx.services.db.knex('webhook_subscriptions').delete();
  await ctx.services.db.knex('outbox').delete();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

afterAll(async () => ctx?.close());

describe('webhook delivery', () => {
  it('delivers each committed event once, signed with the subscription secret, with the history record', async () => {
    const m = ctx.users.manufacturer;
    const rx = await receiver();
    const sub = await subscribe(m, { url: `${rx.url}/hooks/puente` });
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const s = await api.create(m, body510k('Signed 510(k)'));
    await api.send(m, s.id, 'SUBMIT', { effectiveAt: daysAgo(3) });
    // Committed, enqueued in the same transaction by the trigger, not yet sent.
    expect(rx.received).toHaveLength(0);
    expect(Number((await ctx.services.db.knex('outbox').count({ n: '*' }))[0]!.n)).toBe(2);

    const pass = await dispatcher().runOnce();
    expect(pass).toMatchObject({ enqueued: 2, attempted: 2, delivered: 2, retrying: 0, failed: 0 });
    expect(Number((await ctx.services.db.knex('outbox').count({ n: '*' }))[0]!.n)).toBe(0);
    expect(rx.received).toHaveLength(2);

    const history = await api.history(m, s.id);
    for (const r of rx.received) {
      expect(r.path).toBe('/hooks/puente');
      expect(r.headers['content-type']).toBe('application/json');
      expectSigned(r, sub.secret);
      const record = history.find((h) => h.id === r.json.id)!;
      expect(record, `payload id ${r.json.id} is a history record`).toBeDefined();
      expect(r.json).toEqual({
        id: record.id,
        type: record.type,
        occurredAt: record.recordedAt,
        submission: { id: s.id, workflow: { id: 'fda-510k', version: s.workflow.version }, organization: m.actor.organization, state: record.to },
        transition: record,
      });
      expect(r.headers['puente-event-id']).toBe(record.id);
      expect(r.headers['puente-event-type']).toBe(record.type);
    }
    expect(rx.received.map((r) => r.json.type).sort()).toEqual(['CREATED', 'SUBMIT']);

    const log = await deliveries(m, sub.id);
    expect(log).toHaveLength(2);
    for (const d of log) {
      expect(d).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200, lastError: null, nextAttemptAt: null, submissionId: s.id });
      expect(d.deliveredAt).toEqual(expect.any(String));
    }
    expect(log.map((d) => d.eventId).sort()).toEqual(rx.received.map((r) => r.json.id).sort());

    // Nothing is sent twice.
    expect(await dispatcher().runOnce()).toMatchObject({ enqueued: 0, attempted: 0 });
    expect(rx.received).toHaveLength(2);
  });

  it('retries after a 500 with exponential backoff, then delivers the same signed body', async () => {
    const m = ctx.users.manufacturer;
    const rx = await receiver((_r, i) => (i === 0 ? 500 : 200));
    const sub = await subscribe(m, { url: rx.url, eventTypes: ['SUBMIT'] });
    const s = await api.create(m, body510k('Retried 510(k)'));
    await api.send(m, s.id, 'SUBMIT', { effectiveAt: daysAgo(2) });
    const d = dispatcher({ backoffMs: 1000, maxAttempts: 5 });

    expect(await d.runOnce()).toMatchObject({ enqueued: 1, attempted: 1, delivered: 0, retrying: 1 });
    let [entry] = await deliveries(m, sub.id);
    expect(entry).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500', deliveredAt: null });
    const retryAt = Date.parse(entry!.nextAttemptAt);
    expect(retryAt - clock().getTime()).toBeGreaterThan(0);
    expect(retryAt - clock().getTime()).toBeLessThanOrEqual(1000);

    // Not due yet: nothing is sent.
    expect(await d.runOnce()).toMatchObject({ attempted: 0 });
    expect(rx.received).toHaveLength(1);

    advance(1000);
    expect(await d.runOnce()).toMatchObject({ attempted: 1, delivered: 1 });
    [entry] = await deliveries(m, sub.id);
    expect(entry).toMatchObject({ status: 'delivered', attempts: 2, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
    expect(rx.received).toHaveLength(2);
    expect(rx.received[1]!.body).toBe(rx.received[0]!.body);
    expect(rx.received.map((r) => r.headers['puente-delivery-attempt'])).toEqual(['1', '2']);
    for (const r of rx.received) expectSigned(r, sub.secret);
  });

  it('fails the delivery after the last attempt, doubling the delay, and records it in the delivery log', async () => {
    const m = ctx.users.manufacturer;
    const rx = await receiver(() => 503);
    const sub = await subscribe(m, { url: rx.url, eventTypes: ['CREATED'] });
    await api.create(m, body510k('Failing receiver'));
    const d = dispatcher({ backoffMs: 1000, maxAttempts: 3 });

    expect(await d.runOnce()).toMatchObject({ attempted: 1, retrying: 1 });
    let [entry] = await deliveries(m, sub.id);
    expect(Date.parse(entry!.nextAttemptAt) - Date.parse(entry!.updatedAt)).toBe(1000);
    advance(1000);
    expect(await d.runOnce()).toMatchObject({ attempted: 1, retrying: 1 });
    [entry] = await deliveries(m, sub.id);
    expect(Date.parse(entry!.nextAttemptAt) - Date.parse(entry!.updatedAt)).toBe(2000);
    advance(2000);
    expect(await d.runOnce()).toMatchObject({ attempted: 1, failed: 1, retrying: 0 });
    [entry] = await deliveries(m, sub.id);
    expect(entry).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastStatusCode: 503,
      lastError: 'HTTP 503',
      nextAttemptAt: null,
      deliveredAt: null,
      type: 'CREATED',
    });

    advance(3_600_000);
    expect(await d.runOnce()).toMatchObject({ attempted: 0 });
    expect(rx.received).toHaveLength(3);
  });

  it('filters by event types and workflows', async () => {
    const m = ctx.users.manufacturer;
    const rx = await receiver();
    const bySubmit = await subscribe(m, { url: `${rx.url}/submit`, eventTypes: ['SUBMIT'] });
    const byDeNovo = await subscribe(m, { url: `${rx.url}/de-novo`, workflows: ['fda-de-novo'] });
    const both = await subscribe(m, { url: `${rx.url}/510k-created`, workflows: ['fda-510k'], eventTypes: ['CREATED'] });

    const k = await api.create(m, body510k('Filtered 510(k)'));
    await api.send(m, k.id, 'SUBMIT', { effectiveAt: daysAgo(2) });
    const dn = await api.create(m, {
      workflow: 'fda-de-novo',
      title: 'Filtered De Novo',
      device: { ...DEVICE, productCode: 'LTC' },
      input: { format: 'eCopy' },
    });
    await api.send(m, dn.id, 'SUBMIT', { effectiveAt: daysAgo(2) });

    expect(await dispatcher().runOnce()).toMatchObject({ enqueued: 5, delivered: 5 });
    const got = (path: string) =>
      rx.received
        .filter((r) => r.path === path)
        .map((r) => `${r.json.submission.workflow.id} ${r.json.type}`)
        .sort();
    expect(got('/submit')).toEqual(['fda-510k SUBMIT', 'fda-de-novo SUBMIT']);
    expect(got('/de-novo')).toEqual(['fda-de-novo CREATED', 'fda-de-novo SUBMIT']);
    expect(got('/510k-created')).toEqual(['fda-510k CREATED']);
    expect((await deliveries(m, bySubmit.id)).length).toBe(2);
    expect((await deliveries(m, byDeNovo.id)).length).toBe(2);
    expect((await deliveries(m, both.id)).length).toBe(1);
  });

  it("manufacturers never receive another organization's events; admins choose all or one", async () => {
    const { manufacturer: acme, otherManufacturer: beta, admin } = ctx.users;
    const rx = await receiver();
    await subscribe(acme, { url: `${rx.url}/acme` });
    await subscribe(beta, { url: `${rx.url}/beta` });
    await subscribe(admin, { url: `${rx.url}/admin-all` });
    await subscribe(admin, { url: `${rx.url}/admin-beta`, organization: beta.actor.organization!.id });

    const a = await api.create(acme, body510k('Acme private 510(k)'));
    const b = await api.create(beta, body510k('Beta private 510(k)'));
    await api.send(beta, b.id, 'SUBMIT', { effectiveAt: daysAgo(1) });

    await dispatcher().runOnce();
    const ids = (path: string) =>
      rx.received
        .filter((r) => r.path === path)
        .map((r) => `${r.json.submission.id} ${r.json.type}`)
        .sort();
    expect(ids('/acme')).toEqual([`${a.id} CREATED`]);
    expect(ids('/beta')).toEqual([`${b.id} CREATED`, `${b.id} SUBMIT`].sort());
    expect(ids('/admin-all')).toEqual([`${a.id} CREATED`, `${b.id} CREATED`, `${b.id} SUBMIT`].sort());
    expect(ids('/admin-beta')).toEqual([`${b.id} CREATED`, `${b.id} SUBMIT`].sort());
    for (const r of rx.received.filter((x) => x.path === '/acme')) expect(r.body).not.toContain('Beta');
  });

  it('sends one deadline warning per deadline and due date, across passes and dispatchers', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const rx = await receiver();
    // An AI request 175 days ago: the 180-day response deadline is about 5 days away.
    const s = await api.create(m, body510k('Deadline 510(k)'));
    await api.send(m, s.id, 'SUBMIT', { effectiveAt: daysAgo(200) });
    await api.send(fda, s.id, 'FEE_VERIFIED', { effectiveAt: daysAgo(199) });
    await api.send(fda, s.id, 'SCREEN_PASS', { effectiveAt: daysAgo(190) });
    await api.send(fda, s.id, 'REQUEST_AI', { effectiveAt: daysAgo(175), data: { deficiencies: ['Provide ISO 10993-1 biocompatibility data'] } });
    const [deadline] = (await api.submission(m, s.id)).deadlines as Json[];
    expect(deadline).toMatchObject({ kind: 'aiResponse', event: 'AI_TIMEOUT' });

    const warned = await subscribe(m, { url: `${rx.url}/warn`, eventTypes: [], deadlineWarningDays: 10 });
    const tooFar = await subscribe(m, { url: `${rx.url}/far`, eventTypes: [], deadlineWarningDays: 1 });
    const other = await subscribe(ctx.users.otherManufacturer, { url: `${rx.url}/beta`, eventTypes: [], deadlineWarningDays: 30 });
    const second = openDatabase(ctx.database.url);
    try {
      const first = await dispatcher().runOnce();
      const again = await dispatcher().runOnce();
      const elsewhere = await dispatcher({}, second).runOnce();
      expect(first.warned).toBe(1);
      expect(again.warned + elsewhere.warned).toBe(0);
    } finally {
      await second.destroy();
    }
    const warnings = rx.received.filter((r) => r.json.type === 'deadline.warning');
    expect(warnings.map((r) => r.path)).toEqual(['/warn']);
    const w = warnings[0]!;
    expectSigned(w, warned.secret);
    expect(w.json).toMatchObject({
      type: 'deadline.warning',
      submission: { id: s.id, workflow: { id: 'fda-510k' }, organization: m.actor.organization, state: 'aiHold' },
      deadline: { kind: 'aiResponse', dueDate: deadline!.dueDate, event: 'AI_TIMEOUT', daysLeft: expect.any(Number) },
    });
    expect(w.json.deadline.daysLeft).toBeGreaterThanOrEqual(2);
    expect(w.json.deadline.daysLeft).toBeLessThanOrEqual(10);
    expect(await deliveries(m, warned.id)).toEqual([expect.objectContaining({ type: 'deadline.warning', status: 'delivered', eventId: w.json.id })]);
    expect(await deliveries(m, tooFar.id)).toEqual([]);
    expect(await deliveries(ctx.users.otherManufacturer, other.id)).toEqual([]);
  });

  it('a hanging receiver blocks no command; the attempt ends as a timeout', async () => {
    const m = ctx.users.manufacturer;
    const rx = await receiver(() => 'hang');
    const sub = await subscribe(m, { url: rx.url, eventTypes: ['CREATED'] });
    const s = await api.create(m, body510k('Hanging receiver'));
    let settled = false;
    const pass = dispatcher({ timeoutMs: 300, maxAttempts: 1 })
      .runOnce()
      .finally(() => {
        settled = true;
      });
    await rx.next(); // the receiver holds the request open from here on
    const res = await api.event(m, s.id, { type: 'SUBMIT', effectiveAt: daysAgo(1), signature: signatureOf(m) });
    expect(res.status, res.text).toBe(200);
    expect(await api.create(m, body510k('Created while a delivery hangs'))).toMatchObject({ state: 'draft' });
    expect(settled).toBe(false); // the commands returned while the delivery was still in flight
    expect(await pass).toMatchObject({ attempted: 1, failed: 1 });
    const [entry] = await deliveries(m, sub.id);
    expect(entry).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: null, lastError: 'timeout after 300 ms' });
  });

  it('two dispatchers racing deliver each event exactly once', async () => {
    const m = ctx.users.manufacturer;
    const rx = await receiver();
    const sub = await subscribe(m, { url: rx.url, eventTypes: ['CREATED', 'SUBMIT'] });
    const created: string[] = [];
    for (let i = 0; i < 15; i++) {
      const s = await api.create(m, body510k(`Raced ${i}`));
      created.push(s.id);
      if (i % 3 === 0) await api.send(m, s.id, 'SUBMIT', { effectiveAt: daysAgo(1) });
    }
    const second = openDatabase(ctx.database.url);
    try {
      const [d1, d2] = [dispatcher(), dispatcher({}, second)];
      const passes = [...(await Promise.all([d1.runOnce(), d2.runOnce()])), ...(await Promise.all([d1.runOnce(), d2.runOnce()]))];
      const sum = (k: 'enqueued' | 'attempted' | 'delivered') => passes.reduce((n, p) => n + p[k], 0);
      expect(sum('enqueued')).toBe(20);
      expect(sum('attempted')).toBe(20);
      expect(sum('delivered')).toBe(20);
    } finally {
      await second.destroy();
    }
    const byEvent = new Map<string, number>();
    for (const r of rx.received) byEvent.set(String(r.headers['puente-event-id']), (byEvent.get(String(r.headers['puente-event-id'])) ?? 0) + 1);
    expect(byEvent.size).toBe(20);
    expect([...byEvent.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(rx.received.map((r) => r.json.submission.id))).toEqual(new Set(created));
    const log = await deliveries(m, sub.id);
    expect(log).toHaveLength(20);
    expect(log.every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
  });

  it('never writes the signing secret to the log, from the API or the dispatcher', async () => {
    const chunks: string[] = [];
    const logger = pino(
      { level: 'trace' },
      new Writable({
        write(c: Buffer | string, _e, cb) {
          chunks.push(c.toString());
          cb();
        },
      }),
    );
    const logged = new Api(testApp(ctx, logger));
    const m = ctx.users.manufacturer;
    const rx = await receiver((_r, i) => (i === 0 ? 500 : 200));
    const res = await logged.post(m, '/v1/webhooks', { url: rx.url, eventTypes: ['CREATED'] });
    expect(res.status, res.text).toBe(201);
    const secret = res.body.secret as string;
    expect((await logged.get(m, `/v1/webhooks/${res.body.id}`)).body.secret).toBeUndefined();
    expect(((await logged.get(m, '/v1/webhooks')).body.items as Json[]).every((w) => w.secret === undefined)).toBe(true);
    await logged.create(m, body510k('Logged webhook'));
    const d = dispatcher({ backoffMs: 0 }, ctx.services.db, logger);
    await d.runOnce();
    advance(1);
    await d.runOnce();
    const out = chunks.join('');
    expect(out).toContain('webhook delivery attempt failed');
    expect(out).toContain('webhook pass');
    expect(out).not.toContain(secret);
    expect(out).not.toContain(secret.slice('whsec_'.length));
    expect(rx.received).toHaveLength(2);
  });
});

describe('migration 004-webhooks', () => {
  it('rolls back and applies again on this dialect', async () => {
    const database = await createTestDatabase();
    const db = openDatabase(database.url);
    try {
      await migrate(db);
      const has = async () =>
        Promise.all(['webhook_subscriptions', 'outbox', 'webhook_deliveries', 'webhook_deadline_warnings'].map((t) => db.knex.schema.hasTable(t)));
      expect(await has()).toEqual([true, true, true, true]);
      await db.knex.migrate.down({ name: '004-webhooks' });
      expect(await has()).toEqual([false, false, false, false]);
      await migrate(db);
      expect(await has()).toEqual([true, true, true, true]);
    } finally {
      await db.destroy();
      await database.drop();
    }
  });
});
