/**
 * The user directory: who a bearer token belongs to, and the lists the administrator's and the
 * portfolio's pages show. Routes and pages ask this service; only it reads the users store.
 */
import { sha256Hex } from './engine/hash.js';
import type { ListedUser, Organization, User, UserStore } from './store/users-store.js';

export interface UsersDeps {
  /** The users store on the read pool. */
  readonly users: UserStore;
}

export function createUsers(deps: UsersDeps) {
  const store = deps.users;
  return {
    /** The user a bearer token names (any user, disabled ones too: the caller decides), or undefined. */
    async byToken(token: string): Promise<User | undefined> {
      return store.findByTokenHash(sha256Hex(token));
    },

    /** Every user as an administrator sees them (no hashes; whether signing is locked). */
    async list(): Promise<ListedUser[]> {
      return store.listUsers();
    },

    /** Every organization, by name (the portfolio's filter for regulators and auditors). */
    async listOrganizations(): Promise<Organization[]> {
      return store.listOrganizations();
    },
  };
}

export type Users = ReturnType<typeof createUsers>;
