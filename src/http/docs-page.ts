/** GET /docs: the OpenAPI document rendered as one self-contained HTML page (no CDN). */

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The parts of an OpenAPI 3.1 document this page shows. */
interface DocsOperation {
  readonly summary?: string;
  readonly parameters?: ReadonlyArray<{ readonly name: string; readonly in: string }>;
  readonly requestBody?: { readonly content: Record<string, { readonly schema?: { readonly $ref?: string } }> };
  readonly responses?: Record<string, unknown>;
}
export interface DocsDocument {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  readonly paths: Record<string, Record<string, DocsOperation>>;
  readonly components: { readonly schemas: Record<string, unknown> };
}

export function renderDocs(doc: DocsDocument): string {
  const ops: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? []).map((p) => `<code>${esc(p.name)}</code> (${esc(p.in)})`).join(', ');
      const body = op.requestBody
        ? Object.entries(op.requestBody.content)
            .map(([t, c]) => `${esc(t)} ${esc(c.schema?.$ref?.split('/').pop() ?? '')}`)
            .join(', ')
        : '';
      const responses = Object.keys(op.responses ?? {})
        .map((s) => `<code>${esc(s)}</code>`)
        .join(' ');
      ops.push(
        `<tr><td><b>${esc(method.toUpperCase())}</b></td><td><code>${esc(path)}</code></td><td>${esc(op.summary ?? '')}${params ? `<br><small>params: ${params}</small>` : ''}${body ? `<br><small>body: ${body}</small>` : ''}</td><td>${responses}</td></tr>`,
      );
    }
  }
  const schemas = Object.entries(doc.components.schemas)
    .map(([name, s]) => `<details><summary><code>${esc(name)}</code></summary><pre>${esc(JSON.stringify(s, null, 2))}</pre></details>`)
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
table{border-collapse:collapse;width:100%}td{border-top:1px solid #ddd;padding:.4rem;vertical-align:top}
pre{background:#f6f6f6;padding:.6rem;overflow:auto}code{font-size:.92em}</style></head><body>
<h1>${esc(doc.info.title)} <small>v${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${esc(doc.openapi)}). Authenticate with <code>Authorization: Bearer &lt;token&gt;</code>.</p>
<h2>Operations</h2><table>${ops.join('\n')}</table><h2>Schemas</h2>${schemas}</body></html>`;
}
