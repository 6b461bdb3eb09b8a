/**
 * The flagship flow entirely over HTTP: a 510(k) from draft to cleared on its real (past) dates,
 * then the COFEPRIS abbreviated-route registration relying on it, from preparing to registered;
 * the history's hash chain recomputed independently; reliance guards and invalidation; caller-
 * specific allowedEvents and visibility.
 */
import canonicalize from 'canonicalize';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, signatureOf, testApp, type TestContext } from '../support/fixtures.js';
import { Api, addDays, binary, body510k, bodyRegistration, daysAgo, expectProblem, sha256, type Json } from './helpers.js';

let ctx: TestContext;
let app: Express;
let api: Api;

beforeAll(async () => {
  ctx = await createTestContext();
  app = testApp(ctx);
  api = new Api(app);
});
afterAll(async () => ctx?.close());

const ZERO_HASH = '0'.repeat(64);

/** Recomputes a history's hash chain with nothing but `canonicalize` and SHA-256. */
function verifyChainIndependently(items: Json[], submissionId: string): void {
  expect(items.length).toBeGreaterThan(0);
  let prev = ZERO_HASH;
  items.forEach((record, i) => {
    expect(record.seq, `seq of item ${i}`).toBe(i + 1);
    expect(record.submissionId).toBe(submissionId);
    expect(record.prevHash, `prevHash of seq ${record.seq}`).toBe(prev);
    const { hash, ...rest } = record;
    const canonical = canonicalize(rest);
    expect(typeof canonical).toBe('string');
    expect(hash, `hash of seq ${record.seq}`).toBe(sha256(canonical as string));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    prev = hash as string;
  });
  expect(items[0]!.type).toBe('CREATED');
  expect(items[0]!.from).toBeNull();
}

