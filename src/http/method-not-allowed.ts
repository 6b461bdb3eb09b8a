/**
 * 405 Method Not Allowed (RFC 9110 §15.5.6) for a path the OpenAPI document lists with other
 * methods: the answer names them in `Allow` (GET implies HEAD) and is problem+json with code
 * `method_not_allowed`, its detail from the message catalogs in the Accept-Language asked for. Paths the document does not list fall through (404, or a web page).
 *
 * Driven by the document itself, so the two cannot drift apart. Mounted in the /v1 router after
 * authentication (no valid credential on /v1 is a 401 whatever the method) and again on the app
 * after it for the paths outside /v1; it matches the full path (`baseUrl` + `path`).
 */
import type { RequestHandler } from 'express';
import { formatMessage, negotiateLanguage } from '../messages/format.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface PathMethods {
  readonly pattern: RegExp;
  readonly allow: readonly string[];
}

/** `/v1/submissions/{id}/events` -> a pattern as Express matches it (any case, optional trailing slash). */
function templatePattern(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}/?$`, 'i');
}

/** The paths of an OpenAPI document with the methods each allows. */
export function allowedMethods(doc: { paths?: Record<string, Record<string, unknown>> }): PathMethods[] {
  return Object.entries(doc.paths ?? {}).map(([template, item]) => {
    const methods = METHODS.filter((m) => m in item).map((m) => m.toUpperCase());
    if (methods.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
    return { pattern: templatePattern(template), allow: methods };
  });
}

export function methodNotAllowed(doc: { paths?: Record<string, Record<string, unknown>> }): RequestHandler {
  const paths = allowedMethods(doc);
  return (req, res, next) => {
    const match = paths.find((p) => p.pattern.test(req.baseUrl + req.path));
    if (!match || match.allow.includes(req.method)) {
      next();
      return;
    }
    const allow = match.allow.join(', ');
    // Rendered as every problem is (http/error-handler.ts): in the language Accept-Language asks for.
    const lang = negotiateLanguage(req.headers['accept-language']);
    const detail = formatMessage('http.method_not_allowed', { method: req.method, allow }, lang);
    const field = formatMessage('http.method_not_allowed_field', { allow }, lang);
    res.setHeader('Allow', allow);
    res.vary('Accept-Language');
    res.setHeader('Content-Language', lang);
    res
      .status(405)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          type: 'https://puente.dev/problems/method-not-allowed',
          title: 'Method not allowed',
          status: 405,
          detail,
          code: 'method_not_allowed',
          errors: [{ path: '', message: field }],
        }),
      );
  };
}
