/** The e-mail notification operations of the OpenAPI document (issue 16 §2; DESIGN §10). */
import { json, jsonBody, ref, type Operation } from './openapi-parts.js';

export function notificationPaths(): Record<string, Record<string, Operation>> {
  return {
    '/v1/me/notifications': {
      get: {
        operationId: 'getNotificationPreferences',
        summary:
          "The caller's e-mail notification preferences: mode off until they choose (immediate, digest or off), the digest's days ahead, " +
          'the address mail goes to, its language, and whether this server sends mail at all (SMTP_URL and MAIL_FROM). No query parameters',
        ok: { '200': json(ref('NotificationPreferences')) },
      },
      put: {
        operationId: 'putNotificationPreferences',
        summary:
          "Replace the caller's e-mail notification preferences. immediate: one mail per step someone else records on a submission the caller may see " +
          '(the same visibility as every read), once per person and record; digest: one mail a day, from MAIL_DIGEST_HOUR UTC, listing the hard deadlines ' +
          'and goals due within digestDaysAhead days (none when nothing is due); off: none. Mail goes to email, else the account address (immediate and digest ' +
          'need one: 422 at /email), in `language` (else the one Accept-Language asks for), plain text and HTML, with links to the pages of the origin this request came through. ' +
          'It never carries a record’s data, a document or a secret',
        requestBody: jsonBody(ref('PutNotificationPreferences')),
        ok: { '200': json(ref('NotificationPreferences'), 'The preferences as saved') },
        errors: ['400', '413', '415'],
      },
    },
  };
}
