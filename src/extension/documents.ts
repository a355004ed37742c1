// Keeps diagnostics (and the background simulation) up to date for every patch document.
// Off the keystroke path: edits only (re)arm a debounce timer; the engine runs later, and a
// result is dropped when the document changed meanwhile (the generation moved on), so a slow
// run never overwrites newer diagnostics and never delays typing.
import * as vscode from 'vscode';
import type { SimulateOptions } from './engine';
import type { CheckReport, ConsequenceLike, SimulationReportLike } from './engine-types';
import { type DiagnosticSpec, toDiagnosticSpecs } from './diagnostic-specs';
import type { ExtensionSettings } from './settings';
import { checkOptions } from './settings';
import { isPatchDocument } from './patch-documents';
import { toRange } from './vscode-types';
import { AnalysisScheduler } from './analysis-scheduler';
import type { Scenario } from '../scenarios/index';

/** What the controller needs from the engine: the in-process Engine or the worker client. */
export interface AnalysisEngine {
  readonly canSimulate: boolean;
  check(text: string, options: import('./engine-types').CheckOptions, key?: string): Promise<{ report: CheckReport; ms: number }>;
  simulate(text: string, options: SimulateOptions, key?: string): Promise<{ report: SimulationReportLike; ms: number }>;
}

export interface DocumentAnalysis {
  version: number;
  report: CheckReport;
  simulation: SimulationReportLike | null;
  simulationError: string | null;
  specs: DiagnosticSpec[];
}

/** An explicit simulation (the Simulate command): with the user's scenarios, and whole
 *  replays for the view. */
/** How long lint results wait for the simulation before they are shown alone. */
const LINT_ALONE_AFTER_MS = 150;

export interface SimulationRequest {
  scenarios?: Scenario[];
  replay?: boolean;
}

export class DocumentController implements vscode.Disposable {
  private readonly analyses = new Map<string, DocumentAnalysis>();
  private readonly docs = new Map<string, vscode.TextDocument>();
  private readonly scheduler = new AnalysisScheduler<string>((key, generation) => this.runFor(key, generation));
  private readonly requests = new Map<string, SimulationRequest | undefined>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a document's analysis (diagnostics, then simulation) was updated. */
  readonly onDidAnalyse = this.changed.event;
  private disposed = false;

  constructor(
    private readonly engine: AnalysisEngine,
    private readonly diagnostics: vscode.DiagnosticCollection,
    private readonly settings: () => ExtensionSettings,
    private readonly ruleTarget: (ruleId: string) => string,
    private readonly log: (line: string) => void,
  ) {}

  analysis(uri: vscode.Uri): DocumentAnalysis | undefined {
    return this.analyses.get(uri.toString());
  }

  /** Schedules an analysis after the debounce delay (0 on open). */
  schedule(doc: vscode.TextDocument, delay = this.settings().debounceMs): void {
    if (this.disposed || !isPatchDocument(doc)) return;
    const key = doc.uri.toString();
    this.docs.set(key, doc);
    this.requests.set(key, undefined);
    this.scheduler.schedule(key, delay);
  }

  /** Runs now and resolves when diagnostics are published (commands use this). */
  async analyseNow(doc: vscode.TextDocument, simulation?: SimulationRequest): Promise<DocumentAnalysis | undefined> {
    const key = doc.uri.toString();
    this.docs.set(key, doc);
    this.requests.set(key, simulation);
    await this.scheduler.now(key);
    return this.analyses.get(key);
  }

  forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.scheduler.forget(key);
    this.docs.delete(key);
    this.requests.delete(key);
    this.analyses.delete(key);
    this.diagnostics.delete(uri);
  }

  private isCurrent(doc: vscode.TextDocument, generation: number, version: number): boolean {
    return !this.disposed && this.scheduler.isCurrent(doc.uri.toString(), generation) && doc.version === version && !doc.isClosed;
  }

  private async runFor(key: string, generation: number): Promise<void> {
    const doc = this.docs.get(key);
    if (doc) await this.run(doc, generation, this.requests.get(key));
  }

  private async run(doc: vscode.TextDocument, generation: number, request?: SimulationRequest): Promise<void> {
    const version = doc.version;
    const text = doc.getText();
    const settings = this.settings();
    const path = doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.toString();
    let report: CheckReport;
    try {
      const r = await this.engine.check(text, checkOptions(settings, path), doc.uri.toString());
      report = r.report;
      if (!this.isCurrent(doc, generation, version)) return;
      const clues = report.kernel.clues.length ? ` (clues: ${report.kernel.clues.join(', ')})` : '';
      this.log(`check ${shortName(doc)} v${version}: ${report.findings.length} finding(s) in ${r.ms.toFixed(1)} ms, kernel ${report.kernel.era}${report.kernel.requested === 'auto' ? ' auto' : ''}${clues}, arch ${report.arch}`);
    } catch (e) {
      if (!this.isCurrent(doc, generation, version)) return; // superseded by a newer edit
      this.log(`check ${shortName(doc)} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return;
    }
    const simulate = (request !== undefined || settings.simulateWhileTyping) && this.engine.canSimulate;
    if (!simulate) {
      this.publish(doc, version, report, null, null);
      return;
    }
    // Lint first only when the simulation is slow: publishing lint alone and then lint with
    // consequences a few ms later would make the Problems panel and CodeLenses flicker on
    // every keystroke.
    const simulation = this.engine.simulate(text, { path, kernel: settings.kernel, arch: settings.arch === 'all' ? undefined : settings.arch, scenarios: request?.scenarios, replay: request?.replay }, doc.uri.toString());
    let lintPublished = false;
    const lintTimer = setTimeout(() => {
      if (!this.isCurrent(doc, generation, version)) return;
      lintPublished = true;
      this.publish(doc, version, report, null, null);
    }, LINT_ALONE_AFTER_MS);
    try {
      const s = await simulation;
      clearTimeout(lintTimer);
      if (!this.isCurrent(doc, generation, version)) return;
      this.log(`simulate ${shortName(doc)} v${version}: ${s.report.hookChanges.length} hook change(s), ${s.report.consequences.length} consequence(s) in ${s.ms.toFixed(1)} ms${lintPublished ? '' : ' (published with the lint)'}`);
      this.publish(doc, version, report, s.report, null);
    } catch (e) {
      clearTimeout(lintTimer);
      if (!this.isCurrent(doc, generation, version)) return;
      const msg = e instanceof Error ? e.message : String(e);
      this.log(`simulate ${shortName(doc)} failed: ${e instanceof Error ? (e.stack ?? msg) : msg}`);
      this.publish(doc, version, report, null, msg);
    }
  }

  private publish(doc: vscode.TextDocument, version: number, report: CheckReport, simulation: SimulationReportLike | null, simulationError: string | null): void {
    const consequences: ConsequenceLike[] = simulation?.consequences ?? [];
    const specs = toDiagnosticSpecs(report.findings, consequences, this.ruleTarget);
    this.analyses.set(doc.uri.toString(), { version, report, simulation, simulationError, specs });
    this.diagnostics.set(doc.uri, specs.map((s) => toDiagnostic(s, doc.uri)));
    this.changed.fire(doc.uri);
  }

  dispose(): void {
    this.disposed = true;
    this.scheduler.dispose();
    this.docs.clear();
    this.changed.dispose();
  }
}

export function toDiagnostic(spec: DiagnosticSpec, uri: vscode.Uri): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toRange(spec.range), spec.message, spec.severity as number as vscode.DiagnosticSeverity);
  d.source = spec.source;
  d.code = { value: spec.code.value, target: vscode.Uri.parse(spec.code.target) };
  if (spec.related.length) d.relatedInformation = spec.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, toRange(r.range)), r.message));
  return d;
}

function shortName(doc: vscode.TextDocument): string {
  return doc.uri.path.split('/').pop() || doc.uri.toString();
}
