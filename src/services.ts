/**
 * initServices / shutdown, kept apart from the listener so the CLI and tests build the same
 * services: config -> database -> migrations -> engine.
 */
import { WORKFLOWS } from '../workflows/index.js';
import { ConfigError, type Config } from './config.js';
import { createEngine, type Engine } from './engine/engine.js';
import { DEFAULT_PASSWORD_POLICY, type ScryptParams } from './engine/passwords.js';
import { createSignatures, type Signatures } from './engine/signatures.js';
import { MexicanCalendar } from './engine/time.js';
import { DEFAULT_PRODUCT_CLASSIFICATION_FILE, loadProductClassification, type ProductClassification } from './reference/product-classification.js';
import { migrate, openDatabase, type Database } from './store/db.js';
import { createTransparencyLog, loadSigningKey, type TransparencyLog } from './audit/tlog.js';
import { createValidator, type Validator } from './validation.js';

export interface Services {
  readonly db: Database;
  readonly validator: Validator;
  readonly engine: Engine;
  /** Passwords, re-authentication and signing locks (issue 6). */
  readonly signatures: Signatures;
  /** The transparency log over every history record, and its signing key (issue 6). */
  readonly tlog: TransparencyLog;
  shutdown(): Promise<void>;
}

/** Product classification tables by file, read once per process (start-up work, not per request). */
const classifications = new Map<string, ProductClassification>();

function productClassification(file: string | undefined): ProductClassification {
  const key = file ?? DEFAULT_PRODUCT_CLASSIFICATION_FILE;
  let table = classifications.get(key);
  if (!table) {
    try {
      table = loadProductClassification(key);
    } catch (e) {
      throw new ConfigError(`FDA_PRODUCT_CLASSIFICATION_FILE: ${(e as Error).message}`);
    }
    classifications.set(key, table);
  }
  return table;
}

export async function initServices(
  config: Pick<Config, 'databaseUrl' | 'mxNonWorkingDays' | 'referenceAuthorities' | 'productClassificationFile'> &
    Partial<Pick<Config, 'goalDueSoonDays' | 'passwordMinLength' | 'passwordMinCharacterClasses' | 'signingKeyFile' | 'logOrigin'>>,
  opts: { now?: () => Date; scryptParams?: ScryptParams } = {},
): Promise<Services> {
  const classification = productClassification(config.productClassificationFile);
  const db = openDatabase(config.databaseUrl);
  try {
    await migrate(db);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  const validator = createValidator(WORKFLOWS);
  const signatures = createSignatures({
    db, validator, now: opts.now, scryptParams: opts.scryptParams,
    policy: {
      minLength: config.passwordMinLength ?? DEFAULT_PASSWORD_POLICY.minLength,
      minCharacterClasses: config.passwordMinCharacterClasses ?? DEFAULT_PASSWORD_POLICY.minCharacterClasses,
    },
  });
  const engine = createEngine({
    db, validator, now: opts.now, calendar: new MexicanCalendar(config.mxNonWorkingDays), referenceAuthorities: config.referenceAuthorities,
    productClassification: classification, goalDueSoonDays: config.goalDueSoonDays, signatures,
  });
  let tlog: TransparencyLog;
  try {
    const { privateKey } = loadSigningKey({ keyFile: config.signingKeyFile, databaseUrl: config.databaseUrl });
    tlog = createTransparencyLog({ db, privateKey, origin: config.logOrigin, now: opts.now });
  } catch (e) {
    await db.destroy();
    throw new ConfigError(`PUENTE_SIGNING_KEY: ${(e as Error).message}`);
  }
  return { db, validator, engine, signatures, tlog, shutdown: () => db.destroy() };
}
