/**
 * One submission: what it is, where it stands, its clocks and goals, the next hard deadline, the
 * workflow diagram with its path, the dossier, the history, and one form per event the user may
 * send now, generated from the event's JSON Schema (with the Part 11 signature where required).
 */
import { AppError, InputError, fieldError, type FieldError } from '../../errors.js';
import { checkJsonText } from '../../validation.js';
import type { Engine, SendEventBody, SubmissionView } from '../../engine/engine.js';
import type { Transition } from '../../store/types.js';
import { workflowVersion } from '../../../workflows/index.js';
import type { EventSpec, JsonSchema, RuleSource, WorkflowDefinition } from '../../../workflows/types.js';
import { correspondenceKindOf, isCorrespondenceKind } from '../../engine/correspondence.js';
import { countdownOf } from '../countdown.js';
import { hasDomainLabel } from '../messages/domain.js';
import { controlId, errorsUnder, formToJson, renderField, renderSchemaFields, type FieldErrors, type FormValues } from '../forms.js';
import { flag, html, type SafeHtml } from '../html.js';
import type { Translator } from '../i18n.js';
import { csrfField, page, type WebContext } from '../layout.js';
import { countdownCell, nextDateText } from './portfolio.js';
import { endingEvents, type StepView } from '../../engine/next-steps.js';
import { citation } from '../../engine/workflow-docs.js';
import { codes, openRequestsBlock, overviewCard, reasonText, type PageView } from './submission-overview.js';

/** A refused form, shown again with the API's errors next to its fields. */
export interface FormProblem {
  /** The event type whose form was sent, `__upload` for the document form, `__create` for creation. */
  readonly type?: string;
  readonly error: AppError;
  readonly values?: FormValues;
}

const SIGNATURE_SCHEMA = { enum: ['approval', 'review', 'responsibility', 'authorship'] };
const one = (v: FormValues[string]): string => (typeof v === 'string' ? v : Array.isArray(v) ? String(v[0] ?? '') : '');

/** The default meaning offered: a regulator's decision is an approval, a sponsor's filing is responsibility. */
function defaultMeaning(role: string): string {
  return role === 'manufacturer' ? 'responsibility' : 'approval';
}

function hasFields(schema: Record<string, unknown>): boolean {
  const props = schema.properties as Record<string, unknown> | undefined;
  return props !== undefined && Object.keys(props).length > 0;
}

/** A value of the record as the reader's language writes it: dates, yes/no, enum words. */
function valueText(t: Translator, v: unknown): string {
  if (typeof v === 'boolean') return v ? t.t('common.yes') : t.t('common.no');
  if (typeof v === 'string') return /^\d{4}-\d{2}-\d{2}$/.test(v) ? t.date(v) : hasDomainLabel('input', v) ? t.domain('input', v) : v;
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

interface ReferenceView {
  submissionId?: string;
  label?: string;
  agency?: string;
  number?: string;
  decision: string | null;
  decisionDate: string | null;
  favourable: boolean;
  invalidated?: boolean;
}

/** The authorization a registration relies on, built from its parts (the engine's label is English). */
function referenceText(t: Translator, ref: ReferenceView): SafeHtml {
  const what = html`${ref.decision ? html`<span class="muted">${t.domain('field', 'decision')}:</span> ${valueText(t, ref.decision)}` : ''}${ref.decisionDate ? html` · <span class="muted">${t.domain('field', 'decisionDate')}:</span> ${t.date(ref.decisionDate)}` : ''}`;
  const state = html`<span class="${ref.favourable && !ref.invalidated ? 'ok' : 'bad'}">${ref.favourable && !ref.invalidated ? t.t('submission.referenceValid') : t.t('submission.referenceInvalid')}</span>`;
  // The engine's label starts with the decision number (or the title while there is none), the
  // rest of it is English: only that first part is shown.
  const number = (ref.label ?? '').replace(/ \([^)]*\)$/, '');
  if (ref.submissionId) return html`<a href="/submissions/${ref.submissionId}">${number || t.t('submission.referenceOpen')}</a><br>${what}<br>${state}`;
  return html`${ref.agency ?? ''} ${ref.number ?? ''}<br>${what}<br>${state}`;
}

