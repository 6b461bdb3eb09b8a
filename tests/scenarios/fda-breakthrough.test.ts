/**
 * reference/domain.md §7.2, Breakthrough row (fda-breakthrough@5): FDA decides a designation
 * request within 60 calendar days of receipt (FD&C Act § 515B(d)(1)); an information request
 * around day 30 keeps the request under review and does not move the statutory date. A missed
 * goal is recorded (GOAL_MISSED) and changes no state: the decision stays FDA's.
 */
import { describe, expect, it } from 'vitest';
import { useScenario } from '../support/scenario.js';

const s = useScenario();

describe('domain.md §7.2 Breakthrough: 60 days statutory, information around day 30', () => {
  it('requested 2026-01-05, information asked on day 30, decided on day 64: the 60-day goal is missed and recorded once', async () => {
    const { manufacturer: m, fda } = s.users;
    s.on('2026-01-05');
    const id = await s.create(m, 'fda-breakthrough', {});
    await s.send(m, id, 'REQUEST_DESIGNATION', { summary: 'Implantable glucose sensor', secondaryCriteria: ['noApprovedAlternative'] });
    const due = { dueDate: '2026-03-06', length: 60, source: expect.objectContaining({ citation: '21 U.S.C. 360e-3(d)(1)' }) };
    expect(await s.goal(id, 'designationDecision')).toMatchObject(due);

    s.on('2026-02-04');
    expect((await s.send(fda, id, 'REQUEST_INFO', { questions: ['Clinical evidence of benefit?'] })).state).toBe('underReview');
    s.on('2026-02-16');
    await s.send(m, id, 'INFO_RESPONSE', { summary: 'Feasibility study results' });
    expect(await s.goal(id, 'designationDecision')).toMatchObject({ ...due, metOn: null });

    s.on('2026-03-07');
    const swept = await s.sweep(id);
    expect(swept.goalsMissed).toEqual([expect.objectContaining({ goal: 'designationDecision', event: 'GOAL_MISSED', dueDate: '2026-03-06' })]);
    expect(swept.fired).toEqual([]);
    expect((await s.sweep(id)).goalsMissed).toEqual([]);
    expect((await s.view(id)).state).toBe('underReview');

    s.on('2026-03-10');
    const granted = await s.send(fda, id, 'GRANT', { qNumber: 'Q260101', secondaryCriteria: ['noApprovedAlternative'] });
    expect(granted).toMatchObject({ state: 'designated' });
    await s.verified();
  });
});
