/**
 * Passwords for electronic signatures (21 CFR 11.200(a)(1), 11.300): scrypt from node:crypto with
 * a random salt per password; the parameters travel with the hash as a PHC string
 * (`$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, unpadded base64), so a later, costlier setting applies to
 * new passwords while old ones still verify. Comparison is constant-time. Nothing here logs.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { fieldError, type FieldError } from '../errors.js';

/** scrypt cost: N = 2^ln, block size r, parallelism p (32 MiB and about 0.1 s per check at ln=15). */
export interface ScryptParams {
  readonly ln: number;
  readonly r: number;
  readonly p: number;
}

export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { ln: 15, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Refuse stored parameters beyond this cost (a tampered hash must not exhaust memory). */
const MAX_LN = 20;

/** The password rules of 21 CFR 11.300 as configuration (PASSWORD_MIN_LENGTH, PASSWORD_MIN_CHARACTER_CLASSES). */
export interface PasswordPolicy {
  /** The fewest characters (Unicode code points). */
  readonly minLength: number;
  /** How many of: lowercase letters, uppercase letters, digits, other characters. */
  readonly minCharacterClasses: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 12, minCharacterClasses: 3 };
/** The most characters a password may have (also the request schemas' maxLength). */
export const PASSWORD_MAX_LENGTH = 1024;

function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.ln;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    // The async form runs on libuv's thread pool: a signature check never blocks the event loop.
    scryptCallback(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

/** A new PHC string for `password`, with a fresh random salt. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

/** True when `password` matches the PHC string `stored`; false for a wrong password or an unreadable hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{32,})$/.exec(stored);
  if (!m) return false;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (params.ln < 1 || params.ln > MAX_LN || params.r < 1 || params.p < 1) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  const actual = await scrypt(password, Buffer.from(m[4]!, 'base64'), params);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * What is wrong with `password` under `policy`, as problems at `path` (empty when it is fine).
 * 21 CFR 11.300(a): no two people share a combination of identification code and password, so a
 * password may not be the user's own name either.
 */
export function passwordProblems(password: string, policy: PasswordPolicy, path: string, opts: { userName?: string } = {}): FieldError[] {
  const problems: FieldError[] = [];
  const length = [...password].length;
  if (length < policy.minLength) problems.push(fieldError(path, { code: 'password.min_length', params: { min: policy.minLength } }));
  if (length > PASSWORD_MAX_LENGTH) problems.push(fieldError(path, { code: 'password.max_length', params: { max: PASSWORD_MAX_LENGTH } }));
  const classes = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u].filter((re) => re.test(password)).length;
  if (classes < policy.minCharacterClasses) {
    problems.push(fieldError(path, { code: 'password.classes', params: { min: policy.minCharacterClasses } }));
  }
  if (/^\s|\s$/.test(password)) problems.push(fieldError(path, { code: 'password.white_space' }));
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(password)) problems.push(fieldError(path, { code: 'password.control_characters' }));
  if (opts.userName && password.trim().toLowerCase() === opts.userName.trim().toLowerCase()) problems.push(fieldError(path, { code: 'password.user_name' }));
  return problems;
}
