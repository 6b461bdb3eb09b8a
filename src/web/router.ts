/**
 * The web interface (issue 7), served by the API's own process at `/`: server-rendered pages over
 * the same engine the API uses (never a second path around it), signed in with a session cookie.
 *
 * Every POST carries the session's CSRF token and must come from this origin; every refusal from
 * the engine is shown on the page it came from, next to the field it names, in the reader's
 * language (and recorded by the engine, as on the API, from the origin each command passes). A request that does not accept HTML gets the API's problem+json instead.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { AppError, ForbiddenError, InputError, NotFoundError, fieldError, type FieldError } from '../errors.js';
import type { Engine } from '../engine/engine.js';
import type { Auditor } from '../audit/auditor.js';
import { sendExport } from '../http/routes/audit.js';
import type { TransparencyLog } from '../audit/tlog.js';
import type { Signatures } from '../engine/signatures.js';
import type { Logger } from '../logger.js';
import type { Users } from '../users.js';
import { statusOf } from '../http/error-handler.js';
import { commandOrigin } from '../http/command-origin.js';
import { createTranslator, LANGS, negotiateLang, validTimeZone, type Lang } from './i18n.js';
import { page, type WebContext } from './layout.js';
import { html } from './html.js';
import { LANG_COOKIE, SESSION_COOKIE, TZ_COOKIE, SignInError, readCookies, type WebSessions } from './sessions.js';
import { renderSignIn } from './pages/sign-in.js';
import { portfolioListingQuery, renderPortfolio } from './pages/portfolio.js';
import { sendPortfolioExport } from '../http/routes/portfolio-export.js';
import type { PortfolioExport } from '../spreadsheets/portfolio-export.js';
import { renderSubmission, parseEventForm, type FormProblem } from './pages/submission.js';
import { renderNewSubmission, parseNewSubmissionForm } from './pages/new-submission.js';
import { auditQueryOf, renderAudit } from './pages/audit.js';
import { renderUsers } from './pages/users.js';
import { renderPasswordReset } from './pages/password-reset.js';
import { readUpload } from './upload.js';
import type { CalendarFeeds } from '../calendar/feeds.js';
import { requestOrigin, sendCalendar } from '../http/routes/calendar.js';
import { renderCalendar } from './pages/calendar.js';
import type { NotificationSettings } from '../mail/preferences.js';
import { notificationsBody, renderNotifications } from './pages/notifications.js';
import { renderInsights } from './pages/insights.js';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../store/pg-hosts.js';

export interface WebRouterDeps {
  readonly users: Users;
  readonly engine: Engine;
  /** Calendar feeds (the Calendar page, issue 16 §1). */
  readonly calendar: CalendarFeeds;
  /** E-mail notification preferences (the Notifications page, issue 16 §2). */
  readonly notifications: NotificationSettings;
  /** The portfolio as CSV or XLSX (the page's "Export" links). */
  readonly portfolioExport: PortfolioExport;
  readonly auditor: Auditor;
  readonly signatures: Signatures;
  readonly sessions: WebSessions;
  readonly tlog?: TransparencyLog;
  readonly logger: Logger;
  readonly goalDueSoonDays: number;
  readonly now?: () => Date;
}

const require = createRequire(import.meta.url);
const ASSETS = new URL('./assets/', import.meta.url);

/** Static files the pages use: ours, and Mermaid from the npm package (no CDN). Read once at start-up. */
function loadAssets(): Map<string, { type: string; body: Buffer }> {
  const m = new Map<string, { type: string; body: Buffer }>();
  m.set('app.css', { type: 'text/css; charset=utf-8', body: fs.readFileSync(new URL('app.css', ASSETS)) });
  m.set('app.js', { type: 'text/javascript; charset=utf-8', body: fs.readFileSync(new URL('app.js', ASSETS)) });
  m.set('mermaid.min.js', { type: 'text/javascript; charset=utf-8', body: fs.readFileSync(require.resolve('mermaid/dist/mermaid.min.js')) });
  return m;
}

/** Only a local path may be a redirect target (no open redirect). */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]{0,2000}$/.test(value) ? value : '/';
}

const form = express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 500 });

declare module 'express-serve-static-core' {
  interface Locals {
    web: WebContext;
  }
}

