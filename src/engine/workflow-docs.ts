/**
 * The generated documentation of the catalog: docs/workflows/<id>.md per workflow and
 * docs/regulatory-basis.md (`npm run docs:workflows`; tests fail when the committed files are stale).
 */
import type { RuleSource, WorkflowDefinition } from '../../workflows/types.js';
import { WORKFLOWS } from '../../workflows/index.js';
import { describeWorkflow, mermaidDiagram, summarizeWorkflow } from './catalog.js';

const CONSEQUENCE = { automatic: 'closes automatically', decision: 'needs a decision' } as const;

/** A source as one line: title, section, citation, date. */
export function citation(s: RuleSource): string {
  return [s.title, s.section, s.citation, s.date].filter(Boolean).join(', ');
}

const cell = (v: string) => v.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * `docs/workflows/<id>.md`: the diagram, states, events with roles and payload fields, goals and
 * parameters of a workflow, generated from the machine file (`npm run docs:workflows`; a test
 * fails when the committed file is stale).
 */
export function workflowMarkdown(w: WorkflowDefinition, versions: readonly WorkflowDefinition[]): string {
  const d = describeWorkflow(w);
  const out: string[] = [];
  out.push(`# ${w.title} (\`${w.id}\`)`, '');
  out.push('<!-- Generated from the machine file by `npm run docs:workflows`; do not edit by hand. -->', '');
  out.push(`Jurisdiction ${w.jurisdiction}, dates in ${w.timeZone}. Version ${w.version}, definition hash \`${d.definitionHash}\`.`, '');
  if (versions.length > 1) {
    out.push('Versions in the catalog (a submission keeps the version it started on):', '');
    for (const v of versions) out.push(`- \`${v.id}@${v.version}\`: \`${summarizeWorkflow(v).definitionHash}\``);
    out.push('');
  }
  out.push('## Diagram', '', '```mermaid', mermaidDiagram(w).trimEnd(), '```', '');
  out.push('## States', '', '| state | clocks | hard deadline | description |', '|---|---|---|---|');
  for (const st of d.states) {
    const deadline = st.deadline
      ? `${st.deadline.event} after ${st.deadline.length} ${st.deadline.unit}${st.deadline.anchor ? ` from \`${st.deadline.anchor}\`` : ''}${st.deadline.unconfirmed ? ' (UNCONFIRMED)' : ''}; ${CONSEQUENCE[st.deadline.consequence ?? 'automatic']}${st.deadline.source ? `; source: ${citation(st.deadline.source)}` : ''}`
      : '';
    out.push(`| \`${st.path}\` | ${st.tags.join(', ')} | ${cell(deadline)} | ${cell(st.description ?? '')} |`);
  }
  out.push(
    '',
    '## Events',
    '',
    'Events marked **signed** need a Part 11 electronic signature: `signature: { meaning, password }` in the request (21 CFR 11.50, 11.200).',
    '',
  );
  out.push('| event | roles | signature | from → to | data | description |', '|---|---|---|---|---|---|');
  for (const [type, e] of Object.entries(w.events)) {
    const moves = d.states.flatMap((st) =>
      st.transitions.filter((t) => t.event === type).map((t) => `\`${st.path}\` → ${t.targets.map((x) => `\`${x}\``).join(', ')}`),
    );
    const props = (e.schema.properties ?? {}) as Record<string, unknown>;
    const required = new Set((e.schema.required ?? []) as string[]);
    const data = Object.keys(props)
      .map((k) => (required.has(k) ? `**${k}**` : k))
      .join(', ');
    out.push(
      `| \`${type}\` | ${e.roles.join(', ')} | ${e.requiresSignature ? 'signed' : ''} | ${[...new Set(moves)].join('<br>')} | ${data} | ${cell(e.description)} |`,
    );
  }
  const events = (list: readonly string[] | undefined) => (list?.length ? list.map((e) => `\`${e}\``).join(', ') : '');
  if (w.clock) {
    out.push(
      '',
      '## Clock',
      '',
      `Day counts run on ${w.clock.kind === 'fda' ? 'FDA days (calendar days less hold days)' : 'Mexican business days, paused on holds'}, from the history's \`effectiveAt\` dates.`,
      '',
    );
    out.push(`- receipt (start): ${events(w.clock.start)}`);
    if (w.clock.restart?.length) out.push(`- restarts the review count: ${events(w.clock.restart)}`);
    out.push(`- ends the review: ${events(w.clock.stop)}`);
  }
  if (w.goals.length) {
    out.push('', '## Goals (soft)', '', '| goal | length | applies when | met by | description |', '|---|---|---|---|---|');
    for (const g of w.goals) {
      const when = [
        ...Object.entries(g.when ?? {}).map(([k, v]) => `${k} = ${v}`),
        ...(g.requires ? [`after ${events(g.requires)}`] : []),
        ...(g.excludedBy ? [`not after ${events(g.excludedBy)}`] : []),
        ...(g.from ? [`counted from ${events(g.from)}`] : []),
      ];
      const met = w.clock
        ? [events(g.metBy), 'the end of the review'].filter(Boolean).join(' or ') + (g.missedEvent ? `; missed: \`${g.missedEvent}\`` : '')
        : '';
      const goal = `${g.description}${g.fires ? ` Missed: the system sends \`${g.fires}\`.` : ''}${g.unconfirmed ? ' (UNCONFIRMED)' : ''}${g.source ? ` Source: ${citation(g.source)}.` : ''}`;
      out.push(`| ${g.kind} | ${g.length} ${g.unit} | ${when.length ? cell(when.join('; ')) : 'always'} | ${cell(met)} | ${cell(goal)} |`);
    }
  }
  const params = Object.entries(w.parameters);
  if (params.length) {
    out.push('', '## Parameters', '', '| name | value | note |', '|---|---|---|');
    for (const [name, p] of params)
      out.push(
        `| ${name} | ${String(p.value)}${p.unit ? ` ${p.unit}` : ''}${p.unconfirmed ? ' (UNCONFIRMED)' : ''} | ${cell(p.note + (p.source ? ` Source: ${citation(p.source)}.` : ''))} |`,
      );
  }
  return `${out.join('\n')}\n`;
}

/** Every file of docs/workflows/ by name: one page per workflow id and an index. */
export function workflowDocs(): Map<string, string> {
  const files = new Map<string, string>();
  const ids = [...new Set(WORKFLOWS.map((w) => w.id))];
  const index = [
    '# Workflow catalog',
    '',
    '<!-- Generated by `npm run docs:workflows`; do not edit by hand. -->',
    '',
    '| id | pathway | jurisdiction | versions |',
    '|---|---|---|---|',
  ];
  for (const id of ids) {
    const versions = WORKFLOWS.filter((w) => w.id === id).sort((a, b) => a.version - b.version);
    const latest = versions[versions.length - 1]!;
    files.set(`${id}.md`, workflowMarkdown(latest, versions));
    index.push(`| [\`${id}\`](${id}.md) | ${latest.title} | ${latest.jurisdiction} | ${versions.map((v) => v.version).join(', ')} |`);
  }
  index.push('', 'Every rule of the current versions, its source and whether it is confirmed: [../regulatory-basis.md](../regulatory-basis.md).');
  files.set('README.md', `${index.join('\n')}\n`);
  return files;
}

