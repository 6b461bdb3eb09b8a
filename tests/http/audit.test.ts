/**
 * The auditor's endpoints over HTTP (supertest on createApp, a real SQLite file or, with
 * TEST_DATABASE_URL, a real PostgreSQL database): the cross-submission history with every filter
 * and keyset pages, whole-database verify (also after tampering), the JSONL and CSV exports byte
 * for byte, the printable report (escaping, signature manifestation, visibility) and refused
 * commands (recorded with the right fields, never a secret, never changing the answer).
 */
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainRecord } from '../../src/engine/engine.js';

import { CSV_COLUMNS } from '../../src/audit/export.js';
import { submissionRow, transitionRow } from '../../src/store/rows.js';
import type { Submission } from '../../src/store/types.js';
import { latestWorkflow } from '../../workflows/index.js';
import { DIALECT } from '../support/db.js';
import { createTestContext, testApp, type TestContext, type TestUser } from '../support/fixtures.js';
import { Api, binary, body510k, daysAgo, errorPaths, expectProblem, type Json } from './helpers.js';
import { draftOf } from '../support/drafts.js';

let ctx: TestContext;
let api: Api;
/** Every history record in the database, in (recordedAt, id) order, as GET .../history serves them. */
let all: Json[];
const ids = { cleared: '', hostile: '', beta: '', signed: '' };

const HOSTILE_TITLE = `<script>alert("x")</script> & 'quotes' \u202eevil`;
const FORMULA_COMMENT = '=HYPERLINK("http://evil.example","click")';
const QUOTED_COMMENT = 'He said "yes", then\r\nleft; -1 +1 @x';

