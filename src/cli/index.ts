/** The `puente` command: serve, migrate, user add / unlock, demo, backup, workflow migrate, calendar recompute, sweep, webhooks deliver, mail send, audit verify, audit export. */
import fs from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { workflowVersion } from '../../workflows/index.js';
import { HUMAN_ROLES, type HumanRole, type WorkflowDefinition } from '../../workflows/types.js';
import { ConfigError, loadConfig } from '../config.js';
import { InputError } from '../errors.js';
import { verifyDatabase, type VerifyStats } from '../engine/verify.js';
import { parseExportQuery } from '../audit/auditor.js';
import { buildBundle, verifyBundle } from '../audit/bundle.js';
import { createLogger } from '../logger.js';
import { serve } from '../main.js';
import { initServices } from '../services.js';
import { DUE_DATES_REFRESH } from '../store/migrations/017-due-dates-refresh.js';
import { BackupError, backupDatabase } from '../backup.js';
import { migrate, openDatabase } from '../store/db.js';
import { createWebhookDispatcher } from '../webhooks/dispatcher.js';
import { createConfiguredMailDispatcher } from '../mail/dispatcher.js';
import { seedDemo } from './demo.js';
import { loadMexicanCalendar } from '../engine/time.js';

function email(value: string): string {
  if (!/^[^\s@]{1,64}@[^\s@]{1,189}$/.test(value)) throw new InvalidArgumentError('must be an e-mail address like ana@example.com');
  return value.toLowerCase();
}

