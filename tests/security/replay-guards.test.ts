/**
 * Issue 8 §7: the offline replay proves the guards too. From the versions that record them, the
 * history record of each step whose guard read database facts (the dossier, the reference
 * decision, a linked submission) carries those facts inside its hashed record (`facts`), and
 * `audit verify-bundle` re-decides the guard from them: a bundle whose step claims a transition
 * the recorded facts do not allow is refused, and so is one whose facts claim a document the
 * chain never received. Bundles of older versions (no facts) verify as before.
 *
 * The forgeries are made the way an attacker with the tool would: by editing the bundle JSON and
 * recomputing every hash after the edit (the transparency log then no longer proves the edited
 * records, which the bundle also reports), or with the database itself, before the log signs
 * the forged row (then only the replay can tell).
 */
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialTransition, type AnyMachineSnapshot } from 'xstate';
import { buildBundle, verifyBundle, type AuditBundle } from '../../src/audit/bundle.js';
import { createTransparencyLog, loadSigningKey, type TransparencyLog } from '../../src/audit/tlog.js';
import { recordHash, sha256Hex } from '../../src/engine/hash.js';
import { XSTATE_VERSION, persisted } from '../../src/engine/context.js';
import { chainRecord } from '../../src/engine/records.js';
import type { WorkflowDefinition } from '../../workflows/types.js';
import { LINK_SEPARATOR, chainLinks, listTransitions } from '../../src/store/history-store.js';
import { submissionRow, transitionRow } from '../../src/store/rows.js';
import { type Actor, type Submission, type Transition } from '../../src/store/types.js';
import { cofeprisRegistrationV4 } from '../../workflows/cofepris-registration-v2.js';
import { latestWorkflow, workflowVersion } from '../../workflows/index.js';
import { declarativeDefinition } from '../../src/engine/definitions.js';
import { type TestContext } from '../support/fixtures.js';
import { Api, bodyRegistration, type Json, openTestApp } from '../http/helpers.js';
import { draftOf } from '../support/drafts.js';

let ctx: TestContext, api: Api;

/** The record after `s`'s head, by `actor`, effective and recorded at `at`, with no comment (and no signature unless given). */
const recordAt = (
  s: Pick<Submission, 'id' | 'headSeq' | 'headHash'>,
  w: WorkflowDefinition,
  actor: Actor,
  at: string,
  r: Pick<Transition, 'type' | 'data' | 'from' | 'to'> & Partial<Pick<Transition, 'signature' | 'facts'>>,
): Transition => chainRecord(s, w, { actor, comment: null, effectiveAt: at, recordedAt: at, signature: null, ...r });
let tlog: TransparencyLog;
let key: string;
/** An abbreviated registration on an external FDA 510(k), its dossier complete, filed. */
let honest: AuditBundle;
/** A Breakthrough designation request that linked the organization's 510(k). */
let linked: AuditBundle;

const FDA_REFERENCE = { agency: 'FDA', number: 'K240077', decisionDate: '2024-03-01', decision: 'SE', deviceClass: '2' };

beforeAll(async () => {
  ({ ctx, api } = await openTestApp());
  tlog = createTransparencyLog({ db: ctx.services.db, privateKey: loadSigningKey({ databaseUrl: ctx.database.url }).privateKey });
  key = tlog.publicKey().verifierKey;
  const { manufacturer: m } = ctx.users;

  const reg = await api.create(m, bodyRegistration(FDA_REFERENCE, 'abbreviated', 'Replay-proof registration'));
  await api.completeDossier(m, reg.id as string);
  const filed = await api.send(m, reg.id as string, 'SUBMIT', { data: { folio: 'DIGIPRIS-1' } });
  expect(filed.submission.state).toBe('submitted');
  honest = await buildBundle(ctx.services.db.knex, tlog, reg.id as string);

  const k = await api.create(m, {
    workflow: 'fda-510k',
    title: 'Marketing 510(k)',
    device: { name: 'Pump' },
    input: { format: 'eSTAR', variant: 'traditional' },
  });
  const bt = await api.create(m, { workflow: 'fda-breakthrough', title: 'Breakthrough request', device: { name: 'Pump' }, input: {} });
  await api.send(m, bt.id as string, 'REQUEST_DESIGNATION', { data: { summary: 'Life-threatening condition' } });
  await api.send(m, bt.id as string, 'LINK_SUBMISSION', { data: { submissionId: k.id } });
  linked = await buildBundle(ctx.services.db.knex, tlog, bt.id as string);
});
afterAll(async () => ctx?.close());

