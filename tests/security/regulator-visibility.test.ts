/**
 * Issue 8 §6 (DESIGN §3, §9): regulators see what was filed. An FDA or COFEPRIS reviewer gets 404
 * on a draft of their jurisdiction (the submission, its history, documents, diagram, events and
 * uploads) and does not find it in listings; from its first SUBMIT on they see it, and still
 * after a withdrawal. A COFEPRIS reviewer sees the FDA decision a filed registration relies on,
 * not one a draft names. A reviewer's upload is their agency's correspondence: chained as
 * DOCUMENT_ADDED marked as correspondence, never in the dossier checklist; a reviewer cannot
 * upload a dossier kind, and the applicant cannot upload correspondence.
 *
 * Real database (SQLite, or PostgreSQL with TEST_DATABASE_URL), supertest on createApp.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, body510k, bodyRegistration, expectProblem, type Json, openTestApp } from '../http/helpers.js';
import { type TestContext, type TestUser } from '../support/fixtures.js';

let ctx: TestContext, api: Api;

beforeAll(async () => ({ ctx, api } = await openTestApp()), 60_000);
afterAll(async () => ctx?.close());

const pdf = (tag: string) => Buffer.from(`%PDF-1.7\n% ${tag}\n`);

/** Ids the caller finds in GET /v1/submissions, every page. */
async function listed(user: TestUser): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await api.get(user, `/v1/submissions?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status, res.text).toBe(200);
    out.push(...(res.body.items as Json[]).map((s) => s.id as string));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return out;
}

/** Every read of one submission (and one of its documents) a reviewer could try. */
const readPaths = (id: string, documentId: string): string[] =>
  ['', '/history', '/documents', `/documents/${documentId}`, '/diagram'].map((tail) => `/v1/submissions/${id}${tail}`);

/** Every read and write of one submission a reviewer could try, each expected to answer 404. */
async function expectHidden(user: TestUser, id: string, documentId: string, event: string, kind: string): Promise<void> {
  for (const path of readPaths(id, documentId)) {
    expectProblem(await api.get(user, path), 404, 'not_found');
  }
  expectProblem(await api.event(user, id, { type: event }), 404, 'not_found');
  expectProblem(await api.upload(user, id, kind, pdf('early letter')), 404, 'not_found');
  expect(await listed(user)).not.toContain(id);
}

/** The same reads answer 200 and the listing shows it. */
async function expectSeen(user: TestUser, id: string, documentId: string): Promise<void> {
  for (const path of readPaths(id, documentId)) {
    const res = await api.get(user, path);
    expect(res.status, `${path}: ${res.text}`).toBe(200);
  }
  expect(await listed(user)).toContain(id);
}

describe('FDA reviewers', () => {
  it('get 404 on a draft everywhere, see it from SUBMIT on, and still after a withdrawal', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const s = await api.create(m, body510k('Draft under wraps'));
    const up = await api.upload(m, s.id, 'cover-letter', pdf('cover'));
    expect(up.status, up.text).toBe(201);
    const countBefore = (await api.history(m, s.id)).length;
    await expectHidden(fda, s.id, up.body.id, 'FEE_VERIFIED', 'fda-correspondence');
    // Nothing the reviewer tried was written.
    expect(await api.history(m, s.id)).toHaveLength(countBefore);

    await api.send(m, s.id, 'SUBMIT');
    await expectSeen(fda, s.id, up.body.id);
    await api.send(m, s.id, 'WITHDRAW');
    expect((await api.submission(m, s.id)).state).toBe('closed.withdrawn');
    await expectSeen(fda, s.id, up.body.id);
  });

  it('never see a draft withdrawn before it was filed; the other regulator never sees FDA drafts', async () => {
    const { manufacturer: m, fda, cofepris } = ctx.users;
    const s = await api.create(m, body510k('Abandoned draft'));
    const up = await api.upload(m, s.id, 'cover-letter', pdf('cover'));
    await api.send(m, s.id, 'WITHDRAW');
    await expectHidden(fda, s.id, up.body.id, 'FEE_VERIFIED', 'fda-correspondence');
    await expectHidden(cofepris, s.id, up.body.id, 'FEE_VERIFIED', 'cofepris-correspondence');
  });

  it('see a Breakthrough designation request once sent (a pathway filed by its request, not a SUBMIT)', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const bt = await api.create(m, { workflow: 'fda-breakthrough', title: 'BDD request', device: { name: 'Pump' }, input: {} });
    expectProblem(await api.get(fda, `/v1/submissions/${bt.id}`), 404, 'not_found');
    await api.send(m, bt.id, 'REQUEST_DESIGNATION');
    expect((await api.get(fda, `/v1/submissions/${bt.id}`)).status).toBe(200);
  });
});

describe('COFEPRIS reviewers', () => {
  it('see a registration from SUBMIT on, and the FDA decision it relies on only then', async () => {
    const { manufacturer: m, fda, cofepris } = ctx.users;
    const cleared = await api.cleared510k(m, fda, { kNumber: 'K260801', title: 'Reference for COFEPRIS' });
    const reg = await api.create(m, bodyRegistration({ submissionId: cleared }, 'equivalence', 'Registro en preparación'));
    const docs = await api.completeDossier(m, reg.id);
    const first = [...docs.values()][0]!.doc;
    const fdaDoc = (await api.upload(m, cleared, 'cover-letter', pdf('fda cover'))).body as Json;

    await expectHidden(cofepris, reg.id, first.id, 'START_REVIEW', 'cofepris-correspondence');
    // The FDA submission a draft names stays out of sight.
    expectProblem(await api.get(cofepris, `/v1/submissions/${cleared}`), 404, 'not_found');
    expect(await listed(cofepris)).not.toContain(cleared);

    await api.send(m, reg.id, 'SUBMIT');
    await expectSeen(cofepris, reg.id, first.id);
    await expectSeen(cofepris, cleared, fdaDoc.id);
    await api.send(m, reg.id, 'DESIST');
    await expectSeen(cofepris, reg.id, first.id);
    await expectSeen(cofepris, cleared, fdaDoc.id);
  });
});

describe("regulators' uploads are correspondence", () => {
  it('an FDA upload is chained as correspondence and never counts in the dossier', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const s = await api.create(m, body510k('Correspondence 510(k)'));
    await api.send(m, s.id, 'SUBMIT');
    const before = await api.submission(m, s.id);
    for (const kind of ['fda-correspondence', 'fda-correspondence-ai-letter']) {
      const up = await api.upload(fda, s.id, kind, pdf(kind));
      expect(up.status, up.text).toBe(201);
      expect(up.body.kind).toBe(kind);
      const last = (await api.history(m, s.id)).at(-1)!;
      expect(last).toMatchObject({ type: 'DOCUMENT_ADDED', data: { kind, documentId: up.body.id, correspondence: true }, actor: { role: 'fda' } });
    }
    const after = await api.submission(m, s.id);
    expect(after.dossier).toEqual(before.dossier);
    expect(after.dossier.present).not.toContain('fda-correspondence');
    // The applicant's own uploads are dossier items, unmarked.
    const mine = await api.upload(m, s.id, 'cover-letter', pdf('cover'));
    expect(mine.status).toBe(201);
    expect((await api.history(m, s.id)).at(-1)!.data).not.toHaveProperty('correspondence');
    expect((await api.submission(m, s.id)).dossier.present).toContain('cover-letter');
  });

  it('a COFEPRIS upload never completes the checklist; a reviewer cannot upload a dossier kind nor the other agency\u2019s', async () => {
    const { manufacturer: m, fda, cofepris } = ctx.users;
    const cleared = await api.cleared510k(m, fda, { kNumber: 'K260802', title: 'Reference for checklist' });
    const reg = await api.create(m, bodyRegistration({ submissionId: cleared }, 'equivalence', 'Registro con oficios'));
    const missing = (await api.submission(m, reg.id)).dossier.missing as string[];
    // Upload all but one, file nothing yet; COFEPRIS cannot see it, so use a filed one below.
    await api.completeDossier(m, reg.id);
    await api.send(m, reg.id, 'SUBMIT');
    const before = await api.submission(cofepris, reg.id);
    const history = (await api.history(cofepris, reg.id)).length;

    const refused = [
      [cofepris, missing[0]!],
      [cofepris, 'application-form'],
      [cofepris, 'fda-correspondence'],
      [cofepris, 'correspondence'],
    ] as const;
    for (const [who, kind] of refused) {
      const body = expectProblem(await api.upload(who, reg.id, kind, pdf(kind)), 403, 'forbidden');
      expect(body.detail, kind).toMatch(/correspondence/);
    }
    const fdaOnCleared = expectProblem(await api.upload(fda, cleared, 'cover-letter', pdf('fda dossier')), 403, 'forbidden');
    expect(fdaOnCleared.detail).toMatch(/fda-correspondence/);
    expect((await api.history(cofepris, reg.id)).length).toBe(history);

    const ok = await api.upload(cofepris, reg.id, 'cofepris-correspondence-prevencion', pdf('oficio'));
    expect(ok.status, ok.text).toBe(201);
    const after = await api.submission(cofepris, reg.id);
    expect(after.dossier).toEqual(before.dossier);
  });

  it('the applicant cannot upload correspondence kinds', async () => {
    const { manufacturer: m } = ctx.users;
    const s = await api.create(m, body510k('Applicant posing as FDA'));
    for (const kind of ['fda-correspondence', 'fda-correspondence-letter', 'cofepris-correspondence']) {
      const body = expectProblem(await api.upload(m, s.id, kind, pdf(kind)), 403, 'forbidden');
      expect(body.detail).toMatch(/correspondence/);
    }
    expect((await api.submission(m, s.id)).dossier.present).toEqual([]);
    // Kinds that merely start alike are dossier kinds.
    expect((await api.upload(m, s.id, 'fda-correspondences', pdf('x'))).status).toBe(201);
  });
});