/**
 * `docs/regulatory-basis.md` (issue 9): every deadline, goal and parameter of the current version of
 * each workflow, with its value, what happens when it passes, its source, and whether a primary
 * source confirms it. Generated with docs/workflows/ (a test fails when it is stale).
 */
export function regulatoryBasis(): string {
  const out = [
    '# Regulatory basis',
    '',
    '<!-- Generated from the machine files by `npm run docs:workflows`; do not edit by hand. -->',
    '',
    'Every clock puente runs, as the current version of each workflow declares it. A deadline **closes automatically** (the',
    'sweeper sends its event) only where a primary source states both the window and the consequence; otherwise it',
    '**needs a decision**: when it passes, puente writes a `DEADLINE_PASSED` record, sends the webhook, shows it overdue, and',
    "the regulator's role decides (reference/domain.md §7.1). Goals are soft: missing one changes no state, except where",
    'the law gives the miss a consequence (afirmativa ficta). UNCONFIRMED values are named parameters, never literals.',
    '',
  ];
  for (const w of latestOf(WORKFLOWS)) {
    out.push(`## ${w.title} (\`${w.id}@${w.version}\`)`, '', '| rule | kind | value | when it passes | confirmed | source |', '|---|---|---|---|---|---|');
    const d = describeWorkflow(w);
    for (const st of d.states) {
      const dl = st.deadline;
      if (!dl) continue;
      out.push(
        `| ${dl.kind} (\`${st.path}\`) | deadline | ${dl.length} ${dl.unit} | ${dl.consequence === 'decision' ? `needs a decision (\`${dl.event}\`)` : `closes automatically: \`${dl.event}\``} | ${dl.unconfirmed ? 'UNCONFIRMED' : 'yes'} | ${cell(dl.source ? citation(dl.source) : 'none')} |`,
      );
    }
    for (const g of w.goals) {
      const when = Object.entries(g.when ?? {}).map(([k, v]) => `${k} = ${v}`);
      out.push(
        `| ${g.kind}${when.length ? ` (${cell(when.join(', '))})` : ''} | goal | ${g.length} ${g.unit} | ${g.fires ? `\`${g.fires}\`` : `\`${g.missedEvent ?? 'GOAL_MISSED'}\` noted`} | ${g.unconfirmed ? 'UNCONFIRMED' : 'yes'} | ${cell(g.source ? citation(g.source) : 'none')} |`,
      );
    }
    for (const [name, p] of Object.entries(w.parameters)) {
      out.push(
        `| ${name} | parameter | ${cell(String(p.value))}${p.unit ? ` ${p.unit}` : ''} | | ${p.unconfirmed ? `UNCONFIRMED: ${cell(p.note)}` : 'yes'} | ${cell(p.source ? citation(p.source) : 'none')} |`,
      );
    }
    out.push('');
  }
  return `${out.join('\n')}`;
}

function latestOf(all: readonly WorkflowDefinition[]): WorkflowDefinition[] {
  const latest = new Map<string, WorkflowDefinition>();
  for (const w of all) if ((latest.get(w.id)?.version ?? 0) < w.version) latest.set(w.id, w);
  return [...latest.values()];
}
