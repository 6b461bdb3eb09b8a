/**
 * What a notification mail says (issue 16 §2): a step on a submission, or the day's digest of
 * deadlines and goals, in the reader's language (the web catalogs' `mail.*` labels and the
 * workflow words of `messages/domain.ts`), as plain text and as HTML with the same content, and
 * a link to the submission's page.
 *
 * Only what the reader may already see on that page goes in, and less: the step's type, the state
 * it led to, who and when. Never a record's data or comment, a document's bytes or name, a token
 * or a signature.
 */
import type { Transition } from '../store/types.js';
import { html, type SafeHtml } from '../web/html.js';
import { createTranslator, type Lang, type Translator } from '../web/i18n.js';

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** One date in a digest: a hard deadline or a goal of a submission the reader may see. */
export interface DigestItem {
  readonly submissionId: string;
  readonly title: string;
  readonly what: 'deadline' | 'goal';
  /** The deadline's or the goal's kind (a domain word). */
  readonly kind: string;
  readonly dueDate: string;
  /** Days from the digest's day to the due date (0: today). */
  readonly daysLeft: number;
}

export const submissionUrl = (baseUrl: string, submissionId: string) => `${baseUrl}/submissions/${encodeURIComponent(submissionId)}`;
export const preferencesUrl = (baseUrl: string) => `${baseUrl}/notifications`;

export function mailLang(lang: string): Lang {
  return lang === 'es' ? 'es' : 'en';
}

/** A mail document: the same paragraphs as the text part, escaped. */
function document(t: Translator, subject: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="${t.lang === 'es' ? 'es-MX' : 'en'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${subject}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.4; color: #1a1a1a">
${body}
</body>
</html>
`.toString();
}

/** A step on a submission, for one reader. */
export function renderStepMail(opts: {
  readonly lang: string;
  readonly baseUrl: string;
  readonly submission: { readonly id: string; readonly title: string; readonly organization: { readonly name: string } };
  readonly transition: Pick<Transition, 'type' | 'to' | 'actor' | 'effectiveAt'>;
}): RenderedMail {
  const t = createTranslator(mailLang(opts.lang));
  const { submission: s, transition: r } = opts;
  const event = t.domain('event', r.type);
  const url = submissionUrl(opts.baseUrl, s.id);
  const by = r.actor.role === 'system' ? t.t('mail.step.bySystem') : t.t('mail.step.by', { name: r.actor.name, role: t.domain('role', r.actor.role) });
  const facts = [
    t.t('mail.step.submission', { title: s.title, organization: s.organization.name }),
    t.t('mail.step.state', { state: t.domain('state', r.to) }),
    by,
    t.t('mail.step.effective', { date: t.date(r.effectiveAt) }),
  ];
  const subject = t.t('mail.step.subject', { event, title: s.title });
  const intro = t.t('mail.step.intro', { event, title: s.title });
  const footer = t.t('mail.footer.immediate', { url: preferencesUrl(opts.baseUrl) });
  const text = [intro, '', ...facts, '', t.t('mail.open', { url }), '', '-- ', footer, ''].join('\n');
  const body = html`<p>${intro}</p>
<ul>${facts.map((f) => html`<li>${f}</li>`)}</ul>
<p><a href="${url}">${t.t('mail.openLink')}</a></p>
<hr>
<p style="font-size: small; color: #555">${t.t('mail.footer.immediateHtml')} <a href="${preferencesUrl(opts.baseUrl)}">${t.t('mail.footer.change')}</a></p>`;
  return { subject, text, html: document(t, subject, body) };
}

/** The day's digest for one reader: the dates due within their window, soonest first. */
export function renderDigestMail(opts: {
  readonly lang: string;
  readonly baseUrl: string;
  readonly daysAhead: number;
  readonly items: readonly DigestItem[];
}): RenderedMail {
  const t = createTranslator(mailLang(opts.lang));
  const items = [...opts.items].sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.title.localeCompare(b.title));
  const line = (i: DigestItem) => {
    const name =
      i.what === 'deadline' ? t.t('mail.digest.deadline', { name: t.domain('deadline', i.kind) }) : t.t('mail.digest.goal', { name: t.domain('goal', i.kind) });
    const left = i.daysLeft === 0 ? t.t('mail.digest.today') : t.t('mail.digest.inDays', { days: i.daysLeft });
    return { head: `${t.date(i.dueDate)} (${left})`, what: `${i.title}: ${name}`, url: submissionUrl(opts.baseUrl, i.submissionId) };
  };
  const lines = items.map(line);
  const subject = t.t('mail.digest.subject', { count: items.length, days: opts.daysAhead });
  const intro = t.t('mail.digest.intro', { days: opts.daysAhead });
  const footer = t.t('mail.footer.digest', { url: preferencesUrl(opts.baseUrl) });
  const text = [intro, '', ...lines.flatMap((l) => [`- ${l.head}: ${l.what}`, `  ${l.url}`]), '', '-- ', footer, ''].join('\n');
  const body = html`<p>${intro}</p>
<ul>${lines.map((l) => html`<li><strong>${l.head}</strong>: <a href="${l.url}">${l.what}</a></li>`)}</ul>
<hr>
<p style="font-size: small; color: #555">${t.t('mail.footer.digestHtml')} <a href="${preferencesUrl(opts.baseUrl)}">${t.t('mail.footer.change')}</a></p>`;
  return { subject, text, html: document(t, subject, body) };
}
