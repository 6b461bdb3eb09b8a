/**
 * `puente demo`: Acme Medical with FDA and COFEPRIS reviewers and an auditor, several 510(k)s in
 * different states and one COFEPRIS abbreviated registration relying on a clearance. Everything
 * goes through the engine, so every history row is real and hash-chained.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { CreateSubmissionBody, SendEventBody } from '../engine/engine.js';
import type { Services } from '../services.js';
import type { Actor } from '../store/types.js';
import { ensureOrganization } from '../store/users-store.js';
import type { HumanRole } from '../../workflows/types.js';
import { workflowVersion } from '../../workflows/index.js';

export async function seedDemo(services: Services, config: Config): Promise<void> {
  const { engine, db } = services;
  const base = `http://${config.host}:${config.port}`;
  const now = new Date().toISOString();
  const acme = await ensureOrganization(db.knex, 'Acme Medical', now);
  const tokens: Record<string, string> = {};
  const passwords: Record<string, string> = {};
  const actors: Record<string, Actor> = {};
  const people: Array<[HumanRole, string, typeof acme | null, string]> = [
    ['manufacturer', 'Maria Lopez (Acme Medical RA)', acme, 'maria@acme.example'],
    ['fda', 'Dr. James Carter (FDA CDRH)', null, 'james.carter@fda.example'],
    ['cofepris', 'Lic. Ana Torres (COFEPRIS)', null, 'ana.torres@cofepris.example'],
    ['auditor', 'Sam Reed (QA auditor)', null, 'sam@audit.example'],
    ['admin', 'Ops Admin', null, 'admin@puente.example'],
  ];
  const emails: Record<string, string> = {};
  for (const [role, name, organization, email] of people) {
    // Everyone signs in to the web interface, and whoever files or decides signs steps with it
    // (21 CFR 11.50): a random password each, printed once below. The e-mail is per run, so the
    // demo can be seeded twice into one database.
    // (A random draw that happens to contain a part of the name breaks the rules: draw again.)
    let password = '';
    let passwordHash: string | undefined;
    while (passwordHash === undefined) {
      password = `Demo-${randomBytes(9).toString('base64url')}-7`;
      passwordHash = await services.signatures.hashNewPassword(password, name).catch(() => undefined);
    }
    const [local, domain] = email.split('@');
    const existing = await db.knex('users').where({ email }).first<{ id: string } | undefined>('id');
    const address = existing ? `${local}+${randomBytes(3).toString('hex')}@${domain}` : email;
    // Through the users service, so the demo's security log starts with who was created (issue 8).
    const { user: u, token } = await services.users.create({ name, role, organization: organization?.name, email: address, passwordHash });
    passwords[role] = password;
    emails[role] = address;
    tokens[role] = token;
    actors[role] = { id: u.id, name: u.name, role: u.role, organization: u.organization };
  }
  const mfr = actors.manufacturer!;
  const fda = actors.fda!;
  const cof = actors.cofepris!;

  const create = async (title: string, device: CreateSubmissionBody['device'], workflow: string, input: Record<string, unknown>) =>
    (await engine.createSubmission(mfr, { workflow, title, device, input })).body.id;
  // Filings and decisions that the workflow version marks requiresSignature are signed with the
  // sender's password: responsibility for a manufacturer's filing, approval for a decision.
  const steps = async (id: string, list: Array<[Actor, SendEventBody]>) => {
    for (const [actor, body] of list) {
      const s = await engine.getSubmission(actor, id);
      const spec = workflowVersion(s.workflow.id, s.workflow.version)?.events[body.type];
      const meaning = actor.role === 'manufacturer' ? 'responsibility' : 'approval';
      const signature = spec?.requiresSignature ? { signature: { meaning, password: passwords[actor.role]! } as const } : {};
      await engine.sendEvent(actor, id, { ...body, ...signature });
    }
  };

  const cleared = await create('CardioFlow PTCA catheter 510(k)', { name: 'CardioFlow PTCA catheter', model: 'CF-300', productCode: 'LOX' }, 'fda-510k', {
    format: 'eSTAR',
    variant: 'traditional',
  });
  await steps(cleared, [
    [mfr, { type: 'SUBMIT', effectiveAt: '2026-01-05' }],
    [fda, { type: 'FEE_VERIFIED', effectiveAt: '2026-01-06' }],
    [fda, { type: 'SCREEN_PASS', effectiveAt: '2026-01-15' }],
    [
      fda,
      { type: 'REQUEST_AI', effectiveAt: '2026-03-01', data: { deficiencies: ['Provide biocompatibility testing per ISO 10993-1 for the balloon material.'] } },
    ],
    [mfr, { type: 'AI_RESPONSE', effectiveAt: '2026-05-30', data: { summary: 'ISO 10993-1 test reports attached.' } }],
    [fda, { type: 'DECIDE_SE', effectiveAt: '2026-06-20', data: { kNumber: 'K261234', decisionDate: '2026-06-20' } }],
  ]);

  const onHold = await create('GlucoSense CGM 510(k)', { name: 'GlucoSense continuous glucose monitor', productCode: 'QBJ' }, 'fda-510k', {
    format: 'eSTAR',
    variant: 'traditional',
  });
  await steps(onHold, [
    [mfr, { type: 'SUBMIT', effectiveAt: '2026-08-03' }],
    [fda, { type: 'FEE_VERIFIED', effectiveAt: '2026-08-04' }],
    [fda, { type: 'SCREEN_PASS', effectiveAt: '2026-08-14' }],
    [fda, { type: 'SUBSTANTIVE_INTERACTION', effectiveAt: '2026-10-01' }],
    [
      fda,
      {
        type: 'REQUEST_AI',
        effectiveAt: '2026-10-02',
        data: { deficiencies: ['Clarify the MARD calculation for the pediatric cohort.', 'Provide cybersecurity SBOM.'] },
      },
    ],
  ]);

  const rta = await create('OrthoFix bone screw Special 510(k)', { name: 'OrthoFix cortical screw', model: 'OF-4.5' }, 'fda-510k', {
    format: 'eCopy',
    variant: 'special',
  });
  await steps(rta, [
    [mfr, { type: 'SUBMIT', effectiveAt: '2026-09-07' }],
    [fda, { type: 'FEE_VERIFIED', effectiveAt: '2026-09-08' }],
    [fda, { type: 'REFUSE_TO_ACCEPT', effectiveAt: '2026-09-20', data: { reasons: ['Missing declaration of conformity to ASTM F543.'] } }],
  ]);

  await create('DermaLite laser 510(k)', { name: 'DermaLite 1064 nm laser' }, 'fda-510k', { format: 'eSTAR', variant: 'abbreviated' });

  const registration = await create(
    'CardioFlow registro sanitario (vía abreviada)',
    { name: 'CardioFlow PTCA catheter', model: 'CF-300' },
    'cofepris-registration',
    {
      route: 'abbreviated',
      identicalDevice: true,
      reference: { submissionId: cleared },
    },
  );
  const view = await engine.getSubmission(mfr, registration);
  for (const kind of view.dossier.required) {
    await engine.addDocument(mfr, registration, {
      kind,
      filename: `${kind}.pdf`,
      contentType: 'application/pdf',
      bytes: Buffer.from(`%PDF-1.4\n% demo ${kind} for CardioFlow\n`),
    });
  }
  await steps(registration, [
    [mfr, { type: 'SUBMIT', effectiveAt: '2026-07-13', data: { folio: '253300401A0123' } }],
    [cof, { type: 'START_REVIEW', effectiveAt: '2026-07-20' }],
  ]);

  console.log('Demo data: Acme Medical, 4 510(k)s (cleared, AI hold, RTA hold, draft) and 1 COFEPRIS abbreviated registration under review.\n');
  console.log('Tokens (shown once; only their SHA-256 is stored):');
  for (const [role, token] of Object.entries(tokens)) console.log(`  ${role.padEnd(12)} ${token}`);
  console.log(`\nWeb sign-in at ${base}/ (e-mail and password; shown once, stored as scrypt hashes). The same password`);
  console.log('signs filings and decisions: "signature": { "meaning": "approval" | "review" | "responsibility" | "authorship", "password": "..." }:');
  for (const [role, password] of Object.entries(passwords)) console.log(`  ${role.padEnd(12)} ${emails[role]!.padEnd(30)} ${password}`);
  console.log('\nTry (with `npm start` running):');
  console.log(`  export MFR=${tokens.manufacturer} COF=${tokens.cofepris} AUD=${tokens.auditor}`);
  console.log(`  curl -s ${base}/v1/submissions -H "Authorization: Bearer $MFR"`);
  console.log(`  curl -s ${base}/v1/submissions/${registration} -H "Authorization: Bearer $COF"`);
  console.log(`  curl -s -X POST ${base}/v1/submissions/${registration}/events -H "Authorization: Bearer $COF" -H 'Content-Type: application/json' \\`);
  console.log(`    -d '{"type":"GRANT","data":{"registrationNumber":"0123E2026 SSA"},"signature":{"meaning":"approval","password":"${passwords.cofepris}"}}'`);
  console.log(`  curl -s ${base}/v1/submissions/${cleared}/history -H "Authorization: Bearer $AUD"`);
}
