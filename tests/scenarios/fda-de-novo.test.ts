/**
 * reference/domain.md §7.2, De Novo row (fda-de-novo@4): eSTAR hold of 180 days and acceptance
 * by default at 15 days are regulation with their consequence (21 CFR 860.230(b), 860.250(a)(2)),
 * so the sweeper applies them itself, dated on the due date.
 */
import { describe, expect, it } from 'vitest';
import { useScenario } from '../support/scenario.js';

const s = useScenario();

describe('domain.md §7.2 De Novo: eSTAR hold 180 days, automatic acceptance at 15 days', () => {
  it('screening not done in 15 days: accepted for substantive review by the sweeper; the FDA days count from receipt', async () => {
    const { manufacturer: m, fda } = s.users;
    s.on('2026-02-02');
    const id = await s.create(m, 'fda-de-novo', { format: 'eSTAR' });
    await s.send(m, id, 'SUBMIT');
    const screening = await s.send(fda, id, 'FEE_VERIFIED');
    expect(screening.deadlines).toEqual([expect.objectContaining({ kind: 'technicalScreening', dueDate: '2026-02-17', consequence: 'automatic' })]);
    s.on('2026-02-17');
    expect((await s.sweep(id)).fired).toEqual([]);
    s.on('2026-02-18');
    expect((await s.sweep(id)).fired).toEqual([expect.objectContaining({ event: 'SCREENING_TIMEOUT', dueDate: '2026-02-17', state: 'review.substantive' })]);
    expect((await s.view(id)).clocks).toMatchObject({ receivedOn: '2026-02-02', fdaDays: 16 });
  });

  it('no replacement eSTAR within 180 days of the hold: considered withdrawn (closed.deleted), once', async () => {
    const { manufacturer: m, fda } = s.users;
    s.on('2026-03-02');
    const id = await s.create(m, 'fda-de-novo', { format: 'eSTAR' });
    await s.send(m, id, 'SUBMIT');
    await s.send(fda, id, 'FEE_VERIFIED');
    s.on('2026-03-10');
    const hold = await s.send(fda, id, 'SCREEN_FAIL', { reasons: ['Biocompatibility section empty'] });
    expect(hold.deadlines).toEqual([
      expect.objectContaining({
        kind: 'eStarHoldResponse',
        dueDate: '2026-09-06',
        consequence: 'automatic',
        source: expect.objectContaining({ citation: '21 CFR 860.250(a)(2)' }),
      }),
    ]);
    s.on('2026-09-07');
    expect((await s.sweep(id)).fired).toEqual([expect.objectContaining({ event: 'ESTAR_HOLD_TIMEOUT', state: 'closed.deleted' })]);
    expect((await s.sweep(id)).fired).toEqual([]);
    expect((await s.view(id)).state).toBe('closed.deleted');
    await s.verified();
  });
});
