/**
 * Designations: active submissions that may prioritize others (a Breakthrough designation), as
 * views read them. {@link DesignationStore} is what the engine sees; {@link createKnexDesignationStore}
 * its Knex implementation.
 */
import type { Knex } from 'knex';
import { rawRows } from './sql.js';
import type { Designation } from './types.js';

export interface DesignationStore {
  /** Active submissions of `workflowIds` in `organizationIds`. */
  active(workflowIds: readonly string[], organizationIds: readonly string[]): Promise<Designation[]>;
}

/** The {@link DesignationStore} on one Knex connection, pool or transaction. */
export function createKnexDesignationStore(db: Knex): DesignationStore {
  return { active: (workflowIds, organizationIds) => activeDesignations(db, workflowIds, organizationIds) };
}

/** Active submissions of `workflowIds` in `organizationIds` (index submissions_workflow_org_status_index). */
export async function activeDesignations(db: Knex, workflowIds: readonly string[], organizationIds: readonly string[]): Promise<Designation[]> {
  const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
  const sql = `select organization_id, workflow_id, workflow_version, state, snapshot from submissions where workflow_id in (${marks(workflowIds.length)}) and organization_id in (${marks(organizationIds.length)}) and status = 'active'`;
  const rows = await rawRows<{ organization_id: string; workflow_id: string; workflow_version: number; state: string; snapshot: string }>(db, sql, [
    ...workflowIds,
    ...organizationIds,
  ]);
  return rows.map((r) => ({
    organizationId: r.organization_id,
    workflowId: r.workflow_id,
    workflowVersion: Number(r.workflow_version),
    state: r.state,
    context: (JSON.parse(r.snapshot) as { context: unknown }).context,
  }));
}
