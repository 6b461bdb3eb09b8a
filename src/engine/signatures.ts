/**
 * Electronic signatures (issue 6): each person's password, re-authentication at the moment of
 * signing (21 CFR 11.200(a)(1)), and the lock after consecutive failures (11.300(d)).
 *
 * scrypt is deliberately slow, so every check here runs before, never inside, a command's write
 * transaction; a failure is counted by its own small write (the refused command writes nothing
 * else). Passwords are never stored, logged or returned: only their scrypt hashes are kept.
 */
import { randomBytes } from 'node:crypto';
import { AppError, ForbiddenError, InputError, NotFoundError, SignatureInvalidError, SigningLockedError, fieldError, type FieldError } from '../errors.js';
import type { ChangePassword, PasswordReset, SigningUnlock } from '../generated/schema-types.js';
import { cliActor, createSecurityLog, securityActorOf, type SecurityActor, type SecurityLog } from '../security-log.js';
import type { Database } from '../store/db.js';
import { createKnexStores, type Stores } from '../store/stores.js';
import type { Actor } from '../store/types.js';
import { SCHEMA_BASE, type Validator } from '../validation.js';
import { MAX_PASSWORD_FAILURES, createPasswordChecks, type PasswordChecks } from './attempts.js';
import { sha256Hex } from './hash.js';
import { DEFAULT_PASSWORD_POLICY, DEFAULT_SCRYPT_PARAMS, hashPassword, passwordProblems, type PasswordPolicy, type ScryptParams } from './passwords.js';

/** Consecutive wrong passwords (signing and web sign-in together) that lock a user until an administrator unlocks. */
export const SIGNING_MAX_FAILURES = MAX_PASSWORD_FAILURES;

/** Hours a password reset credential works, unless PASSWORD_RESET_HOURS says otherwise (issue 8). */
export const DEFAULT_PASSWORD_RESET_HOURS = 24;

/** A one-time password reset credential as issued: `pwr_` + 32 random bytes, base64url. */
const RESET_PREFIX = 'pwr_';

export interface SignaturesDeps {
  /** The stores: users; sessions, the security log and transactions for resets and changes (issue 8). */
  readonly stores?: Pick<Stores, 'users' | 'sessions' | 'securityLog' | 'transaction'>;
  /** Instead of `stores`: the database the stores are built on (callers not yet given stores). */
  readonly db?: Database;
  readonly validator: Validator;
  readonly policy?: PasswordPolicy;
  /** scrypt cost for new hashes; tests lower it, existing hashes keep their own. */
  readonly scryptParams?: ScryptParams;
  readonly now?: () => Date;
  /** Password checks under the per-user lock shared with web sign-in (issue 8 §4); built over `stores.users` when absent. */
  readonly passwordChecks?: PasswordChecks;
  /** The security log (issue 8); built over the stores when absent. */
  readonly securityLog?: SecurityLog;
  /** Hours a password reset credential works (PASSWORD_RESET_HOURS, default 24). */
  readonly passwordResetHours?: number;
}

