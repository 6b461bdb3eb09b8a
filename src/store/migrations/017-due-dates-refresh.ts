/**
 * No schema change: marks the release in which a missed goal still owed became a submission's
 * next date and overdue work (tracker issue 18 §1). When this migration is applied, the services
 * recount every active submission's stored due dates once (src/engine/refresh-due-dates.ts).
 */
import type { Knex } from 'knex';

export const DUE_DATES_REFRESH = '017-due-dates-refresh';

export async function up(_knex: Knex): Promise<void> {}

export async function down(_knex: Knex): Promise<void> {}
