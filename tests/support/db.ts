/**
 * Real databases for tests: a fresh SQLite file per call, or, when TEST_DATABASE_URL names a
 * PostgreSQL server, a fresh PostgreSQL database per call (dropped afterwards). Never a mock.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
export const DIALECT: 'sqlite' | 'postgres' = TEST_DATABASE_URL?.startsWith('postgres') ? 'postgres' : 'sqlite';

export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (DIALECT === 'postgres') {
    const admin = new URL(TEST_DATABASE_URL!);
    const name = `puente_t_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    const url = new URL(admin.toString());
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      async drop() {
        const c = new pg.Client({ connectionString: admin.toString() });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-test-'));
  return {
    url: `sqlite:${path.join(dir, 'puente.db')}`,
    async drop() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