/** The event body a submitted form stands for (and the version it was shown at, for If-Match). */
export function parseEventForm(workflow: { id: string; version: number }, values: FormValues): { body: SendEventBody; version?: number } {
  const type = one(values.type);
  const w = workflowVersion(workflow.id, workflow.version);
  const spec: EventSpec | undefined = w && /^[A-Z][A-Z0-9_]{0,63}$/.test(type) && Object.hasOwn(w.events, type) ? w.events[type] : undefined;
  if (!spec) throw new InputError({ code: 'web.unknown_event', params: { type: type.slice(0, 64) } }, [fieldError('/type', { code: 'web.not_an_event' })]);
  // A step that ends the submission is sent only when the form confirms it (the API needs no box).
  if (endingEvents(w!).has(type) && one(values.confirm) !== 'yes')
    throw new InputError({ code: 'web.confirm_end', params: { event: type } }, [fieldError('/confirm', { code: 'web.confirm_end_field' })]);
  const body: Record<string, unknown> = { type };
  const data = formToJson(spec.schema, values, 'data');
  if (hasFields(spec.schema) || Object.keys(data).length) body.data = data;
  const effectiveAt = one(values.effectiveAt).trim();
  if (effectiveAt) body.effectiveAt = effectiveAt;
  const comment = one(values.comment).trim();
  if (comment) body.comment = comment;
  const meaning = one(values['signature.meaning']);
  const password = one(values['signature.password']);
  if (spec.requiresSignature || meaning || password) body.signature = { meaning, password };
  // The same text checks as a JSON body (NUL, lone surrogates, depth of a JSON field).
  checkJsonText(body);
  const v = one(values.version);
  return { body: body as unknown as SendEventBody, ...(/^\d{1,15}$/.test(v) ? { version: Number(v) } : {}) };
}

/** Translated messages by pointer. */
function fieldErrorsOf(t: Translator, errors: readonly FieldError[]): FieldErrors {
  const m = new Map<string, string[]>();
  for (const e of errors) {
    const list = m.get(e.path) ?? [];
    list.push(t.fieldError(e));
    m.set(e.path, list);
  }
  return m;
}

/** The summary at the top of a refused form: what went wrong, each field error linking to its field. */
function errorSummary(t: Translator, problem: FormProblem, idPrefix: string, known: (pointer: string) => boolean): SafeHtml {
  const e = problem.error;
  const detail = t.errorDetail(e);
  return html`<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="${idPrefix}-problem">
    <h3 id="${idPrefix}-problem">${t.errorTitle(e.code)}</h3>
    <p>${detail}</p>
    ${
      e.errors.length
        ? html`<ul>${e.errors.map((fe) => {
            const label = fe.path
              ? t.domain(
                  'field',
                  fe.path
                    .split('/')
                    .filter((s) => !/^\d+$/.test(s))
                    .pop() ?? '',
                )
              : '';
            const text = label ? t.t('form.errorAt', { field: label, message: t.fieldError(fe) }) : t.fieldError(fe);
            return known(fe.path) ? html`<li><a href="#${controlId(idPrefix, fe.path)}">${text}</a></li>` : html`<li>${text}</li>`;
          })}</ul>`
        : ''
    }
  </div>`;
}

type DocumentRow = Awaited<ReturnType<Engine['listDocuments']>>[number];

/**
 * The schema an event form shows: a response's `documents` (ids, issue 13 §2) as a choice among
 * the submission's own documents by kind and file name, or left out when it has none (the summary
 * is then the response's content and is required).
 */
function formSchema(schema: JsonSchema, documents: readonly DocumentRow[], t: Translator): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (!properties?.documents) return schema;
  if (documents.length === 0) {
    const { documents: _omitted, ...rest } = properties;
    void _omitted;
    const then = schema.then as { required?: string[] } | undefined;
    return { ...schema, properties: rest, if: undefined, then: undefined, required: [...((schema.required as string[]) ?? []), ...(then?.required ?? [])] };
  }
  const labels = Object.fromEntries(documents.map((d) => [d.id, `${t.domain('dossier', d.kind)}: ${d.filename}`]));
  const items = { type: 'string', enum: documents.map((d) => d.id), 'x-labels': labels };
  return { ...schema, properties: { ...properties, documents: { ...properties.documents, items } } };
}

