/**
 * The command runner: one database transaction per command, its Idempotency-Key record in the
 * same transaction, retries on fresh state after a lost version race (or a stale SQLite
 * snapshot), and the record of a refused command (21 CFR 11.10(e), EU Annex 11 §12.4).
 *
 * Commands answer domain outcomes, not HTTP numbers: a {@link CommandResult} says whether the
 * command `created` something or `applied` an event to what exists; the edge maps that (and every
 * error code) to its own answer.
 */
import { v7 as uuidv7 } from 'uuid';
import { canonicalJson } from '../canonical-json.js';
import { AppError, EventNotAllowedError, IdempotencyKeyReusedError, type ErrorCode } from '../errors.js';
import type { StoreSet } from '../store/stores.js';
import type { Actor } from '../store/types.js';
import type { EngineContext } from './context.js';
import { sha256Hex } from './hash.js';

/** How often a command is retried on fresh state after losing a version race. */
export const MAX_COMMAND_ATTEMPTS = 5;

/** A SQLITE_BUSY that took longer than this was a real wait on another writer, not a stale snapshot. */
const BUSY_RETRY_WINDOW_MS = 1000;

/** Thrown inside a transaction when the version check lost a race; retried on fresh state. */
export class VersionRace extends Error {}

function isRetryable(e: unknown): boolean {
  if (e instanceof VersionRace) return true;
  const err = e as { code?: string; message?: string };
  if (err.code === '23505' || err.code === '40001' || err.code === '40P01') return true; // pg unique / serialization / deadlock
  if (err.code === 'SQLITE_BUSY') return true;
  return err.code === 'SQLITE_CONSTRAINT' && /UNIQUE/.test(err.message ?? '');
}

export interface Idempotency {
  readonly key: string;
  /** SHA-256 of the canonical request (method, path, body). */
  readonly requestHash: string;
}

/** SHA-256 of the canonical form of a request, for Idempotency-Key comparison. */
export function requestHash(parts: Record<string, unknown>): string {
  return sha256Hex(canonicalJson(parts));
}

/**
 * What a command did: `created` a submission or a document, or `applied` an event to a
 * submission. A replay (Idempotency-Key) answers the first request's outcome and body.
 */
export type CommandOutcome = 'created' | 'applied';

export interface CommandResult<T> {
  readonly outcome: CommandOutcome;
  readonly body: T;
  /** True when an Idempotency-Key replay returned the first response. */
  readonly replayed: boolean;
}

/**
 * Where a command came from, as the edge (API or web) describes it, for the record of a refusal.
 * Commands called without one (the CLI, the demo, tests) record no refusal.
 */
export interface CommandOrigin {
  readonly method: string;
  /** The path as requested, without the query string (cut to 2,000 characters). */
  readonly path: string;
  readonly requestId: string | null;
  /**
   * The edge's answer to an error code (http/error-handler.ts `statusOf`): the record keeps the
   * status the caller was given, and only the edge knows it.
   */
  readonly statusOf: (code: ErrorCode) => number;
  /** Where a failure to record is reported (the refusal is answered all the same). */
  readonly logger: { error(obj: object, msg: string): void };
}

/**
 * Refusals worth a record: the role may not send the command (`forbidden`), the workflow does
 * not allow it now or it kept losing version races (`event_not_allowed`), it named a version the
 * submission is no longer at (`version_mismatch`), and the security events among them (issue 8
 * §8): a write to a submission the caller may not see or that does not exist (`not_found`, the
 * 404 that hides another organization's record), a wrong signature password or a locked signer
 * (`signature_invalid` 401, `signature_locked` 423), and a row that disagrees with its chain
 * (`integrity_failure`). Bad input is not a refusal of the command.
 */
export const REFUSAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'forbidden',
  'event_not_allowed',
  'version_mismatch',
  'not_found',
  'signature_invalid',
  'signature_locked',
  'integrity_failure',
]);

/** The submission and event type a refused command named (the record's columns). */
export interface RefusalTarget {
  readonly submissionId: string | null;
  readonly eventType: string | null;
}

const MAX_TEXT = 2000;

/** The event type as a refusal records it: a plain event name, else nothing. */
export function recordableEventType(type: unknown): string | null {
  return typeof type === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(type) ? type : null;
}

/**
 * Runs `command`; when it is refused (see {@link REFUSAL_CODES}) and came through an edge,
 * records the refusal in `refused_commands` and rethrows. By then the command's transaction has
 * rolled back, so the record is its own small write: who, the method and path, the submission
 * and event type, the status, the code and detail and the request id; never the body,
 * passwords, tokens or headers. A failure to record is logged, never thrown.
 */
