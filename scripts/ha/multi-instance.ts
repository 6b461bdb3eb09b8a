/**
 * Several puente instances on one PostgreSQL database behind HAProxy (issue 17 §1, DESIGN §8).
 *
 * Starts N processes of `node bin/puente.js serve` (each on its own free port, one signing key
 * for all of them), writes an HAProxy configuration into a temporary directory (round robin,
 * health checks on /healthz, its own free port) and runs Debian's `haproxy` in the foreground as
 * a child process. `stop()` ends HAProxy and the instances cleanly and removes the directory.
 *
 * Run by hand:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/puente npx tsx scripts/ha/multi-instance.ts [--instances 3] [--port 8080]
 *
 * and stop with Ctrl-C. tests/ha/multi-instance.test.ts imports {@link startCluster}.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Where Debian installs HAProxy; `HAPROXY` names another binary. */
export const HAPROXY = process.env.HAPROXY ?? (fs.existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy');

/** The response header HAProxy adds: which instance answered (p1, p2, ...). */
export const INSTANCE_HEADER = 'x-puente-instance';

/** HAProxy's version line, or undefined when it is not installed. */
export function haproxyVersion(): string | undefined {
  const r = spawnSync(HAPROXY, ['-v'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.split('\n')[0]?.trim();
}

/** A TCP port nobody listens on right now (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The HAProxy configuration: HTTP mode, round robin over the instances, a health check on
 * /healthz every second (three failures take an instance out), X-Forwarded-For for the
 * instances' `TRUST_PROXY`, and a connection refused by a dead instance redispatched to a live
 * one (HAProxy retries only connection failures: a request already sent is never sent twice;
 * the client retries it with its Idempotency-Key).
 */
export function haproxyConfig(opts: { port: number; servers: ReadonlyArray<{ name: string; port: number }> }): string {
  return [
    'global',
    '  maxconn 4096',
    '',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-request 10s',
    '  retries 3',
    '  option redispatch 1',
    '  option forwardfor',
    '  option http-server-close',
    '',
    'frontend puente',
    `  bind 127.0.0.1:${opts.port}`,
    '  default_backend instances',
    '',
    'backend instances',
    '  balance roundrobin',
    '  option httpchk GET /healthz',
    '  http-check expect status 200',
    // A check every second (every 250 ms while an instance changes state); three failed checks
    // take it out. A slow answer is not a dead instance: a check waits up to 5 s.
    '  timeout check 5s',
    '  default-server check inter 1s fastinter 250ms fall 3 rise 2',
    `  http-response set-header ${INSTANCE_HEADER} %s`,
    ...opts.servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port}`),
    '',
  ].join('\n');
}

export interface Instance {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Everything the process wrote (pino JSON lines on stdout, and stderr). */
  readonly logs: string[];
  /** Sends `signal` (SIGTERM: graceful) and resolves with the exit code (null after a signal kill). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** One `node bin/puente.js serve` on a free port; resolves once it listens. */
export async function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['bin/puente.js', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  child.stdout.on('data', (c: Buffer) => logs.push(c.toString()));
  child.stderr.on('data', (c: Buffer) => logs.push(c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within 180 s:\n${logs.join('')}`));
    }, 180_000);
    const onData = () => {
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(logs.join(''));
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.off('exit', onExit);
        resolve(m[1]!);
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${logs.join('')}`));
    };
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });
  return {
    name,
    url,
    port: Number(new URL(url).port),
    process: child,
    logs,
    stop(signal = 'SIGTERM') {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      });
    },
  };
}

export interface Cluster {
  /** HAProxy's address: every request of the tests goes here. */
  readonly url: string;
  readonly instances: readonly Instance[];
  readonly haproxy: ChildProcess;
  /** HAProxy's own output. */
  readonly haproxyLogs: string[];
  /** The temporary directory with haproxy.cfg and the shared signing key. */
  readonly dir: string;
  /** The environment every instance shares (DATABASE_URL, PUENTE_SIGNING_KEY, ...): give it to the CLI too. */
  readonly env: Readonly<Record<string, string>>;
  /** Stops HAProxy, then every instance still running (SIGTERM), and removes the directory. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  readonly databaseUrl: string;
  readonly instances?: number;
  /** HAProxy's port; a free one when absent. */
  readonly port?: number;
  /** More environment for every instance (SWEEP_INTERVAL_SECONDS, AUTH_FAILURE_LIMIT, ...). */
  readonly env?: Record<string, string>;
  /** The migrations are applied already (`puente migrate`): every instance starts at once. */
  readonly migrated?: boolean;
}

/**
 * Starts the instances (the first alone when the database may have migrations pending: it applies
 * them; the others together), then HAProxy in front of them, and waits until HAProxy has answered
 * from every instance.
 */
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const count = opts.instances ?? 3;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'puente-ha-'));
  // One checkpoint signer for all: a checkpoint signed by one instance verifies on every other.
  const keyFile = path.join(dir, 'signing-key.pem');
  fs.writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  const env: Record<string, string> = {
    DATABASE_URL: opts.databaseUrl,
    PUENTE_SIGNING_KEY: keyFile,
    // Behind HAProxy on this machine: X-Forwarded-For from the loopback proxy names the client.
    TRUST_PROXY: 'loopback',
    ...opts.env,
  };
  const instances: Instance[] = [];
  let haproxy: ChildProcess | undefined;
  const haproxyLogs: string[] = [];
  const stop = async () => {
    if (haproxy && haproxy.exitCode === null && haproxy.signalCode === null) {
      const h = haproxy;
      await new Promise<void>((resolve) => {
        const hard = setTimeout(() => h.kill('SIGKILL'), 5000);
        h.once('exit', () => {
          clearTimeout(hard);
          resolve();
        });
        // SIGUSR1: soft stop (finish the requests in flight); SIGTERM after a second.
        h.kill('SIGUSR1');
        setTimeout(() => h.exitCode === null && h.signalCode === null && h.kill('SIGTERM'), 1000).unref();
      });
    }
    await Promise.all(instances.map((i) => i.stop('SIGTERM')));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (!opts.migrated) instances.push(await startInstance('p1', env));
    const settled = await Promise.allSettled(Array.from({ length: count - instances.length }, (_, i) => startInstance(`p${instances.length + i + 1}`, env)));
    for (const r of settled) if (r.status === 'fulfilled') instances.push(r.value);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const port = opts.port ?? (await freePort());
    const cfg = path.join(dir, 'haproxy.cfg');
    fs.writeFileSync(cfg, haproxyConfig({ port, servers: instances.map((i) => ({ name: i.name, port: i.port })) }));
    const check = spawnSync(HAPROXY, ['-c', '-q', '-f', cfg], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`haproxy -c refused ${cfg}:\n${check.stdout}${check.stderr}`);
    // -db: stay in the foreground, as this process's child.
    const h = spawn(HAPROXY, ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    haproxy = h;
    h.stdout.on('data', (c: Buffer) => haproxyLogs.push(c.toString()));
    h.stderr.on('data', (c: Buffer) => haproxyLogs.push(c.toString()));
    const url = `http://127.0.0.1:${port}`;
    // Ready when HAProxy has answered /healthz from every instance (round robin reaches each).
    const seen = new Set<string>();
    const deadline = Date.now() + 20_000;
    while (seen.size < count) {
      if (h.exitCode !== null) throw new Error(`haproxy exited with ${h.exitCode}:\n${haproxyLogs.join('')}`);
      if (Date.now() > deadline) throw new Error(`HAProxy reached only ${[...seen].join(', ') || 'no instance'} within 20 s:\n${haproxyLogs.join('')}`);
      try {
        const res = await fetch(`${url}/healthz`);
        await res.arrayBuffer();
        const by = res.headers.get(INSTANCE_HEADER);
        if (res.status === 200 && by) seen.add(by);
      } catch {
        // not listening yet
      }
      if (seen.size < count) await new Promise((r) => setTimeout(r, 100));
    }
    return { url, instances, haproxy: h, haproxyLogs, dir, env, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** `node` running this file: start a cluster on DATABASE_URL and keep it up until Ctrl-C. */
async function main(): Promise<void> {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl?.startsWith('postgres')) {
    console.error('multi-instance: set DATABASE_URL=postgres://... (several processes share one PostgreSQL database)');
    process.exit(2);
  }
  if (!haproxyVersion()) {
    console.error('multi-instance: haproxy is not installed (apt-get install -y haproxy)');
    process.exit(2);
  }
  const cluster = await startCluster({
    databaseUrl,
    instances: Number(arg('--instances') ?? 3),
    port: arg('--port') ? Number(arg('--port')) : undefined,
    // An operator's key (the one every instance and the CLI use) wins over a throwaway one.
    env: process.env.PUENTE_SIGNING_KEY ? { PUENTE_SIGNING_KEY: process.env.PUENTE_SIGNING_KEY } : {},
  });
  for (const i of cluster.instances) console.log(`${i.name}: ${i.url} (pid ${i.process.pid})`);
  console.log(`HAProxy (round robin, pid ${cluster.haproxy.pid}): ${cluster.url}`);
  console.log(
    `signing key shared by every instance: ${cluster.env.PUENTE_SIGNING_KEY}${process.env.PUENTE_SIGNING_KEY ? '' : ' (a throwaway one, removed at stop: set PUENTE_SIGNING_KEY to keep yours)'}`,
  );
  console.log('Ctrl-C stops HAProxy and the instances.');
  let stopping = false;
  for (const i of cluster.instances)
    i.process.once('exit', (code, signal) => !stopping && console.error(`${i.name} exited (${signal ?? code}); HAProxy sends its requests elsewhere`));
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping...');
    cluster.stop().then(
      () => process.exit(0),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();
