/**
 * SMTP_URL, MAIL_FROM and MAIL_DIGEST_HOUR (issue 16 §2; DESIGN §10) as `loadConfig` reads them:
 * both or neither, each checked at start-up with a message naming the variable, and never the
 * URL itself (it may hold the SMTP password). And `serve`'s word on it: once, at start-up.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createConfiguredMailDispatcher, mailEnabled } from '../../src/mail/dispatcher.js';
import { describeSmtp } from '../../src/mail/transport.js';
import type { Database } from '../../src/store/db.js';

const base = { DATABASE_URL: 'sqlite::memory:' };

function refusal(env: Record<string, string>): string {
  try {
    loadConfig({ ...base, ...env });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('accepted');
}

describe('mail settings', () => {
  it('are off without SMTP_URL and MAIL_FROM, on with both', () => {
    const off = loadConfig(base);
    expect(off.smtpUrl).toBeUndefined();
    expect(off.mailFrom).toBeUndefined();
    expect(off.mailDigestHour).toBe(12);
    expect(mailEnabled(off)).toBe(false);
    const on = loadConfig({ ...base, SMTP_URL: 'smtps://mailer:p%40ss@mail.example.com', MAIL_FROM: 'puente <puente@example.com>', MAIL_DIGEST_HOUR: '6' });
    expect(on).toMatchObject({ smtpUrl: 'smtps://mailer:p%40ss@mail.example.com', mailFrom: 'puente <puente@example.com>', mailDigestHour: 6 });
    expect(mailEnabled(on)).toBe(true);
    expect(mailEnabled(loadConfig({ ...base, SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'puente@example.com' }))).toBe(true);
  });

  it('refuse one without the other, naming both', () => {
    expect(refusal({ SMTP_URL: 'smtp://127.0.0.1:2525' })).toMatch(/SMTP_URL is set without MAIL_FROM.*set both/);
    expect(refusal({ MAIL_FROM: 'puente@example.com' })).toMatch(/MAIL_FROM is set without SMTP_URL/);
  });

  it.each([
    ['SMTP_URL', 'http://mail.example.com', /^Invalid configuration: SMTP_URL: /],
    ['SMTP_URL', 'smtp://', /^Invalid configuration: SMTP_URL: /],
    ['SMTP_URL', 'smtp://mail.example.com:99999', /^Invalid configuration: SMTP_URL: /],
    ['SMTP_URL', 'smtp://mail.example.com:0', /^Invalid configuration: SMTP_URL: /],
    ['SMTP_URL', 'smtp://mail.example.com/path', /^Invalid configuration: SMTP_URL: /],
    ['SMTP_URL', 'smtps://:hunter2secret@mail.example.com', /^Invalid configuration: SMTP_URL: /],
    ['MAIL_FROM', 'not an address', /^Invalid configuration: MAIL_FROM: /],
    ['MAIL_FROM', 'puente <no-angle@example.com', /^Invalid configuration: MAIL_FROM: /],
    ['MAIL_DIGEST_HOUR', '24', /^Invalid configuration: MAIL_DIGEST_HOUR: /],
    ['MAIL_DIGEST_HOUR', 'noon', /^Invalid configuration: MAIL_DIGEST_HOUR: /],
  ])('refuse %s=%s with a message naming it', (name, value, message) => {
    const env = { SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'puente@example.com', [name]: value };
    const text = refusal(env);
    expect(text).toMatch(message);
    // The URL is never repeated: it may hold the password.
    expect(text).not.toContain('hunter2secret');
    if (name === 'SMTP_URL') expect(text).not.toContain(value);
  });

  it('are described without credentials', () => {
    expect(describeSmtp('smtps://mailer:hunter2secret@mail.example.com')).toBe('smtps://***@mail.example.com');
    expect(describeSmtp('smtp://127.0.0.1:2525')).toBe('smtp://127.0.0.1:2525');
  });

  it('are said once when the dispatcher is made: off, or on with the host and never the password', () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(c: Buffer | string, _e, cb) {
          lines.push(String(c));
          cb();
        },
      }),
    );
    const deps = { db: {} as Database, engine: { listSubmissions: () => Promise.reject(new Error('unused')) }, logger };
    createConfiguredMailDispatcher({ ...deps, settings: {} });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).msg).toBe('e-mail notifications off: set SMTP_URL and MAIL_FROM to send them');
    const on = createConfiguredMailDispatcher({
      ...deps,
      settings: { smtpUrl: 'smtps://mailer:hunter2secret@mail.example.com:465', mailFrom: 'puente@example.com' },
    });
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toMatchObject({ msg: 'e-mail notifications on', smtp: 'smtps://***@mail.example.com:465', from: 'puente@example.com' });
    expect(lines.join('')).not.toContain('hunter2secret');
    void on.stop();
  });
});
