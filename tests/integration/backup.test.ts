/** `puente backup`: a consistent online copy that restores and verifies. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDatabase } from '../../src/engine/verify.js';
import { initServices } from '../../src/services.js';
import { BackupError, backupDatabase } from '../../src/backup.js';
import { DIALECT } from '../support/db.js';
import { createTestContext, type TestContext, signatureOf, new510k } from '../support/fixtures.js';

let ctx: TestContext;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-backup-'));
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('backup', () => {
  it.skipIf(DIALECT !== 'sqlite')('copies a SQLite database while commands run; the copy restores, verifies and accepts new commands', async () => {
    const { engine } = ctx.services;
    const { manufacturer: m, fda } = ctx.users;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await new510k(ctx, `B${i}`, { format: 'eCopy' });
      await engine.sendEvent(m.actor, id, { type: 'SUBMIT', signature: signatureOf(m) });
      ids.push(id);
    }
    // Commands keep running while the backup is taken.
    const writes = Promise.all(ids.map((id) => engine.sendEvent(fda.actor, id, { type: 'FEE_VERIFIED' })));
    const out = path.join(dir, 'copy.db');
    const [result] = await Promise.all([backupDatabase(ctx.services.db, out), writes]);
    expect(result.submissions).toBe(5);
    expect(result.records).toBeGreaterThanOrEqual(10);

    const restored = await initServices({ databaseUrl: `sqlite:${out}`, mxNonWorkingDays: [] });
    try {
      expect((await verifyDatabase(restored.db.knex)).ok).toBe(true);
      const view = await restored.engine.getSubmission(m.actor, ids[0]!);
      const next = view.state === 'received' ? 'FEE_VERIFIED' : 'ACCEPT';
      const sent = await restored.engine.sendEvent(fda.actor, ids[0]!, { type: next });
      expect(sent.body.transition.seq).toBe(view.version + 1);
      expect((await verifyDatabase(restored.db.knex)).ok).toBe(true);
    } finally {
      await restored.shutdown();
    }
    await expect(backupDatabase(ctx.services.db, out)).rejects.toThrow(/already exists/);
  });

  it.skipIf(DIALECT !== 'postgres')('on PostgreSQL points to pg_dump', async () => {
    await expect(backupDatabase(ctx.services.db, path.join(dir, 'x'))).rejects.toBeInstanceOf(BackupError);
    await expect(backupDatabase(ctx.services.db, path.join(dir, 'x'))).rejects.toThrow(/pg_dump/);
  });
});
