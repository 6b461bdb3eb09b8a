/**
 * Stored submissions survive upgrades: for every workflow version, a snapshot persisted under
 * tests/fixtures/snapshots/ (written once by `npm run fixtures:snapshots`, never rewritten) is
 * restored with today's xstate and machine, and advanced by its recorded next event to the
 * recorded state.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { transition, type AnyMachineSnapshot } from 'xstate';
import { statePath } from '../../src/engine/definitions.js';
import { WORKFLOWS, workflowVersion } from '../../workflows/index.js';

const DIR = path.join(import.meta.dirname, '../fixtures/snapshots');

interface Fixture {
  workflow: string;
  version: number;
  xstateVersion: string;
  state: string;
  snapshot: { value: unknown; context: unknown };
  next: { event: { type: string; data?: Record<string, unknown> }; expectedState: string };
}

describe('persisted snapshots of every workflow version restore and advance', () => {
  it('every workflow version in the catalog has a fixture', () => {
    const missing = WORKFLOWS.filter((w) => !fs.existsSync(path.join(DIR, `${w.id}@${w.version}.json`))).map((w) => `${w.id}@${w.version}`);
    expect(missing, 'run npm run fixtures:snapshots and commit the new files').toEqual([]);
  });

  for (const file of fs.existsSync(DIR) ? fs.readdirSync(DIR).filter((f) => f.endsWith('.json')) : []) {
    it(file, () => {
      const f = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as Fixture;
      const w = workflowVersion(f.workflow, f.version);
      expect(w, `${f.workflow}@${f.version} was removed from the catalog`).toBeDefined();
      const restored = w!.machine.resolveState(f.snapshot as { value: never; context: never }) as AnyMachineSnapshot;
      expect(statePath(restored.value)).toBe(f.state);
      expect(restored.can(f.next.event as never), `${f.next.event.type} in ${f.state}`).toBe(true);
      const [after] = transition(w!.machine, restored, f.next.event as never) as [AnyMachineSnapshot, unknown];
      expect(statePath(after.value)).toBe(f.next.expectedState);
    });
  }
});
