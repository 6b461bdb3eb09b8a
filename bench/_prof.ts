import { migrate, openDatabase } from '../src/store/db.js';
import { seed } from './seed.js';
import { verifyDatabase } from '../src/engine/verify.js';
import fs from 'node:fs';
const file = '/tmp/prof/v.db';
if (!fs.existsSync(file)) {
  const db = openDatabase(`sqlite:${file}`);
  await migrate(db);
  await seed(db.knex, { count: 10000, rowsEach: 10, longCount: 20 });
  await db.destroy();
}
const db = openDatabase(`sqlite:${file}`);
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const r = await verifyDatabase(db.reader);
  const s = (performance.now() - t0) / 1000;
  console.log(r.ok, r.records, Math.round(r.records / s), 'rows/s');
}
await db.destroy();