type Rec = { -readonly [K in keyof Transition]: Transition[K] } & Record<string, unknown>;
type Forged = Omit<AuditBundle, 'records'> & { records: Rec[] };
const copy = (b: AuditBundle) => JSON.parse(JSON.stringify(b)) as Forged;

/** Rewrites the chain from `from` (0-based) on, as a forger with the tool does after an edit. */
function rechain(b: Forged, from: number): Forged {
  let prev = from === 0 ? '0'.repeat(64) : b.records[from - 1]!.hash;
  for (const r of b.records.slice(from)) {
    (r as { prevHash: string }).prevHash = prev;
    (r as { hash: string }).hash = recordHash(r);
    prev = r.hash;
  }
  return b;
}

const indexOf = (b: Forged | AuditBundle, type: string) => b.records.findIndex((r) => r.type === type);
const factsOf = (r: Rec) => r.facts as Json;
const check = (v: ReturnType<typeof verifyBundle>, name: string) => v.checks.find((c) => c.name === name)!;

describe('steps whose guards read database facts record them (new versions)', () => {
  it('new registrations and designations start on the versions that record facts, and their rules say so', () => {
    const created = honest.records[0]!;
    const latest = latestWorkflow('cofepris-registration')!;
    expect(created.workflow.version).toBe(latest.version);
    expect(latest.recordsFacts).toBe(true);
    expect(declarativeDefinition(latest)).toMatchObject({ recordsFacts: true, factsFor: { SUBMIT: expect.any(Array) } });
    expect(linked.records[0]!.workflow.version).toBe(latestWorkflow('fda-breakthrough')!.version);
    expect(latestWorkflow('fda-breakthrough')!.recordsFacts).toBe(true);
    // The older versions stay as released: no facts recorded.
    expect(workflowVersion('cofepris-registration', 4)!.recordsFacts).toBeUndefined();
  });

  it('the SUBMIT record holds, in its hash, the dossier and the reference decision the guard decided on', () => {
    const submit = honest.records[indexOf(honest, 'SUBMIT')]! as Rec;
    expect(factsOf(submit)).toMatchObject({
      dossierMissing: [],
      reference: {
        external: true,
        agency: 'FDA',
        decision: 'SE',
        decisionDate: '2024-03-01',
        favourable: true,
        letterOnFile: true,
        authorizationType: 'ordinary',
      },
    });
    // No reference authorities configured: the guard used the version's own list, which the replay has too.
    expect(factsOf(submit)).not.toHaveProperty('referenceAuthorities');
    // The link records what its guard reads of the linked submission, not the state of a
    // submission a regulator may not see yet (DESIGN §9).
    expect(factsOf(linked.records[indexOf(linked, 'LINK_SUBMISSION')] as Rec)).toEqual({
      linkTarget: { exists: true, workflowId: 'fda-510k', sameOrganization: true, state: null },
    });
    // Records of steps whose guards read nothing from the database carry no facts.
    for (const r of honest.records.filter((x) => x.type !== 'SUBMIT')) expect(r).not.toHaveProperty('facts');
    // The hash covers the facts: it recomputes only with them.
    const { facts: _facts, ...without } = submit;
    expect(recordHash(submit)).toBe(submit.hash);
    expect(recordHash(without)).not.toBe(submit.hash);
  });

  it('the history endpoint serves the same record, facts included', async () => {
    const items = await api.history(ctx.users.manufacturer, honest.submissionId);
    const submit = items.find((r) => r.type === 'SUBMIT')!;
    expect(submit.facts).toMatchObject({ dossierMissing: [] });
    expect(submit.facts).toEqual(factsOf(honest.records[indexOf(honest, 'SUBMIT')] as Rec));
    expect(recordHash(submit)).toBe(submit.hash);
  });

  it('the database spells the record with its facts for the whole-database check (audit verify fast path)', async () => {
    const submit = honest.records[indexOf(honest, 'SUBMIT')]!;
    const links: string[] = [];
    for await (const page of chainLinks(ctx.services.db.knex, { from: honest.submissionId, to: `${honest.submissionId}~` })) links.push(...page);
    const fields = links[submit.seq - 1]!.split(LINK_SEPARATOR);
    // Fields 0-3 id, seq, prevHash, hash; 4 valid; 5-8 data, organization, signature, facts; 9 the record.
    expect(JSON.parse(fields[3]!)).toBe(submit.hash);
    expect(fields[4]).toBe('1');
    expect(JSON.parse(fields[8]!)).toEqual(submit.facts);
    expect(sha256Hex(fields.slice(9).join(LINK_SEPARATOR))).toBe(submit.hash);
    // A record without facts has an empty facts field and still recomputes.
    const created = links[0]!.split(LINK_SEPARATOR);
    expect(created[8]).toBe('');
    expect(sha256Hex(created.slice(9).join(LINK_SEPARATOR))).toBe(honest.records[0]!.hash);
  });

  it('an honest bundle verifies, and every guard is re-decided exactly (no structural warning)', () => {
    for (const b of [honest, linked]) {
      const v = verifyBundle(copy(b), { verifierKey: key });
      expect(v.failures).toEqual([]);
      expect(v.ok).toBe(true);
      expect(check(v, 'replay').detail).toBe(`${b.records.length} records replayed exactly`);
      expect(v.warnings).toEqual([]);
    }
  });
});