function eventForm(
  ctx: WebContext,
  view: PageView,
  w: WorkflowDefinition,
  step: StepView,
  problem: FormProblem | undefined,
  documents: readonly DocumentRow[],
): SafeHtml {
  const { t } = ctx;
  const type = step.event;
  const spec = w.events[type]!;
  const mine = problem?.type === type ? problem : undefined;
  const values: FormValues = mine?.values ?? {};
  const errors: FieldErrors = mine ? fieldErrorsOf(t, mine.error.errors) : new Map();
  const idPrefix = `ev-${type}`;
  const pointers = new Set<string>();
  const known = (p: string) => p.startsWith('/data') || p === '/effectiveAt' || p === '/comment' || p.startsWith('/signature') || p === '/confirm';
  void pointers;
  const role = ctx.session!.user.role;
  const signatureValues: FormValues = { 'signature.meaning': one(values['signature.meaning']) || defaultMeaning(role) };
  // A response is made in front of what was asked; a step that ends the submission is confirmed.
  const answers = role === 'manufacturer' && view.openRequests.length > 0 && !step.ends;
  const confirmErrors = errorsUnder(errors, '/confirm');
  return html`<details id="event-${type}"${flag('open', mine !== undefined)}${step.ends ? html` class="ends"` : ''}>
    <summary>${t.domain('event', type)}${step.ends ? html` <span class="status missed">${t.t('overview.endsWarning')}</span>` : ''}</summary>
    <form method="post" action="/submissions/${view.id}/events" novalidate aria-label="${t.domain('event', type)}">
      ${csrfField(ctx)}
      <input type="hidden" name="type" value="${type}">
      <input type="hidden" name="version" value="${view.version}">
      ${mine ? errorSummary(t, mine, idPrefix, known) : ''}
      ${answers ? openRequestsBlock(t, view.openRequests, `${idPrefix}-requests`) : ''}
      ${hasFields(spec.schema) ? html`<fieldset><legend>${t.t('event.details')}</legend>${renderSchemaFields(formSchema(spec.schema, documents, t), { name: 'data', pointer: '/data', idPrefix, values, errors, t })}</fieldset>` : ''}
      ${renderField({ schema: { type: 'string', format: 'date', maxLength: 40 }, name: 'effectiveAt', pointer: '/effectiveAt', label: t.t('event.effectiveAt'), required: false, values, errors, t, idPrefix, hint: t.t('event.effectiveAtHint') })}
      ${renderField({ schema: { type: 'string', maxLength: 4000 }, name: 'comment', pointer: '/comment', label: t.t('event.comment'), required: false, values, errors, t, idPrefix, inputType: 'textarea' })}
      ${
        spec.requiresSignature
          ? html`<fieldset class="signature"><legend>${t.t(w.jurisdiction === 'COFEPRIS' ? 'event.signatureMx' : 'event.signature')}</legend>
            <p class="hint">${t.t('event.signatureHint')}</p>
            ${renderField({ schema: SIGNATURE_SCHEMA, name: 'signature.meaning', pointer: '/signature/meaning', label: t.t('event.meaning'), required: true, values: signatureValues, errors, t, idPrefix })}
            ${renderField({ schema: { type: 'string', maxLength: 1024 }, name: 'signature.password', pointer: '/signature/password', label: t.t('event.password'), required: true, values: {}, errors, t, idPrefix, inputType: 'password' })}
            ${
              errorsUnder(errors, '/signature').length &&
              !errorsUnder(errors, '/signature/password').length &&
              !errorsUnder(errors, '/signature/meaning').length
                ? html`<p class="field-error">${errorsUnder(errors, '/signature').join(' ')}</p>`
                : ''
            }
          </fieldset>`
          : ''
      }
      ${
        step.ends
          ? html`<div class="field confirm"><p class="warning">${t.t('overview.endsWarning')}</p>
            ${confirmErrors.length ? html`<p class="field-error" id="${idPrefix}-confirm-error">${confirmErrors.join(' ')}</p>` : ''}
            <label><input type="checkbox" id="${controlId(idPrefix, '/confirm')}" name="confirm" value="yes"${confirmErrors.length ? html` aria-invalid="true" aria-describedby="${idPrefix}-confirm-error"` : ''}> ${t.t('overview.confirmEnd')}</label></div>`
          : ''
      }
      <button type="submit"${step.ends ? html` class="danger"` : ''}>${t.t('event.send', { event: t.domain('event', type) })}</button>
    </form>
  </details>`;
}