describe('flagship: 510(k) cleared, then the COFEPRIS abbreviated registration relying on it', () => {
  it('runs end to end over HTTP with a verifiable history', async () => {
    const { manufacturer: m, fda, cofepris, auditor } = ctx.users;

    // ---------------------------------------------------------------- 510(k)
    const created = await api.post(m, '/v1/submissions', body510k('AIP-200 Traditional 510(k)'));
    expect(created.status).toBe(201);
    const k = created.body as Json;
    expect(created.headers.location).toBe(`/v1/submissions/${k.id}`);
    expect(created.headers.etag).toBe('"1"');
    expect(k).toMatchObject({
      workflow: { id: 'fda-510k', version: 5 },
      organization: { name: 'Acme Medical' },
      title: 'AIP-200 Traditional 510(k)',
      device: { name: 'Acme Infusion Pump', model: 'AIP-200', productCode: 'FRN' },
      state: 'draft',
      status: 'active',
      version: 1,
      reference: null,
      dossier: { required: [], present: [], missing: [] },
    });
    expect(Object.keys(k)).toEqual(
      expect.arrayContaining([
        'id',
        'workflow',
        'organization',
        'title',
        'device',
        'state',
        'status',
        'version',
        'allowedEvents',
        'clocks',
        'deadlines',
        'reference',
        'dossier',
        'createdAt',
        'updatedAt',
      ]),
    );
    expect(k.allowedEvents).toEqual(expect.arrayContaining(['SUBMIT', 'WITHDRAW']));
    const viaLocation = await api.get(m, created.headers.location as string);
    expect(viaLocation.status).toBe(200);
    expect(viaLocation.headers.etag).toBe('"1"');

    const d = {
      submit: daysAgo(300),
      fee: daysAgo(298),
      screen: daysAgo(285),
      ai: daysAgo(240),
      aiResponse: daysAgo(200),
      se: daysAgo(150),
    };
    let r = await api.send(m, k.id, 'SUBMIT', { effectiveAt: d.submit });
    expect(r.submission.state).toBe('received');
    expect(r.transition).toMatchObject({ type: 'SUBMIT', from: 'draft', to: 'received', seq: 2, actor: { role: 'manufacturer', name: 'Maria Lopez' } });

    r = await api.send(fda, k.id, 'FEE_VERIFIED', { effectiveAt: d.fee });
    expect(r.submission.state).toBe('technicalScreening');
    expect(r.submission.clocks.running).toContain('fda-clock');

    r = await api.send(fda, k.id, 'SCREEN_PASS', { effectiveAt: d.screen });
    expect(r.submission.state).toBe('review.substantive');

    r = await api.send(fda, k.id, 'REQUEST_AI', {
      data: { deficiencies: ['Biocompatibility: provide ISO 10993-5 cytotoxicity report', 'Software: provide the SBOM'] },
      effectiveAt: d.ai,
      comment: 'AI letter sent',
    });
    expect(r.submission.state).toBe('aiHold');
    expect(r.submission.clocks.onHold).toBe(true);
    expect(r.submission.clocks.running).not.toContain('fda-clock');
    // The 180-day response deadline counts from the AI letter's date, not from today.
    expect(r.submission.deadlines).toEqual([expect.objectContaining({ kind: 'aiResponse', event: 'AI_TIMEOUT', dueDate: addDays(d.ai, 180) })]);
    expect(r.submission.allowedEvents).toEqual([]); // fda has nothing to send while on hold
    expect((await api.submission(m, k.id)).allowedEvents).toEqual(expect.arrayContaining(['AI_RESPONSE', 'WITHDRAW']));

    r = await api.send(m, k.id, 'AI_RESPONSE', { data: { summary: 'Complete response with all items' }, effectiveAt: d.aiResponse });
    expect(r.submission.state).toBe('review.substantive');
    expect(r.submission.deadlines).toEqual([]);

    r = await api.send(fda, k.id, 'DECIDE_SE', {
      data: { kNumber: 'K261234', decisionDate: d.se },
      effectiveAt: d.se,
      signature: signatureOf(fda, 'approval'),
    });
    expect(r.submission.state).toBe('cleared');
    expect(r.submission.decision).toMatchObject({ number: 'K261234', decision: 'SE', decisionDate: d.se, favourable: true });
    // 21 CFR 11.50: the manifestation (printed name, meaning, when) is in the hashed record; no password.
    expect(r.transition.signature).toEqual({ name: 'Dr. FDA Reviewer', meaning: 'approval', signedAt: r.transition.recordedAt });
    expect(r.submission.version).toBe(7);
    expect(r.transition.effectiveAt.slice(0, 10)).toBe(d.se); // start of that day in New York is still that UTC date

    // ---------------------------------------------------------------- COFEPRIS registration
    const regRes = await api.post(m, '/v1/submissions', bodyRegistration({ submissionId: k.id }, 'abbreviated', 'AIP-200 registro sanitario (abreviada)'));
    expect(regRes.status).toBe(201);
    expect(regRes.headers.etag).toBe('"1"');
    const reg = regRes.body as Json;
    expect(reg.state).toBe('preparing');
    expect(reg.workflow).toEqual({ id: 'cofepris-registration', version: 7 });
    expect(reg.reference).toMatchObject({ submissionId: k.id, decision: 'SE', decisionDate: d.se, favourable: true, invalidated: false });
    const required = reg.dossier.required as string[];
    expect(required).toEqual(expect.arrayContaining(['fda-decision-letter', 'cfg', 'label-ifu-es', 'inspection-report']));
    expect(reg.dossier.missing).toEqual(required);

    // SUBMIT before the dossier is complete: 409 naming what is missing.
    const early = expectProblem(await api.event(m, reg.id, { type: 'SUBMIT', effectiveAt: daysAgo(100) }), 409, 'event_not_allowed');
    for (const kind of required) expect(early.detail).toContain(kind);
    expect((await api.history(m, reg.id)).map((t) => t.type)).toEqual(['CREATED']);

    // Upload every required kind as raw bytes; the server's SHA-256 is ours.
    const uploaded = new Map<string, { doc: Json; bytes: Buffer; location: string }>();
    for (const kind of required) {
      const bytes = Buffer.concat([Buffer.from(`%PDF-1.7\n% ${kind}\n`), Buffer.from([0, 1, 2, 255, 254, 10]), Buffer.from(kind.repeat(50))]);
      const res = await api.upload(m, reg.id, kind, bytes, `${kind}.pdf`);
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ kind, filename: `${kind}.pdf`, sha256: sha256(bytes), size: bytes.length });
      expect(res.headers.location).toBe(`/v1/submissions/${reg.id}/documents/${res.body.id}`);
      uploaded.set(kind, { doc: res.body as Json, bytes, location: res.headers.location as string });
    }
    const ready = await api.submission(m, reg.id);
    expect(ready.dossier.missing).toEqual([]);
    expect([...ready.dossier.present].sort()).toEqual([...required].sort());
    expect(ready.version).toBe(1 + required.length);

    // Download one back: same bytes, Repr-Digest of RFC 9530.
    const letter = uploaded.get('fda-decision-letter')!;
    // Read back by the registration holder (COFEPRIS sees the registration once it is filed, issue 8 §6).
    const dl = await api
      .get(m, letter.location)
      .buffer(true)
      .parse(binary as never);
    expect(dl.status).toBe(200);
    expect(Buffer.compare(dl.body as Buffer, letter.bytes)).toBe(0);
    expect(dl.headers['repr-digest']).toBe(`sha-256=:${Buffer.from(sha256(letter.bytes), 'hex').toString('base64')}:`);
    expect(dl.headers['content-type']).toMatch(/^application\/pdf/);
    expect(dl.headers['content-disposition']).toContain('fda-decision-letter.pdf');
    const docs = await api.get(auditor, `/v1/submissions/${reg.id}/documents`);
    expect(docs.status).toBe(200);
    expect((docs.body.items as Json[]).map((x) => x.sha256).sort()).toEqual([...uploaded.values()].map((u) => sha256(u.bytes)).sort());

    const c = { submit: daysAgo(100), review: daysAgo(95), prev: daysAgo(92), respond: daysAgo(76), grant: daysAgo(50) };
    r = await api.send(m, reg.id, 'SUBMIT', { data: { folio: '253300EL000123' }, effectiveAt: c.submit });
    expect(r.submission.state).toBe('submitted');
    expect(r.submission.clocks.running).toContain('mx-clock');

    r = await api.send(cofepris, reg.id, 'START_REVIEW', { effectiveAt: c.review });
    expect(r.submission.state).toBe('underReview');

    r = await api.send(cofepris, reg.id, 'ISSUE_PREVENCION', {
      // In the first third of the 30 business days (LFPA art. 17-A reading); COFEPRIS sets 10 business days.
      data: { items: ['Etiqueta: falta el número de lote', 'Falta carta de representación apostillada'], termBusinessDays: 10 },
      effectiveAt: c.prev,
    });
    expect(r.submission.state).toBe('prevencion');
    expect(r.submission.deadlines).toEqual([expect.objectContaining({ kind: 'prevencionResponse', event: 'PREVENCION_TIMEOUT' })]);
    expect(r.submission.deadlines[0].dueDate > c.prev).toBe(true);

    r = await api.send(m, reg.id, 'RESPOND_PREVENCION', { data: { summary: 'Etiqueta corregida; carta apostillada adjunta' }, effectiveAt: c.respond });
    expect(r.submission.state).toBe('underReview');

    r = await api.send(cofepris, reg.id, 'GRANT', { data: { registrationNumber: '0123E2026 SSA' }, effectiveAt: c.grant });
    expect(r.submission.state).toBe('registered.current');
    expect(r.submission.status).toBe('active');
    const validUntil = `${Number(c.grant.slice(0, 4)) + 5}${c.grant.slice(4)}`;
    expect(r.submission.decision).toMatchObject({ registrationNumber: '0123E2026 SSA', grantedOn: c.grant, validUntil });

    // ---------------------------------------------------------------- history and hash chain
    const regHistory = await api.history(auditor, reg.id);
    verifyChainIndependently(regHistory, reg.id);
    expect(regHistory.map((t) => t.type)).toEqual([
      'CREATED',
      ...required.map(() => 'DOCUMENT_ADDED'),
      'SUBMIT',
      'START_REVIEW',
      'ISSUE_PREVENCION',
      'RESPOND_PREVENCION',
      'GRANT',
    ]);
    const added = regHistory.filter((t) => t.type === 'DOCUMENT_ADDED');
    for (const row of added) {
      const u = uploaded.get(row.data.kind as string)!;
      expect(row.data).toMatchObject({ documentId: u.doc.id, sha256: sha256(u.bytes), size: u.bytes.length });
      expect(row.from).toBe('preparing');
      expect(row.to).toBe('preparing');
    }
    for (const row of regHistory) {
      expect(row.workflow).toMatchObject({ id: 'cofepris-registration', version: 7, definitionHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(Object.keys(row).sort()).toEqual(
        [
          'actor',
          'comment',
          'data',
          'effectiveAt',
          // Versions 5 and 6 record the facts SUBMIT's guard decided on (issue 8); no other step reads any.
          ...(row.type === 'SUBMIT' ? ['facts'] : []),
          'from',
          'hash',
          'id',
          'prevHash',
          'recordedAt',
          'seq',
          'signature',
          'submissionId',
          'to',
          'type',
          'workflow',
        ].sort(),
      );
    }
    const kHistory = await api.history(auditor, k.id);
    verifyChainIndependently(kHistory, k.id);
    expect(kHistory.map((t) => t.type)).toEqual(['CREATED', 'SUBMIT', 'FEE_VERIFIED', 'SCREEN_PASS', 'REQUEST_AI', 'AI_RESPONSE', 'DECIDE_SE']);
    // Regulatory dates as sent, in increasing order; recordedAt is server time.
    const effective = kHistory.slice(1).map((t) => t.effectiveAt as string);
    expect([...effective].sort()).toEqual(effective);
    expect(effective.map((e) => e.slice(0, 10))).toEqual([d.submit, d.fee, d.screen, d.ai, d.aiResponse, d.se]);
    for (const t of kHistory) expect(Date.parse(t.recordedAt) > Date.now() - 3_600_000).toBe(true);

    // The manufacturer reads the same history (its own organization).
    expect(await api.history(m, reg.id)).toEqual(regHistory);

    // ---------------------------------------------------------------- rescission invalidates reliance
    const rescind = await api.send(fda, k.id, 'RESCIND_SE', { data: { reason: 'New safety data' } });
    expect(rescind.submission.state).toBe('closed.rescinded');
    expect(rescind.submission.status).toBe('closed');
    const after = await api.history(auditor, reg.id);
    expect(after).toHaveLength(regHistory.length + 1);
    const inv = after.at(-1)!;
    expect(inv).toMatchObject({
      type: 'REFERENCE_INVALIDATED',
      from: 'registered.current',
      to: 'registered.current',
      actor: { role: 'system' },
      data: { referenceSubmissionId: k.id, referenceState: 'closed.rescinded' },
    });
    expect(inv.recordedAt).toBe(rescind.transition.recordedAt);
    verifyChainIndependently(after, reg.id);
    const regAfter = await api.submission(cofepris, reg.id);
    expect(regAfter.reference).toMatchObject({ invalidated: true, favourable: false });
  });
});

