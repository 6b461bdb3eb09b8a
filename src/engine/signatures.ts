/**
 * Electronic signatures (issue 6): each person's password, re-authentication at the moment of
 * signing (21 CFR 11.200(a)(1)), and the lock after consecutive failures (11.300(d)).
 *
 * scrypt is deliberately slow, so every check here runs before, never inside, a command's write
 * transaction; a failure is counted by its own small write (the refused command writes nothing
 * else). Passwords are never stored, logged or returned: only their scrypt hashes are kept.
 */
import { ForbiddenError, InputError, NotFoundError, SignatureInvalidError, SigningLockedError, fieldError, type FieldError } from '../errors.js';
import type { ChangePassword, SigningUnlock } from '../generated/schema-types.js';
import type { Database } from '../store/db.js';
import { createKnexStores, type Stores } from '../store/stores.js';
import type { Actor } from '../store/types.js';
import { SCHEMA_BASE, type Validator } from '../validation.js';
import {
  DEFAULT_PASSWORD_POLICY,
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  passwordProblems,
  verifyPassword,
  type PasswordPolicy,
  type ScryptParams,
} from './passwords.js';

/** Consecutive wrong passwords that lock signing for a user until an administrator unlocks it. */
export const SIGNING_MAX_FAILURES = 5;

export interface SignaturesDeps {
  /** The stores (only `users` is used). */
  readonly stores?: Pick<Stores, 'users'>;
  /** Instead of `stores`: the database the stores are built on (callers not yet given stores). */
  readonly db?: Database;
  readonly validator: Validator;
  readonly policy?: PasswordPolicy;
  /** scrypt cost for new hashes; tests lower it, existing hashes keep their own. */
  readonly scryptParams?: ScryptParams;
  readonly now?: () => Date;
}

export function createSignatures(deps: SignaturesDeps) {
  const { validator } = deps;
  const users = (deps.stores ?? createKnexStores(deps.db!)).users;
  const policy = deps.policy ?? DEFAULT_PASSWORD_POLICY;
  const params = deps.scryptParams ?? DEFAULT_SCRYPT_PARAMS;
  const now = deps.now ?? (() => new Date());

  /** Checks `password` against the user's hash; counts a failure, clears the run on success. */
  async function reauthenticate(actor: Pick<Actor, 'id'>, password: string, path: string): Promise<void> {
    const cred = await users.findCredentials(actor.id);
    if (!cred) throw new NotFoundError({ code: 'user.not_found', params: { id: actor.id } });
    // Locked: no password is even checked, so a locked account is no oracle for guesses.
    if (cred.signingLockedAt) {
      throw new SigningLockedError({ code: 'signature.locked_after_failures', params: { since: cred.signingLockedAt, failures: SIGNING_MAX_FAILURES } }, path);
    }
    if (!cred.passwordHash) {
      throw new InputError({ code: 'signature.no_password' }, [fieldError(path, { code: 'signature.set_password_first' })]);
    }
    if (!(await verifyPassword(password, cred.passwordHash))) {
      const r = await users.recordSignatureFailure(actor.id, SIGNING_MAX_FAILURES, now().toISOString());
      throw new SignatureInvalidError(
        r.lockedAt
          ? { code: 'signature.wrong_now_locked', params: { failures: SIGNING_MAX_FAILURES } }
          : { code: 'signature.wrong', params: { failures: r.failures, max: SIGNING_MAX_FAILURES } },
        path,
      );
    }
    if (cred.signatureFailures > 0) await users.clearSignatureFailures(actor.id);
  }

  function checkPolicy(password: string, path: string, userName: string): void {
    const problems: FieldError[] = passwordProblems(password, policy, path, { userName });
    if (problems.length) throw new InputError({ code: 'password.rules' }, problems);
  }

  return {
    policy,
    reauthenticate,

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
        throw new SigningLockedError({ code: 'signature.locked_since', params: { since: cred.signingLockedAt } }, '/currentPassword');
      }
      if (cred.passwordHash) {
        if (body.currentPassword === undefined) {
          throw new InputError({ code: 'password.current_required' }, [fieldError('/currentPassword', { code: 'password.current_required_field' })]);
        }
        checkPolicy(body.newPassword, '/newPassword', actor.name);
        await reauthenticate(actor, body.currentPassword, '/currentPassword');
        if (body.newPassword === body.currentPassword) {
          throw new InputError({ code: 'password.unchanged' }, [fieldError('/newPassword', { code: 'password.unchanged_field' })]);
        }
      } else {
        if (body.currentPassword !== undefined) {
          throw new InputError({ code: 'password.none_yet' }, [fieldError('/currentPassword', { code: 'password.none_yet_field' })]);
        }
        checkPolicy(body.newPassword, '/newPassword', actor.name);
      }
      await users.setPasswordHash(actor.id, await hashPassword(body.newPassword, params), now().toISOString(), { unlock: false });
    },

    /**
     * POST /v1/users/:id/signing-unlock (admins) and `puente user unlock`: clears the failed
     * count and the lock; with `newPassword`, resets the password too (a user who forgot it).
     */
    async unlock(
      admin: Actor | null,
      userId: string,
      body: SigningUnlock,
    ): Promise<{ id: string; name: string; signingLocked: false; passwordReset: boolean }> {
      if (admin && admin.role !== 'admin') throw new ForbiddenError({ code: 'signature.only_admins_unlock', params: { role: admin.role } });
      validator.check(`${SCHEMA_BASE}signing-unlock.json`, body);
      const cred = await users.findCredentials(userId);
      if (!cred) throw new NotFoundError({ code: 'user.not_found', params: { id: userId } });
      if (body.newPassword !== undefined) {
        checkPolicy(body.newPassword, '/newPassword', cred.name);
        await users.setPasswordHash(userId, await hashPassword(body.newPassword, params), now().toISOString(), { unlock: true });
      } else {
        await users.unlockSigning(userId);
      }
      return { id: userId, name: cred.name, signingLocked: false, passwordReset: body.newPassword !== undefined };
    },
  };
}

export type Signatures = ReturnType<typeof createSignatures>;
