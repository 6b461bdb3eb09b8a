/**
 * The SMTP side of e-mail notifications (issue 16 §2): `SMTP_URL` and `MAIL_FROM` (DESIGN §10)
 * through nodemailer. The URL carries the credentials (`smtps://user:pass@host`): it is never
 * logged nor put in an error; {@link describeSmtp} is what may be said about it.
 */
import nodemailer from 'nodemailer';

/** One message as the dispatcher sends it. */
export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The message row's id: the Message-ID is the same on every attempt, so a receiver can drop a repeat. */
  readonly id: string;
}

/** A refused or failed attempt: the SMTP reply code when the server gave one, and what went wrong (no credentials). */
export class MailSendError extends Error {
  constructor(
    message: string,
    readonly responseCode: number | null,
  ) {
    super(message);
  }
}

export interface MailTransport {
  /** Sends one message; throws {@link MailSendError} when the server refuses it or cannot be reached. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** `smtp://host:port` with any user name and password left out, for the start-up log. */
export function describeSmtp(smtpUrl: string): string {
  const u = new URL(smtpUrl);
  return `${u.protocol}//${u.username ? '***@' : ''}${u.host}`;
}

/** The SMTP server's reply without anything echoing the credentials, capped for the delivery log. */
function failureOf(e: unknown, smtpUrl: string): MailSendError {
  const err = e as { responseCode?: number; response?: string; code?: string; message?: string };
  const u = new URL(smtpUrl);
  let text = err.response ?? (err.code ? `${err.code}: ${err.message ?? ''}` : (err.message ?? String(e)));
  for (const secret of [u.password, decodeURIComponent(u.password)]) if (secret) text = text.split(secret).join('***');
  return new MailSendError(text.replace(/\s+/g, ' ').slice(0, 300), typeof err.responseCode === 'number' ? err.responseCode : null);
}

/**
 * A transport on `smtpUrl` (`smtp://` with STARTTLS when offered, `smtps://` over TLS from the
 * first byte) sending as `from`; each attempt gives up after `timeoutMs` without an answer.
 */
export function createSmtpTransport(opts: { smtpUrl: string; from: string; timeoutMs: number }): MailTransport {
  const u = new URL(opts.smtpUrl);
  const transporter = nodemailer.createTransport({
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : u.protocol === 'smtps:' ? 465 : 587,
    secure: u.protocol === 'smtps:',
    ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
    // Nodemailer's own logger stays off: it would print the SMTP conversation, AUTH included.
    logger: false,
    debug: false,
  });
  return {
    async send(mail) {
      try {
        await transporter.sendMail({
          from: opts.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: `<${mail.id}@puente>`,
          // RFC 3834: an automatic message; out-of-office replies are not sent back to it.
          headers: { 'Auto-Submitted': 'auto-generated' },
        });
      } catch (e) {
        throw failureOf(e, opts.smtpUrl);
      }
    },
    close: () => transporter.close(),
  };
}