describe('reliance guards', () => {
  it('SUBMIT while the referenced 510(k) is not yet cleared -> 409 naming the reference', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const k = await api.create(m, body510k('Not yet cleared'));
    await api.send(m, k.id, 'SUBMIT', { effectiveAt: daysAgo(30) });
    await api.send(fda, k.id, 'FEE_VERIFIED', { effectiveAt: daysAgo(29) });
    const reg = await api.create(m, bodyRegistration({ submissionId: k.id }));
    await api.completeDossier(m, reg.id);
    const before = await api.history(m, reg.id);
    const p = expectProblem(await api.event(m, reg.id, { type: 'SUBMIT' }), 409, 'event_not_allowed');
    expect(p.detail).toContain(k.id);
    expect(p.detail).toMatch(/technicalScreening|favourable/);
    expect(p.detail).not.toMatch(/missing:/); // the dossier is complete; only the reference is refused
    expect(await api.history(m, reg.id)).toEqual(before);
    expect((await api.submission(m, reg.id)).state).toBe('preparing');
  });

  it('abbreviated route with an external FDA decision more than 5 years old -> 409; a recent one is accepted', async () => {
    const m = ctx.users.manufacturer;
    const old = await api.create(m, bodyRegistration({ agency: 'FDA', number: 'K191234', decisionDate: '2019-05-02', decision: 'SE' }));
    await api.completeDossier(m, old.id);
    const p = expectProblem(await api.event(m, old.id, { type: 'SUBMIT' }), 409, 'event_not_allowed');
    expect(p.detail).toContain('K191234');
    expect(p.detail).toMatch(/5 years/);
    expect((await api.history(m, old.id)).at(-1)!.type).toBe('DOCUMENT_ADDED');

    const recent = await api.create(m, bodyRegistration({ agency: 'FDA', number: 'K251234', decisionDate: daysAgo(400), decision: 'SE' }));
    await api.completeDossier(m, recent.id);
    const ok = await api.send(m, recent.id, 'SUBMIT');
    expect(ok.submission.state).toBe('submitted');
  });

  it('an external reference must be backed by an uploaded decision letter', async () => {
    const m = ctx.users.manufacturer;
    const reg = await api.create(m, bodyRegistration({ agency: 'FDA', number: 'K251235', decisionDate: daysAgo(300), decision: 'SE' }, 'equivalence'));
    const s = await api.submission(m, reg.id);
    for (const kind of s.dossier.missing as string[]) {
      if (kind === 'fda-decision-letter') continue;
      expect((await api.upload(m, reg.id, kind, Buffer.from(`%PDF ${kind}`))).status).toBe(201);
    }
    const p = expectProblem(await api.event(m, reg.id, { type: 'SUBMIT' }), 409, 'event_not_allowed');
    expect(p.detail).toContain('fda-decision-letter');
  });

  it('a registration may only rely on an FDA submission of its own organization (422)', async () => {
    const betaK = await api.create(ctx.users.otherManufacturer, body510k('Beta 510(k)'));
    const res = await api.post(ctx.users.manufacturer, '/v1/submissions', bodyRegistration({ submissionId: betaK.id }));
    const p = expectProblem(res, 422, 'validation_failed');
    expect(p.errors.map((e: Json) => e.path)).toContain('/input/reference/submissionId');
  });

  it('RESCIND_SE sends REFERENCE_INVALIDATED (actor system) to each active relying registration in the same request', async () => {
    const { manufacturer: m, fda, cofepris } = ctx.users;
    const ref = await api.cleared510k(m, fda, { kNumber: 'K260222', decisionDaysAgo: 90 });
    const preparing = await api.create(m, bodyRegistration({ submissionId: ref }, 'equivalence', 'Relying, preparing'));
    const submitted = await api.create(m, bodyRegistration({ submissionId: ref }, 'equivalence', 'Relying, submitted'));
    await api.completeDossier(m, submitted.id);
    await api.send(m, submitted.id, 'SUBMIT', { effectiveAt: daysAgo(60) });
    const unrelatedRef = await api.cleared510k(m, fda, { kNumber: 'K260223', decisionDaysAgo: 90 });
    const unrelated = await api.create(m, bodyRegistration({ submissionId: unrelatedRef }, 'equivalence', 'Relying on something else'));
    const unrelatedBefore = await api.history(m, unrelated.id);

    const res = await api.send(fda, ref, 'RESCIND_SE', { data: { reason: 'Recall' } });
    expect(res.submission.state).toBe('closed.rescinded');

    const p = (await api.history(m, preparing.id)).at(-1)!;
    expect(p).toMatchObject({
      type: 'REFERENCE_INVALIDATED',
      from: 'preparing',
      to: 'preparing',
      actor: { role: 'system' },
      data: { referenceSubmissionId: ref },
    });
    const s = (await api.history(m, submitted.id)).at(-1)!;
    expect(s).toMatchObject({
      type: 'REFERENCE_INVALIDATED',
      from: 'submitted',
      actor: { role: 'system' },
      data: { referenceSubmissionId: ref, referenceState: 'closed.rescinded' },
    });
    expect(s.recordedAt).toBe(res.transition.recordedAt);
    expect(await api.history(m, unrelated.id)).toEqual(unrelatedBefore);

    // The relying registration can no longer be granted.
    const view = await api.submission(cofepris, submitted.id);
    expect(view.reference.invalidated).toBe(true);
    if (view.state === 'submitted') await api.send(cofepris, submitted.id, 'START_REVIEW');
    const g = expectProblem(await api.event(cofepris, submitted.id, { type: 'GRANT', data: { registrationNumber: 'X-1' } }), 409, 'event_not_allowed');
    expect(g.detail).toMatch(/invalidated/);
    // And the preparing one can no longer be submitted on a rescinded reference.
    await api.completeDossier(m, preparing.id);
    expectProblem(await api.event(m, preparing.id, { type: 'SUBMIT' }), 409, 'event_not_allowed');
  });
});

