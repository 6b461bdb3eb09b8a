/**
 * The user directory: who a bearer token belongs to, and the lists the administrator's and the
 * portfolio's pages show. Routes and pages ask this service; only it reads the users store.
 *
 * Offboarding (issue 8; 21 CFR 11.300(b), (c)): users are created, disabled and re-enabled, and
 * bearer tokens issued and rotated here, each with its security-log entry in the same transaction.
 * With TOKEN_MAX_DAYS a token stops working that many days after it was issued.
 */
import { randomBytes } from 'node:crypto';
import { ForbiddenError, InputError, NotFoundError, fieldError } from './errors.js';
import { sha256Hex } from './engine/hash.js';
import { cliActor, securityActorOf, type SecurityActor, type SecurityLog } from './security-log.js';
import type { Stores } from './store/stores.js';
import type { Actor } from './store/types.js';
import type { ListedUser, Organization, User, UserStore } from './store/users-store.js';
import type { HumanRole } from '../workflows/types.js';

/** A new bearer token: `pte_` + 32 random bytes (256 bits), base64url (the same form as http/auth.ts newToken). */
function issueToken(): { token: string; tokenHash: string } {
  const token = 'pte_' + randomBytes(32).toString('base64url');
  return { token, tokenHash: sha256Hex(token) };
}

export interface UsersDeps {
  /** The users store on the read pool. */
  readonly users: UserStore;
  /** For the lifecycle commands (create, disable, enable, rotate): the stores with transactions. */
  readonly stores?: Pick<Stores, 'users' | 'sessions' | 'securityLog' | 'transaction'>;
  readonly securityLog?: SecurityLog;
  /** TOKEN_MAX_DAYS: days a bearer token works after it was issued; undefined = no expiry. */
  readonly tokenMaxDays?: number;
  readonly now?: () => Date;
}

/** Who runs an admin command: an authenticated admin, or the command line (null). */
type AdminCaller = Actor | null;

