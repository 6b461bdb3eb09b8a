/** The `puente` command: serve, migrate, user add, demo, backup, workflow migrate, sweep, webhooks deliver, audit verify. */
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { workflowVersion } from '../../workflows/index.js';
import { HUMAN_ROLES, type HumanRole, type WorkflowDefinition } from '../../workflows/types.js';
import { ConfigError, loadConfig } from '../config.js';
import { InputError } from '../errors.js';
import { verifyDatabase } from '../engine/verify.js';
import { newToken } from '../http/auth.js';
import { createLogger } from '../logger.js';
import { serve } from '../main.js';
import { initServices } from '../services.js';
import { BackupError, backupDatabase } from '../store/backup.js';
import { migrate, openDatabase } from '../store/db.js';
import { ensureOrganization, insertUser } from '../store/users-store.js';
import { createWebhookDispatcher } from '../webhooks/dispatcher.js';
import { seedDemo } from './demo.js';

function role(value: string): HumanRole {
  if (!(HUMAN_ROLES as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${HUMAN_ROLES.join(', ')}`);
  return value as HumanRole;
}

function nonEmpty(value: string): string {
  const v = value.trim();
  if (!v || v.length > 200) throw new InvalidArgumentError('must be 1-200 characters');
  return v;
}

const program = new Command('puente')
  .description('Medical device submissions through FDA review and COFEPRIS reliance, with a hash-chained history.')
  .showHelpAfterError();

program
  .command('serve')
  .description('start the HTTP API (what npm start runs)')
  .action(async () => {
    const config = loadConfig();
    const logger = createLogger(config.logLevel);
    const { close } = await serve(config, logger);
    const stop = (signal: string) => {
      logger.info({ signal }, 'signal received');
      close().then(() => process.exit(0), (e) => {
        logger.error({ err: e }, 'shutdown failed');
        process.exit(1);
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => {
    const db = openDatabase(loadConfig().databaseUrl);
    try {
      const applied = await migrate(db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    } finally {
      await db.destroy();
    }
  });

const user = program.command('user').description('manage users');
user
  .command('add')
  .description('create a user and print its bearer token (shown once; only its SHA-256 is stored)')
  .requiredOption('--name <name>', 'display name, recorded on every step the user takes', nonEmpty)
  .requiredOption('--role <role>', HUMAN_ROLES.join(' | '), role)
  .option('--org <organization>', 'organization name (created on first use); required for manufacturers', nonEmpty)
  .option('--json', 'print one JSON object { id, name, role, organization, token }')
  .action(async (opts: { name: string; role: HumanRole; org?: string; json?: boolean }) => {
    if (opts.role === 'manufacturer' && !opts.org) throw new InvalidArgumentError('--org is required for a manufacturer');
    const services = await initServices(loadConfig());
    try {
      const now = new Date().toISOString();
      const organization = opts.org ? await ensureOrganization(services.db.knex, opts.org, now) : null;
      const { token, tokenHash } = newToken();
      const u = await insertUser(services.db.knex, { name: opts.name, role: opts.role, organization, tokenHash, now });
      if (opts.json) {
        console.log(JSON.stringify({ id: u.id, name: u.name, role: u.role, organization: u.organization, token }));
      } else {
        console.log(`created ${u.role} ${u.name}${organization ? ` (${organization.name})` : ''}: ${u.id}`);
        console.log(`token (shown once): ${token}`);
      }
    } finally {
      await services.shutdown();
    }
  });

program
  .command('demo')
  .description('seed a realistic demo data set and print one token per role')
  .action(async () => {
    const services = await initServices(loadConfig());
    try {
      await seedDemo(services, loadConfig());
    } finally {
      await services.shutdown();
    }
  });

program
  .command('backup')
  .description('take a consistent online copy of a SQLite database (VACUUM INTO); for PostgreSQL use pg_dump')
  .requiredOption('--out <file>', 'the new backup file (must not exist)')
  .action(async (opts: { out: string }) => {
    const config = loadConfig();
    const db = openDatabase(config.databaseUrl);
    try {
      const result = await backupDatabase(db, opts.out);
      console.log(`backup written to ${result.file}: ${result.records} history records in ${result.submissions} submissions, every chain verified`);
    } finally {
      await db.destroy();
    }
  });

/** `fda-510k@2` -> the catalog's definition, or a usage error. */
function workflowRef(value: string): WorkflowDefinition {
  const m = /^([a-z0-9-]+)@([1-9][0-9]{0,5})$/.exec(value);
  if (!m) throw new InvalidArgumentError('must look like <workflow>@<version>, e.g. fda-510k@1');
  const w = workflowVersion(m[1]!, Number(m[2]));
  if (!w) throw new InvalidArgumentError(`${value} is not in the catalog`);
  return w;
}

const workflow = program.command('workflow').description('workflow catalog administration');
workflow
  .command('migrate')
  .description('move running submissions to another version of their workflow (a MIGRATED history record each); others are listed and left alone')
  .requiredOption('--from <workflow@version>', 'the version submissions are on, e.g. fda-510k@1', workflowRef)
  .requiredOption('--to <workflow@version>', 'the version to move them to, e.g. fda-510k@2', workflowRef)
  .option('--dry-run', 'list what would move, write nothing')
  .option('--json', 'print the result as JSON')
  .action(async (opts: { from: WorkflowDefinition; to: WorkflowDefinition; dryRun?: boolean; json?: boolean }) => {
    const services = await initServices(loadConfig());
    try {
      const by = process.env.USER || process.env.LOGNAME || 'admin';
      const result = await services.engine.migrateWorkflow(opts.from, opts.to, { dryRun: opts.dryRun === true, by });
      if (opts.json) console.log(JSON.stringify(result));
      else {
        const verb = result.dryRun ? 'would move' : 'moved';
        console.log(`${result.from} -> ${result.to}${result.dryRun ? ' (dry run: nothing written)' : ''}`);
        for (const m of result.moved) console.log(`${verb.padEnd(10)} ${m.id} (${m.state})`);
        for (const l of result.left) console.log(`${'left'.padEnd(10)} ${l.id}: ${l.reason}`);
        console.log(`${result.moved.length} ${verb}, ${result.left.length} left on ${result.from}`);
      }
    } finally {
      await services.shutdown();
    }
  });

program
  .command('sweep')
  .description('one sweeper pass: fire the hard deadlines that have passed, record missed goals')
  .option('--json', 'print the result as JSON')
  .action(async (opts: { json?: boolean }) => {
    const services = await initServices(loadConfig());
    try {
      const result = await services.engine.sweep();
      if (opts.json) console.log(JSON.stringify(result));
      else {
        for (const f of result.fired) console.log(`fired ${f.event} on ${f.submissionId} (${f.kind} due ${f.dueDate}) -> ${f.state}`);
        for (const g of result.goalsMissed) console.log(`${g.event} ${g.goal} on ${g.submissionId} (due ${g.dueDate})`);
        for (const x of result.refused) console.log(`refused on ${x.submissionId}: ${x.reason}`);
        console.log(`${result.fired.length} deadline(s) fired, ${result.goalsMissed.length} goal(s) recorded as missed`);
      }
    } finally {
      await services.shutdown();
    }
  });

const webhooks = program.command('webhooks').description('webhook notifications');
webhooks
  .command('deliver')
  .description('one dispatcher pass: turn committed events and due deadline warnings into deliveries, then send those that are due')
  .option('--json', 'print the result as JSON')
  .action(async (opts: { json?: boolean }) => {
    const config = loadConfig();
    const services = await initServices(config);
    try {
      const dispatcher = createWebhookDispatcher({
        db: services.db,
        // Failed attempts are logged on stderr; stdout is the summary.
        logger: createLogger(config.logLevel, pino.destination(2)),
        options: { intervalMs: 0, timeoutMs: config.webhookTimeoutMs, maxAttempts: config.webhookMaxAttempts, backoffMs: config.webhookBackoffMs },
      });
      const r = await dispatcher.runOnce();
      if (opts.json) console.log(JSON.stringify(r));
      else {
        console.log(`${r.enqueued} delivery(ies) enqueued, ${r.warned} deadline warning(s); ${r.attempted} attempt(s): ${r.delivered} delivered, ${r.retrying} to retry, ${r.failed} failed`);
      }
    } finally {
      await services.shutdown();
    }
  });

const audit = program.command('audit').description('auditor tools');
audit
  .command('verify')
  .description('recompute every hash chain in the database; exit 1 on any break')
  .option('--json', 'print the result as JSON')
  .action(async (opts: { json?: boolean }) => {
    const services = await initServices(loadConfig());
    try {
      const result = await verifyDatabase(services.db.reader);
      if (opts.json) console.log(JSON.stringify(result));
      else {
        console.log(`checked ${result.records} records in ${result.submissions} submissions`);
        for (const b of result.breaks) console.log(`BROKEN ${b.submissionId} at seq ${b.seq}: ${b.reason}`);
        console.log(result.ok ? 'OK: every chain verifies' : `FAILED: ${result.breaks.length} broken chain(s)`);
      }
      process.exitCode = result.ok ? 0 : 1;
    } finally {
      await services.shutdown();
    }
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof ConfigError || e instanceof InvalidArgumentError || e instanceof BackupError || e instanceof InputError) {
    console.error(`puente: ${e.message}`);
    process.exit(2);
  }
  console.error(`puente: ${(e as Error).message}`);
  process.exit(1);
}