/** Follows nextCursor from the first page; returns every item. */
async function walk(user: TestUser, path: string, query: string, limit: number): Promise<Json[]> {
  const items: Json[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const sep = query ? '&' : '';
    const res = await api.get(user, `${path}?${query}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...(res.body.items as Json[]));
    cursor = res.body.nextCursor as string | null;
    if (!cursor) return items;
    expect(res.body.items.length).toBe(limit);
  }
  throw new Error('too many pages');
}

const byKey = (a: Json, b: Json) => (a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

async function everyRecord(): Promise<Json[]> {
  const list = await api.get(ctx.users.auditor, '/v1/submissions?limit=200');
  expect(list.status, list.text).toBe(200);
  const out: Json[] = [];
  for (const s of list.body.items as Json[]) out.push(...(await api.history(ctx.users.auditor, s.id as string)));
  return out.sort(byKey);
}

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF records), independent of the server's writer. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') field += text[i++];
    }
    row.push(field);
    if (text[i] === ',') i++;
    else if (text[i] === '\r' && text[i + 1] === '\n') {
      rows.push(row);
      row = [];
      i += 2;
    } else if (i < text.length) throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  if (row.length) throw new Error('last record without CRLF');
  return rows;
}

/** A submission of Acme whose history holds one signed record, written as a forger-free store would. */
async function insertSignedSubmission(): Promise<string> {
  const w = latestWorkflow('fda-510k')!;
  const m = ctx.users.manufacturer.actor;
  const at = new Date(Date.now() - 60_000).toISOString();
  let s: Submission = draftOf(w, {
    id: uuidv7(),
    organization: m.organization!,
    title: 'Signed <b>report</b> "device"',
    device: { name: 'Pump <i>X</i>', model: 'M&M' },
    input: { format: 'eSTAR', variant: 'traditional' },
    at,
  });
  const created = chainRecord(s, w, {
    type: 'CREATED',
    data: { title: s.title, device: s.device, input: s.input },
    from: null,
    to: 'draft',
    actor: m,
    comment: null,
    effectiveAt: at,
    recordedAt: at,
    signature: null,
  });
  s = { ...s, headSeq: 1, headHash: created.hash };
  const signed = chainRecord(s, w, {
    type: 'NOTE',
    data: { note: '</pre><script>x()</script>' },
    from: 'draft',
    to: 'draft',
    actor: m,
    comment: 'Signed & sealed <ok>',
    effectiveAt: at,
    recordedAt: at,
    signature: { name: 'María <Lopez> & "Co"', meaning: 'authorship', signedAt: at },
  });
  await ctx.services.db.knex('submissions').insert(submissionRow({ ...s, version: 2, headSeq: 2, headHash: signed.hash }));
  await ctx.services.db.knex('transitions').insert([transitionRow(created), transitionRow(signed)]);
  return s.id;
}

beforeAll(async () => {
  ctx = await createTestContext();
  api = new Api(testApp(ctx));
  const { manufacturer: m, otherManufacturer: beta, fda } = ctx.users;
  ids.cleared = await api.cleared510k(m, fda, { title: 'Audit reference 510(k)' });
  ids.hostile = (await api.create(m, body510k(HOSTILE_TITLE))).id as string;
  await api.send(m, ids.hostile, 'SUBMIT', { effectiveAt: daysAgo(10), comment: FORMULA_COMMENT });
  ids.beta = (await api.create(beta, body510k('Beta 510(k)'))).id as string;
  await api.send(beta, ids.beta, 'SUBMIT', { effectiveAt: daysAgo(5), comment: QUOTED_COMMENT });
  await api.send(fda, ids.beta, 'FEE_VERIFIED', { effectiveAt: daysAgo(4) });
  ids.signed = await insertSignedSubmission();
  all = await everyRecord();
}, 60_000);

afterAll(async () => {
  await ctx?.close();
});

describe(`GET /v1/audit/transitions on ${DIALECT}`, () => {
  it('serves every record exactly once, in (recordedAt, id) order, the same at any page size', async () => {
    expect(all.length).toBeGreaterThanOrEqual(12);
    for (const limit of [1, 2, 3, 7, 200]) {
      const items = await walk(ctx.users.auditor, '/v1/audit/transitions', '', limit);
      expect(items).toEqual(all);
    }
    const first = await api.get(ctx.users.admin, '/v1/audit/transitions');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ items: all.slice(0, 50), nextCursor: null });
  });

  it('filters by submission, organization, workflow, actor, role, type and date ranges (and combinations)', async () => {
    const { manufacturer: m, otherManufacturer: beta, fda } = ctx.users;
    const mid = all[Math.floor(all.length / 2)]!;
    const cases: Array<[string, (t: Json) => boolean]> = [
      [`submission=${ids.hostile}`, (t) => t.submissionId === ids.hostile],
      [`organization=${beta.actor.organization!.id}`, (t) => t.submissionId === ids.beta],
      [`organization=${m.actor.organization!.id}`, (t) => t.submissionId !== ids.beta],
      ['workflow=fda-510k', (t) => t.workflow.id === 'fda-510k'],
      [`actor=${fda.actor.id}`, (t) => t.actor.id === fda.actor.id],
      ['role=fda', (t) => t.actor.role === 'fda'],
      ['role=manufacturer&type=SUBMIT', (t) => t.actor.role === 'manufacturer' && t.type === 'SUBMIT'],
      ['type=CREATED', (t) => t.type === 'CREATED'],
      [`recordedFrom=${mid.recordedAt}`, (t) => t.recordedAt >= mid.recordedAt],
      [`recordedTo=${mid.recordedAt}`, (t) => t.recordedAt <= mid.recordedAt],
      [`recordedFrom=${mid.recordedAt}&recordedTo=${mid.recordedAt}`, (t) => t.recordedAt === mid.recordedAt],
      [`recordedTo=${daysAgo(1)}`, () => false],
      [`recordedFrom=${daysAgo(1)}`, () => true],
      // A bare date is a whole UTC day: From its start, To its end.
      [
        `effectiveFrom=${daysAgo(10)}&effectiveTo=${daysAgo(5)}`,
        (t) => t.effectiveAt >= `${daysAgo(10)}T00:00:00.000Z` && t.effectiveAt < `${daysAgo(4)}T00:00:00.000Z`,
      ],
      // RFC 3339 with an offset is converted to UTC.
      [
        `effectiveTo=${encodeURIComponent(new Date(Date.parse(all[0]!.effectiveAt) + 3_600_000).toISOString().replace('Z', '+01:00'))}`,
        (t) => t.effectiveAt <= all[0]!.effectiveAt,
      ],
      [`workflow=fda-510k&actor=${beta.actor.id}&type=FEE_VERIFIED`, () => false],
      ['submission=nope', () => false],
      ['role=system', (t) => t.actor.role === 'system'],
    ];
    for (const [query, keep] of cases) {
      const want = all.filter(keep);
      expect(await walk(ctx.users.auditor, '/v1/audit/transitions', query, 2), query).toEqual(want);
    }
    // The cases are not vacuous.
    expect(all.filter((t) => t.actor.role === 'fda').length).toBeGreaterThan(0);
    expect(all.filter((t) => t.effectiveAt >= `${daysAgo(10)}T00:00:00.000Z` && t.effectiveAt < `${daysAgo(4)}T00:00:00.000Z`).length).toBeGreaterThan(0);
  });

  it('is for auditors and admins: 401 without a token, 403 for every other role', async () => {
    const { manufacturer, otherManufacturer, fda, cofepris } = ctx.users;
    for (const path of ['/v1/audit/transitions', '/v1/audit/verify', '/v1/audit/export', '/v1/audit/refusals']) {
      expectProblem(await api.get(undefined, path), 401, 'unauthenticated');
      for (const u of [manufacturer, otherManufacturer, fda, cofepris]) expectProblem(await api.get(u, `${path}?limit=abc`), 403, 'forbidden');
      expect((await api.get(ctx.users.admin, path)).status).toBe(200);
    }
  });

  it('answers bad query strings with 422 and the JSON pointer of each bad parameter', async () => {
    const cursor = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
    const cases: Array<[string, string[]]> = [
      ['/v1/audit/transitions?limit=0', ['/limit']],
      ['/v1/audit/transitions?limit=201', ['/limit']],
      ['/v1/audit/transitions?limit=1.5&foo=1', ['/foo', '/limit']],
      ['/v1/audit/transitions?cursor=!!', ['/cursor']],
      [`/v1/audit/transitions?cursor=${cursor("2026-01-01T00:00:00.000Z|' OR 1=1 --")}`, ['/cursor']],
      [`/v1/audit/transitions?cursor=${cursor('x|y')}`, ['/cursor']],
      ['/v1/audit/transitions?recordedFrom=2026-02-30', ['/recordedFrom']],
      ['/v1/audit/transitions?recordedTo=2026-01-01T24:00:00Z', ['/recordedTo']],
      ['/v1/audit/transitions?recordedTo=2026-01-01T10:00:60Z', ['/recordedTo']],
      ['/v1/audit/transitions?effectiveFrom=yesterday', ['/effectiveFrom']],
      ['/v1/audit/transitions?effectiveTo=2026-01-01T10:00:00', ['/effectiveTo']],
      ['/v1/audit/transitions?effectiveTo=2026-01-01T10:00:00%2B24:00', ['/effectiveTo']],
      ['/v1/audit/transitions?effectiveTo=0000-01-01T00:00:00%2B01:00', ['/effectiveTo']],
      ['/v1/audit/transitions?role=boss', ['/role']],
      ['/v1/audit/transitions?type=submit', ['/type']],
      ['/v1/audit/transitions?submission=a&submission=b', ['/submission']],
      ['/v1/audit/transitions?actor=', ['/actor']],
      ['/v1/audit/export?format=xml', ['/format']],
      ['/v1/audit/export?limit=5', ['/limit']],
      ['/v1/audit/export?format=csv&recordedFrom=2026-13-01', ['/recordedFrom']],
      ['/v1/audit/refusals?status=418', ['/status']],
      ['/v1/audit/refusals?from=2026-02-29', ['/from']],
      ['/v1/audit/refusals?to=soon&limit=-1', ['/limit', '/to']],
      ['/v1/audit/refusals?recordedFrom=2026-01-01', ['/recordedFrom']],
      ['/v1/audit/verify?full=1', ['/full']],
      [`/v1/submissions/${ids.cleared}/report?print=1`, ['/print']],
    ];
    for (const [path, pointers] of cases) {
      const body = expectProblem(await api.get(ctx.users.auditor, path), 422, 'validation_failed');
      expect([...new Set(errorPaths(body))].sort(), path).toEqual(pointers);
    }
    // Extreme but valid bounds are accepted.
    for (const q of [
      'recordedFrom=0000-01-01',
      'recordedFrom=0001-01-01',
      'recordedTo=9999-12-31',
      'effectiveTo=9999-12-31T23:59:59.999999999Z',
      'recordedFrom=2026-01-01t00:00:00.5z',
    ]) {
      expect((await api.get(ctx.users.auditor, `/v1/audit/transitions?${q}`)).status, q).toBe(200);
    }
  });
});

describe(`GET /v1/audit/verify on ${DIALECT}`, () => {
  it('recomputes every chain', async () => {
    const res = await api.get(ctx.users.auditor, '/v1/audit/verify');
    expect(res.status, res.text).toBe(200);
    const submissions = new Set(all.map((t) => t.submissionId)).size;
    expect(res.body).toEqual({
      ok: true,
      submissions,
      transitions: all.length,
      failures: [],
      securityLog: expect.objectContaining({ ok: true, failures: [] }),
    });
  });
});

describe(`GET /v1/audit/export on ${DIALECT}`, () => {
  const get = (user: TestUser, q: string) =>
    api
      .get(user, `/v1/audit/export${q}`)
      .buffer(true)
      .parse(binary as never);

  it('JSONL: one record per line, exactly as the history serves it', async () => {
    const res = await get(ctx.users.auditor, '?format=jsonl');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="puente-history-\d{8}T\d{6}Z\.jsonl"$/);
    expect((res.body as Buffer).toString('utf8')).toBe(all.map((t) => `${JSON.stringify(t)}\n`).join(''));
    // The default format is JSONL; filters are those of /v1/audit/transitions.
    const filtered = await get(ctx.users.admin, `?submission=${ids.beta}&type=SUBMIT`);
    expect((filtered.body as Buffer).toString('utf8')).toBe(
      all
        .filter((t) => t.submissionId === ids.beta && t.type === 'SUBMIT')
        .map((t) => `${JSON.stringify(t)}\n`)
        .join(''),
    );
    const none = await get(ctx.users.auditor, '?submission=none');
    expect(none.status).toBe(200);
    expect((none.body as Buffer).length).toBe(0);
  });

  it('CSV: RFC 4180 with a header row, nested objects as JSON text, formula-like cells neutralised', async () => {
    const res = await get(ctx.users.auditor, '?format=csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="puente-history-\d{8}T\d{6}Z\.csv"$/);
    const text = (res.body as Buffer).toString('utf8');
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows.length).toBe(all.length + 1);
    const neutral = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
    rows.slice(1).forEach((cells, i) => {
      const t = all[i]!;
      const want = CSV_COLUMNS.map((c) => {
        const v = t[c];
        // A field the record does not have (facts, issue 8) is an empty cell, like null.
        return v === null || v === undefined ? '' : typeof v === 'object' ? neutral(JSON.stringify(v)) : neutral(String(v));
      });
      // Nested objects are canonical JSON (keys sorted); compare them parsed.
      cells.forEach((cell, j) => {
        const v = t[CSV_COLUMNS[j]!];
        if (v !== null && v !== undefined && typeof v === 'object') expect(JSON.parse(cell)).toEqual(v);
        else expect(cell, `${CSV_COLUMNS[j]} of record ${i}`).toBe(want[j]);
      });
    });
    // The formula is shown as text, quoted because it holds quotes and a comma.
    expect(text).toContain(`,"'=HYPERLINK(""http://evil.example"",""click"")",`);
    // Quotes doubled, the CRLF kept inside the quoted field, the leading '-' of no concern mid-cell.
    expect(text).toContain(`,"He said ""yes"", then\r\nleft; -1 +1 @x",`);
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('HEAD answers the headers without exporting', async () => {
    const res = await request(api.app).head('/v1/audit/export?format=csv').set(ctx.users.auditor.auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
  });
});

describe(`GET /v1/submissions/:id/report on ${DIALECT}`, () => {
  it('prints every record, escaped, with the signature manifestation and the verification line', async () => {
    const res = await api.get(ctx.users.auditor, `/v1/submissions/${ids.signed}/report`);
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.text;
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/<script|<b>report|<i>X|<Lopez>/i);
    expect(html).toContain('Signed &#60;b&#62;report&#60;/b&#62; &#34;device&#34;');
    expect(html).toContain('Pump &#60;i&#62;X&#60;/i&#62;');
    // The manifestation (21 CFR 11.50): printed name, meaning, date and time.
    const history = await api.history(ctx.users.auditor, ids.signed);
    const sig = history[1]!.signature as Json;
    expect(html).toContain('<div class="sig-name"><bdi>María &#60;Lopez&#62; &#38; &#34;Co&#34;</bdi></div>');
    expect(html).toContain('meaning: <b><bdi>authorship</bdi></b>');
    expect(html).toContain(`signed at: <time><bdi>${sig.signedAt}</bdi></time>`);
    expect(html).toContain('Signed &#38; sealed &#60;ok&#62;');
    expect(html).toContain('&#60;/pre&#62;&#60;script&#62;x()&#60;/script&#62;');
    for (const t of history) {
      expect(html).toContain(t.hash);
      expect(html).toContain(t.prevHash);
      expect(html).toContain(`<td class="num">${t.seq}</td>`);
    }
    const w = latestWorkflow('fda-510k')!;
    expect(html).toContain(`fda-510k</bdi> version ${w.version}`);
    expect(html).toContain(history[0]!.workflow.definitionHash);
    expect(html).toContain('Chain verification: OK. 2 records recomputed');
    expect(html).not.toContain('BROKEN');
  });

  it('escapes what users typed in real records, and shows every signature a real event carries', async () => {
    const html = (await api.get(ctx.users.manufacturer, `/v1/submissions/${ids.hostile}/report`)).text;
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;quotes&#39;');
    expect(html).toContain('=HYPERLINK(&#34;http://evil.example&#34;,&#34;click&#34;)');
    const signed = (await api.history(ctx.users.auditor, ids.cleared)).filter((t) => t.signature);
    // The cleared 510(k) of fda-510k@3 carries signed events (requiresSignature); none would make this test empty.
    expect(signed.length).toBeGreaterThan(0);
    const cleared = (await api.get(ctx.users.fda, `/v1/submissions/${ids.cleared}/report`)).text;
    for (const t of signed) {
      expect(cleared).toContain(`meaning: <b><bdi>${t.signature.meaning}</bdi></b>`);
      expect(cleared).toContain(`signed at: <time><bdi>${t.signature.signedAt}</bdi></time>`);
    }
  });

  it('is visible to auditors, admins and whoever may see the submission; 404 to the others', async () => {
    const { manufacturer, otherManufacturer, fda, cofepris, auditor, admin } = ctx.users;
    const cases: Array<[TestUser, string, number]> = [
      [manufacturer, ids.hostile, 200],
      [otherManufacturer, ids.hostile, 404],
      [otherManufacturer, ids.beta, 200],
      [fda, ids.hostile, 200],
      [cofepris, ids.hostile, 404],
      [auditor, ids.beta, 200],
      [admin, ids.beta, 200],
      [auditor, uuidv7(), 404],
      [admin, 'not-an-id', 404],
      [manufacturer, uuidv7(), 404],
    ];
    for (const [user, id, status] of cases) {
      const res = await api.get(user, `/v1/submissions/${id}/report`);
      if (status === 404) expectProblem(res, 404, 'not_found');
      else expect(res.status, `${user.actor.name} ${id}`).toBe(200);
    }
    expectProblem(await api.get(undefined, `/v1/submissions/${ids.beta}/report`), 401, 'unauthenticated');
  });
});

describe(`refused commands on ${DIALECT}`, () => {
  const secret = 'hunter2-Secret-Password!';
  const count = async () => Number((await ctx.services.db.knex('refused_commands').count<{ n: number }[]>({ n: '*' }))[0]!.n);

  it('records 403, 409 and 412 on the command endpoints with who, what and why, and never a secret', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const before = await count();
    const refused: Array<[TestUser, Json, string, number, string]> = [];
    // 409: not allowed in this state (with a signature and a comment that must not be stored).
    const r409 = await api.event(m, ids.cleared, { type: 'SUBMIT', comment: `note ${secret}`, signature: { meaning: 'authorship', password: secret } });
    expect(r409.status, r409.text).toBe(409);
    refused.push([m, r409.body, `/v1/submissions/${ids.cleared}/events`, 409, 'SUBMIT']);
    // 403: FDA may not create; an auditor may not add documents.
    const r403 = await api.post(fda, '/v1/submissions?x=1', { ...body510k(secret) });
    expectProblem(r403, 403, 'forbidden');
    refused.push([fda, r403.body, '/v1/submissions', 403, 'CREATED']);
    const up = await api.upload(auditor, ids.hostile, 'cover-letter', Buffer.from(secret), `${secret}.pdf`);
    expectProblem(up, 403, 'forbidden');
    refused.push([auditor, up.body, `/v1/submissions/${ids.hostile}/documents`, 403, 'DOCUMENT_ADDED']);
    // 412: a stale If-Match.
    const r412 = await api.event(m, ids.hostile, { type: 'WITHDRAW' }, { 'If-Match': '"1"' });
    expectProblem(r412, 412, 'version_mismatch');
    refused.push([m, r412.body, `/v1/submissions/${ids.hostile}/events`, 412, 'WITHDRAW']);
    expect(await count()).toBe(before + 4);

    const page = await api.get(auditor, '/v1/audit/refusals?limit=200');
    expect(page.status, page.text).toBe(200);
    const items = (page.body.items as Json[]).slice(-4);
    refused.forEach(([user, problem, path, status, eventType], i) => {
      expect(items[i]).toEqual({
        id: expect.any(String),
        recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        actor: user.actor,
        method: 'POST',
        path,
        submissionId: path === '/v1/submissions' ? null : path.split('/')[3],
        eventType,
        status,
        code: problem.code,
        detail: problem.detail,
        requestId: expect.any(String),
      });
    });
    // Nothing the client sent beyond the path and the event type: no body, password, token or query.
    const rows = JSON.stringify(await ctx.services.db.knex('refused_commands').select('*'));
    for (const u of Object.values(ctx.users)) expect(rows).not.toContain(u.token);
    expect(rows).not.toContain(secret);
    expect(rows).not.toContain('hunter2');
    expect(rows).not.toContain('x=1');
  });

  it('records nothing for other answers (201, 200, 401 without a valid token, 422) or other endpoints', async () => {
    const { manufacturer: m } = ctx.users;
    const before = await count();
    expect((await api.event(m, ids.hostile, { type: 'NOPE' })).status).toBe(422);
    expect((await api.post({ ...m, auth: { Authorization: 'Bearer nope' } }, '/v1/submissions', body510k())).status).toBe(401);
    expect((await api.get(m, '/v1/audit/transitions')).status).toBe(403);
    expect((await api.post(m, '/v1/webhooks', { url: 'https://x.example', organization: 'x' })).status).toBeGreaterThanOrEqual(400);
    expect((await api.post(m, '/v1/submissions', body510k('ok'))).status).toBe(201);
    expect(await count()).toBe(before);
  });

  it('a failure to record does not change the answer', async () => {
    const knex = ctx.services.db.knex;
    const send = () => api.event(ctx.users.manufacturer, ids.hostile, { type: 'WITHDRAW' }, { 'If-Match': '"1"' });
    const normal = await send();
    expect(normal.status).toBe(412);
    await knex.schema.renameTable('refused_commands', 'refused_commands_away');
    try {
      const broken = await send();
      expect(broken.status).toBe(normal.status);
      expect(broken.body).toEqual(normal.body);
    } finally {
      await knex.schema.renameTable('refused_commands_away', 'refused_commands');
    }
  });

  it('GET /v1/audit/refusals filters by submission, actor, status and time, in keyset pages', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const everything = await walk(auditor, '/v1/audit/refusals', '', 200);
    expect(everything.length).toBeGreaterThanOrEqual(5);
    expect(await walk(auditor, '/v1/audit/refusals', '', 1)).toEqual(everything);
    expect(new Set(everything.map((r) => r.id)).size).toBe(everything.length);
    const mid = everything[2]!;
    const cases: Array<[string, (r: Json) => boolean]> = [
      [`submission=${ids.cleared}`, (r) => r.submissionId === ids.cleared],
      [`actor=${fda.actor.id}`, (r) => r.actor.id === fda.actor.id],
      [`actor=${m.actor.id}&status=412`, (r) => r.actor.id === m.actor.id && r.status === 412],
      ['status=403', (r) => r.status === 403],
      [`from=${mid.recordedAt}`, (r) => r.recordedAt >= mid.recordedAt],
      [`to=${mid.recordedAt}`, (r) => r.recordedAt <= mid.recordedAt],
      [`to=${daysAgo(1)}`, () => false],
    ];
    for (const [q, keep] of cases) expect(await walk(auditor, '/v1/audit/refusals', q, 2), q).toEqual(everything.filter(keep));
  });
});

describe(`tampering on ${DIALECT}`, () => {
  let t: TestContext;
  let tapi: Api;
  afterAll(async () => {
    await t?.close();
  });

  it('verify and the report name the submission and seq of an edited row', async () => {
    t = await createTestContext();
    tapi = new Api(testApp(t));
    const { manufacturer: m, fda, auditor } = t.users;
    const id = await tapi.cleared510k(m, fda);
    const other = (await tapi.create(m, body510k('Untouched'))).id as string;
    expect((await tapi.get(auditor, '/v1/audit/verify')).body).toMatchObject({ ok: true, submissions: 2, failures: [] });

    // An operator with database access turns off the append-only trigger and edits seq 3.
    const db = t.services.db;
    if (db.dialect === 'postgres') {
      await db.knex.raw('ALTER TABLE transitions DISABLE TRIGGER transitions_append_only');
      await db.knex('transitions').where({ submission_id: id, seq: 3 }).update({ comment: 'edited later' });
      await db.knex.raw('ALTER TABLE transitions ENABLE TRIGGER transitions_append_only');
    } else {
      await db.knex.raw('DROP TRIGGER transitions_no_update');
      await db.knex('transitions').where({ submission_id: id, seq: 3 }).update({ comment: 'edited later' });
    }
    const res = await tapi.get(auditor, '/v1/audit/verify');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ok: false,
      submissions: 2,
      transitions: 6,
      failures: [{ submissionId: id, seq: 3, reason: 'hash does not match the record' }],
      securityLog: expect.objectContaining({ ok: true }),
    });
    const report = (await tapi.get(auditor, `/v1/submissions/${id}/report`)).text;
    expect(report).toContain('Chain verification: BROKEN at seq 3: <bdi>hash does not match the record</bdi>.');
    expect((await tapi.get(auditor, `/v1/submissions/${other}/report`)).text).toContain('Chain verification: OK. 1 records recomputed');
  });
});
