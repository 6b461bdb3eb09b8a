/**
 * The auditor finds submissions as people name them (issue 18 §8), over HTTP on a real SQLite
 * file (or TEST_DATABASE_URL's PostgreSQL): `q` on GET /v1/audit/transitions and the export
 * matches a part of the title or device name (any case, LIKE wildcards taken literally), the
 * start of a decision number the submission holds or relies on, or the id; bad values are
 * problem+json with the JSON pointer. The printable report reads as a document in the
 * client's language, dates in the jurisdiction's zone, the authority's signature law.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECT } from '../support/db.js';
import { createTestContext, testApp, type TestContext } from '../support/fixtures.js';
import { Api, body510k, bodyRegistration, daysAgo, errorPaths, expectProblem, type Json } from './helpers.js';

let ctx: TestContext;
let api: Api;
const ids = { alpha: '', beta: '', gamma: '' };
/** Every record of each submission, as the history serves it. */
const history = new Map<string, Json[]>();

beforeAll(async () => {
  ctx = await createTestContext();
  api = new Api(testApp(ctx));
  const { manufacturer: m, fda } = ctx.users;
  ids.alpha = await api.cleared510k(m, fda, { title: 'Alpha Stent 510(k)', kNumber: 'K261234' });
  ids.beta = (
    await api.create(m, bodyRegistration({ agency: 'FDA', number: 'K261234', decisionDate: daysAgo(200), decision: 'SE' }, 'abbreviated', 'Registro Beta'))
  ).id as string;
  ids.gamma = (await api.create(m, { ...body510k('Gamma 100% _pump_'), device: { name: 'Omega Monitor', model: 'OM-1' } })).id as string;
  for (const id of Object.values(ids)) history.set(id, await api.history(ctx.users.auditor, id));
}, 60_000);

afterAll(async () => {
  await ctx?.close();
});