function role(value: string): HumanRole {
  if (!(HUMAN_ROLES as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${HUMAN_ROLES.join(', ')}`);
  return value as HumanRole;
}

/**
 * The password piped on standard input (`--password-stdin`): the first line, without its line
 * ending. Never echoed; a terminal is refused (use a pipe or a here-string).
 */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new InvalidArgumentError('--password-stdin reads a pipe: printf %s "$PASSWORD" | npx puente ...');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const line = text.split(/\r?\n/)[0] ?? '';
  if (!line) throw new InvalidArgumentError('--password-stdin: no password on standard input');
  return line;
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
    const served = await serve(config, logger);
    const stop = (signal: string) => {
      logger.info({ signal }, 'signal received');
      served.close().then(
        () => process.exit(0),
        (e) => {
          logger.error({ err: e }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => {
    const db = openDatabase(loadConfig().databaseUrl);
    let applied: string[];
    try {
      applied = await migrate(db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    } finally {
      await db.destroy();
    }
    // Migration 017 asks for the stored due dates to be recounted once, by the engine.
    if (applied.includes(DUE_DATES_REFRESH)) {
      const services = await initServices(loadConfig());
      try {
        console.log(`due dates recounted: ${await services.engine.refreshDueDates()} submission(s) changed`);
      } finally {
        await services.shutdown();
      }
    }
  });

const user = program.command('user').description('manage users');
user
  .command('add')
  .description('create a user and print its bearer token (shown once; only its SHA-256 is stored)')
  .requiredOption('--name <name>', 'display name, recorded on every step the user takes', nonEmpty)
  .requiredOption('--role <role>', HUMAN_ROLES.join(' | '), role)
  .option('--org <organization>', 'organization name (created on first use); required for manufacturers', nonEmpty)
  .option('--email <email>', 'e-mail to sign in to the web interface with (the name works too)', email)
  .option('--json', 'print one JSON object { id, name, role, organization, token }')
  .option('--password-stdin', 'read the password (web sign-in and electronic signatures) from standard input (one line)')
  .action(async (opts: { name: string; role: HumanRole; org?: string; email?: string; json?: boolean; passwordStdin?: boolean }) => {
    if (opts.role === 'manufacturer' && !opts.org) throw new InvalidArgumentError('--org is required for a manufacturer');
    // Read before anything touches the database: a bad password writes nothing.
    const password = opts.passwordStdin ? await readPasswordFromStdin() : undefined;
    const services = await initServices(loadConfig());
    try {
      const passwordHash = password === undefined ? undefined : await services.signatures.hashNewPassword(password, opts.name, '/password');
      // Through the users service: user.created and token.issued go to the security log with it (issue 8).
      const { user: u, token } = await services.users.create({ name: opts.name, role: opts.role, organization: opts.org, email: opts.email, passwordHash });
      const organization = u.organization;
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

user
  .command('unlock')
  .description("clear a user's failed-signature count and signing lock (after 5 wrong passwords); to reset a forgotten password use `user reset`")
  .requiredOption('--id <id>', 'the user id (from user add)')
  .option('--password-stdin', "refused: nobody sets another user's password (use `user reset`)")
  .action(async (opts: { id: string; passwordStdin?: boolean }) => {
    // 21 CFR 11.100(a): a password set by someone else would sign as the user. Refused before
    // anything is read; the refusal is on the security log.
    const services = await initServices(loadConfig());
    try {
      const r = await services.signatures.unlock(null, opts.id, opts.passwordStdin ? { newPassword: '-' } : {});
      console.log(`signing unlocked for ${r.name} (${r.id})`);
    } finally {
      await services.shutdown();
    }
  });

user
  .command('reset')
  .description(
    "reset a user's password: clears it, ends the user's web sessions, and prints a one-time reset credential (shown once) that only sets a new password",
  )
  .requiredOption('--id <id>', 'the user id')
  .option('--json', 'print one JSON object { id, name, resetToken, expiresAt }')
  .action(async (opts: { id: string; json?: boolean }) => {
    const services = await initServices(loadConfig());
    try {
      const r = await services.signatures.issueReset(null, opts.id);
      if (opts.json) console.log(JSON.stringify(r));
      else {
        console.log(`password reset for ${r.name} (${r.id}); they set a new one with POST /v1/password-reset or the web page /password-reset`);
        console.log(`reset credential (shown once, works until ${r.expiresAt}): ${r.resetToken}`);
      }
    } finally {
      await services.shutdown();
    }
  });

for (const action of ['disable', 'enable'] as const) {
  user
    .command(action)
    .description(action === 'disable' ? "disable a user (offboarding): the user's token and web sessions stop working" : 're-enable a disabled user')
    .requiredOption('--id <id>', 'the user id')
    .option('--json', 'print one JSON object { id, name, disabled }')
    .action(async (opts: { id: string; json?: boolean }) => {
      const services = await initServices(loadConfig());
      try {
        const r = await services.users[action](null, opts.id);
        console.log(opts.json ? JSON.stringify(r) : `${r.disabled ? 'disabled' : 'enabled'} ${r.name} (${r.id})`);
      } finally {
        await services.shutdown();
      }
    });
}

user
  .command('token')
  .description("rotate a user's bearer token: prints the new one (shown once); the old one stops working at once")
  .requiredOption('--id <id>', 'the user id')
  .option('--json', 'print one JSON object { id, name, token, expiresAt }')
  .action(async (opts: { id: string; json?: boolean }) => {
    const services = await initServices(loadConfig());
    try {
      const r = await services.users.rotateToken(null, opts.id);
      if (opts.json) console.log(JSON.stringify(r));
      else {
        console.log(`new token for ${r.name} (${r.id})${r.expiresAt ? `, valid until ${r.expiresAt}` : ''}`);
        console.log(`token (shown once): ${r.token}`);
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

const calendar = program.command('calendar').description('the Mexican non-working-day calendar (reference-data/mx-calendar.json or MX_CALENDAR_FILE)');
calendar
  .command('recompute')
  .description(
    'count stored Mexican business-day due dates again under the current calendar file; each one that moves gets a CALENDAR_RECOMPUTED history record',
  )
  .option('--dry-run', 'list what would move, write nothing')
  .option('--json', 'print the result as JSON')
  .action(async (opts: { dryRun?: boolean; json?: boolean }) => {
    const services = await initServices(loadConfig());
    try {
      const by = process.env.USER || process.env.LOGNAME || 'admin';
      const result = await services.engine.recomputeCalendar({ dryRun: opts.dryRun === true, by });
      if (opts.json) console.log(JSON.stringify(result));
      else {
        const verb = result.dryRun ? 'would move' : 'moved';
        console.log(`calendar ${result.calendar.version} (sha256 ${result.calendar.sha256})${result.dryRun ? ' (dry run: nothing written)' : ''}`);
        for (const m of result.moved)
          console.log(`${verb.padEnd(10)} ${m.id} ${m.kind} ${m.from} -> ${m.to} (was ${m.fromCalendar?.version ?? 'unversioned'})`);
        for (const u of result.unchanged) console.log(`${'unchanged'.padEnd(10)} ${u.id} ${u.kind} ${u.dueDate}`);
        console.log(`${result.moved.length} ${verb}, ${result.unchanged.length} unchanged`);
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
        addressPolicy: services.webhookAddressPolicy,
        options: { intervalMs: 0, timeoutMs: config.webhookTimeoutMs, maxAttempts: config.webhookMaxAttempts, backoffMs: config.webhookBackoffMs },
      });
      const r = await dispatcher.runOnce();
      if (opts.json) console.log(JSON.stringify(r));
      else {
        console.log(
          `${r.enqueued} delivery(ies) enqueued, ${r.warned} deadline warning(s); ${r.attempted} attempt(s): ${r.delivered} delivered, ${r.retrying} to retry, ${r.failed} failed`,
        );
      }
    } finally {
      await services.shutdown();
    }
  });

program
  .command('import')
  .description(
    'create submissions and replay their past steps, with their real dates, from a CSV or XLSX file (docs/import.md); any bad row: nothing is imported',
  )
  .argument('<file>', 'a .csv or .xlsx file, one row per step (docs/import-example.csv)')
  .option('--dry-run', 'check and replay everything, report what would be created, write nothing')
  .option('--by <name>', 'who imports, as the records say it (default: $USER)')
  .option('--json', 'print the report as JSON')
  .action(async (file: string, opts: { dryRun?: boolean; by?: string; json?: boolean }) => {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (e) {
      throw new InvalidArgumentError(`${file}: ${(e as Error).message}`);
    }
    const by = (opts.by ?? (process.env.USER || process.env.LOGNAME || 'admin')).trim().slice(0, 100) || 'admin';
    const config = loadConfig();
    const services = await initServices(config);
    try {
      // Loaded by the one command that reads spreadsheets (exceljs, csv-parse), not at every start.
      const { importPortfolio } = await import('../spreadsheets/portfolio-import.js');
      const report = await importPortfolio(
        {
          db: services.db,
          validator: services.validator,
          engine: {
            calendar: loadMexicanCalendar(config.mxCalendarFile, config.mxNonWorkingDays),
            referenceAuthorities: config.referenceAuthorities,
            productClassification: services.classification,
            goalDueSoonDays: config.goalDueSoonDays,
          },
        },
        file,
        bytes,
        { dryRun: opts.dryRun === true, by },
      );
      if (opts.json) console.log(JSON.stringify(report));
      else {
        for (const e of report.errors) console.log(`${report.file}:${e.line}${e.column ? ` ${e.column}` : ''}: ${e.message} [${e.code}]`);
        const verb = report.imported ? 'imported' : report.errors.length ? 'replayed' : 'would import';
        for (const s of report.submissions)
          console.log(
            `${verb.padEnd(12)} ${s.submission} (line ${s.line}) ${s.workflow} "${s.title}": ${s.steps} step(s), now ${s.state ?? '-'}${report.imported && s.id ? ` -> ${s.id}` : ''}`,
          );
        if (report.errors.length) console.log(`${report.errors.length} error(s) in ${report.rows} row(s): nothing imported`);
        else if (report.dryRun)
          console.log(`dry run: ${report.submissions.length} submission(s) from ${report.rows} row(s) would be imported; nothing written`);
        else console.log(`imported ${report.submissions.length} submission(s) from ${report.rows} row(s), by ${report.by}`);
      }
      process.exitCode = report.errors.length ? 1 : 0;
    } finally {
      await services.shutdown();
    }
  });

const mail = program.command('mail').description('e-mail notifications (SMTP_URL, MAIL_FROM)');
mail
  .command('send')
  .description("one mail pass: turn committed steps and the day's digests into messages, then send those that are due over SMTP")
  .option('--json', 'print the result as JSON')
  .action(async (opts: { json?: boolean }) => {
    const config = loadConfig();
    const services = await initServices(config);
    try {
      const dispatcher = createConfiguredMailDispatcher({
        db: services.db,
        engine: services.engine,
        // Whether mail is on, and failed attempts, go to stderr; stdout is the summary.
        logger: createLogger(config.logLevel, pino.destination(2)),
        settings: config,
        options: { intervalMs: 0 },
      });
      try {
        const r = await dispatcher.runOnce();
        if (opts.json) console.log(JSON.stringify(r));
        else {
          console.log(
            `${r.enqueued} message(s) for steps, ${r.digests} digest(s)${r.dropped ? `, ${r.dropped} step(s) dropped (mail is off)` : ''}; ${r.attempted} attempt(s): ${r.sent} sent, ${r.retrying} to retry, ${r.failed} failed`,
          );
        }
      } finally {
        await dispatcher.stop();
      }
    } finally {
      await services.shutdown();
    }
  });

const audit = program.command('audit').description('auditor tools');
audit
  .command('verify')
  .description('recompute every hash chain in the database and check it against the transparency log; exit 1 on any break')
  .option('--json', 'print the result as JSON')
  .action(async (opts: { json?: boolean }) => {
    const services = await initServices(loadConfig());
    try {
      const stats: VerifyStats = { documents: 0, blobs: 0, blobBytes: 0 };
      const result = await verifyDatabase(services.db.reader, { stats });
      // The chains, then the database against the transparency log and its signed checkpoint.
      const log = await services.tlog.verify();
      // And the security log's own chain (user lifecycle and security actions).
      const security = await services.securityLog.verify();
      const ok = result.ok && log.ok && security.ok;
      if (opts.json) console.log(JSON.stringify({ ...result, ok, log, securityLog: security }));
      else {
        console.log(`checked ${result.records} records in ${result.submissions} submissions`);
        console.log(`checked ${stats.documents} documents and ${stats.blobs} blobs (${(stats.blobBytes / 1e6).toFixed(1)} MB hashed) against their records`);
        for (const b of result.breaks) console.log(`BROKEN ${b.submissionId} at seq ${b.seq}${b.column ? ` (${b.column})` : ''}: ${b.reason}`);
        console.log(result.ok ? 'OK: every chain verifies, and every row and document agrees with it' : `FAILED: ${result.breaks.length} break(s)`);
        for (const f of log.failures)
          console.log(`LOG ${f.submissionId ?? ''}${f.seq === null ? '' : ` at seq ${f.seq}`}${f.submissionId || f.seq !== null ? ': ' : ''}${f.reason}`);
        console.log(
          log.ok
            ? `OK: the transparency log holds every record (${log.treeSize}), matching checkpoint ${log.checkpointSize ?? 'none yet'}`
            : `FAILED: ${log.failures.length} transparency log problem(s)`,
        );
        for (const b of security.breaks) console.log(`SECURITY LOG at seq ${b.seq}: ${b.reason}`);
        console.log(security.ok ? `OK: the security log's ${security.entries} entries chain` : `FAILED: ${security.breaks.length} security log break(s)`);
      }
      process.exitCode = ok ? 0 : 1;
    } finally {
      await services.shutdown();
    }
  });

