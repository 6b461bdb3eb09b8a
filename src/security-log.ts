/**
 * The security log (issue 8; 21 CFR 11.10(e), 11.300(b)-(e)): who created, disabled, re-enabled a
 * user; who set, changed or reset a password; who unlocked signing; who issued or rotated a
 * token; which signatures and admin actions were refused. Entries are append-only (a database
 * trigger refuses UPDATE and DELETE) and hash-chained like the history: `hash` is the lowercase
 * hex SHA-256 of the JCS canonical JSON of the entry without its `hash`, `prevHash` names the
 * previous entry's (64 zeros for seq 1). `verifySecurityLog` recomputes the chain.
 *
 * `record(event, tx)` appends inside the caller's transaction (one transaction per command: the
 * action and its entry commit together); without `tx`, in a transaction of its own.
 */
import { ForbiddenError, InputError, fieldError } from './errors.js';
import { GENESIS_HASH, canonicalJson, recordHash } from './engine/hash.js';
import type { SecurityActor, SecurityLogEntry, SecurityLogFilters, SecurityLogStore } from './store/security-log-store.js';
import type { Actor } from './store/types.js';
import { SCHEMA_BASE, type Validator } from './validation.js';

export type { SecurityActor, SecurityLogEntry } from './store/security-log-store.js';

/** Every kind of entry. */
export const SECURITY_EVENT_TYPES = [
  'user.created',
  'user.disabled',
  'user.enabled',
  'password.set',
  'password.changed',
  'password.reset_issued',
  'password.reset_completed',
  'signing.locked',
  'signing.unlocked',
  'signing.refused',
  'token.issued',
  'token.rotated',
  'token.revoked',
  'admin.refused',
] as const;
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

export interface SecurityEvent {
  readonly type: SecurityEventType;
  /** The user the action is about. */
  readonly subject?: string | null;
  readonly actor: SecurityActor;
  /** Facts about the action (never a password, token or credential). */
  readonly data?: Record<string, unknown>;
}

/** The actor of an entry from an authenticated caller. */
export function securityActorOf(actor: SecurityActor | Pick<Actor, 'id' | 'name' | 'role'>): SecurityActor {
  return { id: actor.id, name: actor.name, role: actor.role };
}

/** The actor of a command-line action: the operating-system user who ran `puente`. */
export function cliActor(name = process.env.USER || process.env.LOGNAME || 'cli'): SecurityActor {
  return { id: null, name: name.slice(0, 200), role: 'cli' };
}

/** The store bound to a transaction, when the entry is part of one. */
export type SecurityLogTx = { readonly securityLog: SecurityLogStore };

export interface SecurityLogVerification {
  readonly ok: boolean;
  readonly entries: number;
  readonly breaks: ReadonlyArray<{ seq: number; reason: string }>;
}

/** The fields that are hashed, in served form. */
function hashedRecord(e: Omit<SecurityLogEntry, 'hash'> | SecurityLogEntry): Record<string, unknown> {
  return { seq: e.seq, type: e.type, subject: e.subject, actor: { ...e.actor }, data: e.data, recordedAt: e.recordedAt, prevHash: e.prevHash };
}

/**
 * Recomputes the security log's chain: seq runs 1..n without gaps, every prevHash names its
 * predecessor's hash, every hash recomputes from the stored entry. Returns every break found.
 */
export async function verifySecurityLog(store: Pick<SecurityLogStore, 'rawPage'>): Promise<SecurityLogVerification> {
  const breaks: Array<{ seq: number; reason: string }> = [];
  let prev = GENESIS_HASH;
  let expected = 1;
  let after: number | null = null;
  let entries = 0;
  for (;;) {
    const rows = await store.rawPage(after, 1000);
    for (const r of rows) {
      entries++;
      if (r.seq !== expected) breaks.push({ seq: r.seq, reason: `expected seq ${expected}` });
      if (r.prevHash !== prev) breaks.push({ seq: r.seq, reason: 'prevHash does not match the previous entry' });
      let data: unknown;
      try {
        data = JSON.parse(r.dataText);
      } catch {
        data = undefined;
      }
      if (data === undefined || recordHash({ ...hashedRecord(r), data }) !== r.hash) breaks.push({ seq: r.seq, reason: 'hash does not match the entry' });
      prev = r.hash;
      expected = r.seq + 1;
      after = r.seq;
    }
    if (rows.length < 1000) break;
  }
  return { ok: breaks.length === 0, entries, breaks };
}

const AUDIT_ROLES: ReadonlySet<string> = new Set(['auditor', 'admin']);
const limitOf = (limit: string | undefined) => (limit ? Number(limit) : 50);

