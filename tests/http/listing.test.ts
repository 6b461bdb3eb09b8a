/**
 * GET /v1/submissions: visibility per role, filters (workflow, state with `closed` prefix,
 * status, organization, q) and keyset pagination. Its own database so counts are exact.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, testApp, type TestContext, type TestUser } from '../support/fixtures.js';
import { Api, body510k, bodyRegistration, daysAgo, type Json } from './helpers.js';

let ctx: TestContext;
let app: Express;
let api: Api;
const ids: Record<string, string> = {};

beforeAll(async () => {
  ctx = await createTestContext();
  app = testApp(ctx);
  api = new Api(app);
  const { manufacturer: m, otherManufacturer: beta, fda } = ctx.users;
  // Titles and device names chosen so that each `q` below matches a known set.
  const k = (title: string, device: string) => ({ ...body510k(title), device: { name: device } });
  const draft: string = (await api.create(m, k('Alpha Infusion Pump 510(k)', 'Alpha pump'))).id;
  const withdrawn: string = (await api.create(m, k('Withdrawn 510(k)', 'Delta stent'))).id;
  await api.send(m, withdrawn, 'WITHDRAW', { data: { reason: 'Design change' } });
  const received: string = (await api.create(m, k('Gamma catheter 510(k)', 'Gamma Catheter 100%_x'))).id;
  await api.send(m, received, 'SUBMIT');
  const screening: string = (await api.create(m, k('Screening 510(k)', 'Epsilon monitor'))).id;
  await api.send(m, screening, 'SUBMIT');
  await api.send(fda, screening, 'FEE_VERIFIED');
  const registration: string = (
    await api.create(m, { ...bodyRegistration({ submissionId: received }, 'equivalence', 'Registro Gamma'), device: { name: 'Catéter Gamma' } })
  ).id;
  // On AI hold since 200 days ago: the 180-day response deadline passed 20 days ago.
  const overdue: string = (await api.create(m, k('Omega 510(k)', 'Omega ventilator'))).id;
  await api.send(m, overdue, 'SUBMIT', { effectiveAt: daysAgo(260) });
  await api.send(fda, overdue, 'FEE_VERIFIED', { effectiveAt: daysAgo(259) });
  await api.send(fda, overdue, 'SCREEN_PASS', { effectiveAt: daysAgo(250) });
  await api.send(fda, overdue, 'REQUEST_AI', { data: { deficiencies: ['Bench testing'] }, effectiveAt: daysAgo(200) });
  Object.assign(ids, { draft, withdrawn, received, screening, registration, overdue });
  ids.beta = (await api.create(beta, k('Beta 510(k)', 'Beta INFUSION set'))).id;
});
afterAll(async () => ctx?.close());

async function list(user: TestUser, qs = ''): Promise<{ items: Json[]; nextCursor: string | null }> {
  const res = await api.get(user, `/v1/submissions${qs ? `?${qs}` : ''}`);
  expect(res.status, res.text).toBe(200);
  expect(Object.keys(res.body).sort()).toEqual(['items', 'nextCursor']);
  return res.body as { items: Json[]; nextCursor: string | null };
}

const idsOf = async (user: TestUser, qs = '') => (await list(user, qs)).items.map((s) => s.id as string).sort();
const pick = (...names: string[]) => names.map((n) => ids[n]!).sort();
const acme = ['draft', 'withdrawn', 'received', 'screening', 'registration', 'overdue'];

describe('visibility', () => {
  it('a manufacturer sees its own organization’s submissions only', async () => {
    expect(await idsOf(ctx.users.manufacturer)).toEqual(pick(...acme));
    expect(await idsOf(ctx.users.otherManufacturer)).toEqual(pick('beta'));
  });

  it('another organization’s manufacturer sees none of Acme’s, whatever the filter', async () => {
    const beta = ctx.users.otherManufacturer;
    const acmeIds = pick(...acme);
    for (const qs of ['', 'workflow=cofepris-registration', 'status=closed', 'q=gamma', 'state=received']) {
      const seen = await idsOf(beta, qs);
      expect(
        seen.filter((id) => acmeIds.includes(id)),
        qs,
      ).toEqual([]);
    }
    const acmeOrg = (await api.submission(ctx.users.manufacturer, ids.draft!)).organization.id;
    expect(await idsOf(beta, `organization=${acmeOrg}`)).toEqual([]);
  });

  it('fda sees every filed FDA-jurisdiction submission of every organization, no draft and no COFEPRIS one', async () => {
    // Drafts (draft, withdrawn before filing, Beta's) stay the applicant's until SUBMIT (issue 8 §6).
    expect(await idsOf(ctx.users.fda)).toEqual(pick('received', 'screening', 'overdue'));
  });

  it('cofepris sees filed COFEPRIS submissions and the FDA submission a filed one relies on', async () => {
    // The registration is still being prepared: neither it nor the 510(k) it names is COFEPRIS's to see yet.
    expect(await idsOf(ctx.users.cofepris)).toEqual([]);
  });

  it('the auditor sees everything; the admin sees no submission', async () => {
    expect(await idsOf(ctx.users.auditor)).toEqual(pick(...acme, 'beta'));
    expect(await idsOf(ctx.users.admin)).toEqual([]);
  });

  it('items carry allowedEvents for the caller', async () => {
    const asFda = (await list(ctx.users.fda, 'state=received')).items;
    expect(asFda.map((s) => s.id)).toEqual([ids.received]);
    // fda-510k@4 (issue 9, eCopy Program guidance) handles ECOPY_HOLD in `received`; allowedEvents
    // lists the events the state handles for the role without evaluating guards, so it is listed for
    // this eSTAR 510(k) too (sending it is refused: refusal.ecopy_hold_estar).
    expect([...asFda[0]!.allowedEvents].sort()).toEqual(['ECOPY_HOLD', 'FEE_UNPAID', 'FEE_VERIFIED']);
    const asM = (await list(ctx.users.manufacturer, 'state=received')).items;
    expect(asM[0]!.allowedEvents).toEqual(['WITHDRAW']);
  });
});

describe('filters', () => {
  const a = () => ctx.users.auditor;

  it('workflow', async () => {
    expect(await idsOf(a(), 'workflow=cofepris-registration')).toEqual(pick('registration'));
    expect(await idsOf(a(), 'workflow=fda-510k')).toEqual(pick('draft', 'withdrawn', 'received', 'screening', 'overdue', 'beta'));
    expect(await idsOf(a(), 'workflow=fda-pma')).toEqual([]);
  });

  it('state: exact path, and `closed` matching closed.* (but not arbitrary prefixes)', async () => {
    expect(await idsOf(a(), 'state=closed')).toEqual(pick('withdrawn'));
    expect(await idsOf(a(), 'state=closed.withdrawn')).toEqual(pick('withdrawn'));
    expect(await idsOf(a(), 'state=closed.nse')).toEqual([]);
    expect(await idsOf(a(), 'state=clo')).toEqual([]);
    expect(await idsOf(a(), 'state=draft')).toEqual(pick('draft', 'beta'));
    expect(await idsOf(a(), 'state=technicalScreening')).toEqual(pick('screening'));
    expect(await idsOf(a(), 'state=preparing')).toEqual(pick('registration'));
    expect(await idsOf(a(), 'state=aiHold')).toEqual(pick('overdue'));
  });

  it('state is matched exactly and case-sensitively, the same on every database', async () => {
    expect(await idsOf(a(), 'state=DRAFT')).toEqual([]);
    expect(await idsOf(a(), 'state=Closed.Withdrawn')).toEqual([]);
    expect(await idsOf(a(), 'state=CLOSED')).toEqual([]);
  });

  it('overdue=true lists active submissions past a hard deadline', async () => {
    expect(await idsOf(a(), 'overdue=true')).toEqual(pick('overdue'));
    expect(await idsOf(ctx.users.otherManufacturer, 'overdue=true')).toEqual([]);
  });

  it('overdue=false lists the submissions that are not overdue', async () => {
    const notOverdue = await idsOf(a(), 'overdue=false');
    expect(notOverdue).not.toContain(ids.overdue);
    expect(notOverdue).toEqual(pick('draft', 'withdrawn', 'received', 'screening', 'registration', 'beta'));
  });

  it('status', async () => {
    expect(await idsOf(a(), 'status=closed')).toEqual(pick('withdrawn'));
    expect(await idsOf(a(), 'status=active')).toEqual(pick('draft', 'received', 'screening', 'registration', 'overdue', 'beta'));
  });

  it('organization', async () => {
    const betaOrg = (await api.submission(a(), ids.beta!)).organization.id as string;
    expect(await idsOf(a(), `organization=${betaOrg}`)).toEqual(pick('beta'));
  });

  it('q: case-insensitive text in the title or the device name; LIKE wildcards are literal', async () => {
    expect(await idsOf(a(), 'q=INFUSION')).toEqual(pick('draft', 'beta'));
    expect(await idsOf(a(), 'q=alpha%20pump')).toEqual(pick('draft')); // device name only
    expect(await idsOf(a(), 'q=gamma')).toEqual(pick('received', 'registration'));
    expect(await idsOf(a(), 'q=100%25_x')).toEqual(pick('received'));
    expect(await idsOf(a(), 'q=%25')).toEqual(pick('received'));
    expect(await idsOf(a(), 'q=_')).toEqual(pick('received'));
    expect(await idsOf(a(), 'q=nothing-matches-this')).toEqual([]);
  });

  it('filters combine', async () => {
    expect(await idsOf(a(), 'workflow=fda-510k&status=active&q=infusion')).toEqual(pick('draft', 'beta'));
    expect(await idsOf(ctx.users.manufacturer, 'workflow=fda-510k&q=infusion')).toEqual(pick('draft'));
  });
});

describe('keyset pagination', () => {
  it('limit=1 walks every page exactly once, without duplicates, ending with nextCursor null', async () => {
    const all = await idsOf(ctx.users.auditor);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: Json[]; nextCursor: string | null } = await list(ctx.users.auditor, `limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      pages++;
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items.map((s) => s.id as string));
      cursor = page.nextCursor;
      expect(pages).toBeLessThanOrEqual(all.length + 1);
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(all);
    expect(pages).toBe(all.length);
  });

  it('pagination keeps the filters and the visibility', async () => {
    const m = ctx.users.manufacturer;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Json[]; nextCursor: string | null } = await list(m, `workflow=fda-510k&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((s) => s.id as string));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(pick('draft', 'withdrawn', 'received', 'screening', 'overdue'));
  });

  it('a page as large as the rest has nextCursor null', async () => {
    const page = await list(ctx.users.auditor, 'limit=200');
    expect(page.items).toHaveLength(acme.length + 1);
    expect(page.nextCursor).toBeNull();
  });
});
