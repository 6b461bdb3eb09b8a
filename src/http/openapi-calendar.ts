/** The calendar feed operations of the OpenAPI document (issue 16 §1; DESIGN §10). */
import { jsonBody, ref, type Operation } from './openapi-parts.js';

const noInput = jsonBody({ type: 'object', additionalProperties: false, description: 'No input: an empty object or no body' }, false);

export function calendarPaths(): Record<string, Record<string, Operation>> {
  return {
    '/v1/calendar.ics': {
      get: {
        operationId: 'getCalendar',
        summary:
          "RFC 5545 calendar of the caller's visible hard deadlines and goal dates: one all-day event per deadline or goal on its due date " +
          '(UID `<submissionId>-deadline|goal-<kind>@puente`, SEQUENCE raised when the date moves, a display alarm 7 days before hard deadlines), ' +
          'the consequence and the source in DESCRIPTION, the submission page in URL. Dates that passed, and goals met, more than 30 days ago are left out. ' +
          'Words in the language Accept-Language asks for (en, es). No query parameters',
        ok: {
          '200': {
            description: 'iCalendar (RFC 5545)',
            headers: { 'Content-Language': { description: 'en or es-MX', schema: { enum: ['en', 'es-MX'] } } },
            content: { 'text/calendar': { schema: { type: 'string', pattern: '^BEGIN:VCALENDAR\\r\\n' } } },
          },
        },
      },
    },
    '/v1/me/calendar-feed': {
      post: {
        operationId: 'createCalendarFeed',
        summary:
          "Create, or replace, the caller's secret calendar feed URL: GET on it serves GET /v1/calendar.ics without a bearer token " +
          '(for calendar clients that cannot send headers), in the language Accept-Language asked for here. The URL is shown once; ' +
          'a new one ends the old one at once. A wrong or revoked URL answers 404, and repeated ones from a client 429 with Retry-After',
        requestBody: noInput,
        ok: { '200': { description: 'The new URL', content: { 'application/json': { schema: ref('CalendarFeed') } } } },
        errors: ['400', '413', '415'],
      },
      delete: {
        operationId: 'revokeCalendarFeed',
        summary: "Revoke the caller's secret calendar feed URL: it answers 404 from now on (204 also when there was none)",
        requestBody: noInput,
        ok: { '204': { description: 'Revoked' } },
        errors: ['400', '413', '415'],
      },
    },
  };
}
