/**
 * The message catalogs (issue 10): every code has an English and a Spanish message, both parse
 * as ICU MessageFormat and use the same placeholders; every code the code base names exists;
 * ajv's errors map to codes whose English is exactly ajv's; Accept-Language negotiation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS } from '../../workflows/index.js';
import { en } from '../../src/messages/catalog-en.js';
import { es } from '../../src/messages/catalog-es.js';
import { CATALOGS, formatMessage, negotiateLanguage, reasonsText, type MessageCode } from '../../src/messages/format.js';
import { InputError, type FieldError } from '../../src/errors.js';
import { createValidator, eventSchemaId, inputSchemaId } from '../../src/validation.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CODES = Object.keys(en) as MessageCode[];

/** The argument names of an ICU message, recursively (select and plural options included). */
function placeholders(text: string, locale: string): string[] {
  const names = new Set<string>();
  const walk = (elements: readonly unknown[]): void => {
    for (const el of elements as Array<{ type: number; value?: unknown; options?: Record<string, { value: unknown[] }>; children?: unknown[] }>) {
      // 0 literal, 7 pound; everything else names an argument
      if (el.type !== 0 && el.type !== 7 && typeof el.value === 'string') names.add(el.value);
      for (const option of Object.values(el.options ?? {})) walk(option.value);
      if (el.children) walk(el.children);
    }
  };
  walk(new IntlMessageFormat(text, locale, undefined, { ignoreTag: true }).getAst());
  return [...names].sort();
}

describe('message catalogs', () => {
  it('have the same codes in English and Spanish, none empty', () => {
    expect(Object.keys(es).sort()).toEqual([...CODES].sort());
    for (const code of CODES) {
      expect(en[code].trim(), code).not.toBe('');
      expect(es[code].trim(), code).not.toBe('');
    }
  });

  it('parse as ICU MessageFormat and use the same placeholders in both languages', () => {
    const differ: string[] = [];
    for (const code of CODES) {
      const a = placeholders(en[code], 'en-US');
      const b = placeholders(es[code], 'es-MX');
      if (a.join() !== b.join()) differ.push(`${code}: en {${a.join(', ')}} es {${b.join(', ')}}`);
    }
    expect(differ).toEqual([]);
  });

  it('Spanish differs from English except where a message is only data', () => {
    const same = CODES.filter((c) => en[c] === es[c]);
    expect(same.sort()).toEqual(['invalid.first_error', 'reference.tracked', 'validation.other']);
  });

  it('knows every code the sources name (`code: …`, `reason(…)`)', () => {
    const files = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === 'generated' ? [] : files(p);
        return e.name.endsWith('.ts') ? [p] : [];
      });
    const named = new Set<string>();
    for (const f of [...files(path.join(ROOT, 'src')), ...files(path.join(ROOT, 'workflows'))]) {
      const src = fs.readFileSync(f, 'utf8');
      for (const m of src.matchAll(
        /(?:\bcode: |\breason\(|\bcode: [^'\n]*\? )'((?:validation|invalid|error|http|auth|workflow|user|signature|password|engine|refusal|audit|log|webhook|web|classification)\.[a-z_]+)'/g,
      ))
        named.add(m[1]!);
    }
    expect(named.size).toBeGreaterThan(100);
    expect([...named].filter((c) => !(c in en))).toEqual([]);
  });

  it('renders every message in both languages once its placeholders have values', () => {
    for (const code of CODES) {
      const sample = Object.fromEntries(placeholders(en[code], 'en-US').map((name) => [name, 2]));
      for (const lang of ['en', 'es'] as const) {
        const text = formatMessage(code, sample, lang);
        expect(text, `${lang} ${code}`).not.toBe(code);
        expect(text, `${lang} ${code}`).not.toMatch(/\{\w+\}/);
      }
    }
    // A missing parameter never throws while answering an error: English, then the code.
    expect(formatMessage('refusal.link_already', {}, 'es')).toBe('refusal.link_already');
  });
});

describe('parameters rendered per language', () => {
  it('ids in English, labels in Spanish', () => {
    const params = {
      event: 'SUBMIT',
      state: 'preparing',
      reasons: [{ code: 'refusal.dossier_incomplete', params: { kinds: ['fee-receipt', 'label-ifu-es'] } }],
    };
    expect(formatMessage('refusal.refused', params, 'en')).toBe(
      'SUBMIT is refused in state preparing: the dossier is incomplete; missing: fee-receipt, label-ifu-es',
    );
    expect(formatMessage('refusal.refused', params, 'es')).toBe(
      '«Presentar» se rechaza en el estado «Integración del expediente»: el expediente está incompleto; faltan: «Comprobante de pago de derechos (LFD art. 195-A)», «Proyecto de etiqueta en español e instructivo de uso (NOM-137-SSA1-2008)»',
    );
  });

  it('numbers as written, without grouping', () => {
    expect(formatMessage('http.too_large', { limit: 1048576 }, 'en')).toBe('The request body is larger than the limit of 1048576 bytes');
    expect(formatMessage('validation.max_length', { limit: 4000 }, 'es')).toBe('debe tener como máximo 4000 caracteres');
    expect(formatMessage('validation.min_length', { limit: 1 }, 'es')).toBe('no debe estar vacío');
  });

  it('ICU quoting keeps braces and apostrophes', () => {
    expect(formatMessage('engine.must_sign', { event: 'DECIDE_SE' }, 'en')).toBe(
      'DECIDE_SE must be signed: send signature { meaning, password } (21 CFR 11.50, 11.200)',
    );
    expect(formatMessage('password.user_name', {}, 'en')).toBe("must not be the user's name");
    expect(formatMessage('engine.signature_required_field', {}, 'en')).toBe(
      'is required for this event: { "meaning": "approval" | "review" | "responsibility" | "authorship", "password" }',
    );
  });

  it('reasonsText joins a workflow’s reasons as the 409 detail does', () => {
    expect(reasonsText(undefined)).toBeUndefined();
    expect(reasonsText([])).toBeUndefined();
    expect(reasonsText([{ code: 'refusal.dossier_unchecked' }, { code: 'refusal.abbreviated_identical' }])).toBe(
      'the dossier could not be checked; the abbreviated route requires the device to be identical to the one the reference authorized (identicalDevice)',
    );
  });
});

describe('negotiateLanguage (Accept-Language)', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['es', 'es'],
    ['es-MX', 'es'],
    ['es-419,es;q=0.9', 'es'],
    ['ES-mx', 'es'],
    ['en-US,en;q=0.9,es;q=0.8', 'en'],
    ['es-MX,es;q=0.9,en;q=0.8', 'es'],
    ['fr-FR, es;q=0.5', 'es'],
    ['fr-FR', 'en'],
    ['es;q=0', 'en'],
    ['en;q=0.1, es;q=0.2', 'es'],
    ['*', 'en'],
    ['es;q=abc', 'en'],
  ] as const)('%s -> %s', (header, lang) => {
    expect(negotiateLanguage(header)).toBe(lang);
  });
});