export function createWebRouter(deps: WebRouterDeps): Router {
  const { engine, sessions } = deps;
  const now = deps.now ?? (() => new Date());
  const router = Router();
  const assets = loadAssets();

  router.get('/assets/:name', (req, res) => {
    const a = assets.get(String(req.params.name));
    if (!a) throw new NotFoundError({ code: 'web.no_asset', params: { name: String(req.params.name) } });
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type(a.type).send(a.body);
  });

  /** Language and session for every page request. */
  async function context(req: Request, res: Response, next: NextFunction): Promise<void> {
    const cookies = readCookies(req);
    const lang = negotiateLang(cookies[LANG_COOKIE], req.headers['accept-language']);
    const session = await sessions.load(cookies[SESSION_COOKIE]);
    if (session) res.locals.actor = { id: session.user.id, name: session.user.name, role: session.user.role, organization: session.user.organization };
    // Dates and times in the reader's own zone, which the page script keeps in a cookie.
    res.locals.web = { t: createTranslator(lang, validTimeZone(cookies[TZ_COOKIE])), lang, session, here: safeNext(req.originalUrl) };
    res.setHeader('Content-Language', lang === 'es' ? 'es-MX' : 'en');
    // Pages send the Referer within this origin only, so browsers name our origin on form posts
    // (with no-referrer, Chromium sends `Origin: null` and the same-origin check cannot tell).
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Vary', 'Cookie, Accept-Language');
    next();
  }

  /** Pages past sign-in: a GET without a session goes to the sign-in page and comes back. */
  function signedIn(req: Request, res: Response, next: NextFunction): void {
    if (res.locals.web.session) return next();
    if (req.method === 'GET' || req.method === 'HEAD') {
      res.redirect(303, `/sign-in?next=${encodeURIComponent(safeNext(req.originalUrl))}`);
      return;
    }
    throw new AppError('unauthenticated', { code: 'web.sign_in_first' });
  }

  /**
   * A state-changing request must come from our own pages: the Origin (when the browser sends
   * one) is this host, and the form carries the session's CSRF token (checked after the body is read).
   */
  function sameOrigin(req: Request): void {
    const origin = req.headers.origin;
    if (origin === undefined) return;
    // An opaque origin (privacy settings, a no-referrer page): only the browser's Fetch Metadata
    // saying the post came from this very origin lets it through; the CSRF token is checked too.
    if (origin === 'null') {
      if (req.headers['sec-fetch-site'] !== 'same-origin') throw new ForbiddenError({ code: 'web.cross_origin' });
      return;
    }
    const host = req.headers.host;
    if (!host || (origin !== `http://${host}` && origin !== `https://${host}`)) throw new ForbiddenError({ code: 'web.cross_origin' });
  }
  function checkCsrf(req: Request, res: Response, given: unknown): void {
    sameOrigin(req);
    const s = res.locals.web.session;
    if (!s || !sessions.checkCsrf(s, given)) throw new AppError('forbidden', { code: 'web.csrf' });
  }

  const html200 = (res: Response, body: string, status = 200) => res.status(status).type('html').send(body);

  router.use(context);

  router.get('/lang/:lang', (req, res) => {
    const lang = String(req.params.lang) as Lang;
    if (!LANGS.includes(lang)) throw new NotFoundError({ code: 'web.no_language', params: { lang: String(req.params.lang) } });
    sessions.setLangCookie(res, lang);
    res.redirect(303, safeNext(req.query.next));
  });

  router.get('/sign-in', (req, res) => {
    const ctx = res.locals.web;
    if (ctx.session) return res.redirect(303, safeNext(req.query.next));
    const csrf = sessions.issueSignInCsrf(res);
    const notice =
      req.query.signedOut === '1'
        ? ctx.t.t('signIn.signedOut')
        : req.query.expired === '1'
          ? ctx.t.t('signIn.expired')
          : req.query.reset === '1'
            ? ctx.t.t('reset.done')
            : undefined;
    html200(res, renderSignIn(ctx, { csrf, next: safeNext(req.query.next), notice }));
  });

  router.post('/sign-in', form, async (req, res) => {
    const ctx = res.locals.web;
    sameOrigin(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const identifier = typeof body.identifier === 'string' ? body.identifier : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const next = safeNext(body.next);
    if (!sessions.checkSignInCsrf(req, body._csrf)) {
      const csrf = sessions.issueSignInCsrf(res);
      return html200(res, renderSignIn(ctx, { csrf, next, identifier, error: ctx.t.t('error.csrf') }), 403);
    }
    try {
      const { token } = await sessions.signIn(identifier, password, req.ip ?? 'unknown');
      sessions.setSessionCookie(res, token);
      res.redirect(303, next);
    } catch (e) {
      if (!(e instanceof SignInError)) throw e;
      if (e.retryAfterSeconds) res.setHeader('Retry-After', String(e.retryAfterSeconds));
      deps.logger.warn({ reqId: res.locals.reqId, code: e.code }, 'web sign-in refused');
      const csrf = sessions.issueSignInCsrf(res);
      const error =
        e.code === 'too_many_requests'
          ? ctx.t.t('signIn.throttled', { seconds: e.retryAfterSeconds ?? 60 })
          : e.code === 'signature_locked'
            ? ctx.t.t('signIn.locked')
            : ctx.t.t('signIn.failed');
      html200(res, renderSignIn(ctx, { csrf, next, identifier, error }), statusOf(e.code));
    }
  });

  router.post('/sign-out', form, async (req, res) => {
    if (res.locals.web.session) checkCsrf(req, res, (req.body as Record<string, unknown> | undefined)?._csrf);
    await sessions.signOut(readCookies(req)[SESSION_COOKIE]);
    sessions.clearSessionCookie(res);
    res.redirect(303, '/sign-in?signedOut=1');
  });

  router.get('/', signedIn, async (req, res) => {
    const ctx = res.locals.web;
    if (ctx.session!.user.role === 'admin') return res.redirect(303, '/users');
    html200(res, await renderPortfolio(ctx, { engine, users: deps.users, query: req.query, now: now(), dueSoonDays: deps.goalDueSoonDays }));
  });

  // The portfolio as filtered on the page, as the API's GET /v1/submissions/export serves it (a GET: no CSRF token).
  router.get('/export', signedIn, async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const query = { ...portfolioListingQuery(q, now(), deps.goalDueSoonDays), ...(q.format === undefined ? {} : { format: q.format }) };
    await sendPortfolioExport(req, res, deps.portfolioExport, res.locals.actor, query);
  });

  router.get('/submissions/new', signedIn, async (req, res) => {
    html200(res, await renderNewSubmission(res.locals.web, { engine, values: req.query as Record<string, string> }));
  });

  router.post('/submissions', signedIn, form, async (req, res) => {
    const ctx = res.locals.web;
    const values = (req.body ?? {}) as Record<string, string | string[]>;
    checkCsrf(req, res, values._csrf);
    let body;
    try {
      body = parseNewSubmissionForm(values);
      const result = await engine.createSubmission(res.locals.actor, body, { origin: commandOrigin(req, res, deps.logger) });
      res.redirect(303, `/submissions/${result.body.id}?created=1`);
    } catch (e) {
      if (!(e instanceof AppError) || e.code === 'not_found') throw e;
      html200(res, await renderNewSubmission(ctx, { engine, values, problem: { error: e } }), statusOf(e.code));
    }
  });

  const showSubmission = async (res: Response, id: string, opts: { flash?: string; problem?: FormProblem } = {}, status = 200) =>
    html200(res, await renderSubmission(res.locals.web, { engine, id, now: now(), dueSoonDays: deps.goalDueSoonDays, ...opts }), status);

  router.get('/submissions/:id', signedIn, async (req, res) => {
    const t = res.locals.web.t;
    const flash =
      req.query.created === '1'
        ? t.t('submission.created.flash')
        : typeof req.query.done === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(req.query.done)
          ? t.t('submission.done', { event: t.domain('event', req.query.done) })
          : typeof req.query.uploaded === 'string'
            ? t.t('submission.uploaded', { filename: req.query.uploaded.slice(0, 255) })
            : undefined;
    await showSubmission(res, String(req.params.id), { flash });
  });

  router.post('/submissions/:id/events', signedIn, form, async (req, res) => {
    const values = (req.body ?? {}) as Record<string, string | string[]>;
    checkCsrf(req, res, values._csrf);
    const id = String(req.params.id);
    // The submission must be visible before its form is read (a hidden one is a 404); its
    // workflow version names the event's fields.
    const workflow = await engine.submissionWorkflow(res.locals.actor, id, { origin: commandOrigin(req, res, deps.logger), eventType: values.type });
    let parsed: ReturnType<typeof parseEventForm> | undefined;
    try {
      parsed = parseEventForm(workflow, values);
      await engine.sendEvent(res.locals.actor, id, parsed.body, { ifMatch: parsed.version, origin: commandOrigin(req, res, deps.logger) });
      res.redirect(303, `/submissions/${id}?done=${encodeURIComponent(parsed.body.type)}#overview`);
    } catch (e) {
      if (!(e instanceof AppError) || e.code === 'not_found' || e.code === 'integrity_failure' || e.code === 'unavailable') throw e;
      const type = typeof values.type === 'string' ? values.type : '';
      await showSubmission(res, id, { problem: { type, error: e, values } }, statusOf(e.code));
    }
  });

  router.post('/submissions/:id/documents', signedIn, async (req, res) => {
    const id = String(req.params.id);
    const upload = await readUpload(req);
    checkCsrf(req, res, upload.fields._csrf);
    await engine.submissionWorkflow(res.locals.actor, id, { origin: commandOrigin(req, res, deps.logger), eventType: 'DOCUMENT_ADDED' });
    try {
      if (!upload.file) throw new InputError({ code: 'web.choose_file' }, [fieldError('/file', { code: 'validation.required' })]);
      const kind = upload.fields.kind ?? '';
      const doc = await engine.addDocument(
        res.locals.actor,
        id,
        { kind, filename: upload.file.filename, contentType: upload.file.contentType, bytes: upload.file.bytes },
        { origin: commandOrigin(req, res, deps.logger) },
      );
      res.redirect(303, `/submissions/${id}?uploaded=${encodeURIComponent(doc.body.filename)}#dossier`);
    } catch (e) {
      if (!(e instanceof AppError) || e.code === 'not_found') throw e;
      await showSubmission(res, id, { problem: { type: '__upload', error: e, values: upload.fields } }, statusOf(e.code));
    }
  });

  router.get('/submissions/:id/documents/:documentId', signedIn, async (req, res) => {
    const { document, bytes } = await engine.readDocument(res.locals.actor, String(req.params.id), String(req.params.documentId));
    res.attachment(document.filename);
    res.setHeader('Content-Type', document.contentType);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.send(bytes);
  });

  router.get('/submissions/:id/report', signedIn, async (req, res) => {
    res.type('html').send(await deps.auditor.report(res.locals.actor, String(req.params.id), {}, res.locals.web.lang));
  });

  router.get('/audit', signedIn, async (req, res) => {
    html200(res, await renderAudit(res.locals.web, { auditor: deps.auditor, tlog: deps.tlog, query: req.query }));
  });

  router.post('/audit/verify', signedIn, form, async (req, res) => {
    checkCsrf(req, res, (req.body as Record<string, unknown> | undefined)?._csrf);
    html200(res, await renderAudit(res.locals.web, { auditor: deps.auditor, tlog: deps.tlog, query: {}, verify: true }));
  });

  router.get('/audit/export', signedIn, async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const { format, filters } = deps.auditor.exportRequest(res.locals.actor, { ...auditQueryOf(q), format: q.format === 'csv' ? 'csv' : 'jsonl' });
    await sendExport(req, res, deps.auditor, format, filters);
  });

  router.get('/users', signedIn, async (req, res) => {
    const ctx = res.locals.web;
    if (ctx.session!.user.role !== 'admin') throw new ForbiddenError({ code: 'web.admins_manage_users' });
    const named = (key: string): string | undefined => {
      const v = req.query[key];
      return typeof v === 'string' ? v.slice(0, 200) : undefined;
    };
    const [unlocked, disabled, enabled] = [named('unlocked'), named('disabled'), named('enabled')];
    const flash =
      unlocked !== undefined
        ? ctx.t.t('users.unlockedFlash', { name: unlocked })
        : disabled !== undefined
          ? ctx.t.t('users.disabledFlash', { name: disabled })
          : enabled !== undefined
            ? ctx.t.t('users.enabledFlash', { name: enabled })
            : undefined;
    html200(res, await renderUsers(ctx, { users: deps.users, flash }));
  });

  router.post('/users/:id/unlock', signedIn, form, async (req, res) => {
    checkCsrf(req, res, (req.body as Record<string, unknown> | undefined)?._csrf);
    const r = await deps.signatures.unlock(res.locals.actor, String(req.params.id), {});
    res.redirect(303, `/users?unlocked=${encodeURIComponent(r.name)}`);
  });

  // Offboarding and resets (issue 8): the services refuse non-admins (403, on the security log).
  // A new credential or token is shown on the answering page, once, never in a URL.
  router.post('/users/:id/password-reset', signedIn, form, async (req, res) => {
    checkCsrf(req, res, (req.body as Record<string, unknown> | undefined)?._csrf);
    const r = await deps.signatures.issueReset(res.locals.actor, String(req.params.id));
    html200(
      res,
      await renderUsers(res.locals.web, { users: deps.users, issued: { kind: 'reset', name: r.name, secret: r.resetToken, expiresAt: r.expiresAt } }),
    );
  });
  router.post('/users/:id/token', signedIn, form, async (req, res) => {
    checkCsrf(req, res, (req.body as Record<string, unknown> | undefined)?._csrf);
    const r = await deps.users.rotateToken(res.locals.actor, String(req.params.id));
    html200(res, await renderUsers(res.locals.web, { users: deps.users, issued: { kind: 'token', name: r.name, secret: r.token, expiresAt: r.expiresAt } }));
  });
  for (const action of ['disable', 'enable'] as const) {
    router.post(`/users/:id/${action}`, signedIn, form, async (req, res) => {
      checkCsrf(req, res, (req.body as Record<string, unknown> | undefined)?._csrf);
      const r = await deps.users[action](res.locals.actor, String(req.params.id));
      res.redirect(303, `/users?${action}d=${encodeURIComponent(r.name)}`);
    });
  }

  // Insights (issue 16 §3): the figures of GET /v1/insights under the page's filters, as charts with their tables.
  router.get('/insights', signedIn, async (req, res) => {
    const r = await renderInsights(res.locals.web, { engine, query: req.query });
    html200(res, r.html, r.status);
  });

  // Calendar (issue 16 §1): the reader's deadlines and goals as a file, and their secret subscription URL.
  router.get('/calendar', signedIn, async (req, res) => {
    const flash = req.query.revoked === '1' ? res.locals.web.t.t('calendar.feed.revoked') : undefined;
    html200(res, await renderCalendar(res.locals.web, { calendar: deps.calendar, actor: res.locals.actor, flash }));
  });
  router.get('/calendar.ics', signedIn, async (req, res) => {
    sendCalendar(res, await deps.calendar.calendarDocument(res.locals.actor, res.locals.web.lang, requestOrigin(req)), req);
  });
  router.post('/calendar/feed', signedIn, form, async (req, res) => {
    checkCsrf(req, res, (req.body as Record<string, unknown> | undefined)?._csrf);
    const { url } = await deps.calendar.createFeed(res.locals.actor, res.locals.web.lang, requestOrigin(req));
    html200(res, await renderCalendar(res.locals.web, { calendar: deps.calendar, actor: res.locals.actor, issuedUrl: url }));
  });
  router.post('/calendar/feed/revoke', signedIn, form, async (req, res) => {
    checkCsrf(req, res, (req.body as Record<string, unknown> | undefined)?._csrf);
    await deps.calendar.revokeFeed(res.locals.actor);
    res.redirect(303, '/calendar?revoked=1');
  });

  // E-mail notifications (issue 16 §2): the reader's preferences, saved as PUT /v1/me/notifications saves them.
  router.get('/notifications', signedIn, async (req, res) => {
    const flash = req.query.saved === '1' ? res.locals.web.t.t('notifications.saved') : undefined;
    html200(res, await renderNotifications(res.locals.web, { notifications: deps.notifications, actor: res.locals.actor, flash }));
  });
  router.post('/notifications', signedIn, form, async (req, res) => {
    const values = (req.body ?? {}) as Record<string, unknown>;
    checkCsrf(req, res, values._csrf);
    const ctx = res.locals.web;
    try {
      await deps.notifications.put(res.locals.actor, notificationsBody(values), { lang: ctx.lang, baseUrl: requestOrigin(req) });
      res.redirect(303, '/notifications?saved=1');
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'validation_failed') throw e;
      const refused = { values, detail: ctx.t.errorDetail(e), errors: e.errors };
      html200(res, await renderNotifications(ctx, { notifications: deps.notifications, actor: res.locals.actor, refused }), statusOf(e.code));
    }
  });

  // A user sets a password of their own with the one-time reset credential (no session needed).
  router.get('/password-reset', (_req, res) => {
    html200(res, renderPasswordReset(res.locals.web, { csrf: sessions.issueSignInCsrf(res) }));
  });
  router.post('/password-reset', form, async (req, res) => {
    const ctx = res.locals.web;
    sameOrigin(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!sessions.checkSignInCsrf(req, body._csrf)) {
      return html200(res, renderPasswordReset(ctx, { csrf: sessions.issueSignInCsrf(res), error: ctx.t.t('error.csrf') }), 403);
    }
    try {
      await deps.signatures.completeReset({
        resetToken: typeof body.resetToken === 'string' ? body.resetToken.trim() : '',
        newPassword: typeof body.newPassword === 'string' ? body.newPassword : '',
      });
    } catch (e) {
      if (!(e instanceof AppError) || (e.code !== 'unauthenticated' && e.code !== 'validation_failed')) throw e;
      const error = e.code === 'unauthenticated' ? ctx.t.t('reset.invalid') : ctx.t.errorDetail(e);
      return html200(res, renderPasswordReset(ctx, { csrf: sessions.issueSignInCsrf(res), error, errors: e.errors }), statusOf(e.code));
    }
    res.redirect(303, '/sign-in?reset=1');
  });

  return router;
}

