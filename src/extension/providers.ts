// Hovers, code actions and CodeLenses: thin vscode wrappers over the pure *-specs/-content
// modules, reading the last analysis the DocumentController published.
import * as vscode from 'vscode';
import type { DocumentController } from './documents';
import type { Engine } from './engine';
import { TRUSTED_COMMANDS, findingHoverMarkdown } from './hover-content';
import { codeActionSpecs } from './code-action-specs';
import { lensSpecs, type HunkSpan } from './lens-specs';
import { flagTokenAt } from './flag-token';
import { flagHoverMarkdown } from './flag-hover';
import { mayDefine } from './flag-facts';
import { isPatchDocument } from './patch-documents';
import { toPlainRange, toRange } from './vscode-types';
import type { ExtensionSettings } from './settings';

function trusted(md: string): vscode.MarkdownString {
  const m = new vscode.MarkdownString(md);
  m.isTrusted = { enabledCommands: [...TRUSTED_COMMANDS] };
  m.supportThemeIcons = true;
  return m;
}

export class PatchHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly docs: DocumentController,
    private readonly engine: Engine,
    private readonly settings: () => ExtensionSettings,
  ) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!isPatchDocument(doc)) return undefined; // an untitled text that is not a patch
    const a = this.docs.analysis(doc.uri);
    const parts: vscode.MarkdownString[] = [];
    let range: vscode.Range | undefined;
    if (a && a.version === doc.version) {
      for (const spec of a.specs) {
        const r = toRange(spec.range);
        if (!r.contains(pos)) continue;
        range = range ? range.union(r) : r;
        parts.push(trusted(findingHoverMarkdown({ finding: spec.finding, meta: this.engine.rule(spec.finding.rule), consequences: spec.consequences, documentUri: doc.uri.toString() })));
      }
    }
    const lineText = doc.lineAt(pos.line).text;
    const token = flagTokenAt(lineText, pos.character);
    if (token) {
      const era = a?.report.kernel.era;
      const text = doc.getText();
      // The patch's own #define of this name needs the C parser on this thread: load it on
      // the first such hover only.
      if (token.kind === 'name' && mayDefine(text, token.text)) await this.engine.ready().catch(() => {});
      const md = flagHoverMarkdown(token, this.engine.describeFlag(token, { era, arch: this.settings().arch, lineText, text }));
      if (md) {
        parts.push(trusted(md));
        range ??= new vscode.Range(pos.line, token.start, pos.line, token.end);
      }
    }
    return parts.length ? new vscode.Hover(parts, range) : undefined;
  }
}

export class PatchCodeActionProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];
  constructor(private readonly docs: DocumentController) {}

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const a = this.docs.analysis(doc.uri);
    if (!a || a.version !== doc.version) return [];
    const specs = codeActionSpecs(
      a.specs.map((s) => s.finding),
      toPlainRange(range),
    );
    return specs.map((s) => {
      const action = new vscode.CodeAction(s.title, vscode.CodeActionKind.QuickFix);
      const diag = context.diagnostics.find((d) => d.source === 'mmlens' && codeValue(d) === s.finding.rule && d.range.start.line === s.finding.line - 1);
      if (diag) action.diagnostics = [diag];
      if (s.edits) {
        const edit = new vscode.WorkspaceEdit();
        for (const e of s.edits) edit.replace(doc.uri, toRange(e.range), e.newText);
        action.edit = edit;
        action.isPreferred = s.isPreferred;
      }
      if (s.command) action.command = s.command;
      return action;
    });
  }
}

function codeValue(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (c === undefined) return undefined;
  return typeof c === 'object' ? String(c.value) : String(c);
}

export class PatchCodeLensProvider implements vscode.CodeLensProvider {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;

  constructor(
    private readonly docs: DocumentController,
    private readonly hunkSpans: (text: string) => HunkSpan[],
  ) {
    docs.onDidAnalyse(() => this.emitter.fire());
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const a = this.docs.analysis(doc.uri);
    if (!a || a.version !== doc.version || !a.simulation || a.simulation.consequences.length === 0) return [];
    return lensSpecs(this.hunkSpans(doc.getText()), a.simulation.consequences).map(
      (l) => new vscode.CodeLens(new vscode.Range(l.line, 0, l.line, 0), { title: l.title, command: 'mmlens.simulatePatch', arguments: [doc.uri.toString(), l.consequences[0]?.scenario] }),
    );
  }
}
