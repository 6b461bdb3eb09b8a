/**
 * Fixture builders: services on a real test database, users of every role with real tokens,
 * and the app for supertest.
 */
import type { Express } from 'express';
import pino from 'pino';
import { createApp } from '../../src/app.js';
import { newToken } from '../../src/http/auth.js';
import { hashPassword, type ScryptParams } from '../../src/engine/passwords.js';
import { initServices, type Services, type ServicesConfig } from '../../src/services.js';
import type { Device } from '../../src/generated/schema-types.js';
import type { Actor } from '../../src/store/types.js';
import { ensureOrganization, insertUser } from '../../src/store/users-store.js';
import type { HumanRole } from '../../workflows/types.js';
import { createTestDatabase, type TestDatabase } from './db.js';

/** Every fixture user's password for electronic signatures (meets the default password rules). */
export const TEST_PASSWORD = 'Correct-Horse-Battery-9';

/**
 * scrypt at a low cost for fixture users: the server verifies with the parameters stored in the
 * hash, so tests run fast while new passwords set through the API or CLI use the real cost.
 */
export const TEST_SCRYPT: ScryptParams = { ln: 10, r: 8, p: 1 };

export interface TestUser {
  readonly actor: Actor;
  readonly token: string;
  /** The user's password (sign with `{ meaning, password }`), or null for a user created without one. */
  readonly password: string | null;
  /** `{ Authorization: 'Bearer ...' }` */
  readonly auth: { Authorization: string };
}

export interface TestContext {
  readonly database: TestDatabase;
  readonly services: Services;
  readonly users: {
    manufacturer: TestUser;
    /** A manufacturer of another organization (Beta Devices). */
    otherManufacturer: TestUser;
    fda: TestUser;
    cofepris: TestUser;
    auditor: TestUser;
    admin: TestUser;
  };
  close(): Promise<void>;
}

export async function addUser(services: Services, role: HumanRole, name: string, orgName?: string, opts: { password?: string | null } = {}): Promise<TestUser> {
  const now = new Date().toISOString();
  const organization = orgName ? await ensureOrganization(services.db.knex, orgName, now) : null;
  const { token, tokenHash } = newToken();
  const password = opts.password === undefined ? TEST_PASSWORD : opts.password;
  const passwordHash = password === null ? undefined : await hashPassword(password, TEST_SCRYPT);
  const u = await insertUser(services.db.knex, { name, role, organization, tokenHash, now, passwordHash });
  return { actor: { id: u.id, name: u.name, role: u.role, organization: u.organization }, token, password, auth: { Authorization: `Bearer ${token}` } };
}

/** A signature by `user` (21 CFR 11.50 meaning + the user's password), for event bodies. */
export function signatureOf(
  user: TestUser,
  meaning: 'approval' | 'review' | 'responsibility' | 'authorship' = user.actor.role === 'manufacturer' ? 'responsibility' : 'approval',
) {
  if (user.password === null) throw new Error(`${user.actor.name} has no password`);
  return { meaning, password: user.password };
}

export async function createTestContext(opts: { now?: () => Date; config?: Partial<ServicesConfig> } = {}): Promise<TestContext> {
  const database = await createTestDatabase();
  const { config, ...serviceOpts } = opts;
  // The tests' webhook receivers listen on 127.0.0.1: private targets are allowed unless a test's config says otherwise.
  const services = await initServices(
    { databaseUrl: database.url, mxNonWorkingDays: [], webhookAllowPrivateNetworks: true, ...config },
    { scryptParams: TEST_SCRYPT, ...serviceOpts },
  );
  const users = {
    manufacturer: await addUser(services, 'manufacturer', 'Maria Lopez', 'Acme Medical'),
    otherManufacturer: await addUser(services, 'manufacturer', 'Bob Beta', 'Beta Devices'),
    fda: await addUser(services, 'fda', 'Dr. FDA Reviewer'),
    cofepris: await addUser(services, 'cofepris', 'Lic. COFEPRIS Revisora'),
    auditor: await addUser(services, 'auditor', 'Quinn Auditor'),
    admin: await addUser(services, 'admin', 'Ada Admin'),
  };
  return {
    database,
    services,
    users,
    async close() {
      await services.shutdown();
      await database.drop();
    },
  };
}

/** The app for supertest, with a silent logger (or the given one). */
export function testApp(ctx: TestContext, logger = pino({ level: 'silent' })): Express {
  return createApp(ctx.services, { logger });
}

/** Every dossier kind a COFEPRIS route requires, as bytes to upload. */
export function documentBytes(kind: string): Buffer {
  return Buffer.from(`%PDF-1.4\n% test document ${kind}\n`);
}

/** A new traditional 510(k) created through the engine by the context's manufacturer: its id. */
export async function new510k(
  ctx: TestContext,
  title: string,
  opts: { device?: Device & Record<string, unknown>; format?: 'eSTAR' | 'eCopy' } = {},
): Promise<string> {
  const { device = { name: 'Pump' }, format = 'eSTAR' } = opts;
  const res = await ctx.services.engine.createSubmission(ctx.users.manufacturer.actor, {
    workflow: 'fda-510k',
    title,
    device,
    input: { format, variant: 'traditional' },
  });
  return res.body.id;
}
