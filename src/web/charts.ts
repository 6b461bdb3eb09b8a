/**
 * Charts as SVG rendered on the server (tracker issue 16 §3): a Vega-Lite specification compiled
 * to Vega and rendered headless by `vega` (`renderer: 'none'`, no canvas, no browser, no script on
 * the page). The page sends the SVG inline, with the table of its numbers under it.
 *
 * Parsing a specification costs tens of milliseconds; rendering new rows into a view already
 * parsed costs a few. So each chart (a specification in one language) is parsed once per process
 * into a view whose rows are replaced for every render, one render at a time per view, and the
 * SVG of the same rows is kept (a small LRU), so a dashboard polled by many readers renders once.
 *
 * The SVG is made for assistive technology as one image: Vega's own ARIA roles are off
 * (`config.aria: false`), and the root `<svg>` gets `role="img"` and `aria-labelledby` naming the
 * chart's caption; the numbers themselves are in the table under it. It scales to the width of its
 * container (the viewBox is kept, the fixed size dropped).
 */
import type * as Vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { LruMap } from '../lru.js';

/**
 * vega and vega-lite, loaded on the first chart: a process that never draws one (the CLI, an API
 * instance nobody asks for the Insights page) does not pay their start-up.
 */
let libraries: Promise<{ vega: typeof Vega; compile: typeof import('vega-lite').compile }> | undefined;
const loadLibraries = () =>
  (libraries ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({ vega, compile: vegaLite.compile })));

/** The name of the data set a chart's specification reads (`data: { name: ROWS }`). */
export const ROWS = 'rows';

interface ParsedChart {
  view: Vega.View;
  /** The render in progress, so renders of one view never overlap. */
  queue: Promise<unknown>;
}

const charts = new Map<string, ParsedChart>();
const MAX_SVGS = 128;
const svgs = new LruMap<string, string>(MAX_SVGS);

async function parsed(key: string, spec: () => TopLevelSpec): Promise<ParsedChart> {
  let c = charts.get(key);
  if (!c) {
    const { vega, compile } = await loadLibraries();
    c = charts.get(key);
    if (c) return c;
    const full = { ...spec(), data: { name: ROWS }, config: { ...(spec().config ?? {}), aria: false } } as TopLevelSpec;
    const view = new vega.View(vega.parse(compile(full).spec), { renderer: 'none' });
    charts.set(key, (c = { view, queue: Promise.resolve() }));
  }
  return c;
}

/**
 * The SVG of chart `key` (one specification, in one language: `spec` is called only the first
 * time) over `rows`, labelled by the element `labelledBy` names.
 */
export async function renderChart(key: string, spec: () => TopLevelSpec, rows: readonly object[], labelledBy: string): Promise<string> {
  const memo = `${key}\u0000${JSON.stringify(rows)}`;
  let svg = svgs.get(memo);
  if (svg === undefined) {
    const c = await parsed(key, spec);
    const run = c.queue.then(async () => {
      c.view.data(
        ROWS,
        rows.map((r) => ({ ...r })),
      );
      await c.view.runAsync();
      return c.view.toSVG();
    });
    c.queue = run.catch(() => undefined);
    svg = await run;
    svgs.set(memo, svg);
  }
  return accessible(svg, labelledBy);
}

/** One image for assistive technology, named by its caption, scaling to its container. */
function accessible(svg: string, labelledBy: string): string {
  // Vega's graphics roles stay on its groups even with ARIA off: one image has no parts to announce.
  return svg.replace(/\s(?:role|aria-[a-z]+)="[^"]*"/g, '').replace(/^<svg\b([^>]*)>/, (_m, attrs: string) => {
    const kept = attrs.replace(/\s(?:width|height)="[^"]*"/g, '');
    return `<svg${kept} width="100%" role="img" aria-labelledby="${labelledBy}" focusable="false">`;
  });
}
