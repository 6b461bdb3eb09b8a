/**
 * Creating a submission: choose the pathway, then title, device and the pathway's own input,
 * all generated from the JSON Schemas the API validates with. A COFEPRIS reliance route names
 * its reference FDA submission from a list of the organization's favourable FDA decisions.
 */
import fs from 'node:fs';
import { checkJsonText } from '../../validation.js';
import type { CreateSubmissionBody, Engine } from '../../engine/engine.js';
import { latestWorkflow, latestWorkflows } from '../../../workflows/index.js';
import type { JsonSchema } from '../../../workflows/types.js';
import { formToJson, renderField, renderSchemaFields, type FieldErrors, type FormValues } from '../forms.js';
import { flag, html } from '../html.js';
import { csrfField, page, type WebContext } from '../layout.js';
import type { FormProblem } from './submission.js';

const DEVICE_SCHEMA = JSON.parse(fs.readFileSync(new URL('../../../schemas/device.json', import.meta.url), 'utf8')) as JsonSchema;
const one = (v: FormValues[string]): string => (typeof v === 'string' ? v : Array.isArray(v) ? String(v[0] ?? '') : '');

/** The input schema without `reference`, which the page asks for as a pick list. */
function inputWithoutReference(schema: JsonSchema): JsonSchema {
  const props = { ...((schema.properties ?? {}) as Record<string, unknown>) };
  delete props.reference;
  const { allOf: _allOf, ...rest } = schema as Record<string, unknown>;
  return { ...rest, properties: props, required: ((schema.required ?? []) as string[]).filter((r) => r !== 'reference') };
}

export function parseNewSubmissionForm(values: FormValues): CreateSubmissionBody {
  const workflow = one(values.workflow);
  const w = latestWorkflow(workflow);
  const input = w ? formToJson(inputWithoutReference(w.inputSchema), values, 'input') : {};
  const ref = one(values['input.reference.submissionId']).trim();
  if (ref) input.reference = { submissionId: ref };
  const body = { workflow, title: one(values.title).trim(), device: formToJson(DEVICE_SCHEMA, values, 'device') as CreateSubmissionBody['device'], input };
  // The same text checks as a JSON body (NUL, lone surrogates, depth of a JSON field).
  checkJsonText(body);
  return body;
}

export async function renderNewSubmission(ctx: WebContext, opts: { engine: Engine; values: FormValues; problem?: Omit<FormProblem, 'type'> }): Promise<string> {
  const { t } = ctx;
  const values = opts.values;
  const w = latestWorkflow(one(values.workflow));
  const errors: FieldErrors = new Map(
    Object.entries((opts.problem?.error.errors ?? []).reduce<Record<string, string[]>>((acc, e) => ((acc[e.path] ??= []).push(t.fieldError(e)), acc), {})),
  );
  const chooser = html`<form method="get" action="/submissions/new">
    <div class="field"><label for="new-workflow">${t.t('new.chooseWorkflow')}</label>
      <select id="new-workflow" name="workflow">${latestWorkflows().map((x) => html`<option value="${x.id}"${flag('selected', x.id === w?.id)}>${t.domain('workflow', x.id)}</option>`)}</select></div>
    <button type="submit">${t.t('new.next')}</button></form>`;
  let form = html``;
  if (w) {
    const hasReference = Object.hasOwn(w.inputSchema.properties ?? {}, 'reference');
    let references: Array<{ id: string; title: string }> = [];
    if (hasReference) {
      const u = ctx.session!.user;
      const actor = { id: u.id, name: u.name, role: u.role, organization: u.organization };
      const seen = new Map<string, string>();
      for (const status of ['closed', 'active'] as const) {
        const { items } = await opts.engine.listSubmissions(actor, { status, limit: '200' });
        for (const s of items)
          if ((s.decision as { favourable?: boolean } | null)?.favourable)
            seen.set(s.id, `${s.title} (${String((s.decision as { number?: string }).number ?? s.state)})`);
      }
      references = [...seen].map(([id, title]) => ({ id, title }));
    }
    const refValue = one(values['input.reference.submissionId']);
    const refErrors = [...errors].filter(([p]) => p.startsWith('/input/reference')).flatMap(([, m]) => m);
    form = html`<form method="post" action="/submissions" novalidate aria-labelledby="new-heading">
      ${csrfField(ctx)}
      <input type="hidden" name="workflow" value="${w.id}">
      ${
        opts.problem
          ? html`<div class="error-summary" role="alert" tabindex="-1"><h2>${t.errorTitle(opts.problem.error.code)}</h2><p>${t.errorDetail(opts.problem.error)}</p>
        <ul>${opts.problem.error.errors.map(
          (e) =>
            html`<li>${
              e.path
                ? `${t.domain(
                    'field',
                    e.path
                      .split('/')
                      .filter((s) => !/^\d+$/.test(s))
                      .pop() ?? '',
                  )}: `
                : ''
            }${t.fieldError(e)}</li>`,
        )}</ul></div>`
          : ''
      }
      ${renderField({ schema: { type: 'string', minLength: 1, maxLength: 500 }, name: 'title', pointer: '/title', label: t.t('new.titleField'), required: true, values, errors, t, idPrefix: 'new' })}
      <fieldset><legend>${t.t('new.device')}</legend>${renderSchemaFields(DEVICE_SCHEMA, { name: 'device', pointer: '/device', idPrefix: 'new', values, errors, t })}</fieldset>
      <fieldset><legend>${t.t('new.input')}</legend>
        ${renderSchemaFields(inputWithoutReference(w.inputSchema), { name: 'input', pointer: '/input', idPrefix: 'new', values, errors, t })}
        ${
          hasReference
            ? html`<div class="field"><label for="new-reference">${t.t('new.reference')}</label>
            <p class="hint" id="new-reference-hint">${t.t('new.referenceHint')}</p>
            ${refErrors.length ? html`<p class="field-error" id="new-reference-error">${refErrors.join(' ')}</p>` : ''}
            <select id="new-reference" name="input.reference.submissionId" aria-describedby="new-reference-hint${refErrors.length ? ' new-reference-error' : ''}"${refErrors.length ? html` aria-invalid="true"` : ''}>
              <option value="">${t.t('new.referenceNone')}</option>
              ${references.map((r) => html`<option value="${r.id}"${flag('selected', r.id === refValue)}>${r.title}</option>`)}
              ${refValue && !references.some((r) => r.id === refValue) ? html`<option value="${refValue}" selected>${refValue}</option>` : ''}
            </select></div>`
            : ''
        }
      </fieldset>
      <button type="submit">${t.t('new.create')}</button>
    </form>`;
  }
  const body = html`<h1 id="new-heading">${t.t('new.title')}</h1>${chooser}${w ? html`<h2>${t.domain('workflow', w.id)}</h2>${form}` : ''}`;
  return page(ctx, { title: t.t('new.title'), body });
}
