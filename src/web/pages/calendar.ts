/**
 * The Calendar page (issue 16 §1): the reader's deadlines and goal dates as a calendar file, and
 * their secret subscription URL, made, replaced or revoked here as with POST and DELETE
 * /v1/me/calendar-feed. A new URL is shown once, on the page that answers the form, never in a URL.
 */
import type { CalendarFeeds } from '../../calendar/feeds.js';
import type { Actor } from '../../store/types.js';
import { html } from '../html.js';
import { csrfField, page, type WebContext } from '../layout.js';

export async function renderCalendar(
  ctx: WebContext,
  opts: { calendar: Pick<CalendarFeeds, 'feedCreatedAt'>; actor: Actor; issuedUrl?: string; flash?: string },
): Promise<string> {
  const { t } = ctx;
  const createdAt = await opts.calendar.feedCreatedAt(opts.actor);
  const issued = opts.issuedUrl
    ? html`<div class="notice" role="status"><p>${t.t('calendar.feed.created')}</p><p><code id="feed-url">${opts.issuedUrl}</code></p>
        <p><a href="${opts.issuedUrl.replace(/^https?:/, 'webcal:')}">${t.t('calendar.feed.subscribe')}</a></p></div>`
    : '';
  const status = opts.issuedUrl
    ? ''
    : html`<p id="feed-status">${createdAt ? t.t('calendar.feed.active', { date: t.dateTime(createdAt) }) : t.t('calendar.feed.none')}</p>`;
  const body = html`<h1>${t.t('calendar.title')}</h1>
  <p>${t.t('calendar.intro')}</p>
  <p><a class="button" href="/calendar.ics" download="puente.ics">${t.t('calendar.download')}</a></p>
  <section aria-labelledby="feed-heading">
  <h2 id="feed-heading">${t.t('calendar.feed.heading')}</h2>
  <p>${t.t('calendar.feed.help')}</p>
  ${issued}${status}
  <form method="post" action="/calendar/feed" style="display:inline">${csrfField(ctx)}<button type="submit">${t.t(createdAt ? 'calendar.feed.rotate' : 'calendar.feed.create')}</button></form>
  ${
    createdAt
      ? html`<form method="post" action="/calendar/feed/revoke" style="display:inline">${csrfField(ctx)}<button type="submit">${t.t('calendar.feed.revoke')}</button></form>`
      : ''
  }
  </section>`;
  return page(ctx, { title: t.t('calendar.title'), body, flash: opts.flash });
}
