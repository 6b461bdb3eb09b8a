/**
 * Server-rendered HTML with escaping by default: every value interpolated into `html`...`` is
 * escaped unless it is already `SafeHtml` (another `html` fragment, or `raw()` of trusted text).
 * Nothing a user typed can become markup (XSS), whatever page renders it.
 */

/** Markup that is already safe to emit. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Text escaped for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

/** Interpolated value: SafeHtml as is, arrays joined, null/undefined/false as nothing, the rest escaped. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(value));
}

/** Tagged template: `html\`<p>${name}</p>\`` escapes `name`. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Trusted markup (constants written in this code base, never user input). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** An attribute that is present only when `on` (e.g. `checked`, `required`). */
export function flag(name: string, on: boolean | undefined): SafeHtml {
  return new SafeHtml(on ? ` ${name}` : '');
}
