/** Listing submissions (GET /v1/submissions, the web portfolio): what the caller may see, filtered, in keyset pages. */
import { WORKFLOWS } from '../../workflows/index.js';
import { InputError, fieldError } from '../errors.js';
import type { SubmissionListing, SubmissionRevisionRow } from '../store/submission-listing-store.js';
import type { Actor, Submission } from '../store/types.js';
import { SCHEMA_BASE } from '../validation.js';
import { requireWorkflow, type EngineContext, type ListQuery } from './context.js';
import type { ClockFigures } from './clocks.js';
import { knownFigures } from './due-dates.js';
import { dateIn, isRealDate } from './time.js';
import { describe, designationsOf, type SubmissionView } from './views.js';
import { visibilityScope } from './visibility.js';

/** Each jurisdiction's time zone, for "today" in portfolio queries. */
const JURISDICTION_ZONES: ReadonlyMap<string, string> = new Map(WORKFLOWS.map((w) => [w.jurisdiction, w.timeZone]));

/** The keyset cursor of the query, checked: the last row of the previous page in the sort order. */
function cursorOf(query: ListQuery, byNextDue: boolean): SubmissionListing['after'] {
  if (!query.cursor) return undefined;
  const after = Buffer.from(query.cursor, 'base64url').toString('utf8');
  const invalid = () => new InputError({ code: 'invalid.cursor' }, [fieldError('/cursor', { code: 'invalid.cursor_field_sort' })]);
  if (byNextDue) {
    const m = /^(\d{4}-\d{2}-\d{2})\|([0-9a-f-]{36})$/.exec(after);
    if (!m) throw invalid();
    return { nextKey: m[1]!, id: m[2]! };
  }
  if (!/^[0-9a-f-]{36}$/.test(after)) throw invalid();
  return { id: after };
}

/**
 * One page of the submissions `actor` may see (the visibility scope, as SQL in the store),
 * filtered by the query string, each described as GET /v1/submissions/:id would; the page's
 * references, designations and clock histories are read in one query each.
 */
export async function listSubmissions(ctx: EngineContext, actor: Actor, query: ListQuery): Promise<{ items: SubmissionView[]; nextCursor: string | null }> {
  ctx.validator.check(`${SCHEMA_BASE}list-submissions-query.json`, query, '', { code: 'invalid.query' });
  const reader = ctx.stores;
  const limit = query.limit ? Number(query.limit) : 50;
  if (query.dueBefore && !isRealDate(query.dueBefore)) {
    throw new InputError({ code: 'engine.due_before_not_date' }, [fieldError('/dueBefore', { code: 'validation.real_date' })]);
  }
  const byNextDue = query.sort === 'nextDue';
  const after = cursorOf(query, byNextDue);
  const now = ctx.now();
  const rows = await reader.listing.page({
    scope: visibilityScope(actor),
    workflow: query.workflow,
    state: query.state,
    status: query.status,
    organization: query.organization,
    overdue: query.overdue
      ? { value: query.overdue === 'true', todayOf: new Map([...JURISDICTION_ZONES].map(([j, zone]) => [j, dateIn(now, zone)])) }
      : undefined,
    dueBefore: query.dueBefore,
    text: query.q,
    order: byNextDue ? 'nextDue' : 'id',
    after,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const items = await describeRows(ctx, actor, page);
  const last = page[page.length - 1];
  const keyOf = (r: Submission) => (byNextDue ? `${r.due.nextKey}|${r.id}` : r.id);
  return { items, nextCursor: rows.length > limit && last ? Buffer.from(keyOf(last), 'utf8').toString('base64url') : null };
}

/**
 * `rows` (submissions `actor` may see) described as GET /v1/submissions/:id would: the rows'
 * references, designations and clock histories are read in one query each, and only the
 * histories of submissions whose figures are not already known for their version and day.
 */
export async function describeRows(ctx: EngineContext, actor: Actor, page: readonly Submission[]): Promise<SubmissionView[]> {
  const reader = ctx.stores;
  // One query for every reference on the page, not one per registration.
  const refIds = [...new Set(page.map((s) => s.referenceSubmissionId).filter((x): x is string => x !== null))];
  const refs = new Map((await reader.listing.byIds(refIds)).map((r) => [r.id, r]));
  const loadReference = async (refId: string) => refs.get(refId);
  const designations = await designationsOf(
    reader,
    page.filter((s) => s.jurisdiction === 'FDA').map((s) => s.organization.id),
  );
  // Figures computed earlier for the same version and day are reused; only the others' histories are read.
  const known = new Map<string, ClockFigures>();
  for (const s of page) {
    const figures = knownFigures(ctx, requireWorkflow(s), s);
    if (figures) known.set(s.id, figures);
  }
  const histories = await reader.history.clockEvents(page.filter((s) => requireWorkflow(s).clock && !known.has(s.id)).map((s) => s.id));
  const items: SubmissionView[] = [];
  for (const s of page) {
    const figures = known.get(s.id);
    items.push(await describe(ctx, reader, actor, s, { loadReference, designations, clock: figures ? { figures } : { history: histories.get(s.id) ?? [] } }));
  }
  return items;
}

/**
 * Where every submission `actor` may see (of `workflow`) is, newest first, without reading them
 * whole: reads over the whole portfolio (the calendar feed, the insights) compare it with what
 * they kept from each submission and read in full only what changed ({@link describeByIds}).
 */
export function visibleRevisions(ctx: EngineContext, actor: Actor, workflow?: string): Promise<SubmissionRevisionRow[]> {
  return ctx.stores.listing.revisions(visibilityScope(actor), workflow);
}

/** The submissions `ids` (taken from {@link visibleRevisions} of the same actor) described for `actor`, in any order. */
export async function describeByIds(ctx: EngineContext, actor: Actor, ids: readonly string[]): Promise<SubmissionView[]> {
  return ids.length ? describeRows(ctx, actor, await ctx.stores.listing.byIds(ids)) : [];
}
