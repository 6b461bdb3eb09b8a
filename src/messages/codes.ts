/**
 * Messages as data: a catalog code and its parameters. Errors, field errors and refusal reasons
 * carry these; only the edge (the API's error handler, the web pages) renders them in a
 * language, through `format.ts`.
 */
import type { ReferenceTextCode, RefusalCode } from '../../workflows/types.js';
import type { en } from './catalog-en.js';

export type MessageCode = keyof typeof en;
export type Lang = 'en' | 'es';
export const LANGUAGES: readonly Lang[] = ['en', 'es'];

export interface Message {
  readonly code: MessageCode;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** Every refusal code a workflow may return has a message (a missing one does not compile). */
export type MissingRefusalCodes = Exclude<RefusalCode, MessageCode>;
const _everyRefusalCodeHasAMessage: [MissingRefusalCodes] extends [never] ? true : never = true;
void _everyRefusalCodeHasAMessage;

/** So does every phrase of a reference's label and status (`ReferenceFacts`). */
export type MissingReferenceTextCodes = Exclude<ReferenceTextCode, MessageCode>;
const _everyReferenceTextHasAMessage: [MissingReferenceTextCodes] extends [never] ? true : never = true;
void _everyReferenceTextHasAMessage;

/** `{ code, params }` shorthand. */
export function msg(code: MessageCode, params?: Readonly<Record<string, unknown>>): Message {
  return params ? { code, params } : { code };
}

export function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string' && !Array.isArray(value);
}
