/**
 * The auditor's reads across submissions (history records by filter, in pages) and the refused
 * commands table (migration 006). History rows become records through the submissions store's
 * own `recordOf`, so every record is exactly what GET /v1/submissions/:id/history serves.
 */
import type { Knex } from 'knex';
import { packedColumns, recordOf, unpack } from './rows.js';
import type { Actor, Transition } from './types.js';

/** Filters of the history query, normalised: instants are ISO UTC strings, bounds half-open. */
export interface TransitionFilters {
  readonly submission?: string;
  /**
   * Submissions as people name them (see {@link whereSubmissionNamed}): a part of the title or
   * device name, the start of a decision number, or the id exactly.
   */
  readonly q?: string;
  readonly organization?: string;
  readonly workflow?: string;
  readonly actor?: string;
  readonly role?: string;
  readonly type?: string;
  /** recorded_at >= */
  readonly recordedFrom?: string;
  /** recorded_at < */
  readonly recordedBefore?: string;
  /** effective_at >= */
  readonly effectiveFrom?: string;
  /** effective_at < */
  readonly effectiveBefore?: string;
}

/** A keyset position: the (recordedAt, id) of the last row of the previous page. */
export interface PageKey {
  readonly recordedAt: string;
  readonly id: string;
}

/**
 * One page of history records matching `f`, in (recorded_at, id) order after `after`. Each
 * equality filter has an index that continues in that order (migration 007), so the page is an
 * index range, whatever the filter's selectivity.
 */
export async function transitionsPage(db: Knex, f: TransitionFilters, after: PageKey | null, limit: number): Promise<Transition[]> {
  return ((await transitionsQuery(db, f, after, limit)) as Array<{ r: string }>).map((p) => recordOf(unpack(p)));
}

/** The query of transitionsPage (tests read its plan). */
export function transitionsQuery(db: Knex, f: TransitionFilters, after: PageKey | null, limit: number): Knex.QueryBuilder {
  const q = db('transitions as t').select(packedColumns(db, 't'));
  if (f.submission !== undefined) q.where('t.submission_id', f.submission);
  if (f.q !== undefined) {
    const text = f.q;
    q.whereIn(
      't.submission_id',
      db('submissions as s')
        .select('s.id')
        .where((w) => whereSubmissionNamed(w, text)),
    );
  }
  if (f.organization !== undefined) q.whereIn('t.submission_id', db('submissions').select('id').where('organization_id', f.organization));
  if (f.workflow !== undefined) q.where('t.workflow_id', f.workflow);
  if (f.actor !== undefined) q.where('t.actor_id', f.actor);
  if (f.role !== undefined) q.where('t.actor_role', f.role);
  if (f.type !== undefined) q.where('t.type', f.type);
  // Past a cursor at or after recordedFrom the cursor alone bounds the range (and keeps a deep page an index seek).
  if (f.recordedFrom !== undefined && !(after && after.recordedAt >= f.recordedFrom)) q.where('t.recorded_at', '>=', f.recordedFrom);
  if (f.recordedBefore !== undefined) q.where('t.recorded_at', '<', f.recordedBefore);
  if (f.effectiveFrom !== undefined) q.where('t.effective_at', '>=', f.effectiveFrom);
  if (f.effectiveBefore !== undefined) q.where('t.effective_at', '<', f.effectiveBefore);
  if (after) q.whereRaw('(t.recorded_at, t.id) > (?, ?)', [after.recordedAt, after.id]);
  return q.orderBy([{ column: 't.recorded_at' }, { column: 't.id' }]).limit(limit);
}

/** `text` for a LIKE pattern with `\` as its escape character. */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, '\\$&');

/**
 * Restricts a query over `submissions as s` to those `text` names: the id exactly; a
 * case-insensitive part of the title or the device name; or the start of a decision or
 * submission number: a value of a context key ending in `Number` in the snapshot (JSON text,
 * `"kNumber":"K261234"`, `denNumber`, `pmaNumber`, `hNumber`, `qNumber`, `registrationNumber`...)
 * or the reference `number` a registration relies on (its input). JSON spells such numbers as
 * typed, so the stored text holds them verbatim.
 */
