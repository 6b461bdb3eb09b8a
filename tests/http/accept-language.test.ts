/**
 * `Accept-Language` on the API (issue 10, DESIGN §10): `es` or `es-MX` gives Spanish `detail`
 * and `errors[].message`; English without it; `code`, `status` and the JSON pointers never
 * change; responses say `Vary: Accept-Language` and `Content-Language`.
 */
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, testApp, type TestContext } from '../support/fixtures.js';
import { Api, DEVICE, body510k, errorPaths, expectProblem, type Json } from './helpers.js';

let ctx: TestContext;
let app: Express;
let api: Api;

beforeAll(async () => {
  ctx = await createTestContext();
  app = testApp(ctx);
  api = new Api(app);
});
afterAll(async () => ctx?.close());

/** The same request in English (no header) and in Spanish (`es-MX`). */
async function both(send: (lang: Record<string, string>) => request.Test, status: number, code: string): Promise<{ en: Json; es: Json }> {
  const enRes = await send({});
  const esRes = await send({ 'Accept-Language': 'es-MX,es;q=0.9,en;q=0.5' });
  const en = expectProblem(enRes, status, code);
  const es = expectProblem(esRes, status, code);
  expect(enRes.headers['content-language']).toBe('en');
  expect(esRes.headers['content-language']).toBe('es');
  for (const r of [enRes, esRes]) expect(r.headers.vary ?? '').toMatch(/accept-language/i);
  expect(errorPaths(es)).toEqual(errorPaths(en));
  expect(es.type).toBe(en.type);
  return { en, es };
}

