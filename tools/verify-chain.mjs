#!/usr/bin/env node
// Recomputes a submission's hash chain from `GET /v1/submissions/:id/history` on stdin, with no
// puente code: SHA-256 over the RFC 8785 canonical JSON of each record without `hash`.
//   curl -s .../history -H "Authorization: Bearer $TOKEN" | node tools/verify-chain.mjs
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const { items } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
let prev = '0'.repeat(64);
for (const [i, record] of items.entries()) {
  const { hash, ...rest } = record;
  const computed = createHash('sha256').update(canonicalize(rest)).digest('hex');
  const problems = [];
  if (record.seq !== i + 1) problems.push(`seq ${record.seq}, expected ${i + 1}`);
  if (record.prevHash !== prev) problems.push('prevHash does not name the previous record');
  if (computed !== hash) problems.push(`hash ${hash} but the record hashes to ${computed}`);
  console.log(
    `${String(record.seq).padStart(3)} ${record.type.padEnd(22)} ${record.to.padEnd(20)} ${problems.length ? `BROKEN: ${problems.join('; ')}` : 'ok'}`,
  );
  if (problems.length) process.exitCode = 1;
  prev = hash;
}
console.log(process.exitCode ? 'chain BROKEN' : `chain OK: ${items.length} records, head ${prev}`);
