/**
 * The webhook signature: `Puente-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`
 * with `Puente-Timestamp: <Unix seconds>`. Signing the timestamp with the body lets a receiver
 * refuse replays of an old delivery (compare the timestamp with its clock, e.g. 5 minutes).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
export const SIGNATURE_HEADER = 'Puente-Signature';
export const TIMESTAMP_HEADER = 'Puente-Timestamp';

/** A new signing secret: `whsec_` + 32 random bytes (256 bits), base64url. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

/** The `Puente-Signature` value for a body sent at `timestamp` (Unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Receiver side (and tests): true when `signature` is the v1 signature of this body and timestamp. */
export function verifyWebhook(secret: string, timestamp: string | number, body: string, signature: string): boolean {
  if (!/^\d{1,15}$/.test(String(timestamp))) return false;
  const expected = Buffer.from(signWebhook(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
