/**
 * Shared by the verify tamper tests (issue 8 §1, §2): a small real database built through the API
 * (submissions moved by events, documents uploaded), edits behind puente's back as an attacker
 * with database access would make them, and what `verifyDatabase` says about one submission.
 */
import type { Express } from 'express';
import type { Knex } from 'knex';
import { expect } from 'vitest';
import { createApp } from '../../src/app.js';
import { recordHash } from '../../src/engine/hash.js';
import { verifyDatabase, type VerifyResult } from '../../src/engine/verify.js';
import { listTransitions } from '../../src/store/history-store.js';
import { Api, body510k, daysAgo, type Json } from '../http/helpers.js';
import type { TestContext } from '../support/fixtures.js';

export type Break = VerifyResult['breaks'][number];

/** Tables whose rows are part of the record: UPDATE and DELETE are refused by triggers. */
const APPEND_ONLY = new Set(['transitions', 'documents', 'blobs']);

/**
 * Runs `edit` with the append-only triggers of `table` lifted (PostgreSQL: disabled, then enabled;
 * SQLite: dropped, then created again as migration 001 makes them).
 */
export async function behindTheBack<T>(knex: Knex, table: string, edit: () => Promise<T>): Promise<T> {
  if (!APPEND_ONLY.has(table)) return edit();
  const pg = knex.client.config.client === 'pg';
  if (pg) await knex.raw(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`);
  else for (const op of ['update', 'delete']) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_no_${op}`);
  try {
    return await edit();
  } finally {
    if (pg) await knex.raw(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_append_only`);
    else
      for (const op of ['UPDATE', 'DELETE']) {
        await knex.raw(
          `CREATE TRIGGER IF NOT EXISTS ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, 'puente: ${table} is append-only: ${op} rejected'); END`,
        );
      }
  }
}

/** The API over `ctx` (supertest, the real app). */
export function apiOf(ctx: TestContext): { app: Express; api: Api } {
  const app = createApp(ctx.services);
  return { app, api: new Api(app) };
}

/** Bytes no other test document has (so no blob is shared by accident). */
export const uniqueBytes = (label: string) => Buffer.from(`%PDF-1.7\n% ${label} ${Math.random().toString(36).slice(2)}\n%%EOF\n`);

/**
 * A 510(k) in substantive review (CREATED, SUBMIT, FEE_VERIFIED, SCREEN_PASS) with `docs`
 * documents uploaded by the manufacturer in between; returns its id and the documents' ids.
 */
export async function reviewed(ctx: TestContext, api: Api, title: string, docs = 1): Promise<{ id: string; documents: string[] }> {
  const m = ctx.users.manufacturer;
  const fda = ctx.users.fda;
  const s = await api.create(m, body510k(title));
  const id = s.id as string;
  const documents: string[] = [];
  for (let i = 0; i < docs; i++) {
    const res = await api.upload(m, id, i % 2 ? 'labeling' : 'cover-letter', uniqueBytes(`${title} ${i}`));
    expect(res.status, res.text).toBe(201);
    documents.push((res.body as Json).id as string);
  }
  await api.send(m, id, 'SUBMIT', { effectiveAt: daysAgo(30) });
  await api.send(fda, id, 'FEE_VERIFIED', { effectiveAt: daysAgo(29) });
  await api.send(fda, id, 'SCREEN_PASS', { effectiveAt: daysAgo(28) });
  return { id, documents };
}

/** Every break verify reports (each parallelism gives the same), and those of submission `id`. */
export async function breaksOf(ctx: TestContext, id: string): Promise<{ all: Break[]; mine: Break[] }> {
  const r = await verifyDatabase(ctx.services.db.reader, { parallel: 2 });
  expect(r.ok).toBe(r.breaks.length === 0);
  return { all: r.breaks, mine: r.breaks.filter((b) => b.submissionId === id) };
}

/**
 * Rewrites submission `id`'s history from record `seq` on with `change` applied to that record,
 * every later record re-linked and re-hashed and the head moved: a forgery whose chain recomputes.
 */
export async function rechain(knex: Knex, id: string, seq: number, change: (r: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  const records = (await listTransitions(knex, id)) as unknown as Array<Record<string, unknown>>;
  let prev = seq > 1 ? (records[seq - 2]!.hash as string) : null;
  const rewritten = records.slice(seq - 1).map((r, i): Record<string, unknown> => {
    const next: Record<string, unknown> = { ...(i === 0 ? change(r) : r) };
    delete next.hash;
    next.prevHash = prev ?? next.prevHash;
    const hash = recordHash(next);
    prev = hash;
    return { ...next, hash };
  });
  await behindTheBack(knex, 'transitions', async () => {
    for (const r of rewritten) {
      await knex('transitions')
        .where({ id: r.id as string })
        .update({ from_state: r.from as string | null, to_state: r.to as string, prev_hash: r.prevHash as string, hash: r.hash as string });
    }
  });
  await knex('submissions').where({ id }).update({ head_hash: prev });
}
