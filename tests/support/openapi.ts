/**
 * HTTP answers checked against the OpenAPI document the server serves (issue 10 §6, §7): the
 * operation exists, the status is documented for it, the content type is one it documents, the
 * body validates (ajv, draft 2020-12) against the schema of that status and content type, and
 * documented headers validate against their schemas. A method the document does not list for a
 * path must be a 405 with `Allow` naming exactly the documented ones (GET implies HEAD), or, on a
 * path behind the bearer token, the 401 (429) that authentication answers first.
 *
 *   const contract = openApiContract();
 *   expectDocumented(contract, await request(app).get('/v1/me').set(user.auth));
 *
 * `contract.check(...)` returns the violations as strings instead (for property tests).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Response } from 'supertest';
import { expect } from 'vitest';
import { buildOpenApi } from '../../src/http/openapi.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, any>;
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const DOC_ID = 'https://puente.dev/openapi.json';

/** One HTTP answer as the contract sees it. */
export interface Answer {
  readonly method: string;
  /** The request path (query string allowed; it is ignored). */
  readonly path: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as text ('' when none). */
  readonly text: string;
}

export interface Matched {
  readonly template: string;
  /** The lower-case methods the document lists for the path. */
  readonly methods: readonly string[];
}

export const pointer = (...segments: string[]) => segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const essence = (type: string) => type.split(';')[0]!.trim().toLowerCase();

export class OpenApiContract {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly templates: Array<{ template: string; pattern: RegExp; literal: number }>;

