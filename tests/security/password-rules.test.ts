/**
 * Issue 8 §8 password rules: NFKC before hashing and checking (hashes made before, of the NFC
 * form, still verify); invisible and bidirectional control characters refused, each with its own
 * message; the user's name (any part of 3 characters or more, any case) refused inside the
 * password; the common passwords of @zxcvbn-ts/language-common refused. Pure checks, then the
 * same through POST /v1/me/password and POST /v1/password-reset on a real database.
 */
import { randomBytes, scrypt } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD_POLICY, hashPassword, passwordProblems, verifyPassword } from '../../src/engine/passwords.js';
import { addUser, createTestContext, testApp, type TestContext } from '../support/fixtures.js';
import { errorPaths, expectProblem } from '../http/helpers.js';

const LOW = { ln: 4, r: 8, p: 1 };
const codes = (password: string, userName?: string) => passwordProblems(password, DEFAULT_PASSWORD_POLICY, '/newPassword', { userName }).map((p) => p.code);

describe('passwordProblems', () => {
  it('accepts a good password', () => {
    expect(codes('Correct-Horse-Battery-9', 'Maria Lopez')).toEqual([]);
  });

  it('refuses bidirectional controls (U+202A-202E, U+2066-2069, U+200E/F, U+061C) with their own code', () => {
    for (const c of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c']) {
      expect(codes(`Good-Pass${c}word-2026`), c.codePointAt(0)!.toString(16)).toEqual(['password.bidi_controls']);
    }
  });

  it('refuses invisible characters (format characters, zero-width, variation selectors) with their own code', () => {
    for (const c of ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u180e', '\ufe0f', '\u034f', '\u3164']) {
      expect(codes(`Good-Pass${c}word-2026`), c.codePointAt(0)!.toString(16)).toEqual(['password.invisible_characters']);
    }
  });

  it("refuses the user's name or any part of it of 3 characters or more, in any case, inside the password", () => {
    expect(codes('Maria-Lopez-2026!', 'Maria Lopez')).toContain('password.user_name');
    expect(codes('xxLOPEZxx-2026!', 'Maria Lopez')).toContain('password.user_name');
    expect(codes('My-mariaLopez-9', 'Maria Lopez')).toContain('password.user_name');
    expect(codes('Zeta-Quartz-2026!', 'Maria Lopez')).toEqual([]);
    // "Dr." has 2 letters: too short to matter; "Ng" too.
    expect(codes('Very-Dr-Safe-2026', 'Dr. Ng')).toEqual([]);
    // Compared in NFKC: full-width letters are the same letters.
    expect(codes('Ｍａｒｉａ-Zz-2026!', 'Maria Lopez')).toContain('password.user_name');
  });

  it('refuses common passwords from the maintained list (case-insensitive)', () => {
    for (const p of ['password1234', 'Password1234', 'qwerty123456', '1qaz2wsx3edc']) expect(codes(p), p).toContain('password.common');
  });
});

describe('NFKC', () => {
  it('hashes the NFKC form: the full-width and the ASCII spelling are one password', async () => {
    const hash = await hashPassword('Ｃｏｒｒｅｃｔ-Horse-2026', LOW);
    expect(await verifyPassword('Correct-Horse-2026', hash)).toBe(true);
    expect(await verifyPassword('Correct-Horse-2027', hash)).toBe(false);
  });

  it('still verifies hashes made before issue 8 from the NFC form', async () => {
    // What the old code stored: scrypt over the NFC form of a password whose NFKC form differs.
    const password = 'ﬁne-Tuned-Pass-2026'; // U+FB01 ligature: NFC keeps it, NFKC makes "fi"
    expect(password.normalize('NFKC')).not.toBe(password.normalize('NFC'));
    const salt = randomBytes(16);
    const key = await new Promise<Buffer>((resolve, reject) =>
      scrypt(password.normalize('NFC'), salt, 32, { N: 2 ** LOW.ln, r: LOW.r, p: LOW.p }, (err, k) => (err ? reject(err) : resolve(k))),
    );
    const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
    const old = `$scrypt$ln=${LOW.ln},r=${LOW.r},p=${LOW.p}$${b64(salt)}$${b64(key)}`;
    expect(await verifyPassword(password, old)).toBe(true);
    expect(await verifyPassword('fine-Tuned-Pass-2027', old)).toBe(false);
  });
});

describe('over HTTP', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx?.close());

  it('POST /v1/me/password and POST /v1/password-reset refuse each with its pointer and message', async () => {
    const app = testApp(ctx);
    const u = await addUser(ctx.services, 'fda', 'Dr. Rules Keeper', undefined, { password: null });
    const cases: Array<[string, RegExp]> = [
      ['Good-Pass\u202eword-2026', /bidirectional/],
      ['Good-Pass\u200bword-2026', /invisible/],
      ['Keeper-Of-2026!', /name/],
      ['password1234', /common/],
    ];
    for (const [newPassword, message] of cases) {
      const body = expectProblem(await request(app).post('/v1/me/password').set(u.auth).send({ newPassword }), 422, 'validation_failed');
      expect(errorPaths(body)).toContain('/newPassword');
      expect(JSON.stringify(body.errors)).toMatch(message);
    }
    const es = expectProblem(
      await request(app).post('/v1/me/password').set(u.auth).set('Accept-Language', 'es').send({ newPassword: 'password1234' }),
      422,
      'validation_failed',
    );
    expect(JSON.stringify(es.errors)).toMatch(/comunes/);

    const reset = await request(app).post(`/v1/users/${u.actor.id}/password-reset`).set(ctx.users.admin.auth).send({});
    expect(reset.status, reset.text).toBe(200);
    const viaReset = expectProblem(
      await request(app).post('/v1/password-reset').send({ resetToken: reset.body.resetToken, newPassword: 'Rules-Keeper-2026' }),
      422,
      'validation_failed',
    );
    expect(JSON.stringify(viaReset.errors)).toMatch(/name/);
    // A password typed in full-width characters is its NFKC form: it signs in with the ASCII spelling.
    expect((await request(app).post('/v1/password-reset').send({ resetToken: reset.body.resetToken, newPassword: 'Ｗｉｄｅ-Typed-2026' })).status).toBe(204);
    await ctx.services.sessions.signIn('Dr. Rules Keeper', 'Wide-Typed-2026', '127.0.0.7');
  });
});
