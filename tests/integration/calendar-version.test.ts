/**
 * A recorded due date keeps the calendar it was counted under (issue 9 §5, DESIGN §7), on a real
 * database: a COFEPRIS prevención gets its 5-business-day due date under calendar A; a server on
 * calendar B (A plus one non-working day inside the window) shows the stored due date unchanged,
 * while a new prevención under B gets the later date; `calendar recompute` (dry run first) moves
 * the stored one with one chained CALENDAR_RECOMPUTED record, a second run moves nothing, and
 * audit verify and the audit bundle's replay still pass. SQLite, and PostgreSQL with
 * TEST_DATABASE_URL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, verifyBundle } from '../../src/audit/bundle.js';
import { createTransparencyLog, loadSigningKey } from '../../src/audit/tlog.js';
import { verifyDatabase } from '../../src/engine/verify.js';
import { DEFAULT_MX_CALENDAR_FILE, loadMexicanCalendar, parseCalendarFile } from '../../src/engine/time.js';
import { initServices, type Services } from '../../src/services.js';
import { listTransitions } from '../../src/store/history-store.js';
import { createTestContext, testApp, type TestContext } from '../support/fixtures.js';
import { Api, DEVICE, type Json } from '../http/helpers.js';

const clock = new Date('2026-03-10T15:00:00Z');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-calendar-'));
const fileA = path.join(dir, 'calendar-a.json');
const fileB = path.join(dir, 'calendar-b.json');
let ctx: TestContext;
let api: Api;
let onB: Services;
let apiB: Api;

beforeAll(async () => {
  // A: the shipped calendar. B: A with one more non-working day, Wed 11 Mar 2026, and a newer version.
  const a = fs.readFileSync(DEFAULT_MX_CALENDAR_FILE, 'utf8');
  fs.writeFileSync(fileA, a);
  const parsed = parseCalendarFile(a);
  fs.writeFileSync(
    fileB,
    JSON.stringify({
      ...parsed,
      version: '2099-01-01',
      days: [...parsed.days, { date: '2026-03-11', basis: 'DOF 10/03/2026, test acuerdo', added: '2099-01-01' }],
    }),
  );
  ctx = await createTestContext({ now: () => clock, config: { mxCalendarFile: fileA } });
  api = new Api(testApp(ctx));
  onB = await initServices({ databaseUrl: ctx.database.url, mxNonWorkingDays: [], mxCalendarFile: fileB }, { now: () => clock });
  apiB = new Api(testApp({ ...ctx, services: onB }));
});
afterAll(async () => {
  await onB?.shutdown();
  await ctx?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A COFEPRIS registration filed and under review, then given a prevención on Mon 9 Mar 2026 through
 * `via`: the authority sets 5 business days, puente counts them under the server's calendar.
 */
async function inPrevencion(title: string, via: Api): Promise<Json> {
  const { manufacturer: m, cofepris } = ctx.users;
  const reg = await api.create(m, { workflow: 'cofepris-registration', title, device: DEVICE, input: { route: 'standard', mxClass: 'II' } });
  await api.completeDossier(m, reg.id);
  await api.send(m, reg.id, 'SUBMIT', { data: { folio: `F-${title}` }, effectiveAt: '2026-03-02' });
  await api.send(cofepris, reg.id, 'START_REVIEW', { effectiveAt: '2026-03-03' });
  const r = await via.send(cofepris, reg.id, 'ISSUE_PREVENCION', { data: { items: ['Falta el certificado'], termBusinessDays: 5 }, effectiveAt: '2026-03-09' });
  expect(r.submission.state).toBe('prevencion');
  return r.submission;
}