audit
  .command('security-log')
  .description('print the security log (user lifecycle and security actions) and check its hash chain; exit 1 on any break')
  .option('--json', 'print { entries, verification } as JSON')
  .option('--user <id>', 'entries about this user, or done by them')
  .option('--type <type>', 'entries of this type, e.g. password.reset_issued')
  .action(async (opts: { json?: boolean; user?: string; type?: string }) => {
    const services = await initServices(loadConfig());
    try {
      const filters = { ...(opts.user ? { user: opts.user } : {}), ...(opts.type ? { type: opts.type } : {}) };
      const entries: unknown[] = [];
      await services.securityLog.exportJsonl(filters, (line) => {
        entries.push(JSON.parse(line));
      });
      const verification = await services.securityLog.verify();
      if (opts.json) console.log(JSON.stringify({ entries, verification }));
      else {
        for (const e of entries as Array<{
          seq: number;
          recordedAt: string;
          type: string;
          subject: string | null;
          actor: { name: string; role: string };
          data: unknown;
        }>) {
          console.log(`${e.seq}\t${e.recordedAt}\t${e.type}\t${e.subject ?? '-'}\tby ${e.actor.name} (${e.actor.role})\t${JSON.stringify(e.data)}`);
        }
        for (const b of verification.breaks) console.log(`BROKEN at seq ${b.seq}: ${b.reason}`);
        console.log(
          verification.ok
            ? `OK: the security log's chain verifies (${verification.entries} entries)`
            : `FAILED: ${verification.breaks.length} break(s) in the security log`,
        );
      }
      process.exitCode = verification.ok ? 0 : 1;
    } finally {
      await services.shutdown();
    }
  });

