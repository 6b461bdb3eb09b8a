/**
 * The submission listing (GET /v1/submissions, the web portfolio) as SQL: the caller's visibility
 * scope, the filters, and keyset pages in one of two orders. The engine (src/engine/listing.ts)
 * checks the query string and decides the scope; this module only turns them into one query.
 */
import type { Knex } from 'knex';
import { listSubmissionRows, submissionsQuery } from './rows.js';
import type { Submission } from './types.js';

/**
 * Which submissions a caller may see (DESIGN §3), as data. The engine decides each actor's scope
 * and states the same rule as a TypeScript predicate beside it (src/engine/visibility.ts);
 * {@link whereVisible} is its SQL form. tests/integration/visibility.test.ts checks that they agree.
 */
export type VisibilityScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'none' }
  /** The submissions of one organization. */
  | { readonly kind: 'organization'; readonly organizationId: string }
  /**
   * The submissions of one jurisdiction and, when `referencedBy` is set, every submission that a
   * submission of that jurisdiction names as its reference (`reference_submission_id`). With
   * `filedOnly`, only filed submissions count on either side (`filed_at` set, migration 012).
   */
  | { readonly kind: 'jurisdiction'; readonly jurisdiction: string; readonly referencedBy: string | null; readonly filedOnly: boolean };

/** Restricts a query over `submissions as s` to what `scope` admits. */
export function whereVisible(q: Knex.QueryBuilder, scope: VisibilityScope): Knex.QueryBuilder {
  switch (scope.kind) {
    case 'all':
      return q;
    case 'none':
      return q.whereRaw('1 = 0');
    case 'organization':
      return q.where('s.organization_id', scope.organizationId);
    case 'jurisdiction': {
      const { jurisdiction, referencedBy, filedOnly } = scope;
      // (jurisdiction, id) among filed rows: the partial index of migration 012.
      const own = (w: Knex.QueryBuilder): void => {
        w.where('s.jurisdiction', jurisdiction);
        if (filedOnly) w.whereNotNull('s.filed_at');
      };
      if (referencedBy === null) return q.where(own);
      return q.where((w) => {
        w.where(own).orWhereExists(function () {
          this.select(1).from('submissions as r').whereRaw('r.reference_submission_id = s.id').andWhere('r.jurisdiction', referencedBy);
          if (filedOnly) this.whereNotNull('r.filed_at');
        });
      });
    }
  }
}

/** One page of the listing: what the caller may see, filtered, after the cursor, in order. */
export interface SubmissionListing {
  readonly scope: VisibilityScope;
  readonly workflow?: string;
  /** The state exactly, or any of its substates (`closed` also matches `closed.*`). */
  readonly state?: string;
  readonly status?: string;
  readonly organization?: string;
  /**
   * Overdue (true) or not (false): active, and in its own jurisdiction's today (`todayOf`,
   * jurisdiction -> YYYY-MM-DD) a hard deadline or a goal has passed, or a goal is recorded missed.
   */
  readonly overdue?: { readonly value: boolean; readonly todayOf: ReadonlyMap<string, string> };
  /** The next due date (deadline or running goal) is before this date. */
  readonly dueBefore?: string;
  /** Case-insensitive substring of the title or the device name. */
  readonly text?: string;
  /** `id`: newest first; `nextDue`: by next due date, then id. */
  readonly order: 'id' | 'nextDue';
  /** Keyset: the last row of the previous page (`nextKey` only for order `nextDue`). */
  readonly after?: { readonly id: string; readonly nextKey?: string };
  readonly limit: number;
}

