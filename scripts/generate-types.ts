/**
 * Generates TypeScript types from their JSON Schemas (one source of truth per shape). Run with
 * `npm run generate`; tests/unit/generated-types.test.ts fails when a committed file is stale.
 *
 * - `src/generated/schema-types.ts`: the API's shapes, from `schemas/`.
 * - `workflows/event-data.ts`: the `data` of every workflow event, from the `schema` of its
 *   EventSpec, one map per machine (versions sharing a machine share it). Type-only, so the
 *   workflow files that use it stay free of I/O.
 */
import fs from 'node:fs';
import { compile } from 'json-schema-to-typescript';
import prettier from 'prettier';
import { loadSchemaFiles } from '../src/validation.js';
import { WORKFLOWS } from '../workflows/index.js';
import type { JsonSchema, WorkflowDefinition } from '../workflows/types.js';

export const GENERATED_FILE = new URL('../src/generated/schema-types.ts', import.meta.url);
export const EVENT_DATA_FILE = new URL('../workflows/event-data.ts', import.meta.url);

export async function generateTypes(): Promise<string> {
  const files = loadSchemaFiles();
  const parts = ['/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */\n'];
  for (const schema of files) {
    const ts = await compile(schema, String(schema.title), {
      bannerComment: '',
      additionalProperties: true,
      declareExternallyReferenced: false,
      format: true,
      cwd: new URL('../schemas/', import.meta.url).pathname,
    });
    parts.push(ts.trim(), '');
  }
  return `${parts.join('\n')}`;
}

const pascal = (id: string) => id.replace(/(^|-)([a-z0-9])/g, (_m, _dash, c: string) => c.toUpperCase());

/** The versions of the catalog grouped by the machine they run, in catalog order. */
function machineGroups(workflows: readonly WorkflowDefinition[]): WorkflowDefinition[][] {
  const groups = new Map<unknown, WorkflowDefinition[]>();
  for (const w of workflows) groups.set(w.machine, [...(groups.get(w.machine) ?? []), w]);
  return [...groups.values()].map((g) => [...g].sort((a, b) => a.version - b.version));
}

/** One event's data schema over the versions of a group: the schema, or anyOf the distinct ones. */
function dataSchema(versions: readonly WorkflowDefinition[], type: string): JsonSchema {
  const distinct = [...new Set(versions.flatMap((w) => (w.events[type] ? [JSON.stringify(w.events[type].schema)] : [])))];
  const schemas = distinct.map((s) => JSON.parse(s) as JsonSchema);
  const description = versions.map((w) => w.events[type]?.description).find((d) => d !== undefined);
  return { ...(schemas.length === 1 ? schemas[0] : { anyOf: schemas }), description };
}

/**
 * `workflows/event-data.ts`: per machine, an interface mapping each event type to its `data`
 * (named after the workflow and its first version, e.g. `Fda510kEventData`,
 * `CofeprisRegistrationV2EventData`) and the union of its events (`Fda510kEvent`).
 */
export async function generateEventData(workflows: readonly WorkflowDefinition[] = WORKFLOWS): Promise<string> {
  const parts = [
    '/* Generated from the event schemas of workflows/ by `npm run generate`. Do not edit by hand. */',
    "import type { EventOf } from './common.js';",
    '',
  ];
  // Per workflow id, the map already written and its data schemas: a later machine of the same
  // workflow takes over (`extends Pick<...>`) the events it keeps unchanged instead of restating them.
  const earlier = new Map<string, { title: string; schemas: Record<string, string> }>();
  for (const versions of machineGroups(workflows)) {
    const first = versions[0]!;
    const name = `${pascal(first.id)}${first.version > 1 ? `V${first.version}` : ''}`;
    const title = `${name}EventData`;
    const types = [...new Set(versions.flatMap((w) => Object.keys(w.events)))];
    const schemas = Object.fromEntries(types.map((t) => [t, JSON.stringify(dataSchema(versions, t))]));
    const previous = earlier.get(first.id);
    const kept = previous ? types.filter((t) => previous.schemas[t] === schemas[t]) : [];
    const own = types.filter((t) => !kept.includes(t));
    earlier.set(first.id, { title, schemas });
    const schema = {
      title,
      description: `The data of each event of ${versions.map((w) => `${w.id}@${w.version}`).join(', ')}, from its schema.`,
      type: 'object',
      additionalProperties: false,
      required: own,
      properties: Object.fromEntries(own.map((t) => [t, JSON.parse(schemas[t]!) as JsonSchema])),
    };
    const ts = await compile(schema as never, title, { bannerComment: '', additionalProperties: false, format: true });
    // The compiler capitalizes after digits (Fda510KEventData); keep the workflow files' spelling.
    const compiledName = /export interface (\w+)/.exec(ts)?.[1] ?? title;
    const keptClause = previous && kept.length ? ` extends Pick<${previous.title}, ${kept.map((t) => `'${t}'`).join(' | ')}>` : '';
    parts.push(
      ts
        .trim()
        .replaceAll(compiledName, title)
        .replace(`export interface ${title} {`, `export interface ${title}${keptClause} {`)
        // An event without data fields takes an empty object, not "any non-null value".
        .replace(/: \{\};$/gm, ': Record<string, never>;'),
      '',
      `/** An event of ${first.id}@${versions.map((w) => w.version).join('/')} with its data typed by type. */`,
      `export type ${name}Event = EventOf<${name}EventData>;`,
      '',
    );
  }
  // In the house style (the file sits among the workflow sources that `prettier --check` reads).
  const style = await prettier.resolveConfig(EVENT_DATA_FILE.pathname);
  return prettier.format(parts.join('\n'), { ...style, parser: 'typescript' });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  fs.writeFileSync(GENERATED_FILE, await generateTypes());
  fs.writeFileSync(EVENT_DATA_FILE, await generateEventData());
  console.log(`wrote ${GENERATED_FILE.pathname} and ${EVENT_DATA_FILE.pathname}`);
}