audit
  .command('export')
  .description('write every history record (or those matching the filters) as JSONL or CSV, as GET /v1/audit/export does')
  .option('--format <format>', 'jsonl (one record per line, as the API serves it) or csv (RFC 4180)', 'jsonl')
  .option('--out <file>', 'write to this file instead of standard output')
  .option('--submission <id>')
  .option('--organization <id>')
  .option('--workflow <id>')
  .option('--actor <userId>')
  .option('--role <role>')
  .option('--type <type>')
  .option('--recorded-from <date>')
  .option('--recorded-to <date>')
  .option('--effective-from <date>')
  .option('--effective-to <date>')
  .action(async (opts: Record<string, string | undefined>) => {
    const services = await initServices(loadConfig());
    try {
      const { out: file, ...rest } = opts;
      const query = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
      const { format, filters } = parseExportQuery(services.validator, query, { code: 'invalid.export' });
      const out = file ? fs.createWriteStream(file) : process.stdout;
      const result = await services.auditor.exportTransitions(filters, format, out);
      if (file) await new Promise<void>((resolve, reject) => (out as fs.WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
      if (!result.complete) throw new Error('the output closed before the export was complete');
      if (file) console.error(`wrote ${result.records} records to ${file}`);
    } finally {
      await services.shutdown();
    }
  });

audit
  .command('checkpoint')
  .description('add every queued history record to the transparency log, then sign and store a checkpoint')
  .option('--json', 'print the checkpoint as JSON')
  .action(async (opts: { json?: boolean }) => {
    const services = await initServices(loadConfig());
    try {
      const c = await services.tlog.checkpoint();
      if (opts.json) console.log(JSON.stringify(c));
      else process.stdout.write(c.note);
    } finally {
      await services.shutdown();
    }
  });

audit
  .command('bundle')
  .description("write one submission's offline audit bundle: history, rules, a signed checkpoint and an inclusion proof per record")
  .requiredOption('--submission <id>', 'the submission')
  .requiredOption('--out <file>', 'the bundle file to write')
  .action(async (opts: { submission: string; out: string }) => {
    const services = await initServices(loadConfig());
    try {
      const bundle = await buildBundle(services.db.reader, services.tlog, opts.submission);
      fs.writeFileSync(opts.out, `${JSON.stringify(bundle, null, 2)}\n`);
      console.log(`wrote ${bundle.records.length} records, checkpoint of ${bundle.checkpoint.treeSize} records, to ${opts.out}`);
      console.log(`log key: ${bundle.publicKey.verifierKey}`);
    } catch (e) {
      if (e instanceof Error && /^no submission/.test(e.message)) throw new InvalidArgumentError(e.message);
      throw e;
    } finally {
      await services.shutdown();
    }
  });

audit
  .command('verify-bundle')
  .description('check an audit bundle with no database and no network; exit 1 on any failure')
  .argument('<file>', 'the bundle file')
  .option('--key <verifierKey>', "the log's published note verifier key (<origin>+<hash>+<key>) to pin")
  .option('--json', 'print the verdict as JSON')
  .action((file: string, opts: { key?: string; json?: boolean }) => {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new InvalidArgumentError(`${file}: ${(e as Error).message}`);
    }
    const v = verifyBundle(raw, { verifierKey: opts.key });
    if (opts.json) console.log(JSON.stringify(v));
    else {
      for (const c of v.checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
      for (const f of v.failures) console.log(`FAIL ${f.seq === null ? '' : `seq ${f.seq}: `}${f.reason}`);
      for (const w of v.warnings) console.log(`note: ${w}`);
      console.log(v.ok ? `VERIFIED: submission ${v.submissionId}, ${v.records} records` : `NOT VERIFIED: ${v.failures.length} failure(s)`);
    }
    process.exitCode = v.ok ? 0 : 1;
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof ConfigError || e instanceof InvalidArgumentError || e instanceof BackupError || e instanceof InputError) {
    const why = e instanceof InputError && e.errors.length ? `: ${e.errors.map((x) => `${x.path} ${x.message}`).join('; ')}` : '';
    console.error(`puente: ${e.message}${why}`);
    process.exit(2);
  }
  console.error(`puente: ${(e as Error).message}`);
  process.exit(1);
}
