/** The one logger: pino JSON lines. Authorization headers, tokens, passwords and webhook secrets are redacted at the source. */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'puente' },
      redact: { paths: ['req.headers.authorization', 'token', '*.token', 'password', '*.password', 'secret', '*.secret'], censor: '[redacted]' },
    },
    destination,
  );
}
