/**
 * initServices / shutdown, kept apart from the listener so the CLI and tests build the same
 * services: config -> database -> migrations -> engine.
 */
import { WORKFLOWS } from '../workflows/index.js';
import type { Config } from './config.js';
import { createEngine, type Engine } from './engine/engine.js';
import { MexicanCalendar } from './engine/time.js';
import { migrate, openDatabase, type Database } from './store/db.js';
import { createValidator, type Validator } from './validation.js';

export interface Services {
  readonly db: Database;
  readonly validator: Validator;
  readonly engine: Engine;
  shutdown(): Promise<void>;
}

export async function initServices(config: Pick<Config, 'databaseUrl' | 'mxNonWorkingDays' | 'referenceAuthorities'>, opts: { now?: () => Date } = {}): Promise<Services> {
  const db = openDatabase(config.databaseUrl);
  try {
    await migrate(db);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  const validator = createValidator(WORKFLOWS);
  const engine = createEngine({
    db, validator, now: opts.now, calendar: new MexicanCalendar(config.mxNonWorkingDays), referenceAuthorities: config.referenceAuthorities,
  });
  return { db, validator, engine, shutdown: () => db.destroy() };
}
