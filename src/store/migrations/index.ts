/**
 * Migrations are listed in code (not discovered on disk) so they run the same under tsx, vitest
 * and any bundler, on SQLite and PostgreSQL alike.
 */
import type { Knex } from 'knex';
import * as initial from './001-initial.js';
import * as workflowIndex from './002-workflow-index.js';
import * as dueDates from './003-due-dates.js';
import * as webhooks from './004-webhooks.js';
import * as passwords from './005-passwords.js';
import * as refusedCommands from './006-refused-commands.js';
import * as auditIndexes from './007-audit-indexes.js';
import * as transparencyLog from './008-transparency-log.js';
import * as webSessions from './009-web-sessions.js';
import * as authLimits from './011-auth-limits.js';
import * as securityLog from './010-security-log.js';
import * as filedAt from './012-filed-at.js';
import * as recordFacts from './013-record-facts.js';
import * as calendarVersion from './014-calendar-version.js';
import * as passwordChecksPending from './015-password-checks-pending.js';
import * as deadlinePassed from './016-deadline-passed.js';
import * as dueDatesRefresh from './017-due-dates-refresh.js';
import * as calendarFeeds from './018-calendar-feeds.js';
import * as mailNotifications from './019-mail-notifications.js';
import * as referenceIndex from './020-reference-index.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const MIGRATIONS: ReadonlyArray<[string, Migration]> = [
  ['001-initial', initial],
  ['002-workflow-index', workflowIndex],
  ['003-due-dates', dueDates],
  ['004-webhooks', webhooks],
  ['005-passwords', passwords],
  ['006-refused-commands', refusedCommands],
  ['007-audit-indexes', auditIndexes],
  ['008-transparency-log', transparencyLog],
  ['009-web-sessions', webSessions],
  ['010-security-log', securityLog],
  ['011-auth-limits', authLimits],
  ['012-filed-at', filedAt],
  ['013-record-facts', recordFacts],
  ['014-calendar-version', calendarVersion],
  ['015-password-checks-pending', passwordChecksPending],
  ['016-deadline-passed', deadlinePassed],
  ['017-due-dates-refresh', dueDatesRefresh],
  ['018-calendar-feeds', calendarFeeds],
  ['019-mail-notifications', mailNotifications],
  ['020-reference-index', referenceIndex],
];

export const migrationSource: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};