describe('Accept-Language', () => {
  it('422 validation_failed: detail and every field message in Spanish, same pointers', async () => {
    const { manufacturer: m } = ctx.users;
    const body = { workflow: 'fda-510k', title: 'x'.repeat(501), device: { ...DEVICE, productCode: 'lox' }, input: {}, extra: 1 };
    const { en, es } = await both((h) => api.post(m, '/v1/submissions', body, h), 422, 'validation_failed');
    expect(en.detail).toMatch(/^The request is invalid: \//);
    expect(es.detail).toMatch(/^La solicitud no es válida: \//);
    expect(en.errors.length).toBeGreaterThan(1);
    const byPath = (b: Json) => Object.fromEntries((b.errors as Array<{ path: string; message: string }>).map((e) => [e.path, e.message]));
    expect(byPath(en)).toMatchObject({ '/title': 'must NOT have more than 500 characters', '/extra': 'is not a known field' });
    expect(byPath(es)).toMatchObject({ '/title': 'debe tener como máximo 500 caracteres', '/extra': 'no es un campo reconocido' });
    for (const [i, e] of (es.errors as Array<{ message: string }>).entries()) expect(e.message).not.toBe(en.errors[i].message);
  });

  it('422 on event data names the event by its Spanish label', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const q = await api.create(m, { workflow: 'fda-presub', title: 'Pre-Sub data', device: DEVICE, input: { meetingRequested: false } });
    await api.send(m, q.id, 'SUBMIT');
    const { en, es } = await both((h) => api.event(fda, q.id, { type: 'ACCEPT', data: { qNumber: 'X1' } }, h), 422, 'validation_failed');
    expect(en.detail).toBe('The data of ACCEPT is invalid: /data/qNumber must be a Q number: Q and 6 digits, e.g. Q240001');
    expect(es.detail).toMatch(/^Los datos de «[^»]+» no son válidos: \/data\/qNumber debe ser un número Q: Q y 6 dígitos \(p\. ej\., Q240001\)$/);
  });

  it('409 event_not_allowed from a guard: the workflow’s reasons in Spanish', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const q = await api.create(m, { workflow: 'fda-presub', title: 'Pre-Sub without meeting', device: DEVICE, input: { meetingRequested: false } });
    await api.send(m, q.id, 'SUBMIT');
    await api.send(fda, q.id, 'ACCEPT', { data: { qNumber: 'Q260078' } });
    const { en, es } = await both((h) => api.event(fda, q.id, { type: 'SCHEDULE_MEETING', data: { meetingDate: '2026-01-10' } }, h), 409, 'event_not_allowed');
    expect(en.detail).toBe('SCHEDULE_MEETING is refused in state accepted: the sponsor did not request a meeting (input meetingRequested is false)');
    expect(es.detail).toBe(
      '«Programar la reunión» se rechaza en el estado «Aceptado»: el patrocinador no solicitó una reunión (el dato meetingRequested es falso)',
    );
  });

  it('409 event_not_allowed in a state that does not take the event', async () => {
    const { manufacturer: m } = ctx.users;
    const q = await api.create(m, { workflow: 'fda-presub', title: 'Pre-Sub draft', device: DEVICE, input: { meetingRequested: true } });
    // Sent by the sponsor: a draft is not FDA's to see until filed (issue 8 §6).
    const { en, es } = await both((h) => api.event(m, q.id, { type: 'RESPONSE', data: { summary: 'Answer' } }, h), 409, 'event_not_allowed');
    expect(en.detail).toBe('RESPONSE is not allowed in state draft of fda-presub');
    expect(es.detail).toMatch(/^«[^»]+» no está permitido en el estado «Borrador» de «[^»]+»$/);
  });

  it('404 not_found', async () => {
    const { manufacturer: m } = ctx.users;
    const { en, es } = await both((h) => api.get(m, '/v1/workflows/no-such-workflow').set(h), 404, 'not_found');
    expect(en.detail).toBe('No workflow no-such-workflow');
    expect(es.detail).toBe('No existe la vía no-such-workflow');
    // The title is the reader's language too (the type URI and the code never change).
    expect([en.title, es.title]).toEqual(['Not found', 'No encontrado']);
    expect(es.type).toBe(en.type);
  });

  it('401 unauthenticated', async () => {
    const { en, es } = await both((h) => request(app).get('/v1/me').set(h), 401, 'unauthenticated');
    expect(en.detail).toBe('Missing Authorization: Bearer <token>');
    expect(es.detail).toBe('Falta el encabezado Authorization: Bearer <token>');
    const bad = await both((h) => request(app).get('/v1/me').set('Authorization', 'Bearer nope').set(h), 401, 'unauthenticated');
    expect(bad.en.detail).toBe('Unknown or disabled token');
    expect(bad.es.detail).toBe('Token desconocido o deshabilitado');
  });

  it('400 malformed_json from the body parser', async () => {
    const { manufacturer: m } = ctx.users;
    const send = (h: Record<string, string>) =>
      request(app).post('/v1/submissions').set(m.auth).set(h).set('Content-Type', 'application/json').send('{"title":');
    const { en, es } = await both(send, 400, 'malformed_json');
    expect(en.detail).toBe('The request body is not valid JSON');
    expect(es.detail).toBe('El cuerpo de la solicitud no es JSON válido');
    expect(es.errors).toEqual([{ path: '', message: 'El cuerpo de la solicitud no es JSON válido' }]);
  });

  it('403 forbidden: an event the role may not send, in Spanish', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const q = await api.create(m, { workflow: 'fda-presub', title: 'Pre-Sub role', device: DEVICE, input: { meetingRequested: false } });
    await api.send(m, q.id, 'SUBMIT'); // filed: FDA sees it (issue 8 §6), and still may not send SUBMIT
    const { en, es } = await both((h) => api.event(fda, q.id, { type: 'SUBMIT', data: {} }, h), 403, 'forbidden');
    expect(en.detail).toBe('SUBMIT may be sent by only manufacturer, not by role fda');
    expect(es.detail).toMatch(/^«[^»]+» solo lo puede registrar: [^;]+; no el rol «[^»]+»$/);
    expect(es.detail).not.toContain('SUBMIT');
  });

  it('422 effectiveAt in the future: detail and field message in Spanish', async () => {
    const { manufacturer: m } = ctx.users;
    const q = await api.create(m, { workflow: 'fda-presub', title: 'Pre-Sub future', device: DEVICE, input: { meetingRequested: false } });
    const { en, es } = await both((h) => api.event(m, q.id, { type: 'SUBMIT', data: {}, effectiveAt: '2999-01-01' }, h), 422, 'validation_failed');
    expect(en.detail).toBe('effectiveAt is in the future');
    expect(es.detail).toBe('La fecha efectiva (effectiveAt) está en el futuro');
    expect(errorPaths(es)).toEqual(['/effectiveAt']);
    expect(en.errors[0].message).toMatch(/^must not be after the server time \d{4}-/);
    expect(es.errors[0].message).toMatch(/^no debe ser posterior a la hora del servidor \(\d{4}-/);
  });

  it('422 invalid cursor, 404 no submission and 404 no route, in Spanish', async () => {
    const { manufacturer: m } = ctx.users;
    const cursor = await both((h) => api.get(m, '/v1/submissions?cursor=bm9wZQ').set(h), 422, 'validation_failed');
    expect(cursor.en.detail).toBe('The cursor is invalid');
    expect(cursor.es.detail).toBe('El cursor no es válido');
    expect(cursor.en.errors).toEqual([{ path: '/cursor', message: 'is not a cursor returned by this endpoint with the same sort' }]);
    expect(cursor.es.errors).toEqual([{ path: '/cursor', message: 'no es un cursor devuelto por este endpoint con el mismo orden' }]);
    const id = '01966a3e-8c1f-7d2a-9b3c-4d5e6f708192';
    const missing = await both((h) => api.get(m, `/v1/submissions/${id}`).set(h), 404, 'not_found');
    expect(missing.en.detail).toBe(`No submission ${id}`);
    expect(missing.es.detail).toBe(`No existe el trámite ${id}`);
    const route = await both((h) => api.get(m, '/v1/no-such-thing').set(h), 404, 'not_found');
    expect(route.en.detail).toBe('No route GET /v1/no-such-thing');
    expect(route.es.detail).toBe('No existe la ruta GET /v1/no-such-thing');
  });

  it('409 on a reliance route: the reference and its status in Spanish', async () => {
    const { manufacturer: m } = ctx.users;
    const k = await api.create(m, body510k('AIP-200 510(k) still a draft'));
    const reg = await api.create(m, {
      workflow: 'cofepris-registration',
      title: 'Equivalence on an undecided 510(k)',
      device: DEVICE,
      input: { route: 'equivalence', reference: { submissionId: k.id } },
    });
    await api.completeDossier(m, reg.id);
    const { en, es } = await both((h) => api.event(m, reg.id, { type: 'SUBMIT', data: {} }, h), 409, 'event_not_allowed');
    expect(en.detail).toContain(`the reference AIP-200 510(k) still a draft (fda-510k ${k.id}) has no favourable FDA decision (it is in state draft)`);
    expect(es.detail).toContain(`la referencia AIP-200 510(k) still a draft (fda-510k ${k.id}) no tiene una decisión favorable de FDA (está en el estado «`);
    expect(es.detail).not.toContain('it is in state');
  });

  it('English for English, other languages and nonsense', async () => {
    for (const header of ['en-US', 'fr-FR', 'de;q=0.9, en;q=0.8', '*', 'es;q=0', ';;,']) {
      const res = await request(app).get('/v1/me').set('Accept-Language', header);
      const p = expectProblem(res, 401, 'unauthenticated');
      expect(p.detail, header).toBe('Missing Authorization: Bearer <token>');
      expect(res.headers['content-language'], header).toBe('en');
    }
  });
});