/** A copy of `from` whose first `type` record `edit` changed, every hash from there recomputed (as a forger would), verified. */
function forge(edit: (record: Rec, b: Forged) => void, from: AuditBundle = honest, type = 'SUBMIT'): { v: ReturnType<typeof verifyBundle>; seq: number } {
  const b = copy(from);
  const i = indexOf(b, type);
  edit(b.records[i]!, b);
  rechain(b, i);
  return { v: verifyBundle(b, { verifierKey: key }), seq: b.records[i]!.seq };
}

describe('verify-bundle refuses a step its recorded facts do not allow', () => {
  it('the facts say the dossier was incomplete', () => {
    const { v, seq } = forge((r) => (factsOf(r).dossierMissing = ['cfg']));
    expect(check(v, 'hash chain').ok).toBe(true); // the forger recomputed every hash
    expect(v.ok).toBe(false);
    expect(v.failures).toContainEqual({ seq, reason: 'SUBMIT is refused by its guard on the recorded facts (refusal.dossier_incomplete)' });
  });

  it('the facts say the reference decision was not favourable', () => {
    const { v, seq } = forge((r) => (factsOf(r).reference.favourable = false));
    expect(v.ok).toBe(false);
    expect(v.failures).toContainEqual({ seq, reason: 'SUBMIT is refused by its guard on the recorded facts (refusal.reference_not_favourable)' });
  });

  it('the facts say the reference decision was older than five years on the filing date', () => {
    const { v, seq } = forge((r) => (factsOf(r).reference.decisionDate = '2019-01-10'));
    expect(v.ok).toBe(false);
    expect(v.failures).toContainEqual({ seq, reason: 'SUBMIT is refused by its guard on the recorded facts (refusal.reference_too_old)' });
  });

  it('the facts were taken out of the record', () => {
    const { v, seq } = forge((r) => delete (r as Partial<Rec>).facts);
    expect(v.ok).toBe(false);
    expect(v.failures).toContainEqual({ seq, reason: 'SUBMIT does not record the facts its guard read' });
  });

  it('the facts claim a document the chain never received', () => {
    const b = copy(honest);
    const doc = b.records.findIndex((r) => r.type === 'DOCUMENT_ADDED' && r.data.kind === 'cfg');
    b.records[doc]!.data.kind = 'cover-letter';
    rechain(b, doc);
    const v = verifyBundle(b, { verifierKey: key });
    expect(v.ok).toBe(false);
    expect(v.failures).toContainEqual({
      seq: b.records[indexOf(b, 'SUBMIT')]!.seq,
      reason: 'the recorded facts count cfg as on file, but no DOCUMENT_ADDED before the step adds it',
    });
  });

  it('the facts contradict the reference the registration was created with', () => {
    const { v, seq } = forge((r) => (factsOf(r).reference.decision = 'approved'));
    expect(v.failures).toContainEqual({ seq, reason: 'the recorded reference decision approved is not the SE of the reference the submission names' });
  });

  it('a linked submission the facts say belongs to another organization', () => {
    const { v, seq } = forge((r) => (factsOf(r).linkTarget.sameOrganization = false), linked, 'LINK_SUBMISSION');
    expect(v.failures).toContainEqual({ seq, reason: 'LINK_SUBMISSION is refused by its guard on the recorded facts (refusal.link_other_organization)' });
  });

  it('facts on a record whose rules read none are refused', () => {
    const { v, seq } = forge((r) => (r.facts = { dossierMissing: [] }), honest, 'DOCUMENT_ADDED');
    expect(v.failures).toContainEqual({ seq, reason: 'DOCUMENT_ADDED carries facts its rules do not read' });
  });
});

