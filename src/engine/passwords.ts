/**
 * Passwords for electronic signatures (21 CFR 11.200(a)(1), 11.300): scrypt from node:crypto with
 * a random salt per password; the parameters travel with the hash as a PHC string
 * (`$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, unpadded base64), so a later, costlier setting applies to
 * new passwords while old ones still verify. Comparison is constant-time. Nothing here logs.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { dictionary } from '@zxcvbn-ts/language-common';
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

/**
 * The form a password is hashed and checked in (issue 8): NFKC, so the same characters typed on
 * another keyboard or system (full-width digits, ligatures, composed or decomposed accents) are
 * the same password.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.ln;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    // The async form runs on libuv's thread pool: a signature check never blocks the event loop.
    scryptCallback(password, salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

/** A new PHC string for `password`, with a fresh random salt. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(normalizePassword(password), salt, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

/** True when `password` matches the PHC string `stored`; false for a wrong password or an unreadable hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{32,})$/.exec(stored);
  if (!m) return false;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (params.ln < 1 || params.ln > MAX_LN || params.r < 1 || params.p < 1) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  const salt = Buffer.from(m[4]!, 'base64');
  const matches = async (form: string) => {
    const actual = await scrypt(form, salt, params);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  };
  // New hashes are of the NFKC form; hashes made before issue 8 are of the NFC form, and still verify.
  const nfkc = normalizePassword(password);
  if (await matches(nfkc)) return true;
  const nfc = password.normalize('NFC');
  return nfc !== nfkc && matches(nfc);
}

/** Bidirectional controls (they reorder what is shown: a password could look like another). */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
/** Invisible characters: format characters (zero-width space, joiners, soft hyphen, BOM ...) and other default-ignorables. */
const INVISIBLE = /\p{Cf}|\p{Variation_Selector}|\u034f|[\u115f\u1160\u3164\uffa0]/u;

let commonPasswords: ReadonlySet<string> | undefined;
/**
 * The common-password list of @zxcvbn-ts/language-common (about 50,000 passwords seen most in
 * breaches), lower-cased; built on first use.
 */
function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return commonPasswords.has(password.toLowerCase());
}

/** The parts of a user's name long enough to matter in a password (3 characters or more), lower-cased. */
function nameParts(userName: string): string[] {
  const name = userName.normalize('NFKC').toLowerCase();
  const parts = name.split(/[^\p{L}\p{N}]+/u).filter((p) => [...p].length >= 3);
  const whole = name.replace(/[^\p{L}\p{N}]+/gu, '');
  return [...new Set([...parts, ...([...whole].length >= 3 ? [whole] : [])])];
}

/**
 * What is wrong with `password` under `policy`, as problems at `path` (empty when it is fine).
 * 21 CFR 11.300(a): no two people share a combination of identification code and password, so a
 * password may not be the user's own name either.
 */
export function passwordProblems(given: string, policy: PasswordPolicy, path: string, opts: { userName?: string } = {}): FieldError[] {
  const problems: FieldError[] = [];
  // Checked in the form it is hashed in; the invisible and bidirectional characters are looked
  // for in what was given (NFKC keeps them, but says nothing about them).
  const password = normalizePassword(given);
  if (BIDI_CONTROLS.test(given)) problems.push(fieldError(path, { code: 'password.bidi_controls' }));
  else if (INVISIBLE.test(given)) problems.push(fieldError(path, { code: 'password.invisible_characters' }));
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
  // 21 CFR 11.300(a): a password that contains the user's name (any part of 3 characters or
  // more, case-insensitive) is the first guess of anyone who knows whose it is.
  if (opts.userName) {
    const lower = password.toLowerCase();
    const compact = lower.replace(/[^\p{L}\p{N}]+/gu, '');
    if (nameParts(opts.userName).some((part) => lower.includes(part) || compact.includes(part)))
      problems.push(fieldError(path, { code: 'password.user_name' }));
  }
  if (isCommonPassword(password)) problems.push(fieldError(path, { code: 'password.common' }));
  return problems;
}
