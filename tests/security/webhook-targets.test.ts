/**
 * Issue 8 §5: webhooks cannot be pointed inside. With WEBHOOK_ALLOW_PRIVATE_NETWORKS off (the
 * default), a subscription to a loopback, link-local (metadata), private, unique-local,
 * multicast or unspecified address, in any spelling the URL parser accepts, or to a name that
 * resolves to one, is refused with 422 at /url and writes nothing; puente's own address is
 * refused whatever the setting. At delivery the check runs again inside the connection's own DNS
 * lookup, so a name that resolves inside by then (DNS rebinding) is never contacted; and the
 * delivery log keeps a generic error, never the receiver's words or puente's internals.
 *
 * Real database (SQLite, or PostgreSQL with TEST_DATABASE_URL), real HTTP receivers on
 * 127.0.0.1; name resolution is injected where a test needs a name to change its answer.
 */
import type { LookupAddress } from 'node:dns';
import net from 'node:net';
import type { Express } from 'express';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createAddressPolicy, embeddedIpv4, ipv6Bytes, isInternalAddress, TargetRefusedError, type AddressPolicy } from '../../src/webhooks/address-policy.js';
import { createWebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { createWebhookSubscriptions } from '../../src/webhooks/subscriptions.js';
import { Api, body510k, expectProblem, errorPaths, type Json } from '../http/helpers.js';
import { createTestContext, signatureOf, type TestContext } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

const silent = pino({ level: 'silent' });
let ctx: TestContext;
let strict: Api;
const receivers: Receiver[] = [];

/** An app whose subscriptions check targets with `policy` (the services' own, or one with an injected resolver). */
function appWith(policy: AddressPolicy): Express {
  const { db, validator } = ctx.services;
  return createApp({ ...ctx.services, webhooks: createWebhookSubscriptions({ db, validator, addressPolicy: policy }) }, { logger: silent });
}

const count = async () => Number((await ctx.services.db.knex('webhook_subscriptions').count({ n: '*' }))[0]!.n);

beforeAll(async () => {
  // The production default: private networks not allowed.
  ctx = await createTestContext({ config: { webhookAllowPrivateNetworks: false } });
  strict = new Api(createApp(ctx.services, { logger: silent }));
}, 60_000);
afterAll(async () => ctx?.close());
afterEach(async () => {
  await ctx.services.db.knex('webhook_subscriptions').delete();
  await ctx.services.db.knex('outbox').delete();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

/** Every spelling of an inside address the issue names, and the ranges DESIGN §9 lists. */
const INSIDE = [
  'http://127.0.0.1:8080/hook',
  'http://127.1/hook',
  'http://2130706433/hook',
  'http://0x7f.1/hook',
  'http://0177.0.0.1/hook',
  'http://0x7f000001/hook',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::1]/hook',
  'http://[::]/hook',
  'http://0.0.0.0:3000/hook',
  'http://10.1.2.3/hook',
  'http://172.16.0.1/hook',
  'http://172.31.255.255/hook',
  'http://192.168.1.1/hook',
  'http://100.64.0.1/hook',
  'http://198.18.0.1/hook',
  'http://192.0.0.170/hook',
  'http://224.0.0.1/hook',
  'http://255.255.255.255/hook',
  'http://[fd00::1]/hook',
  'http://[fc00::1]/hook',
  'http://[fe80::1]/hook',
  'http://[ff02::1]/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://[::ffff:a9fe:a9fe]/hook',
  'http://[64:ff9b::7f00:1]/hook',
  'http://[2002:a9fe:a9fe::1]/hook',
  'http://[::127.0.0.1]/hook',
  'https://localhost/hook',
  'http://LOCALHOST.:9000/hook',
];

describe('subscribing (WEBHOOK_ALLOW_PRIVATE_NETWORKS off)', () => {
  it.each(INSIDE)('refuses %s with 422 at /url and writes nothing', async (url) => {
    const before = await count();
    const body = expectProblem(await strict.post(ctx.users.manufacturer, '/v1/webhooks', { url }), 422, 'validation_failed');
    expect(errorPaths(body)).toEqual(['/url']);
    expect(JSON.stringify(body.errors)).toMatch(/must not point inside/);
    expect(await count()).toBe(before);
  });

  it('refuses a name when any address it resolves to is inside', async () => {
    const policy = createAddressPolicy({ allowPrivateNetworks: false, resolve: async () => ['93.184.215.14', '10.0.0.7'] });
    const api = new Api(appWith(policy));
    const body = expectProblem(await api.post(ctx.users.admin, '/v1/webhooks', { url: 'https://hooks.partner.example/x' }), 422, 'validation_failed');
    expect(errorPaths(body)).toEqual(['/url']);
    expect(await count()).toBe(0);
  });

  it('accepts public addresses and names that resolve only to public ones', async () => {
    for (const url of ['http://93.184.215.14/hook', 'https://[2606:4700:4700::1111]/hook', 'http://[64:ff9b::5db8:d70e]/hook']) {
      const res = await strict.post(ctx.users.manufacturer, '/v1/webhooks', { url });
      expect(res.status, `${url}: ${res.text}`).toBe(201);
    }
    const policy = createAddressPolicy({ allowPrivateNetworks: false, resolve: async () => ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'] });
    expect((await new Api(appWith(policy)).post(ctx.users.admin, '/v1/webhooks', { url: 'https://hooks.partner.example/x' })).status).toBe(201);
  });

  it("refuses puente's own listening address even when private networks are allowed", async () => {
    const policy = createAddressPolicy({ allowPrivateNetworks: true, listen: { host: '127.0.0.1', port: 3000 } });
    const api = new Api(appWith(policy));
    for (const url of ['http://127.0.0.1:3000/v1/me', 'http://[::ffff:127.0.0.1]:3000/', 'http://localhost:3000/']) {
      const body = expectProblem(await api.post(ctx.users.admin, '/v1/webhooks', { url }), 422, 'validation_failed');
      expect(JSON.stringify(body.errors), url).toMatch(/puente's own address/);
    }
    // Allowed: the same host on another port (a receiver beside puente).
    expect((await api.post(ctx.users.admin, '/v1/webhooks', { url: 'http://127.0.0.1:3001/hook' })).status).toBe(201);
  });

  it('allows private targets when WEBHOOK_ALLOW_PRIVATE_NETWORKS=true', async () => {
    const api = new Api(appWith(createAddressPolicy({ allowPrivateNetworks: true })));
    expect((await api.post(ctx.users.admin, '/v1/webhooks', { url: 'http://127.0.0.1:9/hook' })).status).toBe(201);
    expect((await api.post(ctx.users.admin, '/v1/webhooks', { url: 'http://[fd00::1]/hook' })).status).toBe(201);
  });
});

describe('the address rules', () => {
  it('call every listed range internal, and public addresses public', () => {
    for (const a of [
      '0.1.2.3',
      '10.0.0.1',
      '100.127.255.254',
      '127.0.0.1',
      '127.255.255.255',
      '169.254.169.254',
      '172.16.0.0',
      '192.0.0.8',
      '192.168.0.1',
      '198.19.0.1',
      '224.0.0.251',
      '239.255.255.250',
      '240.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      'fc00::',
      'fdff:ffff::1',
      'fe80::1%eth0',
      'febf::1',
      'ff02::fb',
      '::ffff:10.0.0.1',
      '::ffff:7f00:1',
      '0:0:0:0:0:ffff:7f00:1',
      '64:ff9b::a9fe:a9fe',
      '64:ff9b:1::1',
      '2002:c0a8:101::',
      '::10.0.0.1',
      'not-an-address',
    ])
      expect(isInternalAddress(a), a).toBe(true);
    for (const a of [
      '8.8.8.8',
      '93.184.215.14',
      '100.128.0.1',
      '172.32.0.1',
      '192.0.1.1',
      '198.20.0.1',
      '2606:4700::1111',
      '2001:4860:4860::8888',
      '::ffff:8.8.8.8',
      '2002:808:808::',
    ])
      expect(isInternalAddress(a), a).toBe(false);
  });

  it('parse IPv6 in its every textual form', () => {
    expect(ipv6Bytes('::ffff:127.0.0.1')).toEqual(ipv6Bytes('::ffff:7f00:1'));
    expect(ipv6Bytes('[::1]')).toEqual([...Array<number>(15).fill(0), 1]);
    expect(embeddedIpv4(ipv6Bytes('2002:a9fe:a9fe::')!)).toBe('169.254.169.254');
    expect(ipv6Bytes('1:2:3')).toBeUndefined();
  });
});

/** The lookup of a connection to `port`, called as net.connect calls it. */
function lookup(policy: AddressPolicy, port: number, host: string, all: boolean): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const fn = policy.lookupFor(port) as unknown as (h: string, o: { all: boolean }, cb: (e: Error | null, a: string | LookupAddress[]) => void) => void;
    fn(host, { all }, (e, a) => (e ? reject(e) : resolve(typeof a === 'string' ? [a] : a.map((x) => x.address))));
  });
}

describe('connecting (the check again, inside the socket lookup)', () => {
  it('refuses a name that resolves inside at connect time, in either lookup form', async () => {
    let answers = [['93.184.215.14'], ['127.0.0.1'], ['127.0.0.1']];
    const policy = createAddressPolicy({ allowPrivateNetworks: false, resolve: async () => answers.shift() ?? [] });
    expect(await policy.checkUrl(new URL('http://rebind.example/hook'))).toBeNull(); // public when subscribed
    await expect(lookup(policy, 80, 'rebind.example', true)).rejects.toBeInstanceOf(TargetRefusedError);
    await expect(lookup(policy, 80, 'rebind.example', false)).rejects.toBeInstanceOf(TargetRefusedError);
    answers = [['93.184.215.14', '::1']];
    await expect(lookup(policy, 80, 'rebind.example', true)).rejects.toBeInstanceOf(TargetRefusedError);
    answers = [['93.184.215.14']];
    expect(await lookup(policy, 80, 'rebind.example', true)).toEqual(['93.184.215.14']);
  });

  it('a target that resolves inside at delivery is never contacted; the log says so in generic words', async () => {
    const inside = await startReceiver(() => 200);
    receivers.push(inside);
    const port = Number(new URL(inside.url).port);
    // Public when the subscription is made, 127.0.0.1 (where a receiver listens) when the dispatcher connects.
    let rebound = false;
    const policy = createAddressPolicy({ allowPrivateNetworks: false, resolve: async () => (rebound ? ['127.0.0.1'] : ['93.184.215.14']) });
    const api = new Api(appWith(policy));
    const m = ctx.users.manufacturer;
    const res = await api.post(m, '/v1/webhooks', { url: `http://rebind.example:${port}/hook` });
    expect(res.status, res.text).toBe(201);
    const s = await api.create(m, body510k('Rebound'));
    await api.send(m, s.id, 'SUBMIT', { signature: signatureOf(m) });
    rebound = true;
    const d = createWebhookDispatcher({
      db: ctx.services.db,
      logger: silent,
      addressPolicy: policy,
      options: { intervalMs: 0, timeoutMs: 5000, maxAttempts: 1, backoffMs: 0 },
    });
    const summary = await d.runOnce();
    expect(summary.attempted).toBeGreaterThan(0);
    expect(summary.delivered).toBe(0);
    expect(inside.received).toHaveLength(0);
    const log = (await api.get(m, `/v1/webhooks/${res.body.id}/deliveries`)).body.items as Json[];
    expect(log.length).toBeGreaterThan(0);
    for (const e of log) expect(e).toMatchObject({ status: 'failed', lastStatusCode: null, lastError: 'refused: internal address' });
  });

  it('a literal inside address subscribed while allowed is not contacted once the setting is off (the default dispatcher)', async () => {
    const inside = await startReceiver(() => 200);
    receivers.push(inside);
    const m = ctx.users.manufacturer;
    const allowed = new Api(appWith(createAddressPolicy({ allowPrivateNetworks: true })));
    const w = await allowed.post(m, '/v1/webhooks', { url: `${inside.url}/hook` });
    expect(w.status, w.text).toBe(201);
    await allowed.create(m, body510k('Literal inside'));
    // No policy given: the dispatcher's default refuses internal addresses.
    const d = createWebhookDispatcher({ db: ctx.services.db, logger: silent, options: { intervalMs: 0, timeoutMs: 5000, maxAttempts: 1, backoffMs: 0 } });
    expect((await d.runOnce()).delivered).toBe(0);
    expect(inside.received).toHaveLength(0);
    const log = (await allowed.get(m, `/v1/webhooks/${w.body.id}/deliveries`)).body.items as Json[];
    expect(log.map((e) => e.lastError)).toEqual(log.map(() => 'refused: internal address'));
  });

  it("the delivery log keeps a generic error: never the receiver's body, never puente's internals", async () => {
    // A port nothing listens on, and a receiver that answers 500 with a talkative body.
    const closed = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(port));
      });
    });
    const talkative = await startReceiver(() => 500);
    receivers.push(talkative);
    const m = ctx.users.manufacturer;
    const policy = createAddressPolicy({ allowPrivateNetworks: true });
    const api = new Api(appWith(policy));
    const refused = await api.post(m, '/v1/webhooks', { url: `http://127.0.0.1:${closed}/hook` });
    const failing = await api.post(m, '/v1/webhooks', { url: `${talkative.url}/hook` });
    await api.create(m, body510k('Generic errors'));
    const d = createWebhookDispatcher({
      db: ctx.services.db,
      logger: silent,
      addressPolicy: policy,
      options: { intervalMs: 0, timeoutMs: 5000, maxAttempts: 1, backoffMs: 0 },
    });
    await d.runOnce();
    const errorsOf = async (id: string) => ((await api.get(m, `/v1/webhooks/${id}/deliveries`)).body.items as Json[]).map((e) => e.lastError as string);
    const refusedErrors = await errorsOf(refused.body.id as string);
    expect(refusedErrors.length).toBeGreaterThan(0);
    for (const e of refusedErrors) expect(e).toBe('connection refused');
    for (const e of await errorsOf(failing.body.id as string)) expect(e).toBe('HTTP 500');
  });
});
