/**
 * The auditor's endpoints (issue 6): the history across submissions by filter, whole-database
 * chain verification, the streamed export, refused commands, and the printable report of one
 * submission. Roles `auditor` and `admin` only (the report also to whoever may see the
 * submission); every query string is checked against its JSON Schema in `schemas/`.
 */
import { workflowVersion } from '../../workflows/index.js';
import { ForbiddenError, InputError, NotFoundError, fieldError, type Message } from '../errors.js';
import type { AuditExportQuery, AuditRefusalsQuery, AuditTransitionsQuery, AuditVerify } from '../generated/schema-types.js';
import { definitionHash } from '../engine/definitions.js';
import type { Engine } from '../engine/engine.js';
import { verifyChain } from '../engine/hash.js';
import { verifyDatabase } from '../engine/verify.js';
import { verifySecurityLog } from '../security-log.js';
import type { PageKey, RefusedCommand, TransitionFilters } from '../store/audit-store.js';
import type { Stores } from '../store/stores.js';
import type { Actor, Submission, Transition } from '../store/types.js';
import type { Lang } from '../messages/format.js';
import { SCHEMA_BASE, type Validator } from '../validation.js';
import { writeExport, type ExportFormat, type ExportOptions, type ExportResult, type ExportSink } from './export.js';
import { renderReport } from './report.js';

export const AUDIT_ROLES: ReadonlySet<string> = new Set(['auditor', 'admin']);

/** Earliest and latest instants an ISO 8601 string with a four-digit year can spell. */
const MIN_INSTANT = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

/** A real calendar date `YYYY-MM-DD` (years 0000-9999; Date.UTC would read 0001 as 1901). */
function isRealDate(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * A query bound as an ISO UTC instant string (what the database holds), or undefined for "no
 * bound". `YYYY-MM-DD` is a whole UTC day: `from` its start, `to` the start of the next day
 * (exclusive). An RFC 3339 date-time `to` is inclusive: the bound is the next millisecond.
 * The schema has checked the shape; this checks that the date and time exist.
 */
function bound(value: string | undefined, pointer: string, side: 'from' | 'to'): string | undefined {
  if (value === undefined) return undefined;
  const bad = (message: Message) => new InputError({ code: 'invalid.not_a_date', params: { name: pointer.slice(1) } }, [fieldError(pointer, message)]);
  let t: number;
  if (value.length === 10) {
    if (!isRealDate(value)) throw bad({ code: 'validation.real_date' });
    t = Date.parse(`${value}T00:00:00.000Z`) + (side === 'to' ? 86_400_000 : 0);
  } else {
    const m = DATE_TIME.exec(value);
    if (!m || !isRealDate(m[1]!) || Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4]) > 59 || Number(m[6] ?? 0) > 23 || Number(m[7] ?? 0) > 59) {
      throw bad({ code: 'engine.effective_at_format_seconds' });
    }
    t = Date.parse(value);
    if (Number.isNaN(t)) throw bad({ code: 'engine.effective_at_format' });
    // Stored instants have millisecond precision: round a finer `from` up, include all of `to`'s millisecond.
    const finer = (m[5] ?? '').slice(3);
    if (side === 'from' && /[1-9]/.test(finer)) t += 1;
    if (side === 'to') t += 1;
  }
  if (t <= MIN_INSTANT && side === 'from') return undefined;
  if (t > MAX_INSTANT && side === 'to') return undefined;
  if (t < MIN_INSTANT || t > MAX_INSTANT + 1) throw bad({ code: 'validation.instant_range' });
  return new Date(t).toISOString();
}