/**
 * Errors on web pages: an HTML page in the reader's language with the status the API would give.
 * Requests that do not want HTML (API clients, scripts) fall through to the problem+json handler.
 */
export function webErrorHandler(logger: Logger): express.ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    // Browsers name text/html in Accept on every navigation and form post; API clients do not.
    if (res.headersSent || req.path.startsWith('/v1/') || !/\btext\/html\b/.test(req.headers.accept ?? '')) return next(err);
    // Refused before the page context was set (a %00 in the URL, an unknown asset): the reader's
    // language still applies, without a session.
    const ctx: WebContext =
      res.locals.web ??
      (() => {
        const lang = negotiateLang(readCookies(req)[LANG_COOKIE], req.headers['accept-language']);
        return { t: createTranslator(lang), lang, here: '/' };
      })();
    let code: AppError['code'] | 'internal_error' = 'internal_error';
    let detail = '';
    let errors: readonly FieldError[] = [];
    if (err instanceof AppError) {
      code = err.code;
      detail = ctx.t.errorDetail(err);
      errors = err.errors;
      if (err.retryAfterSeconds) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    } else if (
      typeof err === 'object' &&
      err !== null &&
      typeof (err as { status?: unknown }).status === 'number' &&
      (err as { status: number }).status >= 400 &&
      (err as { status: number }).status < 500
    ) {
      // body-parser (oversized or malformed form, unsupported charset) and Express's own
      // refusals (a path parameter that is not valid percent-encoding)
      const status = (err as { status: number }).status;
      code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
    } else if (isDatabaseUnavailable(err)) {
      // The database unreachable or failing over (issue 17 §2): 503 with Retry-After, as the API answers.
      logger.warn({ reqId: res.locals.reqId, code: (err as { code?: string }).code, detail: (err as Error).message }, 'database unavailable');
      code = 'unavailable';
      detail = ctx.t.errorDetail({ detail: { code: 'http.database_unavailable', params: { seconds: DATABASE_RETRY_AFTER_SECONDS } } });
      res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    } else {
      logger.error({ err, reqId: res.locals.reqId }, 'web page failed');
    }
    if (code === 'unauthenticated') {
      res.redirect(
        303,
        `/sign-in?expired=1&next=${encodeURIComponent(safeNext(req.get('referer') ? new URL(req.get('referer')!, 'http://x').pathname : '/'))}`,
      );
      return;
    }
    const status = code === 'internal_error' ? 500 : statusOf(code);
    const { t } = ctx;
    const body = html`<h1>${t.errorTitle(code)}</h1>
      ${detail ? html`<p>${detail}</p>` : ''}
      ${errors.length ? html`<ul>${errors.map((e) => html`<li><code>${e.path || '/'}</code>: ${t.fieldError(e)}</li>`)}</ul>` : ''}
      <p><a href="/">${t.t('common.back')}</a></p>`;
    res
      .status(status)
      .type('html')
      .send(page(ctx, { title: t.errorTitle(code), body }));
  };
}
