/**
 * The one visibility policy (DESIGN §3, src/engine/visibility.ts) in its two forms: the TypeScript
 * predicate (`canSee`, one submission at hand) and the SQL filter the store applies from the same
 * scope (`whereVisible`, listings). On a real database (SQLite, and PostgreSQL with
 * TEST_DATABASE_URL), over submissions of several workflows, organizations, states, filing
 * (regulators see a submission only once filed: issue 8 §6) and reference links, both forms must
 * admit exactly the same submissions for every role, and the engine's own reads (GET one, the
 * listing) must follow them.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { canSee, visibilityScope } from '../../src/engine/visibility.js';
import { listSubmissionPage } from '../../src/store/submission-listing-store.js';
import { findSubmission, insertSubmission } from '../../src/store/submission-store.js';
import type { Actor, Submission } from '../../src/store/types.js';
import { createKnexStores } from '../../src/store/stores.js';
import { ensureOrganization } from '../../src/store/users-store.js';
import { DIALECT } from '../support/db.js';
import { createTestContext, signatureOf, type TestContext } from '../support/fixtures.js';

let ctx: TestContext;
let everything: Submission[];
/** The submissions the engine made (not generated copies): their filing is the engine's. */
let made: Submission[];
let actors: Array<[string, Actor]>;

beforeAll(async () => {
  ctx = await createTestContext();
  const { engine, db } = ctx.services;
  const { manufacturer: acme, otherManufacturer: beta, fda } = ctx.users;
  const device = { name: 'Pump' };
  const create = async (a: Actor, workflow: string, input: Record<string, unknown>) =>
    (await engine.createSubmission(a, { workflow, title: `${workflow} of ${a.name}`, device, input })).body.id;

  // Real submissions through the engine: several workflows and states, both organizations, and
  // registrations relying on an FDA submission (the link COFEPRIS reviewers follow).
  const base: string[] = [];
  for (const m of [acme, beta]) {
    const draft = await create(m.actor, 'fda-510k', { format: 'eSTAR', variant: 'traditional' });
    const submitted = await create(m.actor, 'fda-510k', { format: 'eCopy', variant: 'traditional' });
    await engine.sendEvent(m.actor, submitted, { type: 'SUBMIT', signature: signatureOf(m) });
    await engine.sendEvent(fda.actor, submitted, { type: 'FEE_VERIFIED' });
    const deNovo = await create(m.actor, 'fda-de-novo', { format: 'eCopy' });
    const presub = await create(m.actor, 'fda-presub', { meetingRequested: false });
    await engine.sendEvent(m.actor, presub, { type: 'WITHDRAW', signature: signatureOf(m) }).catch(() => undefined);
    const relying = await create(m.actor, 'cofepris-registration', { route: 'equivalence', reference: { submissionId: submitted } });
    const external = await create(m.actor, 'cofepris-registration', {
      route: 'equivalence',
      reference: { agency: 'FDA', number: 'K231234', decisionDate: '2023-05-02', decision: 'SE' },
    });
    base.push(draft, submitted, deNovo, presub, relying, external);
  }
  const rows = await Promise.all(base.map(async (id) => (await findSubmission(db.knex, id))!));
  made = rows;
  expect(new Set(rows.map((r) => r.jurisdiction))).toEqual(new Set(['FDA', 'COFEPRIS']));

  // Generated submissions: copies of those (a consistent workflow, state and snapshot) under
  // another organization, some naming a random submission as their reference, filed or not.
  const gamma = await ensureOrganization(db.knex, 'Gamma Instruments', new Date().toISOString());
  const orgs = [acme.actor.organization!, beta.actor.organization!, gamma];
  const specs = fc.sample(
    fc.record({ base: fc.nat(rows.length - 1), org: fc.nat(orgs.length - 1), ref: fc.option(fc.nat(rows.length - 1), { freq: 2 }), filed: fc.boolean() }),
    {
      seed: 20261207,
      numRuns: 60,
    },
  );
  const generated: string[] = [];
  for (const spec of specs) {
    const from = rows[spec.base]!;
    const pool = [...base, ...generated];
    const s: Submission = {
      ...from,
      id: uuidv7(),
      organization: orgs[spec.org]!,
      referenceSubmissionId: spec.ref === null ? null : pool[spec.ref % pool.length]!,
      filedAt: spec.filed ? (from.filedAt ?? new Date().toISOString()) : null,
    };
    await insertSubmission(db.knex, s);
    generated.push(s.id);
  }
  everything = await Promise.all([...base, ...generated].map(async (id) => (await findSubmission(db.knex, id))!));
  actors = [
    ...Object.entries(ctx.users).map(([name, u]) => [name, u.actor] as [string, Actor]),
    ['gamma manufacturer', { id: 'g', name: 'G', role: 'manufacturer', organization: gamma }],
    ['manufacturer without organization', { id: 'n', name: 'N', role: 'manufacturer', organization: null }],
    ['system', { id: 'system', name: 'puente', role: 'system', organization: null }],
  ];
}, 120_000);
afterAll(async () => ctx?.close());

