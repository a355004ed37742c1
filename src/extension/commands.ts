// The "Kernel Patch" commands: Simulate This Patch, Run Fork-Safety Scenario..., Select Kernel
// Era, Explain Rule.
import * as vscode from 'vscode';
import type { DocumentController } from './documents';
import type { Engine } from './engine';
import type { ExtensionSettings } from './settings';
import { isPatchDocument } from './patch-documents';
import { simulationView } from './simulation-view';
import { SimulatePanel } from './simulate-panel';
import { librarySources, runScenarioView, scenarioFromText, type ScenarioSource } from './scenario-run';
import { kernelModel, LATEST_ERA } from '../kernel/index';
import type { ArchId, EraId } from '../kernel/index';
import type { Scenario } from '../scenarios/index';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  engine: Engine;
  docs: DocumentController;
  settings: () => ExtensionSettings;
  log: (line: string) => void;
  output: vscode.OutputChannel;
}

const ERA_CHOICES: Array<{ id: string; detail: string }> = [
  { id: 'auto', detail: 'Pick the era from the patch (mmap_sem vs mmap_lock, sys_mprotect vs do_mprotect_pkey, vm_flags_set, header layout)' },
  { id: 'v2.6.13', detail: '2005: the kernel of the original PROT_DONTCOPY thread' },
  { id: 'v2.6.16', detail: 'MADV_DONTFORK and MADV_DOFORK exist' },
  { id: 'v5.4', detail: 'No FOLL_PIN yet: pinned pages only write-protected at fork' },
  { id: 'v6.12', detail: 'Pinned anonymous pages copied at fork, PageAnonExclusive, vm_flags_set helpers' },
  { id: 'latest', detail: 'The newest modelled era' },
];

async function documentFor(arg: unknown): Promise<vscode.TextDocument | undefined> {
  if (typeof arg === 'string' && arg.length > 0) {
    let uri: vscode.Uri;
    try {
      uri = vscode.Uri.parse(arg, true);
    } catch {
      return undefined;
    }
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) ?? (await vscode.workspace.openTextDocument(uri));
  }
  if (arg instanceof vscode.Uri) return vscode.workspace.openTextDocument(arg);
  return vscode.window.activeTextEditor?.document;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { engine, docs, settings, log, context } = deps;
  return [
    vscode.commands.registerCommand('mmlens.simulatePatch', async (uriArg?: unknown, scenario?: unknown) => {
      const doc = await documentFor(uriArg);
      if (!doc || !isPatchDocument(doc)) {
        void vscode.window.showWarningMessage('Simulate This Patch: open a patch (.patch, .diff) or a patch mail first.');
        return;
      }
      if (!engine.canSimulate) {
        void vscode.window.showErrorMessage('Simulate This Patch: the simulation engine is not available in this build.');
        return;
      }
      const name = doc.uri.path.split('/').pop() || 'patch';
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Simulating ${name}` }, async () => {
        const scenarios = await userScenarios(settings(), log);
        const analysis = await docs.analyseNow(doc, { scenarios, replay: true });
        if (!analysis?.simulation) {
          const why = analysis?.simulationError ?? 'no result';
          void vscode.window.showErrorMessage(`Simulate This Patch failed: ${why}`);
          return;
        }
        const view = simulationView(analysis.simulation, name);
        log(`simulation view for ${name}: ${view.consequences.length} consequence(s), ${view.hookChanges.length} hook change(s)`);
        SimulatePanel.show(context.extensionUri, doc.uri, view, log, typeof scenario === 'string' ? scenario : undefined);
      });
    }),

    vscode.commands.registerCommand('mmlens.selectEra', async () => {
      const current = settings().kernel;
      const pick = await vscode.window.showQuickPick(
        ERA_CHOICES.map((c) => ({ label: c.id, description: c.id === current ? '(current)' : undefined, detail: c.detail })),
        { title: 'Kernel era for checking and simulating patches', placeHolder: `now: ${current}` },
      );
      if (!pick) return;
      const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await vscode.workspace.getConfiguration('mmlens').update('kernel', pick.label, target);
      log(`kernel era set to ${pick.label}`);
    }),

    vscode.commands.registerCommand('mmlens.explainRule', async (idArg?: unknown) => {
      let id = typeof idArg === 'string' ? idArg.trim().toUpperCase() : undefined;
      if (!id) {
        const pick = await vscode.window.showQuickPick(
          engine.rules().map((m) => ({ label: m.id, description: m.name, detail: m.shortDescription })),
          { title: 'Explain a mmlens rule' },
        );
        id = pick?.label;
      }
      if (!id) return;
      const meta = engine.rule(id);
      if (!meta) {
        void vscode.window.showWarningMessage(`Explain Rule: unknown rule ${id}`);
        return;
      }
      const page = vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules', `${meta.id}.md`);
      try {
        await vscode.workspace.fs.stat(page);
        await vscode.commands.executeCommand('markdown.showPreview', page);
      } catch {
        const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: `# ${meta.id}: ${meta.name}\n\n${meta.shortDescription}\n\n${meta.fullDescription}\n` });
        await vscode.window.showTextDocument(doc, { preview: true });
      }
    }),

    vscode.commands.registerCommand('mmlens.runScenario', async (fileArg?: unknown) => {
      const sources = await scenarioSources(settings(), log);
      let source: ScenarioSource | undefined;
      if (typeof fileArg === 'string' || fileArg instanceof vscode.Uri) {
        const uri = typeof fileArg === 'string' ? vscode.Uri.parse(fileArg, true) : fileArg;
        source = fileSource(uri);
      } else {
        const pick = await vscode.window.showQuickPick(
          sources.map((s) => ({ label: s.label, description: s.origin === 'library' ? 'library' : vscode.workspace.asRelativePath(s.origin), source: s })),
          { title: 'Run a fork-safety scenario', placeHolder: 'library scenarios, and *.json in mmlens.scenarioFolders', matchOnDescription: true },
        );
        source = pick?.source;
      }
      if (!source) return;
      const active = vscode.window.activeTextEditor?.document;
      const patchDoc = active && isPatchDocument(active) ? active : undefined;
      const s = settings();
      const era: EraId = s.kernel === 'auto' ? ((patchDoc && docs.analysis(patchDoc.uri)?.report.kernel.era) || LATEST_ERA) : s.kernel === 'latest' ? LATEST_ERA : s.kernel;
      const arch: ArchId = s.arch === 'all' ? 'generic' : s.arch;
      try {
        const scenario = await source.load();
        const patched = patchDoc ? await engine.patchedModel(patchDoc.getText(), { kernel: era, arch }) : null;
        const r = runScenarioView(scenario, kernelModel(era, arch), patched);
        log(`scenario ${scenario.name} on ${era}/${arch}${patched ? ' and the patched model' : ''}: ${r.passed ? 'passed' : 'an expectation failed'}\n${r.timeline}`);
        SimulatePanel.show(context.extensionUri, patchDoc?.uri ?? active?.uri ?? context.extensionUri, r.view, log);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        log(`scenario ${source.label}: ${msg}`);
        void vscode.window.showErrorMessage(`Run Fork-Safety Scenario: ${msg}`);
      }
    }),

    vscode.commands.registerCommand('mmlens.showOutput', () => deps.output.show(true)),
  ];
}

