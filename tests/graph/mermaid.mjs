// Parse Mermaid files with Mermaid's own parser, as tests/graph.rs needs it:
//
//   node tests/graph/mermaid.mjs NODE_MODULES FILE...
//
// NODE_MODULES holds `mermaid` and `jsdom` (.ci/install-tools puts them under
// .ci/.tools/npm). Mermaid's parser needs a DOM (DOMPurify), which jsdom provides; no
// browser. Mermaid's size limits (maxTextSize, maxEdges) are lifted: they are render
// settings, and custody warns about them itself.
//
// Prints a JSON array, one object per file: `error` (null when it parsed), the diagram
// type, and the nodes and edges as Mermaid read them, with the label text as Mermaid would
// show it (entity codes decoded, `<br>` as a line break), so the test can check the
// escaping round-trips.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [modules, ...files] = process.argv.slice(2);
const require = createRequire(resolve(modules, 'noop.js'));
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import(pathToFileURL(require.resolve('mermaid')).href);
mermaid.initialize({ startOnLoad: false, maxTextSize: Infinity, maxEdges: Infinity });

// Mermaid's own encoding of `#name;` and `#123;` entity codes while it parses.
const named = { quot: '"', amp: '&', lt: '<', gt: '>', nbsp: '\u00a0' };
const shown = (text) =>
  String(text ?? '')
    .replace(/ﬂ°°(\d+)¶ß/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/ﬂ°(\w+)¶ß/g, (m, n) => named[n] ?? m)
    .replace(/<br\s*\/?>/g, '\n');

const out = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const result = { file, error: null, type: null, nodes: [], edges: [] };
  try {
    const parsed = await mermaid.parse(text);
    result.type = parsed.diagramType;
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    for (const [id, v] of diagram.db.getVertices()) {
      result.nodes.push({ id, text: shown(v.text), shape: v.type, classes: v.classes });
    }
    for (const e of diagram.db.getEdges()) {
      result.edges.push({ from: e.start, to: e.end, text: shown(e.text) });
    }
  } catch (e) {
    result.error = String(e?.message ?? e);
  }
  out.push(result);
}
process.stdout.write(JSON.stringify(out));
