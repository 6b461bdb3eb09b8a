/**
 * Worked regulatory scenarios through the real engine on a SQLite file (TEST_DATABASE_URL:
 * PostgreSQL) with a clock the test sets, like tests/integration/sweeper.test.ts: every command
 * and sweep reads the scenario's date; `sweep(id)` runs one sweeper pass and returns what it did
 * to that submission.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { verifyDatabase } from '../../src/engine/verify.js';
import { Api, DEVICE, type Json } from '../http/helpers.js';
import { createTestContext, signatureOf, testApp, type TestContext, type TestUser } from './fixtures.js';

export function useScenario() {
  let clock = new Date('2026-01-05T17:00:00Z');
  let ctx!: TestContext;
  let api!: Api;
  beforeAll(async () => {
    ctx = await createTestContext({ now: () => clock });
    api = new Api(testApp(ctx));
  });
  afterAll(async () => ctx?.close());

  return {
    get users() {
      return ctx.users;
    },
    /** The HTTP API of the scenario's server, for what the shorthands below do not cover. */
    get api(): Api {
      return api;
    },
    /** The scenario's database, for tests that tamper with a row. */
    get knex() {
      return ctx.services.db.knex;
    },
    /** A valid Part 11 signature of `user`. */
    signature: (user: TestUser) => signatureOf(user),
    /** Midday of `date` in New York (and in Mexico City). */
    on(date: string): void {
      clock = new Date(`${date}T17:00:00Z`);
    },
    async create(user: TestUser, workflow: string, input: Json, title = `${workflow} scenario`): Promise<string> {
      return (await api.create(user, { workflow, title, device: DEVICE, input })).id as string;
    },
    /** Sends `type` on the scenario's date; returns the submission as it is after it. */
    async send(user: TestUser, id: string, type: string, data?: Json): Promise<Json> {
      return (await api.send(user, id, type, data ? { data } : {})).submission as Json;
    },
    view: (id: string): Promise<Json> => api.submission(ctx.users.manufacturer, id),
    goal: async (id: string, kind: string): Promise<Json | undefined> =>
      ((await api.submission(ctx.users.manufacturer, id)).clocks.goals as Json[]).find((g) => g.kind === kind),
    async sweep(id: string) {
      const r = await ctx.services.engine.sweep();
      const mine = <T extends { submissionId: string }>(xs: T[]) => xs.filter((x) => x.submissionId === id);
      return { fired: mine(r.fired), passed: mine(r.passed), goalsMissed: mine(r.goalsMissed) };
    },
    async verified(): Promise<void> {
      expect((await verifyDatabase(ctx.services.db.reader)).ok).toBe(true);
    },
  };
}
