/**
 * Regulator correspondence (issue 8 §6, DESIGN §9). What an FDA or COFEPRIS reviewer uploads to a
 * submission (a letter, a request, meeting minutes) is the agency's correspondence, kept with the
 * submission's documents and hashed into its chain like any upload, but never an item of the
 * applicant's dossier: it cannot complete a checklist nor stand in for a document the applicant
 * must file. So each agency has its own kinds, `<agency>-correspondence` and
 * `<agency>-correspondence-<subject>` (e.g. `fda-correspondence-ai-letter`); a reviewer uploads
 * only those of their agency, and nobody else uploads them.
 */
import type { Role } from '../../workflows/types.js';

/** The correspondence kind of each regulator role. */
const CORRESPONDENCE_KIND: Readonly<Partial<Record<Role, string>>> = { fda: 'fda-correspondence', cofepris: 'cofepris-correspondence' };

const BASES = Object.values(CORRESPONDENCE_KIND);

const inNamespace = (kind: string, base: string) => kind === base || kind.startsWith(`${base}-`);

/** True when `kind` is some regulator's correspondence, not a dossier kind. */
export function isCorrespondenceKind(kind: string): boolean {
  return BASES.some((base) => inNamespace(kind, base));
}

/** The correspondence kind `role` uploads (its subjects add `-<subject>`), or undefined when the role writes none. */
export function correspondenceKindOf(role: Role): string | undefined {
  return CORRESPONDENCE_KIND[role];
}

/** True when `role` may upload a document of `kind` as correspondence: a regulator, its own agency's kinds. */
export function isOwnCorrespondence(role: Role, kind: string): boolean {
  const base = CORRESPONDENCE_KIND[role];
  return base !== undefined && inNamespace(kind, base);
}