export async function listSubmissionPage(db: Knex, l: SubmissionListing): Promise<Submission[]> {
  let q = whereVisible(submissionsQuery(db), l.scope);
  if (l.workflow) q = q.where('s.workflow_id', l.workflow);
  if (l.state) {
    // Exact and case-sensitive on both dialects (SQLite's LIKE is not, and PostgreSQL's
    // locale collations ignore punctuation in ranges): `closed` also matches `closed.*`.
    const state = l.state;
    q = q.where((w) => {
      w.where('s.state', state).orWhereRaw('substr(s.state, 1, ?) = ?', [state.length + 1, `${state}.`]);
    });
  }
  if (l.status) q = q.where('s.status', l.status);
  if (l.organization) q = q.where('s.organization_id', l.organization);
  if (l.overdue) {
    const { todayOf } = l.overdue;
    // Active, and in its own jurisdiction's today: a hard deadline has passed, or a goal is
    // missed (recorded, or its due date is behind us and the sweeper has yet to note it).
    // Knex calls these builders for their side effects on `b` and ignores what they return.
    const overdue = (b: Knex.QueryBuilder): void => {
      b.where('s.status', 'active').where((any) => {
        any.where('s.goal_missed', true);
        for (const [jurisdiction, today] of todayOf) {
          // Not-null checks keep the predicate two-valued, so overdue=false is its exact complement.
          any.orWhere((j) => {
            j.where('s.jurisdiction', jurisdiction).where((d) => {
              d.where((x) => {
                x.whereNotNull('s.deadline_due_date').where('s.deadline_due_date', '<', today);
              }).orWhere((x) => {
                x.whereNotNull('s.goal_due_date').where('s.goal_due_date', '<', today);
              });
            });
          });
        }
      });
    };
    q = l.overdue.value ? q.where(overdue) : q.whereNot(overdue);
  }
  if (l.dueBefore) q = q.where('s.next_due_key', '<', l.dueBefore);
  if (l.text) {
    const like = `%${l.text.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
    q = q.where((w) => {
      w.whereRaw("lower(s.title) like ? escape '\\'", [like]).orWhereRaw("lower(s.device_name) like ? escape '\\'", [like]);
    });
  }
  if (l.after) {
    q = l.order === 'nextDue' ? q.whereRaw('(s.next_due_key, s.id) > (?, ?)', [l.after.nextKey ?? '', l.after.id]) : q.where('s.id', '<', l.after.id);
  }
  q = l.order === 'nextDue' ? q.orderBy([{ column: 's.next_due_key' }, { column: 's.id' }]) : q.orderBy('s.id', 'desc');
  return listSubmissionRows(q.limit(l.limit));
}

/** The submissions with these ids (any order; a page's references in one query). */
export async function submissionsByIds(db: Knex, ids: readonly string[]): Promise<Submission[]> {
  return ids.length ? listSubmissionRows(submissionsQuery(db).whereIn('s.id', [...ids])) : [];
}

/**
 * Where a stored submission is (its version, chain head, workflow version and stored deadline)
 * without its documents of state: what reads over a whole portfolio compare with what they kept
 * from each submission before reading the changed ones in full.
 */
export type SubmissionRevisionRow = Pick<Submission, 'id' | 'version' | 'headHash' | 'workflowId' | 'workflowVersion' | 'referenceSubmissionId'> & {
  readonly deadline: Pick<NonNullable<Submission['deadline']>, 'kind' | 'dueDate' | 'passedSeq'> | null;
};

/** The revision of every submission `scope` admits (of `workflow`), newest first: a few small columns a row. */
export async function listRevisions(db: Knex, scope: VisibilityScope, workflow?: string): Promise<SubmissionRevisionRow[]> {
  let q = whereVisible(
    db('submissions as s').select(
      's.id',
      's.version',
      's.head_hash',
      's.workflow_id',
      's.workflow_version',
      's.reference_submission_id',
      's.deadline_kind',
      's.deadline_due_date',
      's.deadline_passed_seq',
    ),
    scope,
  );
  if (workflow) q = q.where('s.workflow_id', workflow);
  const rows = (await q.orderBy('s.id', 'desc')) as Array<{
    id: string;
    version: number | string;
    head_hash: string;
    workflow_id: string;
    workflow_version: number | string;
    reference_submission_id: string | null;
    deadline_kind: string | null;
    deadline_due_date: string | null;
    deadline_passed_seq: number | string | null;
  }>;
  return rows.map((r) => ({
    id: r.id,
    version: Number(r.version),
    headHash: r.head_hash,
    workflowId: r.workflow_id,
    workflowVersion: Number(r.workflow_version),
    referenceSubmissionId: r.reference_submission_id,
    deadline: r.deadline_kind
      ? { kind: r.deadline_kind, dueDate: r.deadline_due_date!, ...(r.deadline_passed_seq !== null ? { passedSeq: Number(r.deadline_passed_seq) } : {}) }
      : null,
  }));
}

export interface SubmissionListingStore {
  /** One keyset page of the submissions `l.scope` admits, filtered and ordered as `l` says. */
  page(l: SubmissionListing): Promise<Submission[]>;
  /** The submissions with these ids (any order). */
  byIds(ids: readonly string[]): Promise<Submission[]>;
  /** The revision of every submission `scope` admits (of `workflow`), newest first. */
  revisions(scope: VisibilityScope, workflow?: string): Promise<SubmissionRevisionRow[]>;
}

/** The {@link SubmissionListingStore} on one Knex connection, pool or transaction. */
export function createKnexSubmissionListingStore(db: Knex): SubmissionListingStore {
  return {
    page: (l) => listSubmissionPage(db, l),
    byIds: (ids) => submissionsByIds(db, ids),
    revisions: (scope, workflow) => listRevisions(db, scope, workflow),
  };
}
