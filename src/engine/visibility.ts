/**
 * Who sees which submission (DESIGN §3 and §9): THE one visibility policy. {@link visibilityScope} states
 * it once, as data; {@link admits} is its TypeScript form (one submission at hand) and the store's
 * `whereVisible` its SQL form (listings), both reading the same scope. A submission the caller may
 * not see answers 404, never 403. tests/integration/visibility.test.ts checks the two forms agree.
 */
import { NotFoundError } from '../errors.js';
import type { VisibilityScope } from '../store/submission-listing-store.js';
import type { StoreSet } from '../store/stores.js';
import type { Actor, Submission } from '../store/types.js';

export type { VisibilityScope };

const ALL: VisibilityScope = { kind: 'all' };
const NONE: VisibilityScope = { kind: 'none' };
/**
 * FDA reviewers: every FDA-jurisdiction submission once filed (its first `SUBMIT`, or the
 * designation request of a pathway without one): a draft is the applicant's own work until then.
 */
const FDA: VisibilityScope = { kind: 'jurisdiction', jurisdiction: 'FDA', referencedBy: null, filedOnly: true };
/** COFEPRIS reviewers: every COFEPRIS submission once filed, and the FDA submission a filed registration relies on. */
const COFEPRIS: VisibilityScope = { kind: 'jurisdiction', jurisdiction: 'COFEPRIS', referencedBy: 'COFEPRIS', filedOnly: true };

/**
 * The submissions `actor` may see: a manufacturer its own organization's, a reviewer its
 * jurisdiction's once filed, and for good (COFEPRIS also the FDA decisions its filed
 * registrations rely on), an auditor and the built-in system actor everything, anyone else
 * (admin) nothing.
 */
export function visibilityScope(actor: Actor): VisibilityScope {
  switch (actor.role) {
    case 'manufacturer':
      return actor.organization ? { kind: 'organization', organizationId: actor.organization.id } : NONE;
    case 'fda':
      return FDA;
    case 'cofepris':
      return COFEPRIS;
    case 'auditor':
    case 'system':
      return ALL;
    default:
      return NONE;
  }
}

/**
 * The one fact {@link admits} may need from the database for `s`: the jurisdiction whose
 * submissions would have to name `s` as their reference, or null when the scope decides alone.
 */
export function referenceFactNeeded(scope: VisibilityScope, s: Pick<Submission, 'jurisdiction' | 'filedAt'>): string | null {
  if (scope.kind !== 'jurisdiction' || scope.referencedBy === null) return null;
  return ownFiled(scope, s) ? null : scope.referencedBy;
}

/** The scope's own rule: a submission of its jurisdiction (once filed, when it sees filed ones only). */
function ownFiled(scope: VisibilityScope & { kind: 'jurisdiction' }, s: Pick<Submission, 'jurisdiction' | 'filedAt'>): boolean {
  return s.jurisdiction === scope.jurisdiction && (!scope.filedOnly || (s.filedAt ?? null) !== null);
}

/**
 * The policy as a predicate: true when `scope` admits `s`. `referenced` says whether a submission
 * of `scope.referencedBy` (a filed one, when the scope sees filed submissions only) names `s` as
 * its reference; it is read only when {@link referenceFactNeeded} names a jurisdiction.
 */
export function admits(scope: VisibilityScope, s: Pick<Submission, 'organization' | 'jurisdiction' | 'filedAt'>, referenced: boolean): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'organization':
      return s.organization.id === scope.organizationId;
    case 'jurisdiction':
      return ownFiled(scope, s) || (scope.referencedBy !== null && referenced);
  }
}

/** True when `actor` may see `s`; asks the database only for a reference link the scope needs. */
export async function canSee(conn: StoreSet, actor: Actor, s: Submission): Promise<boolean> {
  const scope = visibilityScope(actor);
  const from = referenceFactNeeded(scope, s);
  const filed = scope.kind === 'jurisdiction' && scope.filedOnly;
  return admits(scope, s, from !== null && (await conn.submissions.isRelyingTarget(s.id, from, { filed })));
}

/** The submission `id` if `actor` may see it (locked for update when asked, PostgreSQL); else 404. */
export async function loadVisible(conn: StoreSet, actor: Actor, id: string, forUpdate = false): Promise<Submission> {
  const s = await conn.submissions.find(id, { forUpdate });
  if (!s || !(await canSee(conn, actor, s))) throw new NotFoundError({ code: 'engine.no_submission', params: { id } });
  return s;
}
