/**
 * Deliberate steps (guide issue 13 §2, tracker issue 18), over HTTP on a real database: on the
 * versions of issue 13 a response to what the regulator asked carries content (a summary, or
 * documents already added to the submission), so an empty AI response no longer moves a 510(k)
 * out of hold; withdrawing an FDA submission and desisting from a COFEPRIS trámite are signed;
 * a COFEPRIS denial states its fundamentación y motivación; older versions keep their rules.
 * The page's response form says when the summary is required and offers the submission's
 * documents by name; the withdrawal form asks for the signature and the confirmation.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestWorkflow, workflowVersion } from '../../workflows/index.js';
import { type TestContext } from '../support/fixtures.js';
import { browse } from '../support/web-agent.js';
import { Api, body510k, bodyRegistration, daysAgo, errorPaths, expectProblem, openTestApp } from './helpers.js';

let ctx: TestContext, app: Express, api: Api;

beforeAll(async () => ({ ctx, app, api } = await openTestApp()), 60_000);

afterAll(async () => ctx?.close());

async function aiHold(title: string): Promise<string> {
  const { manufacturer: m, fda } = ctx.users;
  const s = await api.create(m, body510k(title));
  expect(s.workflow).toMatchObject({ id: 'fda-510k', version: latestWorkflow('fda-510k')!.version });
  await api.send(m, s.id, 'SUBMIT', { effectiveAt: daysAgo(30) });
  await api.send(fda, s.id, 'FEE_VERIFIED', { effectiveAt: daysAgo(29) });
  await api.send(fda, s.id, 'SCREEN_PASS', { effectiveAt: daysAgo(20) });
  await api.send(fda, s.id, 'REQUEST_AI', { data: { deficiencies: ['Provide ISO 10993-1 data'] }, effectiveAt: daysAgo(5) });
  return s.id as string;
}

describe('a response carries content', () => {
  it('an empty or blank AI response is 422 at /data/summary and writes nothing; the hold stays', async () => {
    const { manufacturer: m } = ctx.users;
    const id = await aiHold('Empty AI response');
    const before = await api.history(m, id);
    for (const data of [undefined, {}, { summary: '   ' }]) {
      const res = await api.event(m, id, { type: 'AI_RESPONSE', ...(data ? { data } : {}) });
      const body = expectProblem(res, 422, 'validation_failed');
      expect(errorPaths(body)).toEqual(['/data/summary']);
    }
    expect(await api.history(m, id)).toHaveLength(before.length);
    expect((await api.submission(m, id)).state).toBe('aiHold');
  });

  it('the Spanish message says what is missing', async () => {
    const id = await aiHold('Empty AI response, Spanish');
    const res = await api.event(ctx.users.manufacturer, id, { type: 'AI_RESPONSE', data: { summary: ' ' } }, { 'Accept-Language': 'es' });
    const body = expectProblem(res, 422, 'validation_failed');
    expect(body.errors[0].message).toMatch(/al menos un carácter que no sea espacio/);
  });

  it('a response with a summary moves the 510(k) back to review', async () => {
    const { manufacturer: m } = ctx.users;
    const id = await aiHold('AI response with text');
    const r = await api.send(m, id, 'AI_RESPONSE', { data: { summary: 'ISO 10993-1 reports attached' } });
    expect(r.submission.state).toBe('review.substantive');
  });

  it('a response may attach the submission’s own documents instead; an id of another submission or none is 422 at its pointer', async () => {
    const { manufacturer: m } = ctx.users;
    const id = await aiHold('AI response with a document');
    const other = await aiHold('Another 510(k)');
    const upload = await api.upload(m, id, 'biocompatibility', Buffer.from('%PDF-1.7\n% ISO 10993-1\n%%EOF\n'));
    expect(upload.status, upload.text).toBe(201);
    const foreign = await api.upload(m, other, 'biocompatibility', Buffer.from('%PDF-1.7\n% other\n%%EOF\n'));
    expect(foreign.status, foreign.text).toBe(201);
    const before = (await api.history(m, id)).length;

    const unknown = await api.event(m, id, { type: 'AI_RESPONSE', data: { documents: [upload.body.id, foreign.body.id] } });
    const body = expectProblem(unknown, 422, 'validation_failed');
    expect(errorPaths(body)).toEqual(['/data/documents/1']);
    const notUuid = await api.event(m, id, { type: 'AI_RESPONSE', data: { documents: ['report.pdf'] } });
    expect(errorPaths(expectProblem(notUuid, 422, 'validation_failed'))).toEqual(['/data/documents/0']);
    expect(await api.history(m, id)).toHaveLength(before);

    const r = await api.send(m, id, 'AI_RESPONSE', { data: { documents: [upload.body.id] } });
    expect(r.submission.state).toBe('review.substantive');
    expect(r.transition.data).toEqual({ documents: [upload.body.id] });
  });

  it('every response of the current versions requires content; released versions keep theirs', () => {
    const responses: Record<string, string[]> = {
      'fda-510k': ['RTA_RESPONSE', 'AI_RESPONSE'],
      'fda-de-novo': ['RTA_RESPONSE', 'AI_RESPONSE'],
      'fda-pma': ['RTA_RESPONSE', 'FILING_AMENDMENT', 'MAJOR_AMENDMENT', 'APPROVABLE_RESPONSE', 'AMENDMENT'],
      'fda-hde': ['HUD_INFO_RESPONSE', 'AMENDMENT'],
      'fda-presub': ['RESPONSE'],
      'fda-breakthrough': ['INFO_RESPONSE'],
      'cofepris-registration': ['RESPOND_PREVENCION'],
    };
    for (const [id, types] of Object.entries(responses)) {
      const w = latestWorkflow(id)!;
      for (const type of types) expect(w.events[type]!.schema, `${id}@${w.version} ${type}`).toMatchObject({ then: { required: ['summary'] } });
    }
  });
});

describe('a party’s terminal step is signed and confirmed', () => {
  it('WITHDRAW without a signature is 422 at /signature; signed, the record carries the manifestation', async () => {
    const { manufacturer: m } = ctx.users;
    const id = await aiHold('Withdrawn with a signature');
    const res = await api.event(m, id, { type: 'WITHDRAW', data: { reason: 'Business decision' } });
    expect(errorPaths(expectProblem(res, 422, 'validation_failed'))).toContain('/signature');
    expect((await api.submission(m, id)).state).toBe('aiHold');
    const r = await api.send(m, id, 'WITHDRAW', { data: { reason: 'Business decision' } });
    expect(r.submission.state).toBe('closed.withdrawn');
    expect(r.transition.signature).toMatchObject({ name: m.actor.name, meaning: expect.any(String) });
  });

  it('DESIST on a COFEPRIS registration is signed; DENY states fundamentación and motivación', async () => {
    const { manufacturer: m, cofepris } = ctx.users;
    const w = latestWorkflow('cofepris-registration')!;
    expect(w.events.DESIST!.requiresSignature).toBe(true);
    expect(w.events.DENY!.schema).toMatchObject({ required: ['fundamentacion', 'motivacion'] });
    const ref = await api.cleared510k(m, ctx.users.fda, { kNumber: 'K261301', decisionDaysAgo: 90 });
    const r = await api.create(m, bodyRegistration({ submissionId: ref }, 'abbreviated', 'Desisted registration'));
    await api.completeDossier(m, r.id);
    await api.send(m, r.id, 'SUBMIT', { data: { folio: 'FOLIO-DESIST-1' } });
    const unsigned = await api.event(m, r.id, { type: 'DESIST', data: { reason: 'Not marketing in Mexico' } });
    expectProblem(unsigned, 422, 'validation_failed');
    const deny = await api.event(cofepris, r.id, { type: 'DENY', data: {}, signature: { meaning: 'approval', password: cofepris.password } });
    const denyPaths = errorPaths(expectProblem(deny, 422, 'validation_failed'));
    expect(denyPaths).toEqual(expect.arrayContaining(['/data/fundamentacion', '/data/motivacion']));
    const done = await api.send(m, r.id, 'DESIST', { data: { reason: 'Not marketing in Mexico' } });
    expect(done.submission.state).toMatch(/^closed\./);
    expect(done.transition.signature).toMatchObject({ name: m.actor.name });
  });

  it('released versions keep their rules: an unsigned withdrawal, an optional summary', () => {
    for (const id of ['fda-510k', 'cofepris-registration']) {
      const w = latestWorkflow(id)!;
      const previous = workflowVersion(id, w.version - 1)!;
      const ending = id === 'fda-510k' ? 'WITHDRAW' : 'DESIST';
      const response = id === 'fda-510k' ? 'AI_RESPONSE' : 'RESPOND_PREVENCION';
      expect(previous.events[ending]!.requiresSignature).toBeUndefined();
      expect(previous.events[response]!.schema).not.toHaveProperty('then');
      expect(w.machine).toBe(previous.machine);
    }
  });
});

describe('the page asks for what the step needs', () => {
  it('the response form marks the summary as required unless documents are attached and lists them by name (both languages)', async () => {
    const { manufacturer: m } = ctx.users;
    const id = await aiHold('Response form');
    const b = await browse(app, m);
    const noDocs = await b.agent.get(`/submissions/${id}`).set('Accept', 'text/html');
    const form = (html: string) => /<details id="event-AI_RESPONSE"[\s\S]*?<\/details>/.exec(html)?.[0] ?? '';
    // Without documents on file the summary is simply required.
    expect(form(noDocs.text)).toMatch(/Summary <span class="field-flag muted">\(required\)/);
    expect(form(noDocs.text)).not.toContain('name="data.documents"');
    const up = await api.upload(m, id, 'biocompatibility', Buffer.from('%PDF-1.7\n%%EOF\n'), 'iso-10993-report.pdf');
    expect(up.status, up.text).toBe(201);
    const en = form((await b.agent.get(`/submissions/${id}`).set('Accept', 'text/html')).text);
    expect(en).toContain('required unless you attach documents');
    expect(en).toMatch(new RegExp(`name="data.documents" value="${up.body.id}"`));
    expect(en).toContain('iso-10993-report.pdf');
    const es = form((await b.agent.get(`/submissions/${id}`).set('Accept', 'text/html').set('Cookie', 'puente_lang=es')).text);
    expect(es).toContain('obligatorio salvo que adjunte documentos');
    expect(es).toContain('Documentos adjuntos');

    // Posting the form with the document ticked and no summary answers the request.
    const sent = await b.agent
      .post(`/submissions/${id}/events`)
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: b.csrf, type: 'AI_RESPONSE', version: String((await api.submission(m, id)).version), 'data.documents': up.body.id });
    expect(sent.status, sent.text.slice(0, 400)).toBe(303);
    expect((await api.submission(m, id)).state).toBe('review.substantive');
  });

  it('the withdrawal form asks for the signature and the confirmation', async () => {
    const { manufacturer: m } = ctx.users;
    const id = await aiHold('Withdrawal form');
    const b = await browse(app, m);
    const html = (await b.agent.get(`/submissions/${id}`).set('Accept', 'text/html')).text;
    const form = /<details id="event-WITHDRAW"[\s\S]*?<\/details>/.exec(html)?.[0] ?? '';
    expect(form).toContain('class="ends"');
    expect(form).toContain('name="signature.password"');
    expect(form).toContain('name="confirm"');
  });
});
