/**
 * Issue 9 §1 (reference/domain.md §7.1) on the real engine: a deadline whose source does not
 * state both window and consequence is left to the regulator. Its event is refused while the
 * term runs (refusal.deadline_running, in both languages), the sweeper writes one DEADLINE_PASSED
 * record when it passes (no state change, sent to webhooks, the deadline shown `passed`), then the
 * regulator decides. A missed business-day goal's GOAL_MISSED names the calendar it was counted
 * under (§5). SQLite (PostgreSQL with TEST_DATABASE_URL).
 */
import { describe, expect, it } from 'vitest';
import { formatMessage } from '../../src/messages/format.js';
import { useScenario } from '../support/scenario.js';

const s = useScenario();

describe('a deadline that needs a decision', () => {
  it('is refused while it runs, recorded once when it passes, then decided by FDA', async () => {
    const { manufacturer: m, fda } = s.users;
    s.on('2026-01-05');
    const id = await s.create(m, 'fda-pma', {}, 'Decision deadline');
    await s.send(m, id, 'SUBMIT');
    await s.send(fda, id, 'FEE_VERIFIED');
    s.on('2026-01-15');
    await s.send(fda, id, 'ACCEPT');
    s.on('2026-02-19');
    const hold = await s.send(fda, id, 'REFUSE_TO_FILE', { reasons: ['No clinical data'] });
    const [deadline] = hold.deadlines as Array<Record<string, unknown>>;
    expect(deadline).toMatchObject({ event: 'CLOSE_NOT_FILED', consequence: 'decision', passed: false });
    expect(deadline!.source).toMatchObject({ title: expect.any(String), date: expect.stringMatching(/^\d{4}/) });

    // While the term runs, FDA cannot close it.
    s.on('2026-03-01');
    const early = await s.api.event(fda, id, { type: 'CLOSE_NOT_FILED', data: { reason: 'Too early' }, signature: s.signature(fda) });
    expect(early.status, early.text).toBe(409);
    expect(early.body.detail).toContain(`the term runs until ${String(deadline!.dueDate)}`);
    expect(formatMessage('refusal.deadline_running', { dueDate: '2026-08-18' }, 'es')).toBe(
      'el plazo corre hasta el 2026-08-18: esto se decide una vez vencido',
    );

    // The day after the due date: one DEADLINE_PASSED record, no state change; a second pass writes nothing.
    s.on('2026-08-19');
    const first = await s.sweep(id);
    expect(first.fired).toEqual([]);
    expect(first.passed).toEqual([expect.objectContaining({ kind: deadline!.kind, event: 'CLOSE_NOT_FILED', dueDate: deadline!.dueDate })]);
    expect((await s.sweep(id)).passed).toEqual([]);
    const view = await s.view(id);
    expect(view.state).toBe('refusedToFile.responseWindow');
    expect(view.deadlines[0]).toMatchObject({ passed: true, consequence: 'decision' });
    const history = await s.api.history(m, id);
    const passed = history.filter((r) => r.type === 'DEADLINE_PASSED');
    expect(passed).toHaveLength(1);
    expect(passed[0]).toMatchObject({
      from: view.state,
      to: view.state,
      actor: { role: 'system' },
      data: { deadline: deadline!.kind, event: 'CLOSE_NOT_FILED' },
    });

    // Now FDA decides.
    expect((await s.send(fda, id, 'CLOSE_NOT_FILED', { reason: 'No amendment' })).state).toBe('closed.notFiled');
    await s.verified();
  });
});

describe('the passed mark is a note, not a key', () => {
  it('a DEADLINE_PASSED mark forged into the row does not let COFEPRIS desechar while the prevención term runs', async () => {
    const { manufacturer: m, cofepris } = s.users;
    s.on('2026-02-02');
    const id = await s.create(m, 'cofepris-registration', { route: 'standard', mxClass: 'II' }, 'Forged mark');
    await s.api.completeDossier(m, id);
    await s.send(m, id, 'SUBMIT', { folio: 'F-forged' });
    await s.send(cofepris, id, 'START_REVIEW');
    s.on('2026-02-04');
    const hold = await s.send(cofepris, id, 'ISSUE_PREVENCION', { items: ['Falta el certificado de libre venta'], termBusinessDays: 5 });
    expect(hold.deadlines[0]).toMatchObject({ event: 'PREVENCION_TIMEOUT', consequence: 'decision', passed: false });
    await s.knex('submissions').where({ id }).update({ deadline_passed_seq: 1 });
    const early = await s.api.event(cofepris, id, { type: 'PREVENCION_TIMEOUT', signature: s.signature(cofepris) });
    expect(early.status, early.text).toBe(409);
    expect(early.body.detail).toContain(`the term runs until ${String(hold.deadlines[0].dueDate)}`);
    expect((await s.view(id)).state).toBe('prevencion');
  });
});

describe('a missed business-day goal names its calendar', () => {
  it('GOAL_MISSED of a COFEPRIS resolution term carries the calendar stamp it was counted under', async () => {
    const { manufacturer: m, cofepris } = s.users;
    s.on('2026-01-12');
    const id = await s.create(m, 'cofepris-registration', { route: 'standard', mxClass: 'II' }, 'Calendar stamp');
    await s.api.completeDossier(m, id);
    await s.send(m, id, 'SUBMIT', { folio: 'F-stamp' });
    await s.send(cofepris, id, 'START_REVIEW');
    s.on('2026-06-30');
    const swept = await s.sweep(id);
    expect(swept.goalsMissed.length).toBeGreaterThan(0);
    const missed = (await s.api.history(m, id)).filter((r) => r.type === 'GOAL_MISSED');
    expect(missed[0]!.data).toMatchObject({ unit: 'mx-business', calendar: { version: expect.any(String), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    await s.verified();
  });
});
