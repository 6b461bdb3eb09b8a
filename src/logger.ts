/** The one logger: pino JSON lines. Authorization headers, tokens, passwords and webhook secrets are redacted at the source. */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'puente' },
      redact: {
        paths: [
          'req.headers.authorization', 'token', '*.token', 'secret', '*.secret',
          // Electronic-signature passwords and their hashes (issue 6), wherever a body lands in a log call.
          'password', '*.password', '*.*.password', '*.*.*.password', 'signature.password', '*.signature.password',
          'currentPassword', '*.currentPassword', '*.*.currentPassword', 'newPassword', '*.newPassword', '*.*.newPassword',
          'passwordHash', '*.passwordHash', 'password_hash', '*.password_hash',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
