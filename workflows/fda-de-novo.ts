/**
 * De Novo classification request. PLACEHOLDER being replaced by the full machine (reference/domain.md §5).
 */
import { setup } from 'xstate';
import type { WorkflowDefinition, WorkflowEvent } from './types.js';
import { payload } from './types.js';

export const machine = setup({ types: { context: {} as Record<string, never>, events: {} as WorkflowEvent } }).createMachine({
  id: 'fda-de-novo',
  initial: 'draft',
  context: {},
  states: {
    draft: { meta: { description: 'Being prepared by the sponsor.' }, on: { WITHDRAW: 'closed.withdrawn' } },
    closed: { initial: 'withdrawn', meta: { description: 'Closed.' }, states: { withdrawn: { type: 'final', meta: { description: 'Withdrawn.' } } } },
  },
});

export const fdaDeNovo: WorkflowDefinition = {
  id: 'fda-de-novo',
  version: 1,
  title: 'De Novo classification request',
  jurisdiction: 'FDA',
  timeZone: 'America/New_York',
  inputSchema: { type: 'object', additionalProperties: false, properties: {} },
  events: { WITHDRAW: { roles: ['manufacturer'], description: 'The sponsor withdraws.', schema: payload() } },
  goals: [],
  machine,
  dossier: () => [],
  parameters: {},
};