export function createSignatures(deps: SignaturesDeps) {
  const { validator } = deps;
  const stores = deps.stores ?? createKnexStores(deps.db!);
  const users = stores.users;
  const securityLog = deps.securityLog ?? createSecurityLog({ stores, validator, now: deps.now });
  const resetHours = deps.passwordResetHours ?? DEFAULT_PASSWORD_RESET_HOURS;
  const policy = deps.policy ?? DEFAULT_PASSWORD_POLICY;
  const params = deps.scryptParams ?? DEFAULT_SCRYPT_PARAMS;
  const now = deps.now ?? (() => new Date());

  const checks = deps.passwordChecks ?? createPasswordChecks({ stores, now });

  /**
   * Checks `password` against the user's hash under the user's lock, shared with web sign-in
   * (src/engine/attempts.ts): the check is reserved in the database before scrypt runs, so at most
   * SIGNING_MAX_FAILURES wrong passwords are ever compared, whatever arrives at once.
   */
  async function reauthenticate(actor: Pick<Actor, 'id'>, password: string, path: string): Promise<void> {
    const cred = await users.findCredentials(actor.id);
    if (!cred) throw new NotFoundError({ code: 'user.not_found', params: { id: actor.id } });
    // Locked: no password is even checked, so a locked account is no oracle for guesses.
    const locked = (since: string) =>
      new SigningLockedError({ code: 'signature.locked_after_failures', params: { since, failures: SIGNING_MAX_FAILURES } }, path);
    if (cred.signingLockedAt) throw locked(cred.signingLockedAt);
    if (!cred.passwordHash) {
      throw new InputError({ code: 'signature.no_password' }, [fieldError(path, { code: 'signature.set_password_first' })]);
    }
    const r = await checks.check(actor.id, password, cred.passwordHash, 'signing');
    if (r.outcome === 'locked') throw locked(r.since ?? now().toISOString());
    if (r.outcome === 'wrong') {
      throw new SignatureInvalidError(
        r.lockedNow
          ? { code: 'signature.wrong_now_locked', params: { failures: SIGNING_MAX_FAILURES } }
          : { code: 'signature.wrong', params: { failures: r.failures, max: SIGNING_MAX_FAILURES } },
        path,
      );
    }
  }

  function checkPolicy(password: string, path: string, userName: string): void {
    const problems: FieldError[] = passwordProblems(password, policy, path, { userName });
    if (problems.length) throw new InputError({ code: 'password.rules' }, problems);
  }

  return {
    policy,
    reauthenticate,

    /**
     * Re-authentication at the moment of signing a record (21 CFR 11.200(a)(1)): as
     * {@link reauthenticate}, and a refusal (401 wrong password, 423 locked) is also a
     * `signing.refused` entry in the security log naming what was being signed (11.300(d)).
     */
    async reauthenticateToSign(actor: Pick<Actor, 'id' | 'name' | 'role'>, password: string, path: string, signing: Record<string, unknown>): Promise<void> {
      try {
        await reauthenticate(actor, password, path);
      } catch (e) {
        if (e instanceof SignatureInvalidError || e instanceof SigningLockedError) {
          await securityLog.signingRefused(actor, e instanceof SignatureInvalidError ? 401 : 423, { during: 'signing', ...signing });
        }
        throw e;
      }
    },

    /** Enforces the password rules (422 with the rule each breaks, at `path`). */
    checkPolicy,

    /** A scrypt hash of a password that meets the rules (CLI `user add --password-stdin`). */
    async hashNewPassword(password: string, userName: string, path = '/password'): Promise<string> {
      checkPolicy(password, path, userName);
      return hashPassword(password, params);
    },

    /**
     * POST /v1/me/password. A user who has a password re-authenticates with `currentPassword` (a
     * wrong one counts towards the lock, and a locked user cannot change it); a user without one
     * sets the first with the bearer token alone.
     */
    async changeOwnPassword(actor: Actor, body: ChangePassword): Promise<void> {
      if (actor.role === 'system') throw new ForbiddenError({ code: 'password.system_actor' });
      validator.check(`${SCHEMA_BASE}change-password.json`, body);
      const cred = await users.findCredentials(actor.id);
      if (!cred) throw new NotFoundError({ code: 'user.not_found', params: { id: actor.id } });
      if (cred.signingLockedAt) {
        await securityLog.signingRefused(actor, 423, { during: 'password.change' });
        throw new SigningLockedError({ code: 'signature.locked_since', params: { since: cred.signingLockedAt } }, '/currentPassword');
      }
      const first = !cred.passwordHash;
      if (cred.passwordHash) {
        if (body.currentPassword === undefined) {
          throw new InputError({ code: 'password.current_required' }, [fieldError('/currentPassword', { code: 'password.current_required_field' })]);
        }
        checkPolicy(body.newPassword, '/newPassword', actor.name);
        try {
          await reauthenticate(actor, body.currentPassword, '/currentPassword');
        } catch (e) {
          if (e instanceof SignatureInvalidError || e instanceof SigningLockedError) {
            await securityLog.signingRefused(actor, e instanceof SignatureInvalidError ? 401 : 423, { during: 'password.change' });
          }
          throw e;
        }
        if (body.newPassword === body.currentPassword) {
          throw new InputError({ code: 'password.unchanged' }, [fieldError('/newPassword', { code: 'password.unchanged_field' })]);
        }
      } else {
        if (body.currentPassword !== undefined) {
          throw new InputError({ code: 'password.none_yet' }, [fieldError('/currentPassword', { code: 'password.none_yet_field' })]);
        }
        // The bearer token alone sets only a first password: once a password was reset, only the
        // one-time reset credential sets the next (a token someone else holds must not).
        const state = await users.findPasswordState(actor.id);
        if (state && (state.resetPending || state.passwordChangedAt !== null)) {
          throw new InputError({ code: 'password.use_reset' }, [fieldError('/newPassword', { code: 'password.use_reset_field' })]);
        }
        checkPolicy(body.newPassword, '/newPassword', actor.name);
      }
      const hash = await hashPassword(body.newPassword, params);
      // The password, the end of every session and the log entry commit together.
      await stores.transaction(async (tx) => {
        await tx.users.setPasswordHash(actor.id, hash, now().toISOString(), { unlock: false });
        const sessionsEnded = await tx.sessions.deleteForUser(actor.id);
        await securityLog.record(
          { type: first ? 'password.set' : 'password.changed', subject: actor.id, actor: securityActorOf(actor), data: { sessionsEnded } },
          tx,
        );
      });
    },

    /**
     * POST /v1/users/:id/signing-unlock (admins) and `puente user unlock`: clears the failed
     * count and the lock. Nobody, an admin included, sets a password that signs for another user
     * (21 CFR 11.100(a), 11.200): `newPassword` is refused, pointing to the reset.
     */
    async unlock(admin: Actor | null, userId: string, body: SigningUnlock): Promise<{ id: string; name: string; signingLocked: false; passwordReset: false }> {
      if (admin && admin.role !== 'admin') {
        await securityLog.adminRefused(admin, 'signing.unlock', userId, 'not an admin');
        throw new ForbiddenError({ code: 'signature.only_admins_unlock', params: { role: admin.role } });
      }
      validator.check(`${SCHEMA_BASE}signing-unlock.json`, body);
      if (body.newPassword !== undefined) {
        await securityLog.adminRefused(admin ?? cliActor(), 'password.set', userId, "an admin cannot set another user's password");
        throw new InputError({ code: 'password.admin_cannot_set', params: { id: userId } }, [
          fieldError('/newPassword', { code: 'password.admin_cannot_set_field', params: { id: userId } }),
        ]);
      }
      const cred = await users.findCredentials(userId);
      if (!cred) throw new NotFoundError({ code: 'user.not_found', params: { id: userId } });
      await stores.transaction(async (tx) => {
        await tx.users.unlockSigning(userId);
        await securityLog.record(
          { type: 'signing.unlocked', subject: userId, actor: admin ? securityActorOf(admin) : cliActor(), data: { wasLocked: cred.signingLockedAt !== null } },
          tx,
        );
      });
      return { id: userId, name: cred.name, signingLocked: false, passwordReset: false };
    },

    /**
     * POST /v1/users/:id/password-reset (admins), `puente user reset` and the Users page: clears
     * the user's password (nobody can sign as the user until the user sets one), ends every
     * session of the user, and issues a one-time credential, shown once and stored only as its
     * SHA-256, that only sets a new password (POST /v1/password-reset) until PASSWORD_RESET_HOURS
     * have passed. The signing lock stays until the user sets the new password.
     */
    async issueReset(admin: Actor | null, userId: string): Promise<{ id: string; name: string; resetToken: string; expiresAt: string }> {
      const by: SecurityActor = admin ? securityActorOf(admin) : cliActor();
      if (admin && admin.role !== 'admin') {
        await securityLog.adminRefused(admin, 'password.reset', userId, 'not an admin');
        throw new ForbiddenError({ code: 'user.only_admins', params: { role: admin.role } });
      }
      const cred = await users.findCredentials(userId);
      if (!cred) throw new NotFoundError({ code: 'user.not_found', params: { id: userId } });
      const resetToken = RESET_PREFIX + randomBytes(32).toString('base64url');
      const t = now();
      const expiresAt = new Date(t.getTime() + resetHours * 3_600_000).toISOString();
      await stores.transaction(async (tx) => {
        await tx.users.startPasswordReset(userId, sha256Hex(resetToken), expiresAt, t.toISOString());
        const sessionsEnded = await tx.sessions.deleteForUser(userId);
        await securityLog.record({ type: 'password.reset_issued', subject: userId, actor: by, data: { expiresAt, sessionsEnded } }, tx);
      });
      return { id: userId, name: cred.name, resetToken, expiresAt };
    },

    /**
     * POST /v1/password-reset (no bearer token) and the web's reset page: the user presents the
     * one-time credential and chooses a password of their own. The credential is spent, every
     * session of the user ends, the failure count and signing lock are cleared. An unknown, used
     * or expired credential is `unauthenticated` (the caller counts it as a failed authentication).
     */
    async completeReset(body: PasswordReset): Promise<{ id: string; name: string }> {
      validator.check(`${SCHEMA_BASE}password-reset.json`, body);
      const invalid = () =>
        new AppError('unauthenticated', { code: 'password.reset_invalid' }, [fieldError('/resetToken', { code: 'password.reset_invalid_field' })]);
      const resetHash = sha256Hex(body.resetToken);
      const found = await users.findByResetHash(resetHash);
      const t = now();
      if (!found || found.disabled || Date.parse(found.resetExpiresAt) <= t.getTime()) throw invalid();
      checkPolicy(body.newPassword, '/newPassword', found.name);
      const cred = await users.findCredentials(found.id);
      if (!cred) throw invalid();
      const hash = await hashPassword(body.newPassword, params);
      await stores.transaction(async (tx) => {
        if (!(await tx.users.completePasswordReset(found.id, resetHash, hash, t.toISOString()))) throw invalid();
        const sessionsEnded = await tx.sessions.deleteForUser(found.id);
        await securityLog.record(
          { type: 'password.reset_completed', subject: found.id, actor: { id: found.id, name: cred.name, role: cred.role }, data: { sessionsEnded } },
          tx,
        );
      });
      return { id: found.id, name: found.name };
    },
  };
}

export type Signatures = ReturnType<typeof createSignatures>;