export function createUsers(deps: UsersDeps) {
  const store = deps.users;
  const now = deps.now ?? (() => new Date());
  const maxMs = deps.tokenMaxDays === undefined ? undefined : deps.tokenMaxDays * 86_400_000;

  function lifecycle() {
    if (!deps.stores || !deps.securityLog) throw new Error('createUsers: the lifecycle commands need `stores` and `securityLog`');
    return { stores: deps.stores, securityLog: deps.securityLog };
  }

  /** When a token issued at `issuedAt` stops working (null without TOKEN_MAX_DAYS). */
  const expiryOf = (issuedAt: string): string | null => (maxMs === undefined ? null : new Date(Date.parse(issuedAt) + maxMs).toISOString());

  async function requireAdmin(caller: AdminCaller, action: string, subject: string | null): Promise<SecurityActor> {
    if (!caller) return cliActor();
    if (caller.role !== 'admin') {
      await lifecycle().securityLog.adminRefused(caller, action, subject, 'not an admin');
      throw new ForbiddenError({ code: 'user.only_admins', params: { role: caller.role } });
    }
    return securityActorOf(caller);
  }

  async function existing(userId: string) {
    const cred = await store.findCredentials(userId);
    if (!cred) throw new NotFoundError({ code: 'user.not_found', params: { id: userId } });
    return cred;
  }

  async function setDisabled(caller: AdminCaller, userId: string, disabled: boolean): Promise<{ id: string; name: string; disabled: boolean }> {
    const action = disabled ? 'user.disable' : 'user.enable';
    const by = await requireAdmin(caller, action, userId);
    const cred = await existing(userId);
    if (disabled && caller && caller.id === userId) {
      await lifecycle().securityLog.adminRefused(caller, action, userId, 'an admin cannot disable their own account');
      throw new InputError({ code: 'user.not_yourself' }, [fieldError('/id', { code: 'user.not_yourself_field' })]);
    }
    const { stores, securityLog } = lifecycle();
    await stores.transaction(async (tx) => {
      await tx.users.setDisabled(userId, disabled);
      // A disabled user's web sessions end now (the bearer token is refused from the next request).
      const sessionsEnded = disabled ? await tx.sessions.deleteForUser(userId) : 0;
      await securityLog.record(
        {
          type: disabled ? 'user.disabled' : 'user.enabled',
          subject: userId,
          actor: by,
          data: disabled ? { wasDisabled: cred.disabled, sessionsEnded } : { wasDisabled: cred.disabled },
        },
        tx,
      );
    });
    return { id: userId, name: cred.name, disabled };
  }

  return {
    /**
     * The user a bearer token names (any user, disabled ones too: the caller decides), or
     * undefined; `tokenExpired` is set when TOKEN_MAX_DAYS have passed since it was issued.
     */
    async byToken(token: string): Promise<User | undefined> {
      const user = await store.findByTokenHash(sha256Hex(token));
      if (!user || maxMs === undefined) return user;
      const issued = Date.parse(user.tokenIssuedAt ?? user.createdAt);
      return now().getTime() >= issued + maxMs ? { ...user, tokenExpired: true } : user;
    },

    /** Every user as an administrator sees them (no hashes; whether signing is locked). */
    async list(): Promise<ListedUser[]> {
      return store.listUsers();
    },

    /** Every organization, by name (the portfolio's filter for regulators and auditors). */
    async listOrganizations(): Promise<Organization[]> {
      return store.listOrganizations();
    },

    /**
     * `puente user add`: creates the user (and the organization on first use) with a new bearer
     * token, shown once; logs user.created, token.issued and, with a password, password.set.
     */
    async create(input: {
      name: string;
      role: HumanRole;
      organization?: string;
      email?: string;
      passwordHash?: string;
      by?: SecurityActor;
    }): Promise<{ user: User; token: string; expiresAt: string | null }> {
      const { stores, securityLog } = lifecycle();
      const by = input.by ?? cliActor();
      const t = now().toISOString();
      const { token, tokenHash } = issueToken();
      const user = await stores.transaction(async (tx) => {
        const organization = input.organization ? await tx.users.ensureOrganization(input.organization, t) : null;
        const u = await tx.users.insertUser({
          name: input.name,
          role: input.role,
          organization,
          tokenHash,
          now: t,
          passwordHash: input.passwordHash,
          email: input.email,
        });
        await securityLog.record(
          {
            type: 'user.created',
            subject: u.id,
            actor: by,
            data: { name: u.name, role: u.role, organization: organization?.name ?? null, email: input.email ?? null },
          },
          tx,
        );
        await securityLog.record({ type: 'token.issued', subject: u.id, actor: by, data: { expiresAt: expiryOf(t) } }, tx);
        if (input.passwordHash) await securityLog.record({ type: 'password.set', subject: u.id, actor: by, data: {} }, tx);
        return u;
      });
      return { user, token, expiresAt: expiryOf(t) };
    },

    /** POST /v1/users/:id/disable, `puente user disable`: the token and every session stop working. */
    disable: (caller: AdminCaller, userId: string) => setDisabled(caller, userId, true),

    /** POST /v1/users/:id/enable, `puente user enable`. */
    enable: (caller: AdminCaller, userId: string) => setDisabled(caller, userId, false),

    /**
     * A new bearer token for `userId`, shown once; the old one stops working at once. The caller
     * rotates their own (POST /v1/me/token), an admin anyone's (POST /v1/users/:id/token,
     * `puente user token`).
     */
    async rotateToken(caller: AdminCaller, userId: string): Promise<{ id: string; name: string; token: string; expiresAt: string | null }> {
      const self = caller !== null && caller.id === userId;
      const by = self ? securityActorOf(caller) : await requireAdmin(caller, 'token.rotate', userId);
      const cred = await existing(userId);
      const { stores, securityLog } = lifecycle();
      const { token, tokenHash } = issueToken();
      const t = now().toISOString();
      await stores.transaction(async (tx) => {
        await tx.users.replaceToken(userId, tokenHash, t);
        await securityLog.record({ type: 'token.rotated', subject: userId, actor: by, data: { expiresAt: expiryOf(t), self } }, tx);
      });
      return { id: userId, name: cred.name, token, expiresAt: expiryOf(t) };
    },
  };
}

export type Users = ReturnType<typeof createUsers>;
