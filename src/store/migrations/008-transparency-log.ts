/**
 * The transparency log (issue 6): one append-only Merkle tree over every history record of the
 * database (src/audit/merkle.ts), and its signed checkpoints.
 *
 * - `tlog_queue`: filled by an AFTER INSERT trigger on `transitions`, so a record is queued in its
 *   command's own transaction (every write path, the SQLite one-script write included) and never
 *   waits for the log: commands on unrelated submissions are not serialized by it.
 * - The integrator (src/audit/tlog.ts) moves queued records into the tree in the order it finds
 *   them committed: `tlog_leaves` gives each its leaf index, `tlog_nodes` keeps every complete
 *   subtree's hash (level 0 = leaf hashes), `tlog_state` the tree size. Only the integrator
 *   writes these, one at a time (an advisory lock on PostgreSQL, the single writer on SQLite).
 * - `tlog_checkpoints`: signed tree heads (C2SP tlog-checkpoint in a signed note).
 */
import type { Knex } from 'knex';
import { createTransitionsTrigger, dropTransitionsTrigger, type TransitionsTrigger } from './transitions-trigger.js';

/** Each history record is queued for the transparency log. */
const TLOG_TRIGGER: TransitionsTrigger = {
  trigger: 'transitions_tlog',
  fn: 'puente_tlog_enqueue',
  pgBody: ['INSERT INTO tlog_queue (transition_id, row_hash) VALUES (NEW.id, NEW.hash);'],
  sqliteBody: 'INSERT INTO tlog_queue (transition_id, row_hash) VALUES (NEW.id, NEW.hash);',
};

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tlog_queue', (t) => {
    t.bigIncrements('id');
    t.string('transition_id', 36).notNullable();
    t.string('row_hash', 64).notNullable();
  });
  await knex.schema.createTable('tlog_leaves', (t) => {
    t.bigInteger('leaf_index').primary();
    t.string('transition_id', 36).notNullable().unique();
    t.string('row_hash', 64).notNullable();
  });
  await knex.schema.createTable('tlog_nodes', (t) => {
    t.integer('level').notNullable();
    t.bigInteger('idx').notNullable();
    t.string('hash', 64).notNullable();
    t.primary(['level', 'idx']);
  });
  await knex.schema.createTable('tlog_state', (t) => {
    t.integer('id').primary();
    t.bigInteger('size').notNullable();
  });
  await knex('tlog_state').insert({ id: 1, size: 0 });
  await knex.schema.createTable('tlog_checkpoints', (t) => {
    t.bigIncrements('id');
    t.bigInteger('tree_size').notNullable();
    t.string('root_hash', 64).notNullable();
    t.string('created_at', 30).notNullable();
    t.text('note').notNullable();
    t.index(['tree_size']);
  });
  // Records already in the database (a log started on an existing history) are queued too, in
  // the order they were recorded.
  await knex.raw('INSERT INTO tlog_queue (transition_id, row_hash) SELECT id, hash FROM transitions ORDER BY recorded_at, id');
  await createTransitionsTrigger(knex, TLOG_TRIGGER);
}

export async function down(knex: Knex): Promise<void> {
  await dropTransitionsTrigger(knex, TLOG_TRIGGER);
  for (const table of ['tlog_checkpoints', 'tlog_state', 'tlog_nodes', 'tlog_leaves', 'tlog_queue']) await knex.schema.dropTableIfExists(table);
}
