// The custody extension: starts `custody lsp` (the custody.path setting) for .policy files
// and for the YAML files (inventories, waivers, custody.yaml) of every folder that holds a
// custody.yaml. Syntax highlighting comes from syntaxes/custody.tmLanguage.json, a copy of
// editors/custody.tmLanguage.json (tests/editors.rs keeps the two identical).
'use strict';
const path = require('path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

/** A glob for the YAML files under `dir`, with forward slashes as globs need. */
function yamlUnder(dir) {
  return `${dir.split(path.sep).join('/')}/**/*.{yaml,yml}`;
}

async function activate(context) {
  const command = vscode.workspace.getConfiguration('custody').get('path', 'custody');
  // YAML belongs to custody only in a project: a folder with custody.yaml, and below it.
  const configs = await vscode.workspace.findFiles('**/custody.yaml', '**/node_modules/**');
  const projects = [...new Set(configs.map((uri) => path.dirname(uri.fsPath)))].sort();
  const documentSelector = [
    { scheme: 'file', language: 'custody' },
    ...projects.map((dir) => ({ scheme: 'file', language: 'yaml', pattern: yamlUnder(dir) })),
  ];
  const serverOptions = {
    run: { command, args: ['lsp'], transport: TransportKind.stdio },
    debug: { command, args: ['lsp'], transport: TransportKind.stdio },
  };
  const clientOptions = {
    documentSelector,
    synchronize: {
      // Files read from disk rather than open in an editor: the server re-reads them.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.policy,*.yaml,*.yml}'),
    },
  };
  client = new LanguageClient('custody', 'custody', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    vscode.window.showErrorMessage(
      `custody: could not start \`${command} lsp\` (${e && e.message ? e.message : e}); ` +
        'install custody or set custody.path to the executable',
    );
  }
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
