/**
 * Breakthrough Devices Program designation. PLACEHOLDER being replaced by the full machine (reference/domain.md §5).
 */
import { setup } from 'xstate';
import type { WorkflowDefinition, WorkflowEvent } from './types.js';
import { payload } from './types.js';

export const machine = setup({ types: { context: {} as Record<string, never>, events: {} as WorkflowEvent } }).createMachine({
  id: 'fda-breakthrough',
  initial: 'draft',
  context: {},
  states: {
    draft: { meta: { description: 'Being prepared by the sponsor.' }, on: { WITHDRAW: 'closed.withdrawn' } },
    closed: { initial: 'withdrawn', meta: { description: 'Closed.' }, states: { withdrawn: { type: 'final', meta: { description: 'Withdrawn.' } } } },
  },
});

export const fdaBreakthrough: WorkflowDefinition = {
  id: 'fda-breakthrough',
  version: 1,
  title: 'Breakthrough Devices Program designation',
  jurisdiction: 'FDA',
  timeZone: 'America/New_York',
  inputSchema: { type: 'object', additionalProperties: false, properties: {} },
  events: { WITHDRAW: { roles: ['manufacturer'], description: 'The sponsor withdraws.', schema: payload() } },
  goals: [],
  machine,
  dossier: () => [],
  parameters: {},
};
