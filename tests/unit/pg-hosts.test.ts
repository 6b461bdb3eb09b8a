/**
 * Several PostgreSQL hosts in `DATABASE_URL` (issue 17 §2, DESIGN §8): the host list as libpq
 * reads it, the configuration check, which errors mean "the database is unavailable", the
 * writable-node locator on hosts that do not answer, and the one error mapping's answer to them:
 * 503 with Retry-After as problem+json, in the reader's language, without a stack or SQL.
 */
import net from 'node:net';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createErrorHandler } from '../../src/http/error-handler.js';
import { parseDatabaseUrl } from '../../src/store/db.js';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  NoWritableHostError,
  PROBE_BACKOFF_MS,
  WritableHostLocator,
  isDatabaseUnavailable,
  parseMultiHostUrl,
} from '../../src/store/pg-hosts.js';

describe('a DATABASE_URL with several hosts', () => {
  it('is left alone with one host, exactly as before', () => {
    expect(parseMultiHostUrl('postgres://u:p@db.example:5433/puente?sslmode=require')).toBeNull();
    expect(parseDatabaseUrl('postgres://u:p@db.example:5433/puente')).toEqual({
      dialect: 'postgres',
      connectionString: 'postgres://u:p@db.example:5433/puente',
    });
    expect(parseDatabaseUrl('sqlite:./x.db')).toEqual({ dialect: 'sqlite', filename: './x.db' });
  });

  it('reads the host list as libpq does, and gives each host its own URL without target_session_attrs', () => {
    const m = parseMultiHostUrl(
      'postgres://app:s3cret@10.0.0.1:5432,10.0.0.2:6432,[::1]:7000,db3/puente?target_session_attrs=read-write&application_name=puente',
    )!;
    expect(m.hosts).toEqual([
      { host: '10.0.0.1', port: 5432 },
      { host: '10.0.0.2', port: 6432 },
      { host: '::1', port: 7000 },
      { host: 'db3', port: 5432 },
    ]);
    expect(m.urlFor(m.hosts[1]!)).toBe('postgres://app:s3cret@10.0.0.2:6432/puente?application_name=puente');
    expect(m.urlFor(m.hosts[2]!)).toBe('postgres://app:s3cret@[::1]:7000/puente?application_name=puente');
    expect(m.connectTimeoutMs).toBe(5000);
    expect(parseMultiHostUrl('postgresql://h1,h2/db?port=6000&connect_timeout=3')).toMatchObject({
      hosts: [
        { host: 'h1', port: 6000 },
        { host: 'h2', port: 6000 },
      ],
      connectTimeoutMs: 3000,
    });
    // Absent target_session_attrs: puente writes, so it looks for the writable node all the same.
    expect(parseMultiHostUrl('postgres://h1:1,h2:2/db')!.hosts).toHaveLength(2);
    expect(parseMultiHostUrl('postgres://u@h1:1,h2:2/db?target_session_attrs=primary')!.hosts).toHaveLength(2);
  });

  it('is refused at start with a sentence naming DATABASE_URL when it asks for something puente cannot use', () => {
    expect(() => parseMultiHostUrl('postgres://h1:1,h2:2/db?target_session_attrs=read-only')).toThrow(/target_session_attrs must be read-write/);
    expect(() => parseMultiHostUrl('postgres://h1:99999,h2:2/db')).toThrow(/port/);
    expect(() => parseMultiHostUrl('postgres://h1:1,,h2:2/db')).toThrow(/cannot read the host/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://h1:1,h2:2/db?target_session_attrs=standby' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://h1:1,h2:2/db?target_session_attrs=standby' })).toThrow(/^Invalid configuration: DATABASE_URL: /);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h1:1,h2:2/db?target_session_attrs=read-write' }).databaseUrl).toBe(
      'postgres://u@h1:1,h2:2/db?target_session_attrs=read-write',
    );
  });
});

describe('errors that mean the database is unavailable', () => {
  const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  it('are connection failures, shutdowns, a standby, no writable host, no pooled connection in time', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '25006', '08006', '08001'])
      expect(isDatabaseUnavailable(coded(code))).toBe(true);
    expect(isDatabaseUnavailable(new Error('insert into "transitions" ... - Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new NoWritableHostError(['a:1']))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('Knex: Timeout acquiring a connection.'), { name: 'KnexTimeoutError' }))).toBe(true);
  });
  it("are not the command's own problems", () => {
    for (const code of ['23505', '22021', '40001', 'SQLITE_CONSTRAINT']) expect(isDatabaseUnavailable(coded(code))).toBe(false);
    expect(isDatabaseUnavailable(new Error('syntax error at or near "BEGIN"'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

/** Two ports nothing listens on. */
async function closedPorts(): Promise<[number, number]> {
  const ports: number[] = [];
  for (let i = 0; i < 2; i++) {
    const s = net.createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    ports.push((s.address() as net.AddressInfo).port);
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  return ports as [number, number];
}

describe('the writable-node locator', () => {
  it('fails at once with NoWritableHostError when no host answers, and waits a moment before probing again', async () => {
    const [a, b] = await closedPorts();
    const locator = new WritableHostLocator(parseMultiHostUrl(`postgres://postgres@127.0.0.1:${a},127.0.0.1:${b}/puente?target_session_attrs=read-write`)!);
    const started = Date.now();
    const first = await locator.writable().catch((e: unknown) => e);
    expect(first).toBeInstanceOf(NoWritableHostError);
    expect((first as NoWritableHostError).message).toContain(`127.0.0.1:${a}, 127.0.0.1:${b}`);
    expect(Date.now() - started).toBeLessThan(3000);
    // Within the back-off every caller is answered without a probe (no connection storm).
    await expect(locator.writable()).rejects.toBeInstanceOf(NoWritableHostError);
    expect(locator.known).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, PROBE_BACKOFF_MS + 50));
    await expect(locator.writable()).rejects.toBeInstanceOf(NoWritableHostError);
  });
});

describe('the error mapping of an unavailable database', () => {
  const app = express();
  app.get('/read', () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), { code: 'ECONNREFUSED' });
  });
  app.post('/command', () => {
    throw new NoWritableHostError(['127.0.0.1:5998', '127.0.0.1:5999']);
  });
  app.post('/standby', () => {
    throw Object.assign(new Error('insert into "transitions" ("id") values ($1) - cannot execute INSERT in a read-only transaction'), { code: '25006' });
  });
  app.use(createErrorHandler(pino({ level: 'silent' })));

  it.each([
    ['get', '/read'],
    ['post', '/command'],
    ['post', '/standby'],
  ] as const)('%s %s answers 503 with Retry-After, as problem+json without a stack, SQL or address', async (method, path) => {
    const res = await request(app)[method](path);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe(String(DATABASE_RETRY_AFTER_SECONDS));
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual({
      type: 'https://puente.dev/problems/unavailable',
      title: 'Service unavailable',
      status: 503,
      detail: `The database cannot be reached or is failing over; nothing was changed, retry after ${DATABASE_RETRY_AFTER_SECONDS} seconds`,
      code: 'unavailable',
      errors: [],
    });
    expect(res.text).not.toMatch(/ECONN|127\.0\.0\.1|insert|transitions|\bat \S+ \(/);
  });

  it('speaks Spanish to a Spanish reader; the code does not change', async () => {
    const res = await request(app).post('/command').set('Accept-Language', 'es-MX');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'unavailable', title: 'Servicio no disponible' });
    expect(res.body.detail).toMatch(/base de datos/);
  });
});