describe('ajv errors as codes', () => {
  const validator = createValidator(WORKFLOWS);

  /** Field errors a generic bad payload draws from every event and input schema. */
  function fieldErrors(): FieldError[] {
    const out: FieldError[] = [];
    const bad = (schema: Record<string, unknown>): unknown[] => {
      const values: unknown[] = [null, [], 'x', { 'unknown field': 1 }, {}];
      for (const [name, sub] of Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        for (const v of [12.5, -1, 'x', '', ' ', 'x'.repeat(5000), true, [], [1], ['', ''], {}, null, '2026-13-45', 1e12]) values.push({ [name]: v });
        if (Array.isArray(sub.enum)) values.push({ [name]: `${String(sub.enum[0])}-nope` });
      }
      return values;
    };
    for (const w of WORKFLOWS) {
      const ids: Array<[string, Record<string, unknown>]> = [
        [inputSchemaId(w), w.inputSchema],
        ...Object.entries(w.events).map(([t, s]) => [eventSchemaId(w, t), s.schema] as [string, Record<string, unknown>]),
      ];
      for (const [id, schema] of ids) {
        for (const value of bad(schema)) {
          try {
            validator.check(id, value, '/data', { code: 'invalid.event_data', params: { event: 'SUBMIT' } });
          } catch (e) {
            if (!(e instanceof InputError)) throw e;
            expect(e.detail?.code).toBe('invalid.first_error');
            out.push(...e.errors);
          }
        }
      }
    }
    return out;
  }

  const errors = fieldErrors();

  it('each has a code whose English is the message ajv gives', () => {
    expect(errors.length).toBeGreaterThan(1000);
    for (const e of errors) {
      expect(e.code, e.message).toBeDefined();
      expect(formatMessage(e.code!, e.params, 'en')).toBe(e.message);
    }
  });

  it('none falls back to the untranslated code', () => {
    const other = new Set(errors.filter((e) => e.code === 'validation.other').map((e) => e.message));
    expect([...other]).toEqual([]);
    const codes = new Set(errors.map((e) => e.code));
    for (const c of [
      'validation.required',
      'validation.type',
      'validation.enum',
      'validation.unknown_field',
      'validation.min_length',
      'validation.max_length',
      'validation.pattern',
      'validation.format',
    ]) {
      expect(codes.has(c as MessageCode), c).toBe(true);
    }
  });

  it('each reads as Spanish', () => {
    const ENGLISH = /\b(must|required|should|have|match|NOT|is|are|be|not|known|field|fewer|more than|characters|items)\b/;
    for (const e of errors) {
      const text = formatMessage(e.code!, e.params, 'es');
      expect(text, e.message).not.toBe(e.message);
      expect(text.replace(/"[^"]*"|«[^»]*»/g, ''), `${e.message} -> ${text}`).not.toMatch(ENGLISH);
    }
  });

  it('the detail names the subject and the first error, in either language', () => {
    try {
      validator.check(
        eventSchemaId(
          WORKFLOWS.find((w) => w.id === 'fda-510k')!,
          'DECIDE_SE',
        ),
        {},
        '/data',
        { code: 'invalid.event_data', params: { event: 'DECIDE_SE' } },
      );
      expect.unreachable();
    } catch (e) {
      const err = e as InputError;
      expect(err.message).toMatch(/^The data of DECIDE_SE is invalid: \/data\/\w+ is required$/);
      expect(formatMessage(err.detail.code, err.detail.params, 'es')).toMatch(
        /^Los datos de «Decidir: sustancialmente equivalente» no son válidos: \/data\/\w+ es obligatorio$/,
      );
    }
  });
});

/** Catalogs stay keyed by the same codes (a compile-time guarantee, checked here at run time too). */
it('CATALOGS holds both languages', () => {
  expect(Object.keys(CATALOGS).sort()).toEqual(['en', 'es']);
});