function fileSource(uri: vscode.Uri): ScenarioSource {
  return {
    label: uri.path.split('/').pop() ?? uri.toString(),
    origin: uri.toString(),
    load: async () => scenarioFromText(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), vscode.workspace.asRelativePath(uri)),
  };
}

/** Library scenarios, then *.json files of mmlens.scenarioFolders (relative to each workspace
 *  folder, or absolute), then an open JSON editor that looks like a scenario. */
async function scenarioSources(settings: ExtensionSettings, log: (s: string) => void): Promise<ScenarioSource[]> {
  const out: ScenarioSource[] = [];
  const seen = new Set<string>();
  // Files are unique by path; library scenarios share the origin `library`, so by name.
  const add = (s: ScenarioSource) => {
    const key = s.origin === 'library' ? `library:${s.label}` : s.origin;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(s);
    }
  };
  const active = vscode.window.activeTextEditor?.document;
  if (active && active.languageId === 'json' && /"steps"\s*:/.test(active.getText())) {
    const doc = active;
    add({ label: doc.uri.path.split('/').pop() ?? 'scenario', origin: doc.uri.toString(), load: async () => scenarioFromText(doc.getText(), vscode.workspace.asRelativePath(doc.uri)) });
  }
  for (const folder of settings.scenarioFolders) {
    const bases = folder.startsWith('/') ? [vscode.Uri.file(folder)] : (vscode.workspace.workspaceFolders ?? []).map((w) => vscode.Uri.joinPath(w.uri, folder));
    for (const base of bases) {
      try {
        const files = await vscode.workspace.findFiles(new vscode.RelativePattern(base, '**/*.json'), undefined, 500);
        for (const f of files.sort((a, b) => a.path.localeCompare(b.path))) add(fileSource(f));
      } catch (e) {
        log(`mmlens.scenarioFolders: cannot list ${base.toString()}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  for (const s of librarySources()) add(s);
  return out;
}

/** The scenarios of mmlens.scenarioFolders, parsed; a broken file is logged and skipped. */
async function userScenarios(settings: ExtensionSettings, log: (s: string) => void): Promise<Scenario[]> {
  const out: Scenario[] = [];
  for (const src of await scenarioSources(settings, log)) {
    if (src.origin === 'library') continue;
    try {
      out.push(await src.load());
    } catch (e) {
      log(`scenario ${src.label} skipped: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}