export async function recordingRefusals<T>(
  ctx: EngineContext,
  actor: Actor,
  origin: CommandOrigin | undefined,
  target: RefusalTarget,
  command: () => Promise<T>,
): Promise<T> {
  try {
    return await command();
  } catch (e) {
    if (origin && e instanceof AppError && REFUSAL_CODES.has(e.code)) {
      try {
        await ctx.stores.audit.insertRefusedCommand({
          id: uuidv7(),
          recordedAt: ctx.now().toISOString(),
          actor,
          method: origin.method,
          path: origin.path.slice(0, MAX_TEXT),
          submissionId: target.submissionId === null ? null : target.submissionId.slice(0, 200),
          eventType: target.eventType,
          status: origin.statusOf(e.code),
          code: e.code,
          detail: e.message.slice(0, MAX_TEXT),
          requestId: origin.requestId,
        });
      } catch (err) {
        origin.logger.error({ err, reqId: origin.requestId }, 'could not record a refused command');
      }
    }
    throw e;
  }
}

/** A command's reading (`plan`) and writing (`write`) for {@link runCommand}. */
export interface CommandSteps<P, T> {
  readonly actor: Actor;
  /** What the command answers when it succeeds (a replay answers what the first request did). */
  readonly outcome: CommandOutcome;
  readonly idempotency?: Idempotency;
  /**
   * Reads and computes; `inTransaction` says whether `stores` are bound to the command's
   * transaction. Absent, `write` reads what it needs inside the transaction.
   */
  readonly plan?: (stores: StoreSet, inTransaction: boolean) => Promise<P>;
  /** Writes inside the transaction, through the stores bound to it. */
  readonly write: (tx: StoreSet, plan: P) => Promise<T>;
  /** A plan whose writes need nothing but one guarded statement: done in one trip, or null for the transaction. */
  readonly direct?: (plan: P) => Promise<T | null>;
}

/**
 * Runs `attempt` until it succeeds, again on fresh state when it lost a version race or met a
 * stale SQLite snapshot, at most {@link MAX_COMMAND_ATTEMPTS} times.
 */
async function withRetries<T>(attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    const started = Date.now();
    try {
      return await attempt(n);
    } catch (e) {
      // A lock that was busy for the whole busy timeout is not retried: the client gets 503
      // with Retry-After instead of waiting several timeouts (a stale-snapshot BUSY is quick).
      const timedOut = (e as { code?: string }).code === 'SQLITE_BUSY' && Date.now() - started >= BUSY_RETRY_WINDOW_MS;
      if (n < MAX_COMMAND_ATTEMPTS && isRetryable(e) && !timedOut) continue;
      if (e instanceof VersionRace) {
        throw new EventNotAllowedError({ code: 'engine.contended', params: { attempts: MAX_COMMAND_ATTEMPTS } });
      }
      throw e;
    }
  }
}

/**
 * Runs one command in one transaction, with its Idempotency-Key record in the same
 * transaction, retrying on fresh state when it lost a version race.
 *
 * `plan` does the command's reading and computing; `write` its writes. Without an
 * Idempotency-Key the plan runs before the transaction, on the read pool, so the single
 * writer is held only for the guarded writes: every write is conditional on the version the
 * plan read, and a lost race plans again, inside the transaction. With a key, the plan runs inside the
 * transaction after the replay check (a replay must answer what the first request answered,
 * not plan again on the state that request left).
 */
export function runCommand<P, T>(ctx: EngineContext, steps: CommandSteps<P, T>): Promise<CommandResult<T>> {
  const { actor, outcome, idempotency: idem, plan, write, direct } = steps;
  return withRetries(async (attempt) => {
    // Optimistic on the first attempt only: after a lost race the plan runs in the transaction
    // (serialized behind the writer on SQLite, the row locked on PostgreSQL), so a busy
    // submission still makes progress.
    const early = plan && !idem && attempt === 1 ? { plan: await plan(ctx.stores, false) } : undefined;
    // A planned command that needs nothing but its own guarded writes: one trip to the writer.
    if (early && direct) {
      const done = await direct(early.plan);
      if (done !== null) return { outcome, body: done, replayed: false };
    }
    return ctx.stores.transaction(async (tx): Promise<CommandResult<T>> => {
      if (idem) {
        const prior = await tx.idempotency.find(actor.id, idem.key);
        if (prior) {
          if (prior.requestHash !== idem.requestHash) throw new IdempotencyKeyReusedError();
          return { outcome: prior.outcome, body: prior.body as T, replayed: true };
        }
      }
      const p = early ? early.plan : plan ? await plan(tx, true) : (undefined as P);
      const body = await write(tx, p);
      if (idem) {
        await tx.idempotency.insert({ userId: actor.id, key: idem.key, requestHash: idem.requestHash, outcome, body, now: ctx.now().toISOString() });
      }
      return { outcome, body, replayed: false };
    });
  });
}

/**
 * Runs `work` in one transaction, with the retries of {@link runCommand} and no Idempotency-Key:
 * commands that read inside their transaction, and the system's own jobs (sweeper, migration).
 * Answers what `work` answers.
 */
export function runInTransaction<T>(ctx: EngineContext, work: (tx: StoreSet) => Promise<T>): Promise<T> {
  return withRetries(() => ctx.stores.transaction(work));
}
