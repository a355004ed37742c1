// mmlens for VS Code: the entry point. Wires the engine (src/*, no vscode) to diagnostics,
// hovers, code actions, CodeLenses, the status bar, commands and the simulation webview.
// This folder is the only place that imports `vscode`.
import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';
import { Engine, distDirOf } from './engine';
import { DocumentController } from './documents';
import { PatchCodeActionProvider, PatchCodeLensProvider, PatchHoverProvider } from './providers';
import { registerCommands } from './commands';
import { readSettings, type ExtensionSettings } from './settings';
import { isPatchDocument, PATCH_LANGUAGES } from './patch-documents';
import { hunkSpans } from './hunk-spans';
import { readPatchSet } from '../patch/index';
import { wireEngine } from './wiring';
import { EngineClient } from './worker-client';
import { join } from 'node:path';

export interface MmlensApi {
  /** Milliseconds activate() took (bench and e2e read it). */
  activationMs: number;
  engine: Engine;
}

export function activate(context: vscode.ExtensionContext): MmlensApi {
  const t0 = performance.now();
  const output = vscode.window.createOutputChannel('mmlens', { log: true });
  const log = (line: string) => output.info(line);
  context.subscriptions.push(output);

  let settings: ExtensionSettings = loadSettings(log);
  const distDir = distDirOf(context.extensionPath);
  // Hovers, code actions and commands use the in-process engine (fast lookups); checks and
  // simulations run in a worker thread, off the extension host's event loop.
  const engine = new Engine(distDir, log);
  wireEngine(engine);
  const runner = new EngineClient(engine, join(distDir, 'engine-worker.cjs'), distDir, log);
  context.subscriptions.push({ dispose: () => runner.dispose() });

  const diagnostics = vscode.languages.createDiagnosticCollection('mmlens');
  const ruleTarget = (id: string) => vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules', `${id}.md`).toString();
  const docs = new DocumentController(runner, diagnostics, () => settings, ruleTarget, log);
  context.subscriptions.push(diagnostics, docs);

  // Every scheme: files, untitled documents and virtual workspaces alike.
  const selector: vscode.DocumentSelector = [...PATCH_LANGUAGES.map((language) => ({ language })), { language: 'plaintext', scheme: 'untitled' }];
  context.subscriptions.push(
    vscode.languages.registerHoverProvider(selector, new PatchHoverProvider(docs, engine, () => settings)),
    vscode.languages.registerCodeActionsProvider(selector, new PatchCodeActionProvider(docs), { providedCodeActionKinds: PatchCodeActionProvider.kinds }),
    vscode.languages.registerCodeLensProvider(selector, new PatchCodeLensProvider(docs, (text) => hunkSpans(readPatchSet(text)))),
  );

  const status = vscode.window.createStatusBarItem('mmlens.era', vscode.StatusBarAlignment.Right, 100);
  status.name = 'mmlens kernel era';
  status.command = 'mmlens.selectEra';
  context.subscriptions.push(status);
  const updateStatus = () => {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !isPatchDocument(doc)) {
      status.hide();
      return;
    }
    const a = docs.analysis(doc.uri);
    const k = a?.report.kernel;
    status.text = k ? `$(circuit-board) Kernel ${k.era}${k.requested === 'auto' ? ' (auto)' : ''}` : `$(circuit-board) Kernel ${settings.kernel}`;
    status.tooltip = k?.clues.length ? `Era chosen from the patch: ${k.clues.join(', ')}. Click to change.` : 'Kernel era used by mmlens. Click to change.';
    status.show();
  };

  context.subscriptions.push(
    ...registerCommands({ context, engine, docs, settings: () => settings, log, output }),
    vscode.workspace.onDidOpenTextDocument((d) => docs.schedule(d, 0)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0) docs.schedule(e.document);
    }),
    vscode.workspace.onDidCloseTextDocument((d) => docs.forget(d.uri)),
    vscode.window.onDidChangeActiveTextEditor(updateStatus),
    docs.onDidAnalyse(updateStatus),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('mmlens')) return;
      settings = loadSettings(log);
      updateStatus();
      for (const d of vscode.workspace.textDocuments) docs.schedule(d, 0);
    }),
  );
  for (const d of vscode.workspace.textDocuments) docs.schedule(d, 0);
  updateStatus();

  const activationMs = performance.now() - t0;
  log(`mmlens ${context.extension.packageJSON.version} activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs, engine };
}

function loadSettings(log: (s: string) => void): ExtensionSettings {
  const c = vscode.workspace.getConfiguration('mmlens');
  const { settings, problems } = readSettings({
    kernel: c.get('kernel'),
    arch: c.get('arch'),
    rules: c.get('rules'),
    scenarioFolders: c.get('scenarioFolders'),
    simulateWhileTyping: c.get('simulateWhileTyping'),
    debounceMs: c.get('debounceMs'),
  });
  for (const p of problems) log(`settings: ${p}`);
  return settings;
}

export function deactivate(): void {}