/** A value of a history record in words: units, goal and deadline kinds, sources, lists. */
function recordValue(t: Translator, key: string, v: unknown): string {
  if (key === 'unit' && (v === 'fda-days' || v === 'calendar' || v === 'mx-business')) return t.t(`unit.${v}`);
  if ((key === 'goal' || key === 'deadline') && typeof v === 'string') return t.domain(key, v);
  if (key === 'event' && typeof v === 'string') return t.domain('event', v);
  if (key === 'source' && v && typeof v === 'object') return citation(v as RuleSource);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join('; ');
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function historyItem(t: Translator, tr: Transition): SafeHtml {
  const sig = tr.signature as { name?: string; meaning?: string; signedAt?: string } | null;
  const data = Object.entries(tr.data ?? {});
  return html`<li id="record-${tr.seq}">
    <h3><span class="muted">#${tr.seq}</span> ${t.domain('event', tr.type)}</h3>${codes(t, tr.type)}
    <p class="meta">${tr.from ? html`${t.domain('state', tr.from)} → ` : ''}${t.domain('state', tr.to)}</p>
    <dl class="facts">
      <dt>${t.t('submission.actor')}</dt><dd>${tr.actor.role === 'system' ? t.domain('role', 'system') : `${tr.actor.name} (${t.domain('role', tr.actor.role)})`}</dd>
      <dt>${t.t('submission.when')}</dt><dd><time datetime="${tr.recordedAt}">${t.dateTime(tr.recordedAt)}</time></dd>
      <dt>${t.t('submission.effective')}</dt><dd><time datetime="${tr.effectiveAt}">${t.dateTime(tr.effectiveAt)}</time></dd>
      ${tr.comment ? html`<dt>${t.t('submission.comment')}</dt><dd>${tr.comment}</dd>` : ''}
      ${data.filter(([k]) => k !== 'description' || t.lang === 'en').map(([k, v]) => html`<dt>${t.domain('field', k)}</dt><dd>${recordValue(t, k, v)}</dd>`)}
      ${sig ? html`<dt>${t.t('submission.signature')}</dt><dd class="signature-manifestation">${t.t('submission.signedBy', { name: sig.name ?? '', meaning: t.domain('meaning', sig.meaning ?? ''), at: sig.signedAt ? t.dateTime(sig.signedAt) : '' })}</dd>` : ''}
      <dt>${t.t('submission.hash')}</dt><dd class="hash">${tr.hash}</dd>
      <dt>${t.t('submission.prevHash')}</dt><dd class="hash">${tr.prevHash}</dd>
    </dl>
  </li>`;
}

/** Where a rule comes from, as one line under it (issue 9 §2). */
function ruleSourceLine(t: Translator, source: RuleSource | null | undefined, unconfirmed?: boolean): SafeHtml | string {
  if (!source && !unconfirmed) return '';
  const cite = source ? citation(source) : '';
  return html`<p class="rule-source">${source ? t.t('submission.ruleSource', { source: cite }) : ''}${unconfirmed ? html` <span class="status due_soon">${t.t('submission.ruleUnconfirmed')}</span>` : ''}</p>`;
}

function clocksSection(t: Translator, view: SubmissionView, w: WorkflowDefinition, now: Date, dueSoonDays: number): SafeHtml {
  const c = view.clocks;
  const days = (n: number | null) => (n === null ? t.t('common.none') : t.t('common.days', { count: n }));
  const next = countdownOf(view, now, dueSoonDays);
  const deadline = view.deadlines[0];
  return html`<section aria-labelledby="clocks-heading"><h2 id="clocks-heading">${t.t('submission.clocks')}</h2>
    ${
      c.receivedOn === null
        ? html`<p>${t.t('submission.noClock')}</p>`
        : html`<dl class="facts">
        <dt>${t.t('submission.receivedOn')}</dt><dd>${t.date(c.receivedOn)}</dd>
        ${c.stoppedOn ? html`<dt>${t.t('submission.stoppedOn')}</dt><dd>${t.date(c.stoppedOn)}</dd>` : ''}
        <dt>${t.t('submission.calendarDays')}</dt><dd>${days(c.calendarDays)}</dd>
        <dt>${t.t('submission.holdDays')}</dt><dd>${days(c.holdDays)}</dd>
        ${w.clock?.kind === 'fda' ? html`<dt>${t.t('submission.fdaDays')}</dt><dd>${days(c.fdaDays)}</dd>` : ''}
        ${w.clock?.kind === 'mx' ? html`<dt>${t.t('submission.mxBusinessDays')}</dt><dd>${days(c.mxBusinessDays)}</dd>` : ''}
      </dl>`
    }
    ${
      c.goals.length
        ? html`<table><caption>${t.t('submission.goalsCaption')}</caption>
        <thead><tr><th scope="col">${t.t('submission.goal')}</th><th scope="col">${t.t('submission.goalDue')}</th><th scope="col">${t.t('submission.goalElapsed')}</th><th scope="col">${t.t('submission.goalRemaining')}</th><th scope="col">${t.t('submission.goalStatus')}</th></tr></thead>
        <tbody>${c.goals.map(
          (
            g,
          ) => html`<tr><th scope="row">${t.domain('goal', g.kind)}${ruleSourceLine(t, g.source, g.unconfirmed)}</th><td>${t.date(g.dueDate)}</td><td>${g.elapsed} / ${g.length}</td><td>${g.remainingDays}</td>
          <td><span class="status ${g.status}">${t.domain('goalStatus', g.paused ? 'paused' : g.status)}</span></td></tr>`,
        )}</tbody></table>`
        : ''
    }
    <h3>${t.t('portfolio.colNext')}</h3>
    <div class="next">${next ? html`${nextDateText(t, next)} ${countdownCell(t, next)}` : html`<p>${t.t('next.none')}</p>`}</div>
    <h3 id="deadline">${t.t('submission.nextDeadline')}</h3>
    ${
      deadline
        ? html`<p class="deadline ${deadline.consequence}"><strong>${t.domain('deadline', deadline.kind)}</strong>: <time datetime="${deadline.dueDate}">${t.date(deadline.dueDate)}</time>. ${t.t(
            deadline.passed
              ? 'submission.deadlinePassed'
              : deadline.consequence === 'decision'
                ? 'submission.deadlineDecision'
                : 'submission.deadlineAutomatic',
            { date: t.date(deadline.dueDate), event: t.domain('event', deadline.event) },
          )}</p>
          ${ruleSourceLine(t, deadline.source, deadline.unconfirmed)}`
        : html`<p>${t.t('submission.noDeadline')}</p>`
    }
  </section>`;
}

function dossierSection(
  ctx: WebContext,
  view: SubmissionView,
  documents: Awaited<ReturnType<Engine['listDocuments']>>,
  problem: FormProblem | undefined,
): SafeHtml {
  const { t } = ctx;
  const mine = problem?.type === '__upload' ? problem : undefined;
  const errors: FieldErrors = mine ? fieldErrorsOf(t, mine.error.errors) : new Map();
  const present = new Set(view.dossier.present);
  const role = ctx.session!.user.role;
  // A reviewer of the submission's jurisdiction uploads their agency's correspondence, never dossier items (issue 8 §6).
  const correspondenceKind = correspondenceKindOf(role);
  const jurisdiction = workflowVersion(view.workflow.id, view.workflow.version)?.jurisdiction;
  const reviewer = correspondenceKind !== undefined && jurisdiction === (role === 'fda' ? 'FDA' : 'COFEPRIS');
  const kinds = reviewer
    ? [correspondenceKind]
    : [...new Set([...view.dossier.required, ...documents.map((d) => d.kind)])].filter((k) => !isCorrespondenceKind(k));
  // Nothing to choose, nothing to upload: pathways without a dossier checklist get no form.
  const canUpload = (role === 'manufacturer' || reviewer) && view.status === 'active' && kinds.length > 0;
  const kindValue = mine?.values ? one(mine.values.kind) : reviewer ? correspondenceKind : (view.dossier.missing[0] ?? '');
  const kindErrors = errorsUnder(errors, '/kind');
  const fileErrors = errorsUnder(errors, '/file');
  return html`<section aria-labelledby="dossier-heading" id="dossier"><h2 id="dossier-heading">${t.t('submission.dossier')}</h2>
    ${
      view.dossier.required.length
        ? html`<ul class="checklist">${view.dossier.required.map((k) => html`<li>${present.has(k) ? html`<span class="ok">✔ ${t.t('submission.dossierPresent')}</span>` : html`<span class="bad">✘ ${t.t('submission.dossierMissing')}</span>`} ${t.domain('dossier', k)} ${codes(t, k)}</li>`)}</ul>`
        : html`<p>${t.t('submission.dossierNone')}</p>`
    }
    <h3>${t.t('submission.documents')}</h3>
    ${
      documents.length
        ? html`<table><thead><tr><th scope="col">${t.t('submission.uploadKind')}</th><th scope="col">${t.t('submission.uploadFile')}</th><th scope="col">SHA-256</th><th scope="col">${t.t('submission.when')}</th></tr></thead>
        <tbody>${documents.map((d) => html`<tr><td>${t.domain('dossier', d.kind)}</td><td><a href="/submissions/${view.id}/documents/${d.id}">${d.filename}</a> <span class="muted">(${d.size} B)</span></td><td class="hash">${d.sha256}</td><td>${t.dateTime(d.createdAt)}</td></tr>`)}</tbody></table>`
        : html`<p>${t.t('submission.noDocuments')}</p>`
    }
    ${
      canUpload
        ? html`<h3 id="upload-heading">${t.t('submission.upload')}</h3>
      <form method="post" action="/submissions/${view.id}/documents" enctype="multipart/form-data" novalidate aria-labelledby="upload-heading">
        ${csrfField(ctx)}
        ${mine ? errorSummary(t, mine, 'upload', (p) => p === '/kind' || p === '/file') : ''}
        <div class="field"><label for="${controlId('upload', '/kind')}">${t.t('submission.uploadKind')}</label>
          ${kindErrors.length ? html`<p class="field-error" id="upload-kind-error">${kindErrors.join(' ')}</p>` : ''}
          <select id="${controlId('upload', '/kind')}" name="kind"${kindErrors.length ? html` aria-invalid="true" aria-describedby="upload-kind-error"` : ''}>
            ${kinds.map((k) => html`<option value="${k}"${flag('selected', k === kindValue)}>${t.domain('dossier', k)}</option>`)}
          </select></div>
        <div class="field"><label for="${controlId('upload', '/file')}">${t.t('submission.uploadFile')}</label>
          ${fileErrors.length ? html`<p class="field-error" id="upload-file-error">${fileErrors.join(' ')}</p>` : ''}
          <input id="${controlId('upload', '/file')}" name="file" type="file"${fileErrors.length ? html` aria-invalid="true" aria-describedby="upload-file-error"` : ''}></div>
        <button type="submit">${t.t('submission.uploadSubmit')}</button>
      </form>`
        : ''
    }
  </section>`;
}

export async function renderSubmission(
  ctx: WebContext,
  opts: { engine: Engine; id: string; now: Date; dueSoonDays: number; flash?: string; problem?: FormProblem },
): Promise<string> {
  const { t } = ctx;
  const actor = ctx.session!.user;
  const a = { id: actor.id, name: actor.name, role: actor.role, organization: actor.organization };
  const view: PageView = await opts.engine.getSubmission(a, opts.id);
  const [history, documents, diagram] = await Promise.all([
    opts.engine.history(a, opts.id),
    opts.engine.listDocuments(a, opts.id),
    // The full graph in the reader's words (guide issue 13 §6).
    opts.engine.submissionDiagram(a, opts.id, { state: (p) => t.domain('state', p), event: (e) => t.domain('event', e) }),
  ]);
  const w = workflowVersion(view.workflow.id, view.workflow.version)!;
  const problem = opts.problem;
  // A refusal not tied to one form (e.g. an event no longer allowed) is shown at the top.
  const orphan = problem && problem.type !== '__upload' && !(problem.type && view.allowedEvents.includes(problem.type)) ? problem : undefined;
  const device = Object.entries(view.device);
  const decision = view.decision as { favourable?: boolean } | null;
  const relianceLink =
    actor.role === 'manufacturer' && w.jurisdiction === 'FDA' && decision?.favourable === true
      ? `/submissions/new?${new URLSearchParams({ workflow: 'cofepris-registration', title: `${view.title} — registro sanitario`, 'device.name': typeof view.device.name === 'string' ? view.device.name : '', ...(typeof view.device.model === 'string' && view.device.model ? { 'device.model': view.device.model } : {}), 'input.route': 'abbreviated', 'input.reference.submissionId': view.id })}`
      : null;
  const ref = view.reference as ReferenceView | null;

  const mineSteps = view.steps.filter((st) => st.mine);
  const others = view.steps.filter((st) => !st.mine);
  const body = html`<p><a href="/">${t.t('common.back')}</a></p>
  <h1>${view.title}</h1>
  ${orphan ? errorSummary(t, orphan, 'page', () => false) : ''}
  ${overviewCard(t, view, w, { role: actor.role, now: opts.now, dueSoonDays: opts.dueSoonDays, history })}
  <section aria-labelledby="actions-heading" class="actions" id="actions"><h2 id="actions-heading">${t.t('submission.actions')}</h2>
    ${mineSteps.filter((st) => !st.blocked).map((st) => eventForm(ctx, view, w, st, problem, documents))}
    ${mineSteps
      .filter((st) => st.blocked)
      .map(
        (
          st,
        ) => html`<div class="blocked-step" id="event-${st.event}"><p><strong>${t.domain('event', st.event)}</strong> · <span class="status due_soon">${t.t('overview.blocked')}</span></p>
          <ul>${st.reasons.map((r) => html`<li>${reasonText(t, r)}</li>`)}</ul></div>`,
      )}
    ${mineSteps.length ? '' : html`<p>${t.t('submission.noActions')}</p>`}
    ${
      others.length
        ? html`<ul class="others">${others.map(
            (st) =>
              html`<li>${t.domain('event', st.event)} <span class="muted">${t.t('overview.notYours', { roles: st.roles.map((r) => t.domain('role', r)).join(', ') })}</span>${st.blocked ? html` · <span class="status due_soon">${t.t('overview.blocked')}</span>` : ''}</li>`,
          )}</ul>`
        : ''
    }
  </section>
  ${clocksSection(t, view, w, opts.now, opts.dueSoonDays)}
  ${dossierSection(ctx, view, documents, problem)}
  <section aria-labelledby="summary-heading"><h2 id="summary-heading">${t.t('submission.summary')}</h2>
    <dl class="facts">
      <dt>${t.t('submission.pathway')}</dt><dd>${t.domain('workflow', view.workflow.id)}${codes(t, `${view.workflow.id}@${view.workflow.version}`)}
        ${Object.entries(view.input)
          .filter(([k]) => k !== 'reference')
          .map(([k, v]) => html`<br><span class="muted">${t.domain('field', k)}:</span> ${valueText(t, v)}`)}</dd>
      <dt>${t.t('submission.status')}</dt><dd>${t.domain('status', view.status)}</dd>
      <dt>${t.t('submission.organization')}</dt><dd>${view.organization.name}</dd>
      <dt>${t.t('submission.device')}</dt><dd>${device.map(([k, v], i) => html`${i ? html`<br>` : ''}<span class="muted">${t.domain('field', k)}:</span> ${String(v)}`)}</dd>
      ${ref ? html`<dt>${t.t('submission.reference')}</dt><dd>${referenceText(t, ref)}</dd>` : ''}
      ${
        view.decision
          ? html`<dt>${t.t('submission.reliedOnBy')}</dt><dd>${Object.entries(view.decision)
              .filter(([, v]) => v !== null && typeof v !== 'boolean')
              .map(([k, v], i) => html`${i ? html`<br>` : ''}<span class="muted">${t.domain('field', k)}:</span> ${valueText(t, v)}`)}</dd>`
          : ''
      }
      <dt>${t.t('submission.version')}</dt><dd>${view.version}</dd>
      <dt>${t.t('submission.created')}</dt><dd>${t.dateTime(view.createdAt)}</dd>
      <dt>${t.t('submission.updated')}</dt><dd>${t.dateTime(view.updatedAt)}</dd>
    </dl>
    ${relianceLink ? html`<p><a href="${relianceLink}">${t.t('new.reliance')}</a></p>` : ''}
    ${actor.role === 'auditor' ? html`<p><a href="/submissions/${view.id}/report">${t.t('audit.report')}</a> · <a href="/audit/export?format=jsonl&submission=${view.id}">${t.t('audit.exportSubmissionJsonl')}</a></p>` : ''}
  </section>
  <details class="fold" id="diagram-fold"><summary><h2 id="diagram-heading">${t.t('submission.diagram')}</h2></summary>
    <p id="diagram-help">${t.t('submission.diagramHelp')}</p>
    <div class="diagram" tabindex="0" role="group" aria-labelledby="diagram-heading" aria-describedby="diagram-help"><pre class="mermaid" data-label-id="diagram-heading">${diagram}</pre></div>
  </details>
  <details class="fold" id="history"><summary><h2 id="history-heading">${t.t('submission.history')}</h2></summary>
    <p class="muted">${t.t('submission.historyCaption')}</p>
    <ol class="timeline">${history.map((tr) => historyItem(t, tr))}</ol>
  </details>`;
  return page(ctx, { title: view.title, body, flash: opts.flash, scripts: ['/assets/mermaid.min.js'] });
}