export function whereSubmissionNamed(w: Knex.QueryBuilder, text: string): void {
  const lower = text.trim().toLowerCase();
  const part = `%${likeEscaped(lower)}%`;
  const json = likeEscaped(JSON.stringify(lower).slice(1, -1));
  w.where('s.id', text.trim()).orWhereRaw("lower(s.title) like ? escape '\\'", [part]).orWhereRaw("lower(s.device_name) like ? escape '\\'", [part]);
  const numbered = `%number":"${json}%`;
  w.orWhereRaw("lower(s.snapshot) like ? escape '\\'", [numbered]).orWhereRaw("lower(s.input) like ? escape '\\'", [numbered]);
}

// ---------------------------------------------------------------- refused commands

/** A command refused with 403, 409 or 412 (never its body, passwords or tokens). */
export interface RefusedCommand {
  readonly id: string;
  readonly recordedAt: string;
  readonly actor: Actor;
  readonly method: string;
  readonly path: string;
  readonly submissionId: string | null;
  readonly eventType: string | null;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly requestId: string | null;
}

interface RefusedCommandRow {
  id: string;
  recorded_at: string;
  actor_id: string;
  actor_name: string;
  actor_role: string;
  actor_organization_id: string | null;
  actor_organization_name: string | null;
  method: string;
  path: string;
  submission_id: string | null;
  event_type: string | null;
  status: number | string;
  code: string;
  detail: string;
  request_id: string | null;
}

function toRefusedCommand(r: RefusedCommandRow): RefusedCommand {
  return {
    id: r.id,
    recordedAt: r.recorded_at,
    actor: {
      id: r.actor_id,
      name: r.actor_name,
      role: r.actor_role as Actor['role'],
      organization: r.actor_organization_id ? { id: r.actor_organization_id, name: r.actor_organization_name ?? '' } : null,
    },
    method: r.method,
    path: r.path,
    submissionId: r.submission_id,
    eventType: r.event_type,
    status: Number(r.status),
    code: r.code,
    detail: r.detail,
    requestId: r.request_id,
  };
}

export async function insertRefusedCommand(db: Knex, c: RefusedCommand): Promise<void> {
  await db('refused_commands').insert({
    id: c.id,
    recorded_at: c.recordedAt,
    actor_id: c.actor.id,
    actor_name: c.actor.name,
    actor_role: c.actor.role,
    actor_organization_id: c.actor.organization?.id ?? null,
    actor_organization_name: c.actor.organization?.name ?? null,
    method: c.method,
    path: c.path,
    submission_id: c.submissionId,
    event_type: c.eventType,
    status: c.status,
    code: c.code,
    detail: c.detail,
    request_id: c.requestId,
  });
}

export interface RefusalFilters {
  readonly submission?: string;
  readonly actor?: string;
  readonly status?: number;
  /** recorded_at >= */
  readonly from?: string;
  /** recorded_at < */
  readonly before?: string;
}

/** One page of refused commands in (recorded_at, id) order after `after`. */
export async function refusedCommandsPage(db: Knex, f: RefusalFilters, after: PageKey | null, limit: number): Promise<RefusedCommand[]> {
  const q = db('refused_commands').select<RefusedCommandRow[]>('*');
  if (f.submission !== undefined) q.where('submission_id', f.submission);
  if (f.actor !== undefined) q.where('actor_id', f.actor);
  if (f.status !== undefined) q.where('status', f.status);
  if (f.from !== undefined) q.where('recorded_at', '>=', f.from);
  if (f.before !== undefined) q.where('recorded_at', '<', f.before);
  if (after) q.whereRaw('(recorded_at, id) > (?, ?)', [after.recordedAt, after.id]);
  q.orderBy([{ column: 'recorded_at' }, { column: 'id' }]).limit(limit);
  return (await q).map(toRefusedCommand);
}

export interface AuditStore {
  /** One page of history records matching `f`, in (recorded_at, id) order after `after`. */
  transitionsPage(f: TransitionFilters, after: PageKey | null, limit: number): Promise<Transition[]>;
  /** Records a refused command (its own small write, after the command's transaction rolled back). */
  insertRefusedCommand(c: RefusedCommand): Promise<void>;
  refusedCommandsPage(f: RefusalFilters, after: PageKey | null, limit: number): Promise<RefusedCommand[]>;
}

/** The {@link AuditStore} on one Knex connection, pool or transaction: reads on `db`, writes on `writer`. */
export function createKnexAuditStore(db: Knex, writer: Knex = db): AuditStore {
  return {
    transitionsPage: (f, after, limit) => transitionsPage(db, f, after, limit),
    insertRefusedCommand: (c) => insertRefusedCommand(writer, c),
    refusedCommandsPage: (f, after, limit) => refusedCommandsPage(db, f, after, limit),
  };
}
