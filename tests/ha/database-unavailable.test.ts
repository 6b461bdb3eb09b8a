/**
 * The database going away under a running app (issue 17 §2, DESIGN §8), on PostgreSQL: puente
 * reaches the test database through a TCP relay that the test cuts (listener closed, every
 * connection reset) and restores. While it is cut a command and a GET answer 503 with
 * Retry-After, as problem+json (`code: unavailable`, the detail in the reader's language) without
 * a stack or SQL, and the command is not applied; once it is back the same command with its
 * Idempotency-Key is applied exactly once. Both a one-host `DATABASE_URL` and a two-host one
 * (`target_session_attrs=read-write`, the first host a closed port) behave so.
 *
 * Runs on PostgreSQL (TEST_DATABASE_URL); on SQLite there is no server to lose.
 */
import net from 'node:net';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { initServices, type Services } from '../../src/services.js';
import { DIALECT } from '../support/db.js';
import { createTestContext, new510k, TEST_SCRYPT, type TestContext } from '../support/fixtures.js';

/** A TCP relay to `target` that can be cut (listener closed, open connections reset) and restored. */
class Relay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.resetAndDestroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe.skipIf(DIALECT !== 'postgres')('the database unreachable under a running app (PostgreSQL)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx?.close());

  for (const form of ['one host', 'two hosts, the first one closed'] as const) {
    describe(form, () => {
      let relay: Relay;
      let services: Services;
      let app: ReturnType<typeof createApp>;
      let id: string;

      beforeAll(async () => {
        const direct = new URL(ctx.database.url);
        relay = new Relay({ host: direct.hostname, port: Number(direct.port || 5432) });
        await relay.open();
        const via = new URL(ctx.database.url);
        via.hostname = '127.0.0.1';
        via.port = String(relay.port);
        const databaseUrl =
          form === 'one host'
            ? via.toString()
            : via.toString().replace(`@127.0.0.1:${relay.port}`, `@127.0.0.1:${await closedPort()},127.0.0.1:${relay.port}`) +
              '?target_session_attrs=read-write';
        services = await initServices({ databaseUrl, mxNonWorkingDays: [] }, { scryptParams: TEST_SCRYPT });
        app = createApp(services, { logger: pino({ level: 'silent' }) });
        id = await new510k(ctx, `Unreachable ${form}`);
      });
      afterAll(async () => {
        await relay?.cut();
        await services?.shutdown();
      });

      it('answers 503 with Retry-After while cut, applies nothing, and applies the retried command once when back', async () => {
        const fda = ctx.users.fda;
        const mfr = ctx.users.manufacturer;
        await request(app).get(`/v1/submissions/${id}`).set(mfr.auth).expect(200);
        const key = `cut-${form.replace(/\W+/g, '-')}`;
        const event = { type: 'SUBMIT', signature: { meaning: 'responsibility', password: mfr.password } };

        await relay.cut();
        const refused = await request(app).post(`/v1/submissions/${id}/events`).set(mfr.auth).set('Idempotency-Key', key).send(event);
        expect(refused.status).toBe(503);
        expect(refused.headers['retry-after']).toMatch(/^[1-9]\d*$/);
        expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(refused.body).toMatchObject({ status: 503, code: 'unavailable', errors: [] });
        expect(refused.body.detail).toMatch(/database/i);
        expect(refused.text).not.toMatch(/\bat \S+ \(|node_modules|select |insert |ECONN|127\.0\.0\.1|password/i);

        const read = await request(app).get(`/v1/submissions/${id}`).set(fda.auth).set('Accept-Language', 'es');
        expect(read.status).toBe(503);
        expect(read.headers['retry-after']).toMatch(/^[1-9]\d*$/);
        expect(read.body).toMatchObject({ code: 'unavailable', title: 'Servicio no disponible' });
        expect(read.body.detail).toMatch(/base de datos/);

        // Not applied: the database itself (not through the relay) still has the submission as created.
        expect((await ctx.services.engine.getSubmission(mfr.actor, id)).version).toBe(1);

        await relay.open();
        // A client retrying after Retry-After (here sooner): the next connection finds the server again.
        let applied = await request(app).post(`/v1/submissions/${id}/events`).set(mfr.auth).set('Idempotency-Key', key).send(event);
        for (let i = 0; i < 50 && applied.status === 503; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          applied = await request(app).post(`/v1/submissions/${id}/events`).set(mfr.auth).set('Idempotency-Key', key).send(event);
        }
        expect(applied.status, applied.text).toBe(200);
        const replay = await request(app).post(`/v1/submissions/${id}/events`).set(mfr.auth).set('Idempotency-Key', key).send(event);
        expect(replay.status).toBe(200);
        expect(replay.body).toEqual(applied.body);
        const history = await request(app).get(`/v1/submissions/${id}/history`).set(fda.auth).expect(200);
        expect(history.body.items.map((r: { type: string }) => r.type)).toEqual(['CREATED', 'SUBMIT']);
      });
    });
  }
});