describe("the third party's favourable report (a guard that reads the dossier before filing)", () => {
  it('records the dossier it read, replays exactly, and a forged report without the document is refused', async () => {
    const { manufacturer: m } = ctx.users;
    const reg = await api.create(m, { ...bodyRegistration({}, 'third-party', 'Third-party lane'), input: { route: 'third-party', mxClass: 'III' } });
    await api.send(m, reg.id as string, 'SEND_TO_TPR', { data: { thirdParty: 'Tercero Autorizado TA-01' } });
    const res = await api.upload(m, reg.id as string, 'third-party-technical-report', Buffer.from('%PDF-1.7\n% ITF\n%%EOF\n'));
    expect(res.status, res.text).toBe(201);
    await api.send(m, reg.id as string, 'TPR_FAVORABLE_REPORT', { data: { reportNumber: 'ITF-2026-001' } });
    const bundle = await buildBundle(ctx.services.db.knex, tlog, reg.id as string);
    const i = indexOf(bundle, 'TPR_FAVORABLE_REPORT');
    const missing = factsOf(bundle.records[i] as Rec).dossierMissing as string[];
    expect(missing.length).toBeGreaterThan(0); // the rest of the dossier is not needed yet
    expect(missing).not.toContain('third-party-technical-report');
    const honestVerdict = verifyBundle(copy(bundle), { verifierKey: key });
    expect(honestVerdict.failures).toEqual([]);
    expect(check(honestVerdict, 'replay').detail).toBe(`${bundle.records.length} records replayed exactly`);

    const { v, seq } = forge((r) => (factsOf(r).dossierMissing = [...missing, 'third-party-technical-report']), bundle, 'TPR_FAVORABLE_REPORT');
    expect(v.failures).toContainEqual({ seq, reason: 'TPR_FAVORABLE_REPORT is refused by its guard on the recorded facts (refusal.tpr_report_missing)' });
  });
});

describe('a forgery written to the database before the log signed it', () => {
  it('passes every check but the replay, which names the step', async () => {
    const knex = ctx.services.db.knex;
    const { manufacturer: m } = ctx.users;
    // A registration with no dossier at all; the forger writes a SUBMIT whose facts claim a
    // complete dossier, and moves the submission row with it.
    const reg = await api.create(m, bodyRegistration(FDA_REFERENCE, 'equivalence', 'Forged filing'));
    const records = await listTransitions(knex, reg.id as string);
    const head = records[records.length - 1]!;
    const w = workflowVersion(head.workflow.id, head.workflow.version)!;
    const at = new Date().toISOString();
    const good = factsOf(honest.records[indexOf(honest, 'SUBMIT')] as Rec);
    const forged = recordAt({ id: reg.id, headSeq: head.seq, headHash: head.hash } as Submission, w, m.actor, at, {
      type: 'SUBMIT',
      data: {},
      from: 'preparing',
      to: 'submitted',
      signature: { name: m.actor.name, meaning: 'responsibility', signedAt: at },
      facts: { ...good, dossierMissing: [] },
    });
    await knex('transitions').insert(transitionRow(forged));
    await knex('submissions')
      .where({ id: reg.id })
      .update({ state: 'submitted', head_seq: forged.seq, head_hash: forged.hash, version: Number(reg.version) + 1 });
    const v = verifyBundle(await buildBundle(knex, tlog, reg.id as string), { verifierKey: key });
    expect(v.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['replay']);
    expect(v.failures).toContainEqual({
      seq: forged.seq,
      reason: 'the recorded facts count application-form as on file, but no DOCUMENT_ADDED before the step adds it',
    });
  });
});