describe('a recorded due date keeps its calendar', () => {
  const stampA = () => loadMexicanCalendar(fileA).stamp;
  const stampB = () => loadMexicanCalendar(fileB).stamp;
  let first: Json;

  it('under calendar A: 5 business days from Mon 9 Mar 2026 skip the weekend and Mon 16 Mar (LFT): Tue 17 Mar, named A', async () => {
    first = await inPrevencion('Calendar A', api);
    expect(first.deadlines).toEqual([expect.objectContaining({ kind: 'prevencionResponse', dueDate: '2026-03-17', calendar: stampA() })]);
    expect(stampA().version).toBe(parseCalendarFile(fs.readFileSync(DEFAULT_MX_CALENDAR_FILE, 'utf8')).version);
  });

  it('a server on calendar B shows the stored due date unchanged; a new prevención under B is due a day later', async () => {
    const seen = await apiB.submission(ctx.users.manufacturer, first.id);
    expect(seen.deadlines).toEqual([expect.objectContaining({ dueDate: '2026-03-17', calendar: stampA() })]);
    // A command that does not change the state keeps the stored due date too.
    const up = await apiB.upload(ctx.users.cofepris, first.id, 'cofepris-correspondence', Buffer.from('%PDF-1.4\n% oficio\n'));
    expect(up.status, up.text).toBe(201);
    expect((await apiB.submission(ctx.users.manufacturer, first.id)).deadlines).toEqual([
      expect.objectContaining({ dueDate: '2026-03-17', calendar: stampA() }),
    ]);

    const second = await inPrevencion('Calendar B', apiB);
    expect(second.deadlines).toEqual([expect.objectContaining({ dueDate: '2026-03-18', calendar: stampB() })]);
  });

  it('calendar recompute --dry-run lists the move and writes nothing', async () => {
    const before = await listTransitions(ctx.services.db.knex, first.id);
    const dry = await onB.engine.recomputeCalendar({ dryRun: true, by: 'ops' });
    expect(dry.moved).toEqual([{ id: first.id, kind: 'prevencionResponse', from: '2026-03-17', to: '2026-03-18', fromCalendar: stampA() }]);
    expect(await listTransitions(ctx.services.db.knex, first.id)).toHaveLength(before.length);
    expect((await apiB.submission(ctx.users.manufacturer, first.id)).deadlines[0].dueDate).toBe('2026-03-17');
  });

  it('calendar recompute moves it with one chained CALENDAR_RECOMPUTED record; a second run moves nothing', async () => {
    const before = await listTransitions(ctx.services.db.knex, first.id);
    const head = before[before.length - 1]!;
    const result = await onB.engine.recomputeCalendar({ dryRun: false, by: 'ops' });
    expect(result.calendar).toEqual(stampB());
    expect(result.moved.map((m) => m.id)).toEqual([first.id]);

    const after = await listTransitions(ctx.services.db.knex, first.id);
    expect(after).toHaveLength(before.length + 1);
    const rec = after[after.length - 1]!;
    expect(rec).toMatchObject({
      type: 'CALENDAR_RECOMPUTED',
      seq: head.seq + 1,
      prevHash: head.hash,
      from: 'prevencion',
      to: 'prevencion',
      actor: { id: 'system', role: 'system' },
      data: {
        deadline: 'prevencionResponse',
        event: 'PREVENCION_TIMEOUT',
        from: { dueDate: '2026-03-17', calendar: stampA() },
        to: { dueDate: '2026-03-18', calendar: stampB() },
        by: 'ops',
      },
    });
    const view = await apiB.submission(ctx.users.manufacturer, first.id);
    expect(view).toMatchObject({ state: 'prevencion', version: rec.seq });
    expect(view.deadlines).toEqual([expect.objectContaining({ dueDate: '2026-03-18', calendar: stampB() })]);
    expect(view.clocks.nextDue).toMatchObject({ kind: 'prevencionResponse', dueDate: '2026-03-18', source: 'deadline', unit: 'mx-business' });

    const again = await onB.engine.recomputeCalendar({ dryRun: false, by: 'ops' });
    expect(again.moved).toEqual([]);
    expect(await listTransitions(ctx.services.db.knex, first.id)).toHaveLength(after.length);
  });

  it('audit verify passes, and the bundle replays the recomputation record', async () => {
    const v = await verifyDatabase(ctx.services.db.reader);
    expect(v.breaks).toEqual([]);
    expect(v.ok).toBe(true);
    const tlog = createTransparencyLog({ db: ctx.services.db, privateKey: loadSigningKey({ databaseUrl: ctx.database.url }).privateKey });
    const verdict = verifyBundle(await buildBundle(ctx.services.db.knex, tlog, first.id as string), { verifierKey: tlog.publicKey().verifierKey });
    expect(verdict.failures).toEqual([]);
    expect(verdict.ok).toBe(true);
  });
});