describe('documents', () => {
  /** The file name a client recovers from Content-Disposition (RFC 6266: filename* wins). */
  function dispositionName(header: string): string | undefined {
    const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (star) return decodeURIComponent(star[1]!);
    const plain = /filename="([^"]*)"/.exec(header);
    return plain?.[1];
  }

  it('a document with a non-ASCII (Spanish) file name downloads with 200, its bytes and its name intact', async () => {
    const m = ctx.users.manufacturer;
    const k = await api.create(m, body510k('Reference for a Spanish label'));
    const reg = await api.create(m, bodyRegistration({ submissionId: k.id }, 'equivalence'));
    for (const filename of ['catéter.pdf', 'Etiqueta – proyecto (español).pdf']) {
      const bytes = Buffer.from(`%PDF-1.7\n${filename}\n`);
      const up = await api.upload(m, reg.id, 'label-ifu-es', bytes, filename);
      expect(up.status, up.text).toBe(201);
      expect(up.body.filename).toBe(filename);
      const dl = await api
        .get(m, up.headers.location as string)
        .buffer(true)
        .parse(binary as never);
      expect(dl.status, `download of ${filename}: ${String(dl.body)}`).toBe(200);
      expect(Buffer.compare(dl.body as Buffer, bytes)).toBe(0);
      expect(dispositionName(String(dl.headers['content-disposition']))).toBe(filename);
    }
  });

  it('the history row of an upload records the kind, file name, SHA-256 and size', async () => {
    const m = ctx.users.manufacturer;
    const k = await api.create(m, body510k('Reference for DOCUMENT_ADDED'));
    const reg = await api.create(m, bodyRegistration({ submissionId: k.id }, 'equivalence'));
    const bytes = Buffer.from('%PDF-1.7\nmanufacturer letter\n');
    const up = await api.upload(m, reg.id, 'manufacturer-letter', bytes, 'carta.pdf');
    const row = (await api.history(ctx.users.auditor, reg.id)).at(-1)!;
    expect(row).toMatchObject({
      seq: 2,
      type: 'DOCUMENT_ADDED',
      from: 'preparing',
      to: 'preparing',
      actor: { role: 'manufacturer' },
      data: { documentId: up.body.id, kind: 'manufacturer-letter', filename: 'carta.pdf', sha256: sha256(bytes), size: bytes.length },
    });
    expect((await api.submission(m, reg.id)).dossier.present).toContain('manufacturer-letter');
  });
});