/** Keyset cursor: base64url of `<recordedAt>|<id>` of the last row of the previous page. */
export function encodeCursor(k: PageKey): string {
  return Buffer.from(`${k.recordedAt}|${k.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | undefined): PageKey | null {
  if (cursor === undefined) return null;
  const m = /^(\d{4}-\d{2}-\d{2}T[0-9:.]{1,20}Z)\|([0-9A-Za-z-]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new InputError({ code: 'invalid.cursor' }, [fieldError('/cursor', { code: 'invalid.cursor_field' })]);
  return { recordedAt: m[1]!, id: m[2]! };
}

const limitOf = (limit: string | undefined) => (limit ? Number(limit) : 50);

function filtersOf(q: AuditTransitionsQuery | AuditExportQuery): TransitionFilters {
  return {
    submission: q.submission,
    q: q.q?.trim(),
    organization: q.organization,
    workflow: q.workflow,
    actor: q.actor,
    role: q.role,
    type: q.type,
    recordedFrom: bound(q.recordedFrom, '/recordedFrom', 'from'),
    recordedBefore: bound(q.recordedTo, '/recordedTo', 'to'),
    effectiveFrom: bound(q.effectiveFrom, '/effectiveFrom', 'from'),
    effectiveBefore: bound(q.effectiveTo, '/effectiveTo', 'to'),
  };
}

/** The format and filters of an export request (query string or CLI options), checked against its schema. */
export function parseExportQuery(
  validator: Validator,
  query: unknown,
  what: Message = { code: 'invalid.query' },
): { format: ExportFormat; filters: TransitionFilters } {
  validator.check(`${SCHEMA_BASE}audit-export-query.json`, query, '', what);
  const q = query as AuditExportQuery;
  return { format: q.format ?? 'jsonl', filters: filtersOf(q) };
}

export interface AuditorDeps {
  /** The stores it reads: history pages and refusals, records and heads, and the chains to verify. */
  readonly stores: Pick<Stores, 'audit' | 'history' | 'submissions' | 'listing' | 'chains' | 'securityLog'>;
  readonly engine: Engine;
  readonly validator: Validator;
  readonly now?: () => Date;
}

export function createAuditor(deps: AuditorDeps) {
  const { stores, engine, validator } = deps;
  const now = deps.now ?? (() => new Date());

  function requireAuditor(actor: Actor): void {
    if (!AUDIT_ROLES.has(actor.role)) throw new ForbiddenError({ code: 'audit.roles_only', params: { role: actor.role } });
  }

  function check(schema: string, query: unknown): void {
    validator.check(`${SCHEMA_BASE}${schema}`, query, '', { code: 'invalid.query' });
  }

  return {
    /** GET /v1/audit/transitions */
    async transitions(actor: Actor, query: unknown): Promise<{ items: Transition[]; nextCursor: string | null }> {
      requireAuditor(actor);
      check('audit-transitions-query.json', query);
      const q = query as AuditTransitionsQuery;
      const limit = limitOf(q.limit);
      const rows = await stores.audit.transitionsPage(filtersOf(q), decodeCursor(q.cursor), limit + 1);
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeCursor({ recordedAt: last.recordedAt, id: last.id }) : null };
    },

    /** The submissions of a page of records (the audit page names them by title), by id. */
    async submissionsOf(actor: Actor, ids: readonly string[]): Promise<Map<string, Submission>> {
      requireAuditor(actor);
      return new Map((await stores.listing.byIds([...new Set(ids)])).map((s) => [s.id, s]));
    },

    /** GET /v1/audit/verify */
    async verify(actor: Actor, query: unknown): Promise<AuditVerify> {
      requireAuditor(actor);
      check('empty-query.json', query);
      const r = await verifyDatabase(stores.chains);
      const log = await verifySecurityLog(stores.securityLog);
      return {
        ok: r.ok && log.ok,
        submissions: r.submissions,
        transitions: r.records,
        failures: r.breaks.map((b) => ({ submissionId: b.submissionId, seq: b.seq, reason: b.reason, ...(b.column ? { column: b.column } : {}) })),
        securityLog: { ok: log.ok, entries: log.entries, failures: log.breaks.map((b) => ({ seq: b.seq, reason: b.reason })) },
      };
    },

    /** GET /v1/audit/export: the checked request; the router streams it (writeExport). */
    exportRequest(actor: Actor, query: unknown): { format: ExportFormat; filters: TransitionFilters } {
      requireAuditor(actor);
      return parseExportQuery(validator, query);
    },

    /**
     * Writes every record matching a checked export request to `out` (the API's and the web's
     * download, the CLI's file or stdout); the caller ends the stream.
     */
    async exportTransitions(filters: TransitionFilters, format: ExportFormat, out: ExportSink, opts?: ExportOptions): Promise<ExportResult> {
      return writeExport(stores.audit, filters, format, out, opts);
    },

    /** GET /v1/audit/refusals */
    async refusals(actor: Actor, query: unknown): Promise<{ items: RefusedCommand[]; nextCursor: string | null }> {
      requireAuditor(actor);
      check('audit-refusals-query.json', query);
      const q = query as AuditRefusalsQuery;
      const limit = limitOf(q.limit);
      const filters = {
        submission: q.submission,
        actor: q.actor,
        status: q.status === undefined ? undefined : Number(q.status),
        from: bound(q.from, '/from', 'from'),
        before: bound(q.to, '/to', 'to'),
      };
      const rows = await stores.audit.refusedCommandsPage(filters, decodeCursor(q.cursor), limit + 1);
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeCursor({ recordedAt: last.recordedAt, id: last.id }) : null };
    },

    /**
     * GET /v1/submissions/:id/report: auditors and admins see every submission; anyone else
     * exactly those GET /v1/submissions/:id shows them (else 404, as there). In `lang` (the web
     * page's language, the API's Accept-Language).
     */
    async report(actor: Actor, id: string, query: unknown, lang: Lang = 'en'): Promise<string> {
      let records: Transition[];
      if (AUDIT_ROLES.has(actor.role)) {
        check('empty-query.json', query);
        records = await stores.history.list(id);
      } else {
        records = await engine.history(actor, id); // 404 when the caller may not see it
        check('empty-query.json', query);
      }
      const s = await stores.submissions.find(id);
      if (!s) throw new NotFoundError({ code: 'engine.no_submission', params: { id } });
      const w = workflowVersion(s.workflowId, s.workflowVersion);
      let chainBreak = verifyChain(records as unknown as Record<string, unknown>[]);
      if (!chainBreak && (s.headSeq !== records.length || s.headHash !== (records[records.length - 1]?.hash ?? ''))) {
        chainBreak = { seq: records.length, reason: 'the submission head does not match its last record' };
      }
      return renderReport({
        submission: s,
        records,
        definitionHash: w ? definitionHash(w) : null,
        chainBreak,
        generatedAt: now().toISOString(),
        generatedBy: { name: actor.name, role: actor.role },
        lang,
      });
    },
  };
}

export type Auditor = ReturnType<typeof createAuditor>;
