/**
 * The first screen of a submission (guide issue 13 §1–§6, tracker issue 18): a card with the
 * state in words, who must act, the next date with its unit, the regulator's open requests, the
 * main action and, for a cleared FDA decision, the registrations relying on it; then a progress
 * strip of the workflow's main path with the current step. Machine codes only in a details toggle.
 */
import type { SubmissionView } from '../../engine/engine.js';
import type { SubmissionDetail } from '../../engine/reads.js';
import type { OpenRequest, StepView } from '../../engine/next-steps.js';
import { describeWorkflow } from '../../engine/catalog.js';
import { addCalendarDays } from '../../engine/time.js';
import { renderMessage } from '../../messages/format.js';
import type { Transition } from '../../store/types.js';
import type { RefusalReason, WorkflowDefinition } from '../../../workflows/types.js';
import { countdownOf } from '../countdown.js';
import { html, type SafeHtml } from '../html.js';
import type { Translator } from '../i18n.js';
import { countdownCell, nextDateText } from './portfolio.js';

/** The view of one submission's page: its view and what the page adds (steps, requests, reliance). */
export type PageView = SubmissionView & SubmissionDetail;

/** Codes, for the reader who asks for them: a closed toggle next to the words. */
export function codes(t: Translator, ...values: string[]): SafeHtml {
  return html`<details class="codes"><summary>${t.t('common.codes')}</summary><code>${values.join(' · ')}</code></details>`;
}

/** A refusal reason in the reader's language; dossier kinds by their names, not their codes. */
export function reasonText(t: Translator, r: RefusalReason): string {
  const params = { ...(r.params ?? {}) } as Record<string, unknown>;
  if (Array.isArray(params.kinds)) params.kinds = (params.kinds as unknown[]).map((k) => t.domain('dossier', String(k))).join(', ');
  return renderMessage({ code: r.code, params }, t.lang);
}

/** The regulator's open requests, item by item (shown under the state and inside the response forms). */
export function openRequestsBlock(t: Translator, requests: readonly OpenRequest[], id: string): SafeHtml | string {
  if (!requests.length) return '';
  return html`<div class="open-requests" aria-labelledby="${id}"><h3 id="${id}">${t.t('overview.openRequests')}</h3>
    ${requests.map(
      (r) => html`<p class="muted">${t.t('overview.requestedOn', { event: t.domain('event', r.event), date: t.date(r.effectiveAt) })}</p>
      ${Object.entries(r.items).map(([field, items]) => html`<p>${t.domain('field', field)}</p><ol>${items.map((i) => html`<li>${i}</li>`)}</ol>`)}`,
    )}
  </div>`;
}

/** Who must act now: the roles of the steps that are not blocked (the caller named "you"). */
function whoMustAct(t: Translator, steps: readonly StepView[], role: string): string {
  const roles = [...new Set(steps.filter((s) => !s.blocked && !s.ends).flatMap((s) => s.roles))].filter((r) => r !== 'admin' && r !== 'auditor');
  if (!roles.length) return t.t('overview.nobody');
  return roles.map((r) => (r === role ? t.t('overview.you', { role: t.domain('role', r) }) : t.domain('role', r))).join(', ');
}

/** The step to offer first: the caller's own, not blocked, not one that ends the submission. */
export function mainStep(steps: readonly StepView[]): StepView | undefined {
  return steps.find((s) => s.mine && !s.blocked && !s.ends);
}

export function overviewCard(
  t: Translator,
  view: PageView,
  w: WorkflowDefinition,
  opts: { role: string; now: Date; dueSoonDays: number; history: readonly Transition[] },
): SafeHtml {
  const { role, now, dueSoonDays } = opts;
  const next = countdownOf(view, now, dueSoonDays);
  const main = mainStep(view.steps);
  // Missed goals other than the one the next date already shows.
  const missed = view.clocks.goals.filter((g) => g.status === 'missed' && g.metOn === null && !(next?.kind === g.kind && next.dueDate === g.dueDate));
  const passed = view.deadlines.filter((d) => d.passed);
  return html`<section class="overview card" id="overview" aria-labelledby="overview-heading">
    <h2 id="overview-heading">${t.t('overview.heading')}</h2>
    <div class="state-words" id="state"><strong>${t.domain('state', view.state)}</strong> · ${t.domain('status', view.status)}${codes(t, view.state, `${view.workflow.id}@${view.workflow.version}`)}</div>
    <dl class="facts">
      <dt>${t.t('overview.whoActs')}</dt><dd>${view.status === 'active' ? whoMustAct(t, view.steps, role) : t.t('overview.closed')}</dd>
      <dt>${t.t('overview.next')}</dt><dd class="next">${next ? html`${nextDateText(t, next)} ${countdownCell(t, next)}` : html`<span class="muted">${t.t('next.none')}</span>`}
        ${missed.map((g) => html`<br><span class="status missed">${t.t('overview.goalMissed', { goal: t.domain('goal', g.kind), date: t.date(g.dueDate), days: -g.remainingDays, unit: t.t(`unit.${g.unit}` as const) })}</span>`)}
        ${passed.map((d) => html`<br><span class="status missed">${t.t('overview.deadlinePassed', { deadline: t.domain('deadline', d.kind), date: t.date(d.dueDate) })}</span>`)}</dd>
    </dl>
    ${validity(t, view)}
    ${openRequestsBlock(t, view.openRequests, 'overview-requests-heading')}
    ${
      main
        ? html`<p><a class="button" href="#event-${main.event}">${t.domain('event', main.event)}</a></p>`
        : view.steps.some((s) => s.mine && s.blocked)
          ? html`<p class="muted">${t.t('overview.blockedOnly')}</p>`
          : ''
    }
    ${
      view.reliedOnBy.length
        ? html`<h3>${t.t('overview.reliedOnBy')}</h3><ul>${view.reliedOnBy.map(
            (r) => html`<li><a href="/submissions/${r.id}">${r.title}</a> · ${t.domain('state', r.state)}</li>`,
          )}</ul>`
        : ''
    }
    ${progressStrip(t, w, view.state, opts.history)}
  </section>`;
}

