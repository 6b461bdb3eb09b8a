/**
 * Headless Chromium for the browser suites, driven by playwright-core, never a browser download:
 * - Debian's package (`/usr/bin/chromium`) when it is installed;
 * - otherwise the Chromium that ships inside the `@sparticuz/chromium` devDependency, with the
 *   shared libraries (NSS) and fonts packed beside it, decompressed once into the temp directory.
 * So `npm install && npm test` is the whole set-up. `PUENTE_CHROMIUM=system|bundled` forces one
 * (`bundled` proves the fallback on a machine that has Debian's), `CHROMIUM_PATH` names another
 * binary, and `PUENTE_SKIP_BROWSER=1` skips the browser suites deliberately.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';
export const SKIP_BROWSER = process.env.PUENTE_SKIP_BROWSER === '1';

/** Which Chromium the browser suites use: `system`, `bundled`, or (unset) system when present. */
export type ChromiumSource = 'system' | 'bundled' | 'path';

export function chromiumSource(): ChromiumSource {
  if (process.env.CHROMIUM_PATH) return 'path';
  const forced = process.env.PUENTE_CHROMIUM;
  if (forced === 'system' || forced === 'bundled') return forced;
  if (forced) throw new Error(`PUENTE_CHROMIUM must be "system" or "bundled" (got ${forced})`);
  return fs.existsSync(SYSTEM_CHROMIUM) ? 'system' : 'bundled';
}

interface Executable {
  readonly file: string;
  readonly env: Record<string, string>;
}

/** The bin/ folder of @sparticuz/chromium (its Brotli-packed browser, libraries and fonts) and its version. */
function sparticuzBin(): { bin: string; version: string } {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@sparticuz/chromium'); // build/cjs/index.cjs
  const pkgDir = path.resolve(path.dirname(entry), '../..');
  const { version } = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  return { bin: path.join(pkgDir, 'bin'), version };
}

async function unbrotli(from: string, to: string, mode: number): Promise<void> {
  await pipeline(fs.createReadStream(from), zlib.createBrotliDecompress(), fs.createWriteStream(to, { mode }));
}

async function untarBrotli(from: string, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const tar = spawn('tar', ['-x', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    tar.once('error', reject);
    tar.once('close', resolve);
  });
  // tar may close its input after the end-of-archive blocks, before the padding: its exit code decides.
  const fed = await pipeline(fs.createReadStream(from), zlib.createBrotliDecompress(), tar.stdin).then(
    () => null,
    (e: unknown) => e,
  );
  const code = await exited;
  if (code !== 0) throw new Error(`tar -x ${from} failed (${code}): ${stderr || String(fed)}`);
}

/**
 * Decompresses the bundled Chromium once per version into the temp directory. Built in a private
 * folder and renamed into place, so parallel test files never see (or run) a half-written binary.
 */
async function bundledChromium(): Promise<Executable> {
  const { bin, version } = sparticuzBin();
  const dir = path.join(os.tmpdir(), `puente-chromium-${version}`);
  const file = path.join(dir, 'chromium');
  if (!fs.existsSync(file)) {
    const work = fs.mkdtempSync(`${dir}.partial-`);
    try {
      await unbrotli(path.join(bin, 'chromium.br'), path.join(work, 'chromium'), 0o755);
      // NSS and expat as built for the binary (Amazon Linux 2023): a fresh Debian has none of them.
      await untarBrotli(path.join(bin, 'al2023.tar.br'), work);
      await untarBrotli(path.join(bin, 'fonts.tar.br'), path.join(work, 'fonts'));
      // The packed fonts.conf names /tmp/fonts; point fontconfig at this folder instead.
      fs.writeFileSync(
        path.join(work, 'fonts', 'fonts.conf'),
        `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${dir}/fonts</dir>\n  <cachedir>${dir}/fonts-cache</cachedir>\n</fontconfig>\n`,
      );
      fs.renameSync(work, dir);
    } catch (e) {
      fs.rmSync(work, { recursive: true, force: true });
      // Another test file finished the same extraction first: use theirs.
      if (!fs.existsSync(file)) throw e;
    }
  }
  const libs = path.join(dir, 'lib');
  return {
    file,
    env: {
      LD_LIBRARY_PATH: [libs, ...(process.env.LD_LIBRARY_PATH ? [process.env.LD_LIBRARY_PATH] : [])].join(':'),
      FONTCONFIG_PATH: path.join(dir, 'fonts'),
    },
  };
}

/** The Chromium binary the browser suites will launch, and the environment it needs. */
export async function chromiumExecutable(): Promise<Executable> {
  const source = chromiumSource();
  if (source === 'path') return { file: process.env.CHROMIUM_PATH!, env: {} };
  if (source === 'system') {
    if (!fs.existsSync(SYSTEM_CHROMIUM)) throw new Error(`PUENTE_CHROMIUM=system but ${SYSTEM_CHROMIUM} is not installed`);
    return { file: SYSTEM_CHROMIUM, env: {} };
  }
  return bundledChromium();
}

export async function launchChromium(): Promise<Browser> {
  const exe = await chromiumExecutable();
  if (!fs.existsSync(exe.file)) throw new Error(`${exe.file} not found (set PUENTE_SKIP_BROWSER=1 to skip browser tests)`);
  return chromium.launch({
    executablePath: exe.file,
    headless: true,
    env: { ...process.env, ...exe.env },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}
