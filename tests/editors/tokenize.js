// Tokenizes .policy files with editors/custody.tmLanguage.json as VS Code does: the
// vscode-textmate tokenizer with the Oniguruma regex engine (vscode-oniguruma). Run by
// tests/editors.rs with NODE_PATH pointing at the installed packages:
//
//   node tests/editors/tokenize.js GRAMMAR FILE...
//
// Prints JSON: for each file, its lines, each with its tokens (text and scopes) and any
// error (a regex the engine refused, a line that stopped early).
'use strict';
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

async function main() {
  const [grammarPath, ...files] = process.argv.slice(2);
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === 'source.custody'
        ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath)
        : null,
  });
  const grammar = await registry.loadGrammar('source.custody');
  if (!grammar) throw new Error(`${grammarPath} does not define source.custody`);
  const out = [];
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    let state = vsctm.INITIAL;
    const result = [];
    for (const line of lines) {
      try {
        // A generous time limit: a line that needs more has a catastrophic regex.
        const r = grammar.tokenizeLine(line, state, 5000);
        state = r.ruleStack;
        result.push({
          tokens: r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes })),
          error: r.stoppedEarly ? 'stopped early' : null,
        });
      } catch (e) {
        result.push({ tokens: [], error: String(e && e.message ? e.message : e) });
      }
    }
    out.push({ file, lines: result });
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(`tokenize.js: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