async function predicateIds(actor: Actor): Promise<string[]> {
  const out: string[] = [];
  for (const s of everything) if (await canSee(createKnexStores(ctx.services.db), actor, s)) out.push(s.id);
  return out.sort();
}

describe(`visibility on ${DIALECT}`, () => {
  it('the predicate and the SQL filter admit the same submissions for every role', async () => {
    const sizes = new Map<string, number>();
    for (const [name, actor] of actors) {
      const sql = (await listSubmissionPage(ctx.services.db.reader, { scope: visibilityScope(actor), order: 'id', limit: 100_000 })).map((s) => s.id).sort();
      expect(sql, name).toEqual(await predicateIds(actor));
      sizes.set(name, sql.length);
    }
    // The generated data exercises every kind of scope: none, some, all.
    expect(sizes.get('admin')).toBe(0);
    expect(sizes.get('manufacturer without organization')).toBe(0);
    expect(sizes.get('auditor')).toBe(everything.length);
    expect(sizes.get('system')).toBe(everything.length);
    for (const name of ['manufacturer', 'otherManufacturer', 'gamma manufacturer', 'fda', 'cofepris']) {
      expect(sizes.get(name), name).toBeGreaterThan(0);
      expect(sizes.get(name), name).toBeLessThan(everything.length);
    }
    // Regulators see their jurisdiction's filed submissions, and no draft (issue 8 §6).
    const fda = await predicateIds(ctx.users.fda.actor);
    const cofepris = await predicateIds(ctx.users.cofepris.actor);
    for (const [ids, jurisdiction] of [
      [fda, 'FDA'],
      [cofepris, 'COFEPRIS'],
    ] as const) {
      const own = everything.filter((s) => s.jurisdiction === jurisdiction);
      expect(own.some((s) => s.filedAt) && own.some((s) => !s.filedAt), jurisdiction).toBe(true);
      const relied = (s: Submission) =>
        jurisdiction === 'COFEPRIS' && everything.some((r) => r.referenceSubmissionId === s.id && r.jurisdiction === 'COFEPRIS' && r.filedAt);
      for (const s of own) expect(ids.includes(s.id), `${jurisdiction} ${s.id} filed ${s.filedAt}`).toBe(Boolean(s.filedAt) || relied(s));
    }
    // The engine filed the submitted ones when their SUBMIT was recorded, and only those.
    const submittedBase = made.filter((r) => r.state !== 'draft' && r.state !== 'preparing' && r.state !== 'closed.withdrawn');
    expect(submittedBase.length).toBeGreaterThan(0);
    for (const r of made) expect(Boolean(r.filedAt), `${r.workflowId} in ${r.state}`).toBe(submittedBase.includes(r));
    // COFEPRIS sees FDA submissions only through a filed registration's reference link.
    const linkedFda = everything.filter((s) => s.jurisdiction === 'FDA' && cofepris.includes(s.id));
    expect(linkedFda.length).toBeGreaterThan(0);
    for (const s of linkedFda) expect(everything.some((r) => r.referenceSubmissionId === s.id && r.jurisdiction === 'COFEPRIS' && r.filedAt)).toBe(true);
    const unlinked = everything.filter(
      (s) => s.jurisdiction === 'FDA' && everything.some((r) => r.referenceSubmissionId === s.id && r.jurisdiction === 'COFEPRIS' && !r.filedAt),
    );
    expect(unlinked.some((s) => !cofepris.includes(s.id))).toBe(true);
  });

  it("the engine's reads follow the policy: GET answers exactly the visible ones, the listing lists them", async () => {
    const { engine } = ctx.services;
    for (const [name, u] of Object.entries(ctx.users)) {
      const visible = await predicateIds(u.actor);
      const listed: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Array<{ id: string }>; nextCursor: string | null } = await engine.listSubmissions(u.actor, {
          limit: '200',
          ...(cursor ? { cursor } : {}),
        });
        listed.push(...page.items.map((s) => s.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(listed.sort(), name).toEqual(visible);
      for (const s of everything) {
        const got = await engine.getSubmission(u.actor, s.id).then(
          () => 'seen',
          (e: { code?: string }) => e.code,
        );
        expect(got, `${name} GET ${s.id}`).toBe(visible.includes(s.id) ? 'seen' : 'not_found');
      }
    }
  }, 120_000);
});
