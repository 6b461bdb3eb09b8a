/** Organizations and users. Tokens exist here only as SHA-256 hashes. */
import type { Knex } from 'knex';
import { rawRows } from './submissions-store.js';
import { v7 as uuidv7 } from 'uuid';
import type { HumanRole } from '../../workflows/types.js';

export interface Organization {
  readonly id: string;
  readonly name: string;
}

export interface User {
  readonly id: string;
  readonly name: string;
  readonly role: HumanRole;
  readonly organization: Organization | null;
  readonly disabled: boolean;
  readonly createdAt: string;
}

interface UserRow {
  id: string;
  name: string;
  role: string;
  organization_id: string | null;
  organization_name: string | null;
  disabled: number | boolean;
  created_at: string;
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    name: row.name,
    role: row.role as HumanRole,
    organization: row.organization_id ? { id: row.organization_id, name: row.organization_name! } : null,
    disabled: Boolean(row.disabled),
    createdAt: row.created_at,
  };
}


const FIND_USER_BY_TOKEN_SQL =
  'select u.id, u.name, u.role, u.organization_id, o.name as organization_name, u.disabled, u.created_at from users u left join organizations o on o.id = u.organization_id where u.token_hash = ?';

/** The user a bearer token's hash belongs to (fixed SQL: this runs on every request). */
export async function findUserByTokenHash(db: Knex, tokenHash: string): Promise<User | undefined> {
  const [row] = await rawRows<UserRow>(db, FIND_USER_BY_TOKEN_SQL, [tokenHash]);
  return row ? toUser(row) : undefined;
}

/** The organization with this name, created on first use. */
export async function ensureOrganization(db: Knex, name: string, now: string): Promise<Organization> {
  const existing = await db('organizations').where({ name }).first<{ id: string; name: string } | undefined>('id', 'name');
  if (existing) return existing;
  const org = { id: uuidv7(), name };
  await db('organizations').insert({ ...org, created_at: now }).onConflict('name').ignore();
  return (await db('organizations').where({ name }).first<{ id: string; name: string }>('id', 'name'))!;
}

export async function insertUser(
  db: Knex,
  user: { name: string; role: HumanRole; organization: Organization | null; tokenHash: string; now: string },
): Promise<User> {
  const id = uuidv7();
  await db('users').insert({
    id,
    name: user.name,
    role: user.role,
    organization_id: user.organization?.id ?? null,
    token_hash: user.tokenHash,
    disabled: false,
    created_at: user.now,
  });
  return { id, name: user.name, role: user.role, organization: user.organization, disabled: false, createdAt: user.now };
}
