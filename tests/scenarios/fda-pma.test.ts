/**
 * reference/domain.md §7.1–§7.2, PMA rows (fda-pma@4), worked through the real engine and sweeper
 * on a SQLite file with the scenario's clock: each case is titled with the rule it implements.
 * A window whose consequence the regulation states closes the PMA by itself; one it does not
 * (guidance only, an extension, a pending request) is recorded as passed and left to FDA.
 */
import { describe, expect, it } from 'vitest';
import { useScenario } from '../support/scenario.js';

const s = useScenario();

/** A new original PMA submitted on `on`, its fee verified the same day: in acceptance review. */
async function submitted(on: string, title: string): Promise<string> {
  const { manufacturer: m, fda } = s.users;
  s.on(on);
  const id = await s.create(m, 'fda-pma', {}, title);
  await s.send(m, id, 'SUBMIT');
  expect((await s.send(fda, id, 'FEE_VERIFIED')).state).toBe('acceptanceReview');
  return id;
}

/** Accepted on `accept`, filed on `file`: in substantive review. */
async function filed(on: string, title: string, accept: string, file: string): Promise<string> {
  const id = await submitted(on, title);
  s.on(accept);
  await s.send(s.users.fda, id, 'ACCEPT');
  s.on(file);
  expect((await s.send(s.users.fda, id, 'FILE')).state).toBe('review.substantive');
  return id;
}