  constructor(readonly doc: Json = buildOpenApi()) {
    this.ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...structuredClone(doc), $id: DOC_ID });
    this.templates = Object.keys(doc.paths as Json)
      .map((template) => ({
        template,
        pattern: new RegExp(
          `^${template
            .split(/(\{[^}]+\})/)
            .map((p) => (p.startsWith('{') ? '[^/]+' : p.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
            .join('')}/?$`,
          'i',
        ),
        literal: template.replace(/\{[^}]+\}/g, '').length,
      }))
      .sort((a, b) => b.literal - a.literal);
  }

  /** The documented path a request path falls under, if any. */
  match(path: string): Matched | undefined {
    const bare = path.split('?')[0]!;
    const t = this.templates.find((x) => x.pattern.test(bare));
    if (!t) return undefined;
    const item = this.doc.paths[t.template] as Json;
    return { template: t.template, methods: HTTP_METHODS.filter((m) => m in item) };
  }

  /** A validator for the schema at a JSON pointer into the document. */
  private validator(ptr: string): ValidateFunction {
    let v = this.compiled.get(ptr);
    if (!v) {
      v = this.ajv.compile({ $ref: `${DOC_ID}#${ptr}` });
      this.compiled.set(ptr, v);
    }
    return v;
  }

  /** Whether `value` validates against the schema at a JSON pointer into the document (e.g. a parameter's). */
  valid(ptr: string, value: unknown): boolean {
    return this.validator(ptr)(value);
  }

  /** Every way `answer` departs from the document (empty when it conforms). */
  check(answer: Answer): string[] {
    const where = `${answer.method} ${answer.path.slice(0, 200)} -> ${answer.status}`;
    const out: string[] = [];
    const method = answer.method.toLowerCase();
    const matched = this.match(answer.path);
    if (!matched) {
      // 404, or what /v1 says before routing (401 without a token, 429, 422 for a NUL).
      if (answer.status < 400 || answer.status >= 500) out.push(`${where}: an undocumented path answered other than a 4xx`);
      return out;
    }
    const allowed = new Set(matched.methods);
    if (allowed.has('get')) allowed.add('head');
    if (!allowed.has(method)) {
      // Behind the bearer token, authentication answers first (401, or 429 after many failures).
      const item = this.doc.paths[matched.template] as Json;
      const bearer = matched.methods.every((m) => !(Array.isArray(item[m].security) && item[m].security.length === 0));
      if (bearer && (answer.status === 401 || answer.status === 429)) return method === 'head' ? out : this.checkProblem(where, answer);
      if (answer.status !== 405) out.push(`${where}: ${answer.method} is not documented for ${matched.template}, expected 405`);
      const allow = String(answer.headers.allow ?? '');
      const expected = [...allowed]
        .map((m) => m.toUpperCase())
        .sort()
        .join(', ');
      if (
        allow
          .split(',')
          .map((m) => m.trim())
          .filter(Boolean)
          .sort()
          .join(', ') !== expected
      )
        out.push(`${where}: Allow is "${allow}", expected ${expected}`);
      if (method !== 'head') out.push(...this.checkProblem(where, answer));
      return out;
    }
    const opMethod = method === 'head' && !(method in this.doc.paths[matched.template]) ? 'get' : method;
    const base = ['', 'paths', matched.template, opMethod, 'responses'];
    const responses = this.operation(matched, opMethod).responses as Json;
    const key =
      String(answer.status) in responses
        ? String(answer.status)
        : `${String(answer.status)[0]}XX` in responses
          ? `${String(answer.status)[0]}XX`
          : 'default' in responses
            ? 'default'
            : undefined;
    if (key === undefined) {
      out.push(
        `${where}: status ${answer.status} is not documented for ${opMethod.toUpperCase()} ${matched.template} (documented: ${Object.keys(responses).join(' ')}); body ${answer.text.slice(0, 300)}`,
      );
      return out;
    }
    const response = responses[key] as Json;
    for (const [name, h] of Object.entries((response.headers ?? {}) as Json)) {
      const value = answer.headers[name.toLowerCase()];
      if (value === undefined) {
        if ((h as Json).required) out.push(`${where}: required header ${name} missing`);
        continue;
      }
      const v = this.validator(pointer(...base, key, 'headers', name, 'schema'));
      if (!v(value)) out.push(`${where}: header ${name}: ${JSON.stringify(value)} ${this.ajv.errorsText(v.errors)}`);
    }
    const content = response.content as Json | undefined;
    if (method === 'head') return out;
    if (!content) {
      if (answer.text.length > 0) out.push(`${where}: a body where the document has none: ${answer.text.slice(0, 200)}`);
      return out;
    }
    const type = String(answer.headers['content-type'] ?? '');
    const mediaKey =
      Object.keys(content).find((k) => essence(k) === essence(type)) ??
      Object.keys(content).find((k) => k === '*/*' || (k.endsWith('/*') && essence(type).startsWith(k.slice(0, -1))));
    if (mediaKey === undefined) {
      out.push(`${where}: content type "${type}" is not documented (documented: ${Object.keys(content).join(', ')})`);
      return out;
    }
    if (!('schema' in (content[mediaKey] as Json))) return out;
    const jsonish = /^application\/(?:[\w.+-]+\+)?json$/.test(essence(type));
    let body: unknown = answer.text;
    if (jsonish) {
      try {
        body = JSON.parse(answer.text);
      } catch {
        out.push(`${where}: ${type} body is not JSON: ${answer.text.slice(0, 200)}`);
        return out;
      }
    }
    const v = this.validator(pointer(...base, key, 'content', mediaKey, 'schema'));
    if (!v(body)) out.push(`${where}: body does not match the ${key} ${mediaKey} schema: ${this.ajv.errorsText(v.errors)}; body ${answer.text.slice(0, 300)}`);
    return out;
  }

  private operation(m: Matched, method: string): Json {
    return (this.doc.paths[m.template] as Json)[method] as Json;
  }

  /** A problem+json whose body validates against the Problem schema (405, and 401 before it). */
  private checkProblem(where: string, answer: Answer): string[] {
    if (!/^application\/problem\+json\b/.test(String(answer.headers['content-type'] ?? ''))) return [`${where}: not application/problem+json`];
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      return [`${where}: problem body is not JSON`];
    }
    const v = this.validator('/components/schemas/Problem');
    return v(body) ? [] : [`${where}: body is no Problem: ${this.ajv.errorsText(v.errors)}`];
  }
}

let shared: OpenApiContract | undefined;

/** The contract of the document the app serves (built once per test file). */
export function openApiContract(): OpenApiContract {
  shared ??= new OpenApiContract();
  return shared;
}

/** A supertest response as the contract sees it. */
export function answerOf(res: Response): Answer {
  const req = (res as unknown as { req: { method: string; path: string } }).req;
  return { method: req.method, path: req.path, status: res.status, headers: res.headers, text: res.text ?? '' };
}

/** Asserts that a supertest response is one the OpenAPI document describes; returns it. */
export function expectDocumented(res: Response, contract: OpenApiContract = openApiContract()): Response {
  expect(contract.check(answerOf(res))).toEqual([]);
  return res;
}