/**
 * A registration's validity: when it expires and the last day to request the prórroga (filed
 * before the expiry date, as the workflow's guard checks).
 */
function validity(t: Translator, view: PageView): SafeHtml | string {
  const until = (view.decision as { validUntil?: unknown } | null)?.validUntil;
  if (typeof until !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(until)) return '';
  return html`<p class="validity">${t.t('overview.validUntil', { date: t.date(until), last: t.date(addCalendarDays(until, -1)) })}</p>`;
}

const SUCCESS = ['cleared', 'granted', 'approved', 'designated', 'registered', 'closed.minutesFinal', 'closed.feedbackOnly'];
const pathCache = new WeakMap<WorkflowDefinition, string[]>();

/**
 * The main path of a workflow: the shortest chain of leaf states from the initial state to its
 * favourable outcome, over the declared transitions (holds and guards aside). Cached per version.
 */
export function mainPath(w: WorkflowDefinition): string[] {
  const cached = pathCache.get(w);
  if (cached) return cached;
  const states = describeWorkflow(w).states;
  const byPath = new Map(states.map((s) => [s.path, s]));
  const leaves = states.filter((s) => !states.some((x) => x.path.startsWith(`${s.path}.`))).map((s) => s.path);
  const leafOf = (p: string) => (leaves.includes(p) ? p : leaves.find((l) => l.startsWith(`${p}.`)));
  const holds = new Set(states.filter((s) => s.tags.includes('hold')).map((s) => s.path));
  const initial = leafOf(describeWorkflow(w).initial) ?? leaves[0]!;
  const prev = new Map<string, string | null>([[initial, null]]);
  const queue = [initial];
  let goal: string | undefined;
  while (queue.length && !goal) {
    const at = queue.shift()!;
    const parts = at.split('.');
    for (let i = parts.length; i > 0 && !goal; i--) {
      for (const tr of byPath.get(parts.slice(0, i).join('.'))?.transitions ?? []) {
        for (const target of tr.targets) {
          const leaf = leafOf(target);
          if (!leaf || prev.has(leaf) || holds.has(leaf) || (leaf.startsWith('closed.') && !SUCCESS.includes(leaf))) continue;
          prev.set(leaf, at);
          if (SUCCESS.some((s) => leaf === s || leaf.startsWith(`${s}.`))) goal = leaf;
          queue.push(leaf);
        }
      }
    }
  }
  const path: string[] = [];
  for (let p: string | null | undefined = goal; p; p = prev.get(p)) path.unshift(p);
  pathCache.set(w, path);
  return path;
}

/**
 * The main path as a strip of translated steps, done / current / to come. A state off the path
 * (a hold, an outcome other than the favourable one) is shown after the last step reached.
 */
export function progressStrip(t: Translator, w: WorkflowDefinition, state: string, history: readonly Transition[]): SafeHtml {
  const path = mainPath(w);
  const visited = new Set(history.flatMap((r) => [r.to]));
  let at = path.indexOf(state);
  if (at < 0) at = path.findIndex((p) => state.startsWith(`${p}.`));
  const off = at < 0;
  if (off) at = path.findLastIndex((p) => visited.has(p));
  return html`<ol class="progress" aria-label="${t.t('overview.progress')}">${path.map((p, i) => {
    const cls = i < at || (off && i === at) ? 'done' : i === at && !off ? 'current' : 'todo';
    return html`<li class="${cls}"${cls === 'current' ? html` aria-current="step"` : ''}>${t.domain('state', p)}</li>${off && i === at ? html`<li class="current detour" aria-current="step">${t.domain('state', state)}</li>` : ''}`;
  })}${off && at < 0 ? html`<li class="current detour" aria-current="step">${t.domain('state', state)}</li>` : ''}</ol>`;
}
