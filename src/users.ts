/**
 * The user directory: who a bearer token belongs to, and the lists the administrator's and the
 * portfolio's pages show. Routes and pages ask this service; only it reads the users store.
 */
import { sha256Hex } from './engine/hash.js';
import type { Database } from './store/db.js';
import { findUserByTokenHash, listOrganizations, listUsers, type Organization, type User } from './store/users-store.js';

export interface UsersDeps {
  readonly db: Database;
}

export function createUsers(deps: UsersDeps) {
  const { db } = deps;
  return {
    /** The user a bearer token names (any user, disabled ones too: the caller decides), or undefined. */
    async byToken(token: string): Promise<User | undefined> {
      return findUserByTokenHash(db.reader, sha256Hex(token));
    },

    /** Every user as an administrator sees them (no hashes; whether signing is locked). */
    async list(): ReturnType<typeof listUsers> {
      return listUsers(db.reader);
    },

    /** Every organization, by name (the portfolio's filter for regulators and auditors). */
    async listOrganizations(): Promise<Organization[]> {
      return listOrganizations(db.reader);
    },
  };
}

export type Users = ReturnType<typeof createUsers>;