describe('bundles of versions that record no facts', () => {
  it('verify as before: the guard is checked against the machine only, with a warning', async () => {
    const knex = ctx.services.db.knex;
    const { manufacturer: m } = ctx.users;
    const w = cofeprisRegistrationV4;
    const at = new Date().toISOString();
    const input = { route: 'standard', mxClass: 'II' };
    let s: Submission = draftOf(
      w,
      {
        id: '01900000-0000-7000-8000-0000000000a4',
        organization: m.actor.organization!,
        title: 'Registration on version 4',
        device: { name: 'Pump' },
        input,
        at,
      },
      { state: 'preparing', snapshot: { value: 'preparing', context: {} }, xstateVersion: '5', version: 1 },
    );
    const created = recordAt(s, w, m.actor, at, { type: 'CREATED', data: { input }, from: null, to: 'preparing' });
    s = { ...s, headSeq: 1, headHash: created.hash };
    const submit = recordAt(s, w, m.actor, at, {
      type: 'SUBMIT',
      data: {},
      from: 'preparing',
      to: 'submitted',
      signature: { name: m.actor.name, meaning: 'responsibility', signedAt: at },
    });
    expect(submit).not.toHaveProperty('facts');
    const snapshot = { value: 'submitted', context: initialTransition(w.machine, input)[0].context as unknown };
    await knex('submissions').insert(submissionRow({ ...s, state: 'submitted', snapshot, version: 2, headSeq: 2, headHash: submit.hash }));
    await knex('transitions').insert([transitionRow(created), transitionRow(submit)]);
    const b = await buildBundle(knex, tlog, s.id);
    expect(b.records.map((r) => r.hash)).toEqual([created.hash, submit.hash]);
    const v = verifyBundle(b, { verifierKey: key });
    expect(v.failures).toEqual([]);
    expect(v.ok).toBe(true);
    expect(check(v, 'replay').detail).toBe("1 of 2 records replayed exactly, 1 checked against the machine's transitions");
    expect(v.warnings.join(' ')).toMatch(/records 2 depend on facts read from the database/);
  });

  it('a registration migrated from version 4 records its facts from then on, and replays exactly', async () => {
    const knex = ctx.services.db.knex;
    const { manufacturer: m } = ctx.users;
    const w = cofeprisRegistrationV4;
    const at = new Date(Date.now() - 60_000).toISOString();
    const input = { route: 'standard', mxClass: 'II' };
    const [initial] = initialTransition(w.machine, input);
    const draft = draftOf(
      w,
      { id: uuidv7(), organization: m.actor.organization!, title: 'Registration started on version 4', device: { name: 'Pump' }, input, at },
      { state: 'preparing', snapshot: persisted(initial as AnyMachineSnapshot), xstateVersion: XSTATE_VERSION },
    );
    const created = recordAt(draft, w, m.actor, at, {
      type: 'CREATED',
      data: { title: draft.title, device: draft.device, input },
      from: null,
      to: 'preparing',
    });
    await knex('submissions').insert(submissionRow({ ...draft, version: 1, headSeq: 1, headHash: created.hash }));
    await knex('transitions').insert(transitionRow(created));
    const latest = latestWorkflow(w.id)!;
    const moved = await ctx.services.engine.migrateWorkflow(w, latest, { dryRun: false, by: 'replay-guards test' });
    expect(moved.moved.map((x) => x.id)).toContain(draft.id);
    await api.completeDossier(m, draft.id);
    await api.send(m, draft.id, 'SUBMIT');
    const b = await buildBundle(knex, tlog, draft.id);
    expect(b.records.map((r) => `${r.type}@${r.workflow.version}`).filter((x) => !x.startsWith('DOCUMENT_ADDED'))).toEqual([
      'CREATED@4',
      `MIGRATED@${latest.version}`,
      `SUBMIT@${latest.version}`,
    ]);
    expect(factsOf(b.records[indexOf(b, 'SUBMIT')] as Rec)).toEqual({ dossierMissing: [] });
    const v = verifyBundle(b, { verifierKey: key });
    expect(v.failures).toEqual([]);
    expect(check(v, 'replay').detail).toBe(`${b.records.length} records replayed exactly`);
    expect(v.warnings).toEqual([]);
  });
});
