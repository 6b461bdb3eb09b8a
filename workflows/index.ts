/**
 * The workflow catalog: every pathway by id and version. A submission keeps the version it
 * started on (DESIGN §4), so old versions stay here when a new one is added.
 */
import { cofeprisRegistration } from './cofepris-registration.js';
import { cofeprisRegistrationV2, cofeprisRegistrationV3, cofeprisRegistrationV4, cofeprisRegistrationV5 } from './cofepris-registration-v2.js';
import { cofeprisRegistrationV6 } from './cofepris-registration-v6.js';
import { fda510k, fda510kV2, fda510kV3 } from './fda-510k.js';
import { fda510kV4 } from './fda-510k-v4.js';
import { fdaBreakthrough, fdaBreakthroughV2, fdaBreakthroughV3, fdaBreakthroughV4 } from './fda-breakthrough.js';
import { fdaDeNovo, fdaDeNovoV2, fdaDeNovoV3 } from './fda-de-novo.js';
import { fdaHde, fdaHdeV2, fdaHdeV3 } from './fda-hde.js';
import { fdaPma, fdaPmaV2, fdaPmaV3 } from './fda-pma.js';
import { fdaPmaV4 } from './fda-pma-v4.js';
import { fdaPresub, fdaPresubV2, fdaPresubV3 } from './fda-presub.js';
import { fdaBreakthroughV5 } from './fda-breakthrough-v5.js';
import { fdaDeNovoV4 } from './fda-de-novo-v4.js';
import { fdaHdeV4 } from './fda-hde-v4.js';
import { fdaPresubV4 } from './fda-presub-v4.js';
import { cofeprisRegistrationV7, fda510kV5, fdaBreakthroughV6, fdaDeNovoV5, fdaHdeV5, fdaPmaV5, fdaPresubV5 } from './deliberate-steps.js';
import type { WorkflowDefinition } from './types.js';

export const WORKFLOWS: readonly WorkflowDefinition[] = [
  fda510k,
  fdaDeNovo,
  fdaPma,
  fdaHde,
  fdaPresub,
  fdaBreakthrough,
  cofeprisRegistration,
  cofeprisRegistrationV2,
  // The same machines with their regulatory clocks declared (issue 5).
  fda510kV2,
  fdaDeNovoV2,
  fdaPmaV2,
  fdaHdeV2,
  fdaPresubV2,
  fdaBreakthroughV2,
  cofeprisRegistrationV3,
  // Part 11 electronic signatures on decisions and filings (issue 6).
  fda510kV3,
  fdaDeNovoV3,
  fdaPmaV3,
  fdaHdeV3,
  fdaPresubV3,
  fdaBreakthroughV3,
  cofeprisRegistrationV4,
  // The facts each guard read (dossier, reference decision, linked submission) inside the hashed
  // record, so an offline replay re-decides every guard (issue 8).
  fdaBreakthroughV4,
  cofeprisRegistrationV5,
  // Rules with their sources and consequences (issue 9, domain.md §7.2): De Novo, HDE, Breakthrough, Q-Sub.
  fdaDeNovoV4,
  fdaHdeV4,
  fdaBreakthroughV5,
  fdaPresubV4,
  // 510(k) rows of domain.md §7.2: deemed acceptance, eSTAR / eCopy holds, incomplete AI response, Third Party Review (issue 9).
  fda510kV4,
  // PMA rows of domain.md §7.2: response windows by regulation, extension on request, deemed acceptance, refuse to file as a hold, filing date, TTD (issue 9).
  fdaPmaV4,
  // RIS art. 179 terms, afirmativa ficta, the prevención of LFPA art. 17-A, sources (issue 9).
  cofeprisRegistrationV6,
  // Deliberate steps (issue 13 §2): responses carry content; withdrawing or desisting is signed.
  fda510kV5,
  fdaDeNovoV5,
  fdaPmaV5,
  fdaHdeV5,
  fdaPresubV5,
  fdaBreakthroughV6,
  cofeprisRegistrationV7,
];

const byKey = new Map(WORKFLOWS.map((w) => [`${w.id}@${w.version}`, w]));
const latest = new Map<string, WorkflowDefinition>();
for (const w of WORKFLOWS) {
  const current = latest.get(w.id);
  if (!current || current.version < w.version) latest.set(w.id, w);
}

/** The newest version of a workflow, used for new submissions. */
export function latestWorkflow(id: string): WorkflowDefinition | undefined {
  return latest.get(id);
}

/** A specific version, used to restore an existing submission. */
export function workflowVersion(id: string, version: number): WorkflowDefinition | undefined {
  return byKey.get(`${id}@${version}`);
}

export function latestWorkflows(): WorkflowDefinition[] {
  return [...latest.values()];
}

export type { WorkflowDefinition } from './types.js';
