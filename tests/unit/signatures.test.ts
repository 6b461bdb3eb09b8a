/**
 * Electronic signatures, the pure parts (issue 6): scrypt password hashes and the password rules
 * (21 CFR 11.300), and which events each workflow version marks `requiresSignature` (11.50).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD_POLICY, hashPassword, passwordProblems, verifyPassword } from '../../src/engine/passwords.js';
import { WORKFLOWS, latestWorkflows } from '../../workflows/index.js';
import { signedEvents } from '../../workflows/common.js';

const FAST = { ln: 8, r: 8, p: 1 };

describe('scrypt password hashes', () => {
  it('a PHC string with its parameters and a fresh salt each time; verifies the right password only', async () => {
    const a = await hashPassword('Correct-Horse-42', FAST);
    const b = await hashPassword('Correct-Horse-42', FAST);
    expect(a).toMatch(/^\$scrypt\$ln=8,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('Correct-Horse-42');
    expect(await verifyPassword('Correct-Horse-42', a)).toBe(true);
    expect(await verifyPassword('Correct-Horse-43', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('the default cost is N = 2^15, r = 8, p = 1', async () => {
    expect(await hashPassword('Correct-Horse-42')).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
  });

  it('Unicode is compared in NFC (the same password typed on another keyboard still matches)', async () => {
    const h = await hashPassword('Contrase\u00f1a-Segura-1', FAST);
    expect(await verifyPassword('Contrasen\u0303a-Segura-1', h)).toBe(true);
  });

  it('an unreadable or tampered hash never verifies (and an absurd cost is refused, not computed)', async () => {
    const h = await hashPassword('Correct-Horse-42', FAST);
    for (const bad of ['', 'plain', h.replace('$scrypt$', '$argon2id$'), h.replace('ln=8', 'ln=40'), h.replace('ln=8', 'ln=0'), h.slice(0, -4), `${h}x`]) {
      expect(await verifyPassword('Correct-Horse-42', bad), bad).toBe(false);
    }
  });
});

describe('password rules', () => {
  const rules = (pw: string, name?: string) => passwordProblems(pw, DEFAULT_PASSWORD_POLICY, '/newPassword', { userName: name }).map((p) => p.message);

  it('default: at least 12 characters mixing 3 of lowercase, uppercase, digits, other', () => {
    expect(rules('Correct-Horse-42')).toEqual([]);
    expect(rules('correcthorse42!')).toEqual([]);
    expect(rules('Short-1a')).toEqual(['must have at least 12 characters']);
    expect(rules('onlylowercaseletters')).toEqual([expect.stringMatching(/mix at least 3/)]);
    expect(rules('ÁÉÍÓÚáéíóú1234')).toEqual([]); // letters of any script count
  });

  it('no surrounding white space, no control characters, not the user name', () => {
    expect(rules(' Correct-Horse-42')).toEqual(['must not begin or end with white space']);
    expect(rules('Correct\u0000Horse-42')).toEqual(['must not contain control characters']);
    expect(rules('Dr. James Carter 1', 'dr. james carter 1')).toEqual(["must not be the user's name"]);
  });

  it('the rules are configuration', () => {
    expect(passwordProblems('abcdefgh', { minLength: 8, minCharacterClasses: 1 }, '/p')).toEqual([]);
    expect(passwordProblems('abcdefgh', { minLength: 8, minCharacterClasses: 2 }, '/p')).toHaveLength(1);
  });
});

describe('requiresSignature in the machine files', () => {
  const latest = new Map(latestWorkflows().map((w) => [w.id, w]));
  /** The first version of workflow `id` that marks signed events (issue 6). */
  const firstSigned = (id: string) =>
    WORKFLOWS.filter((x) => x.id === id && Object.values(x.events).some((e) => e.requiresSignature)).sort((a, b) => a.version - b.version)[0]!;
  const signed = (id: string) =>
    Object.entries(latest.get(id)!.events)
      .filter(([, e]) => e.requiresSignature)
      .map(([t]) => t)
      .sort();

  it('the latest version of each workflow marks every regulator decision and the manufacturer filings', () => {
    // Issue 13 §2: the party's own terminal step (WITHDRAW, DESIST) is signed from the versions of that issue.
    expect(signed('fda-510k')).toEqual(['DECIDE_NSE', 'DECIDE_SE', 'RESCIND_SE', 'SUBMIT', 'WITHDRAW']);
    expect(signed('fda-de-novo')).toEqual(['DECIDE_DECLINE', 'DECIDE_GRANT', 'SUBMIT', 'WITHDRAW']);
    // fda-pma@4 (issue 9, 21 CFR 814.42 and 814.44): FDA's decisions to close a PMA it refused to file,
    // to consider it withdrawn and to keep its refusal after the informal conference; the applicant's
    // filing amendment (814.42(d)(1)) is a filing.
    expect(signed('fda-pma')).toEqual([
      'CLOSE_NOT_FILED',
      'CONSIDER_WITHDRAWN',
      'FDA_OBJECTS',
      'FILING_AMENDMENT',
      'ISSUE_APPROVABLE',
      'ISSUE_APPROVAL_ORDER',
      'ISSUE_DENIAL',
      'ISSUE_NOT_APPROVABLE',
      'REFUSE_TO_FILE',
      'SUBMIT',
      'UPHOLD_REFUSAL_TO_FILE',
      'WITHDRAW',
      'WITHDRAW_APPROVAL',
    ]);
    expect(signed('fda-hde')).toEqual([
      'HUD_DENIED',
      'HUD_DESIGNATED',
      'ISSUE_APPROVABLE',
      'ISSUE_APPROVAL_ORDER',
      'ISSUE_DENIAL',
      'ISSUE_NOT_APPROVABLE',
      'REFUSE_TO_FILE',
      'REQUEST_HUD',
      'SUBMIT_HDE',
      'WITHDRAW',
      'WITHDRAW_APPROVAL',
    ]);
    expect(signed('fda-presub')).toEqual(['SUBMIT', 'WITHDRAW']);
    expect(signed('fda-breakthrough')).toEqual(['DENY', 'GRANT', 'REQUEST_DESIGNATION', 'WITHDRAW', 'WITHDRAW_DESIGNATION']);
    // cofepris-registration@6 (issue 9): desechar an unanswered prevención is COFEPRIS's decision
    // (LFPA art. 17-A; no longer a system timeout), and so is the constancia of the afirmativa ficta
    // (RIS art. 179) with the registration number it assigns.
    expect(signed('cofepris-registration')).toEqual([
      'APPROVE_MODIFICATION',
      'DENY',
      'DENY_PRORROGA',
      'DESIST',
      'GRANT',
      'GRANT_PRORROGA',
      'PREVENCION_TIMEOUT',
      'RECORD_FICTA_CERTIFICATE',
      'REJECT_MODIFICATION',
      'REVOKE',
      'SUBMIT',
      'SUBMIT_MODIFICATION',
      'SUBMIT_PRORROGA',
    ]);
    // The versions of issue 13 §2 (deliberate steps) are the latest; every one keeps the signed
    // events of the version before it, and only regulators and manufacturers sign.
    expect([...latest.values()].map((w) => `${w.id}@${w.version}`).sort()).toEqual([
      'cofepris-registration@7',
      'fda-510k@5',
      'fda-breakthrough@6',
      'fda-de-novo@5',
      'fda-hde@5',
      'fda-pma@5',
      'fda-presub@5',
    ]);
    for (const w of latest.values()) {
      const previous = WORKFLOWS.find((x) => x.id === w.id && x.version === w.version - 1)!;
      for (const [type, e] of Object.entries(previous.events))
        if (e.requiresSignature) expect(w.events[type]?.requiresSignature, `${w.id}@${w.version} ${type}`).toBe(true);
      for (const type of signed(w.id))
        expect(['fda', 'cofepris', 'manufacturer'], `${w.id} ${type}`).toEqual(expect.arrayContaining([...w.events[type]!.roles]));
    }
  });

  it('only the event specs change between a version and its signed successor (same machine, clock, goals)', () => {
    for (const id of latest.keys()) {
      // The first version of each workflow that marks signed events, against the one before it.
      const w = firstSigned(id);
      expect(`${w.id}@${w.version}`).toBe(id === 'cofepris-registration' ? 'cofepris-registration@4' : `${id}@3`);
      const previous = WORKFLOWS.find((x) => x.id === w.id && x.version === w.version - 1)!;
      expect(w.machine).toBe(previous.machine);
      expect(w.clock).toBe(previous.clock);
      expect(w.goals).toBe(previous.goals);
      for (const [type, spec] of Object.entries(w.events))
        expect({ ...spec, requiresSignature: undefined }).toEqual({ ...previous.events[type], requiresSignature: undefined });
    }
  });

  it('system-actor events never require a signature, and released versions before the flag have none', () => {
    for (const w of WORKFLOWS) {
      for (const [type, e] of Object.entries(w.events))
        if (e.roles.includes('system')) expect(e.requiresSignature, `${w.id}@${w.version} ${type}`).toBeUndefined();
      if (w.version < firstSigned(w.id).version) {
        expect(
          Object.values(w.events).some((e) => 'requiresSignature' in e),
          `${w.id}@${w.version}`,
        ).toBe(false);
      }
    }
  });

  it('signedEvents refuses unknown and system-only events', () => {
    const events = latest.get('fda-510k')!.events;
    expect(() => signedEvents(events, ['DECIDE_MAYBE'])).toThrow(/no event DECIDE_MAYBE/);
    expect(() => signedEvents(events, ['AI_TIMEOUT'])).toThrow(/system actor/);
  });
});
