/**
 * Breakthrough Devices Program designation, version 5 (issue 9; reference/domain.md §7.2):
 * version 4 (machine, signatures, recorded guard facts) with its rules sourced. The 60 days are
 * statutory: FDA determines whether a device is a breakthrough device not later than 60 calendar
 * days after receiving the request (FD&C Act § 515B(d)(1)), no longer UNCONFIRMED. FDA may ask
 * for more information around day 30 (Breakthrough Devices Program guidance, Sept 2023); the
 * request stays under review, as in version 4. No deadline:
 * the sponsor has no window in law. States and context are version 4's (migrate moves them as
 * they are).
 */
import { BREAKTHROUGH_DECISION_DAYS, LINKABLE_WORKFLOWS, fdaBreakthroughV4 } from './fda-breakthrough.js';
import { SOURCES } from './fda-sources.js';
import type { WorkflowDefinition } from './types.js';

/** FDA may request additional information around this day of its review (guidance, not a deadline). */
export const INFO_REQUEST_DAY = 30;

const v4 = fdaBreakthroughV4;

export const fdaBreakthroughV5: WorkflowDefinition = {
  ...v4,
  version: 5,
  events: {
    ...v4.events,
    REQUEST_DESIGNATION: {
      ...v4.events.REQUEST_DESIGNATION!,
      description: `Request Breakthrough designation (a Q-Submission); FDA decides within ${BREAKTHROUGH_DECISION_DAYS} calendar days of receipt (FD&C Act § 515B(d)(1)).`,
    },
    REQUEST_INFO: {
      ...v4.events.REQUEST_INFO!,
      description: `FDA asks for more information (typically around day ${INFO_REQUEST_DAY} of ${BREAKTHROUGH_DECISION_DAYS}); the request stays under review.`,
    },
  },
  goals: [
    {
      kind: 'designationDecision',
      length: BREAKTHROUGH_DECISION_DAYS,
      unit: 'calendar',
      description: `Designation decision within ${BREAKTHROUGH_DECISION_DAYS} calendar days of receipt of the request (statutory).`,
      source: SOURCES.breakthroughStatute,
    },
  ],
  parameters: {
    decisionDays: {
      value: BREAKTHROUGH_DECISION_DAYS,
      unit: 'calendar days',
      note: 'FDA determines designation within 60 calendar days of receipt of the request',
      source: SOURCES.breakthroughStatute,
    },
    infoRequestDay: {
      value: INFO_REQUEST_DAY,
      unit: 'day of review',
      note: 'FDA may request additional information around day 30 of the 60; the request stays under review',
      source: SOURCES.breakthroughGuidance,
    },
    linkableWorkflows: {
      value: LINKABLE_WORKFLOWS.join(', '),
      note: 'devices subject to review under a PMA, 510(k) or De Novo request may be designated',
      source: SOURCES.breakthroughCriteria,
    },
  },
};
