/**
 * reference/domain.md §7.2, HDE row (fda-hde@4): OOPD acts on a HUD request within 45 days
 * (21 CFR 814.102(b)); a request returned for more information counts its 45 days again from the
 * sponsor's answer (814.102(b)(2)); an approvable letter unanswered for 75 days leaves the HDE
 * considered withdrawn (814.116(e)(2)), which the sweeper applies itself.
 */
import { describe, expect, it } from 'vitest';
import { useScenario } from '../support/scenario.js';

const s = useScenario();

describe('domain.md §7.2 HDE: HUD designation 45 days, returned for more information, 75-day letter window', () => {
  it('returned on day 30, answered on 2026-03-02: designated within 45 days of the answer; approvable letter unanswered -> withdrawn', async () => {
    const { manufacturer: m, fda } = s.users;
    s.on('2026-01-05');
    const id = await s.create(m, 'fda-hde', {});
    await s.send(m, id, 'REQUEST_HUD', { estimatedAnnualPopulation: 2400 });
    expect(await s.goal(id, 'hudDesignation')).toMatchObject({ startedOn: '2026-01-05', dueDate: '2026-02-19' });

    s.on('2026-02-04');
    expect((await s.send(fda, id, 'HUD_RETURNED', { questions: ['Justify the prevalence estimate'] })).state).toBe('hudInfoHold');
    expect(await s.goal(id, 'hudDesignation')).toMatchObject({ metOn: '2026-02-04', status: 'met' });
    expect(await s.goal(id, 'hudDesignationAfterReturn')).toBeUndefined();

    s.on('2026-03-02');
    expect((await s.send(m, id, 'HUD_INFO_RESPONSE', { summary: 'Registry data, 2,400 a year' })).state).toBe('hudReview');
    expect(await s.goal(id, 'hudDesignationAfterReturn')).toMatchObject({ startedOn: '2026-03-02', dueDate: '2026-04-16', metOn: null });
    s.on('2026-04-10');
    await s.send(fda, id, 'HUD_DESIGNATED');
    expect(await s.goal(id, 'hudDesignationAfterReturn')).toMatchObject({ metOn: '2026-04-10', status: 'met' });

    s.on('2026-05-01');
    await s.send(m, id, 'SUBMIT_HDE');
    s.on('2026-05-20');
    await s.send(fda, id, 'FILE');
    s.on('2026-07-01');
    const letter = await s.send(fda, id, 'ISSUE_APPROVABLE', { conditions: ['Final printed labeling'] });
    expect(letter.deadlines).toEqual([
      expect.objectContaining({
        event: 'AMENDMENT_TIMEOUT',
        dueDate: '2026-09-14',
        consequence: 'automatic',
        source: expect.objectContaining({ citation: '21 CFR 814.116(e)(2)' }),
      }),
    ]);
    s.on('2026-09-14');
    expect((await s.sweep(id)).fired).toEqual([]);
    s.on('2026-09-15');
    expect((await s.sweep(id)).fired).toEqual([expect.objectContaining({ event: 'AMENDMENT_TIMEOUT', state: 'closed.withdrawn' })]);
    await s.verified();
  });
});