describe('fda-pma@4 (domain.md §7.2)', () => {
  it('Acceptance and Filing Reviews for PMAs (Dec 2019): acceptance review not done in 15 days -> considered accepted, filing review', async () => {
    const id = await submitted('2026-01-05', 'Deemed accepted');
    expect((await s.view(id)).deadlines).toEqual([expect.objectContaining({ kind: 'acceptanceReview', dueDate: '2026-01-20', consequence: 'automatic' })]);
    s.on('2026-01-20');
    expect((await s.sweep(id)).fired).toEqual([]);
    s.on('2026-01-21');
    expect((await s.sweep(id)).fired).toEqual([expect.objectContaining({ event: 'ACCEPTANCE_REVIEW_TIMEOUT', state: 'filingReview' })]);
    await s.verified();
  });

  it('21 CFR 814.37(c)(3): a major deficiency letter unanswered for 180 days -> considered withdrawn by the sweeper', async () => {
    const id = await filed('2026-01-05', 'MDL unanswered', '2026-01-15', '2026-02-10');
    s.on('2026-04-10');
    const r = await s.send(s.users.fda, id, 'ISSUE_MDL', { deficiencies: ['Provide 2-year follow-up data'] });
    expect(r.deadlines).toEqual([
      expect.objectContaining({
        kind: 'mdlResponse',
        event: 'MDL_TIMEOUT',
        dueDate: '2026-10-07',
        consequence: 'automatic',
        source: expect.objectContaining({ citation: '21 CFR 814.37(c)(3)' }),
      }),
    ]);
    s.on('2026-10-07');
    expect((await s.sweep(id)).fired).toEqual([]);
    s.on('2026-10-08');
    expect((await s.sweep(id)).fired).toEqual([expect.objectContaining({ event: 'MDL_TIMEOUT', state: 'closed.withdrawn' })]);
    await s.verified();
  });

  it('21 CFR 814.44(g) and the review-clock guidance §III.F: a not approvable letter, an extension asked for and granted to day 360; its end is recorded and FDA decides', async () => {
    const { manufacturer: m, fda } = s.users;
    const id = await filed('2026-01-05', 'Not approvable, extended', '2026-01-15', '2026-02-10');
    s.on('2026-06-01');
    await s.send(fda, id, 'ISSUE_NOT_APPROVABLE', { deficiencies: ['Primary endpoint not met'] });
    s.on('2026-11-02');
    expect((await s.send(m, id, 'REQUEST_RESPONSE_EXTENSION', { reason: 'New cohort enrolling' })).state).toBe('notApprovable.extensionRequested');
    // Day 180 passes while FDA has not answered: recorded, not closed (§7.1).
    s.on('2026-11-30');
    expect(await s.sweep(id)).toMatchObject({ fired: [], passed: [expect.objectContaining({ kind: 'notApprovableResponse', event: 'CONSIDER_WITHDRAWN' })] });
    expect((await s.view(id)).state).toBe('notApprovable.extensionRequested');
    const granted = await s.send(fda, id, 'GRANT_RESPONSE_EXTENSION', {});
    expect(granted.deadlines).toEqual([expect.objectContaining({ event: 'CONSIDER_WITHDRAWN', dueDate: '2027-05-27', consequence: 'decision' })]);
    s.on('2027-05-29');
    expect(await s.sweep(id)).toMatchObject({ fired: [], passed: [expect.objectContaining({ dueDate: '2027-05-27' })] });
    expect((await s.view(id)).state).toBe('notApprovable.extendedWindow');
    expect((await s.send(fda, id, 'CONSIDER_WITHDRAWN', { reason: 'No amendment within the extension' })).state).toBe('closed.withdrawn');
    await s.verified();
  });

  it('21 CFR 814.42(b), (d)(1): refused to file, amended under the same number; filing review again (45 days); the filing date is the amendment’s receipt', async () => {
    const { manufacturer: m, fda } = s.users;
    const id = await submitted('2026-01-05', 'Refused, amended, filed');
    s.on('2026-01-15');
    await s.send(fda, id, 'ACCEPT');
    s.on('2026-02-19');
    expect((await s.send(fda, id, 'REFUSE_TO_FILE', { reasons: ['Pivotal study not adequately controlled'] })).state).toBe('refusedToFile.responseWindow');
    s.on('2026-04-01');
    expect((await s.send(m, id, 'FILING_AMENDMENT', { summary: 'Controlled analysis added' })).state).toBe('filingReview');
    expect(await s.goal(id, 'refilingReview')).toMatchObject({ startedOn: '2026-04-01', dueDate: '2026-05-16', metOn: null });
    s.on('2026-05-06');
    await s.send(fda, id, 'FILE');
    expect(await s.goal(id, 'refilingReview')).toMatchObject({ metOn: '2026-05-06', status: 'met' });
    const view = await s.view(id);
    expect(view.state).toBe('review.substantive');
    // The FDA-day clock restarts at the receipt of the amended PMA: 35 days since 2026-04-01, not 121 since the first receipt.
    expect(view.clocks).toMatchObject({ fdaDays: 35 });
    await s.verified();
  });

  it('21 CFR 814.42(d) and the review-clock guidance: a not-filing letter never answered is recorded as passed; FDA then closes it (closed.notFiled)', async () => {
    const id = await submitted('2026-01-05', 'Never amended');
    s.on('2026-01-15');
    await s.send(s.users.fda, id, 'ACCEPT');
    s.on('2026-02-19');
    await s.send(s.users.fda, id, 'REFUSE_TO_FILE', { reasons: ['No clinical data'] });
    s.on('2026-08-19');
    expect(await s.sweep(id)).toMatchObject({ fired: [], passed: [expect.objectContaining({ kind: 'notFiledResponse', event: 'CLOSE_NOT_FILED' })] });
    expect((await s.view(id)).state).toBe('refusedToFile.responseWindow');
    expect((await s.send(s.users.fda, id, 'CLOSE_NOT_FILED', { reason: 'No amendment' })).state).toBe('closed.notFiled');
    await s.verified();
  });

  it('MDUFA V shared outcome: Total Time to Decision of 285 calendar days from receipt (FY2025–2027), met by an approvable letter', async () => {
    const id = await filed('2026-01-05', 'TTD', '2026-01-15', '2026-02-10');
    expect(await s.goal(id, 'totalTimeToDecision')).toMatchObject({ unit: 'calendar', length: 285, startedOn: '2026-01-05', dueDate: '2026-10-17' });
    s.on('2026-09-01');
    await s.send(s.users.fda, id, 'ISSUE_APPROVABLE', { conditions: ['Final labeling'] });
    expect(await s.goal(id, 'totalTimeToDecision')).toMatchObject({ metOn: '2026-09-01', status: 'met' });
  });
});