function decodeCursor(cursor: string | undefined): number | null {
  if (cursor === undefined) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[1-9][0-9]{0,15}$/.test(text)) throw new InputError({ code: 'invalid.cursor' }, [fieldError('/cursor', { code: 'invalid.cursor_field' })]);
  return Number(text);
}
const encodeCursor = (seq: number) => Buffer.from(String(seq)).toString('base64url');

interface SecurityLogQuery {
  user?: string;
  type?: string;
  limit?: string;
  cursor?: string;
}

export interface SecurityLogDeps {
  /** The security log store on the pool (appends in their own transaction there). */
  readonly stores: { readonly securityLog: SecurityLogStore };
  readonly validator: Validator;
  readonly now?: () => Date;
}

export function createSecurityLog(deps: SecurityLogDeps) {
  const { validator } = deps;
  const store = deps.stores.securityLog;
  const now = deps.now ?? (() => new Date());

  function requireAuditor(actor: Actor): void {
    if (!AUDIT_ROLES.has(actor.role)) throw new ForbiddenError({ code: 'audit.roles_only', params: { role: actor.role } });
  }

  function filtersOf(actor: Actor, query: unknown, schema: string): SecurityLogFilters & { limit: number; after: number | null } {
    requireAuditor(actor);
    validator.check(`${SCHEMA_BASE}${schema}`, query, '', { code: 'invalid.query' });
    const q = query as SecurityLogQuery;
    return { user: q.user, type: q.type, limit: limitOf(q.limit), after: decodeCursor(q.cursor) };
  }

  /** Appends one entry, in `tx` when given (the action's own transaction). */
  async function record(event: SecurityEvent, tx?: SecurityLogTx): Promise<SecurityLogEntry> {
    const recordedAt = now().toISOString();
    const data = event.data ?? {};
    const dataText = canonicalJson(data);
    return (tx?.securityLog ?? store).append((head) => {
      const base = {
        seq: head ? head.seq + 1 : 1,
        type: event.type,
        subject: event.subject ?? null,
        actor: { id: event.actor.id, name: event.actor.name, role: event.actor.role },
        data,
        recordedAt,
        prevHash: head ? head.hash : GENESIS_HASH,
      };
      return { entry: { ...base, hash: recordHash(hashedRecord(base)) }, dataText };
    });
  }

  return {
    record,

    /**
     * A refused signature (21 CFR 11.300(d)): 401 (wrong password) or 423 (signing locked), about
     * the would-be signer. Its own write: the refused command writes nothing else.
     */
    async signingRefused(actor: Pick<Actor, 'id' | 'name' | 'role'>, status: 401 | 423, data: Record<string, unknown> = {}): Promise<void> {
      await record({ type: 'signing.refused', subject: actor.id, actor: securityActorOf(actor), data: { status, ...data } });
    },

    /** An admin action refused (a non-admin tried it, or it was refused for the admin). */
    async adminRefused(actor: SecurityActor | Pick<Actor, 'id' | 'name' | 'role'>, action: string, subject: string | null, reason: string): Promise<void> {
      // The subject is as the request named it: anything that cannot be a user id (the column holds
      // 36 characters) is kept, cut, in the data instead, so a refusal is always recorded.
      const fits = subject === null || subject.length <= 36;
      await record({
        type: 'admin.refused',
        subject: fits ? subject : null,
        actor: securityActorOf(actor),
        data: { action, reason, ...(fits ? {} : { subjectAsGiven: subject.slice(0, 200) }) },
      });
    },

    /** GET /v1/audit/security-log (auditors, admins): entries in seq order, keyset pages. */
    async list(actor: Actor, query: unknown): Promise<{ items: SecurityLogEntry[]; nextCursor: string | null }> {
      const f = filtersOf(actor, query, 'security-log-query.json');
      const rows = await store.page(f, f.after, f.limit + 1);
      const items = rows.slice(0, f.limit);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > f.limit && last ? encodeCursor(last.seq) : null };
    },

    /** GET /v1/audit/security-log/export: the checked filters (the route streams them). */
    exportRequest(actor: Actor, query: unknown): SecurityLogFilters {
      const f = filtersOf(actor, query, 'security-log-export-query.json');
      return { user: f.user, type: f.type };
    },

    /** Writes every matching entry as JSONL (one entry per line, as the list serves it). */
    async exportJsonl(filters: SecurityLogFilters, write: (line: string) => void | Promise<void>): Promise<number> {
      let after: number | null = null;
      let n = 0;
      for (;;) {
        const rows = await store.page(filters, after, 500);
        for (const r of rows) {
          await write(`${JSON.stringify(r)}\n`);
          n++;
          after = r.seq;
        }
        if (rows.length < 500) return n;
      }
    },

    /** Recomputes the chain (`audit verify` and the CLI). */
    verify: () => verifySecurityLog(store),
  };
}

export type SecurityLog = ReturnType<typeof createSecurityLog>;