describe('allowedEvents and visibility by caller', () => {
  it('allowedEvents lists what this caller may send now: manufacturer vs fda vs auditor', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const k = await api.create(m, body510k('allowedEvents'));
    await api.send(m, k.id, 'SUBMIT');
    const asM = await api.submission(m, k.id);
    const asF = await api.submission(fda, k.id);
    const asA = await api.submission(auditor, k.id);
    expect(asM.state).toBe('received');
    expect([...asM.allowedEvents].sort()).toEqual(['WITHDRAW']);
    expect([...asF.allowedEvents].sort()).toEqual(['ECOPY_HOLD', 'FEE_UNPAID', 'FEE_VERIFIED']);
    expect(asA.allowedEvents).toEqual([]);
    // Same record otherwise (each step says whether it is the caller's).
    const { allowedEvents: _a, steps: stepsM, ...restM } = asM;
    const { allowedEvents: _f, steps: stepsF, ...restF } = asF;
    expect(restF).toEqual(restM);
    expect(stepsM.filter((st: { mine: boolean }) => st.mine).map((st: { event: string }) => st.event)).toEqual(['WITHDRAW']);
    expect(stepsF.filter((st: { mine: boolean }) => st.mine).map((st: { event: string }) => st.event)).toEqual(['FEE_VERIFIED', 'FEE_UNPAID', 'ECOPY_HOLD']);
    // Timer events are never offered to a person.
    await api.send(fda, k.id, 'FEE_VERIFIED');
    await api.send(fda, k.id, 'SCREEN_PASS');
    await api.send(fda, k.id, 'REQUEST_AI', { data: { deficiencies: ['x'] } });
    for (const u of [m, fda, auditor]) expect((await api.submission(u, k.id)).allowedEvents).not.toContain('AI_TIMEOUT');
  });

  it('a cofepris reviewer sees the FDA submission a registration relies on, but not an unrelated 510(k)', async () => {
    const { manufacturer: m, fda, cofepris } = ctx.users;
    const ref = await api.cleared510k(m, fda, { kNumber: 'K260333' });
    const unrelated = await api.create(m, body510k('Unrelated 510(k)'));
    // Before anything relies on it, COFEPRIS cannot see it.
    expectProblem(await api.get(cofepris, `/v1/submissions/${ref}`), 404, 'not_found');
    const reg = await api.create(m, bodyRegistration({ submissionId: ref }));
    // A registration in preparation shows COFEPRIS nothing; once filed, it and its reference are visible (issue 8 §6).
    expectProblem(await api.get(cofepris, `/v1/submissions/${ref}`), 404, 'not_found');
    await api.completeDossier(m, reg.id);
    await api.send(m, reg.id, 'SUBMIT');
    const seen = await api.submission(cofepris, ref);
    expect(seen.decision).toMatchObject({ number: 'K260333', decision: 'SE' });
    expect(seen.allowedEvents).toEqual([]);
    expect((await api.history(cofepris, ref)).at(-1)!.type).toBe('DECIDE_SE');
    expect((await api.submission(cofepris, reg.id)).state).toBe('submitted');
    expectProblem(await api.get(cofepris, `/v1/submissions/${unrelated.id}`), 404, 'not_found');
    expectProblem(await api.get(cofepris, `/v1/submissions/${unrelated.id}/history`), 404, 'not_found');
    // It can read but not act on the FDA submission.
    expectProblem(await api.event(cofepris, ref, { type: 'RESCIND_SE' }), 403, 'forbidden');
  });
});