/** Every record the filter finds, following nextCursor. */
async function found(query: string): Promise<Json[]> {
  const items: Json[] = [];
  let cursor: string | null = null;
  do {
    const res = await api.get(ctx.users.auditor, `/v1/audit/transitions?${query}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status, `${query}: ${res.text}`).toBe(200);
    items.push(...(res.body.items as Json[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return items;
}

const byKey = (a: Json, b: Json) => (a.recordedAt === b.recordedAt ? (a.id < b.id ? -1 : 1) : a.recordedAt < b.recordedAt ? -1 : 1);

describe(`q: submissions by title, device, number or id on ${DIALECT}`, () => {
  it('finds every record of exactly the submissions the text names, and the export holds the same records', async () => {
    const cases: Array<[string, Array<keyof typeof ids>]> = [
      ['alpha', ['alpha']],
      ['ALPHA stent', ['alpha']],
      ['  registro beta ', ['beta']],
      ['omega MONITOR', ['gamma']],
      ['Acme Infusion', ['alpha', 'beta']],
      // A decision number: the 510(k) that holds it and the registration relying on it, from its start.
      ['K261234', ['alpha', 'beta']],
      ['k2612', ['alpha', 'beta']],
      ['261234', []],
      ['K999999', []],
      // LIKE wildcards are literal.
      ['100%', ['gamma']],
      ['%', ['gamma']],
      ['_pump_', ['gamma']],
      ['a_p', []],
      ['nothing like this', []],
    ];
    for (const [q, names] of cases) {
      const want = names.flatMap((n) => history.get(ids[n])!).sort(byKey);
      expect(await found(`q=${encodeURIComponent(q)}`), q).toEqual(want);
    }
    // The id, exactly, and combined with another filter.
    expect(await found(`q=${ids.gamma}`)).toEqual(history.get(ids.gamma));
    const decided = await found('q=K261234&type=DECIDE_SE');
    expect(decided.map((t) => [t.submissionId, t.type])).toEqual([[ids.alpha, 'DECIDE_SE']]);
    // The export follows the same filter.
    const exported = await api.get(ctx.users.auditor, '/v1/audit/export?format=jsonl&q=k261234');
    expect(exported.status).toBe(200);
    const lines = exported.text.trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as Json).id)).toEqual([...history.get(ids.alpha)!, ...history.get(ids.beta)!].sort(byKey).map((t) => t.id));
  });

  it('answers a bad q or type with a problem+json naming the parameter by JSON pointer', async () => {
    const cases: Array<[string, string[]]> = [
      ['q=', ['/q']],
      ['q=%20%20', ['/q']],
      [`q=${'x'.repeat(201)}`, ['/q']],
      ['q=a&q=b', ['/q']],
      ['q=ok&type=submit', ['/type']],
      ['q=&type=Decide', ['/q', '/type']],
    ];
    for (const [query, pointers] of cases) {
      for (const path of ['/v1/audit/transitions', '/v1/audit/export']) {
        const body = expectProblem(await api.get(ctx.users.auditor, `${path}?${query}`), 422, 'validation_failed');
        expect([...new Set(errorPaths(body))].sort(), `${path}?${query}`).toEqual(pointers);
      }
    }
    // Only auditors and admins search.
    expectProblem(await api.get(ctx.users.manufacturer, '/v1/audit/transitions?q=alpha'), 403, 'forbidden');
  });
});

describe(`the printable report reads as a document on ${DIALECT}`, () => {
  /** The report in a language; the part before the technical details toggle. */
  async function report(id: string, accept: string): Promise<{ html: string; readable: string; res: request.Response }> {
    const res = await api.get(ctx.users.auditor, `/v1/submissions/${id}/report`).set('Accept-Language', accept);
    expect(res.status, res.text).toBe(200);
    const html = res.text;
    const at = html.indexOf('<details id="technical">');
    expect(at).toBeGreaterThan(0);
    return { html, readable: html.slice(0, at), res };
  }

  const zoned = (iso: string, lang: string, zone: string) =>
    new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'long', timeZone: zone }).format(new Date(iso));

  it.each([
    [
      'en',
      'en',
      'History of Alpha Stent 510(k)',
      ['Decide: substantially equivalent', 'Submission created', 'Decision number', 'FDA 510(k)', 'Cleared (SE)'],
      'Approval',
    ],
    [
      'es-MX,es;q=0.9',
      'es-MX',
      'Historial de Alpha Stent 510(k)',
      ['Decidir: sustancialmente equivalente', 'Trámite creado', 'Número de decisión', '510(k) de la FDA'],
      'Firmado el',
    ],
  ])('an FDA 510(k) in %s: words, not codes; times in New York time; signatures under 21 CFR Part 11', async (accept, lang, heading, words, signed) => {
    const { html, readable, res } = await report(ids.alpha, accept);
    expect(res.headers['content-language']).toBe(lang === 'en' ? 'en' : 'es-MX');
    expect(html).toContain(`<html lang="${lang}">`);
    expect(readable).toContain(`<h1><bdi>${heading}</bdi></h1>`);
    for (const w of [...words, 'K261234', signed]) expect(readable, w).toContain(w);
    // No machine code outside the toggle: event types, state ids, the workflow id, the submission id.
    for (const code of ['DECIDE_SE', 'FEE_VERIFIED', 'SCREEN_PASS', '>cleared<', 'fda-510k', ids.alpha, 'approval']) expect(readable, code).not.toContain(code);
    // Each record's time in the FDA's zone, the zone shown; the raw instant only as the machine-readable attribute.
    for (const t of history.get(ids.alpha)!) {
      expect(readable).toContain(`<time datetime="${t.recordedAt as string}">${zoned(t.recordedAt as string, lang, 'America/New_York')}</time>`);
    }
    expect(readable).toContain('America/New_York');
    expect(readable).toMatch(lang === 'en' ? /21 CFR Part 11/ : /21 CFR parte 11/);
    expect(readable).not.toContain('NOM-151');
    // The codes and the JSON stay available in the toggle.
    expect(html.slice(readable.length)).toContain('DECIDE_SE');
    expect(html.slice(readable.length)).toContain('&#34;kNumber&#34;: &#34;K261234&#34;');
  });

  it.each([
    ['en', 'Electronic signature under Mexico’s Ley de Firma Electrónica Avanzada', 'Relies on the decision', 'es-MX'],
    ['es', 'Firma electrónica conforme a la Ley de Firma Electrónica Avanzada', 'Se apoya en la decisión', 'es-MX'],
  ])('a COFEPRIS registration in %s cites Mexican law for signatures, Mexico City time', async (accept, law, relies) => {
    const { readable } = await report(ids.beta, accept);
    expect(readable).toContain(law);
    expect(readable).toContain('NOM-151-SCFI-2016');
    expect(readable).not.toMatch(/21 CFR/);
    expect(readable).toContain(relies);
    expect(readable).toContain('America/Mexico_City');
    const created = history.get(ids.beta)![0]!;
    expect(readable).toContain(zoned(created.recordedAt as string, accept === 'en' ? 'en' : 'es-MX', 'America/Mexico_City'));
  });
});
