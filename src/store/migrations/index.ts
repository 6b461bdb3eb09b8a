/**
 * Migrations are listed in code (not discovered on disk) so they run the same under tsx, vitest
 * and any bundler, on SQLite and PostgreSQL alike.
 */
import type { Knex } from 'knex';
import * as initial from './001-initial.js';
import * as workflowIndex from './002-workflow-index.js';
import * as dueDates from './003-due-dates.js';
import * as webhooks from './004-webhooks.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const MIGRATIONS: ReadonlyArray<[string, Migration]> = [
  ['001-initial', initial],
  ['002-workflow-index', workflowIndex],
  ['003-due-dates', dueDates],
  ['004-webhooks', webhooks],
];

export const migrationSource: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};
