// The "Simulate This Patch" webview: base and patched runs side by side per consequence.
// Security: the page's CSP allows only our stylesheet and our script (with a fresh nonce from
// crypto), nothing inline, no network; localResourceRoots is media/ alone; every message from
// the page is validated (simulation-view.ts) before it does anything.
import * as vscode from 'vscode';
import { newNonce, webviewHtml } from './webview-html';
import { parseWebviewMessage, type SimulationView } from './simulation-view';

export class SimulatePanel implements vscode.Disposable {
  static readonly viewType = 'mmlens.simulation';
  private static current: SimulatePanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private view: SimulationView | null = null;
  private ready = false;
  private focusScenario: string | undefined;

  static show(extensionUri: vscode.Uri, documentUri: vscode.Uri, view: SimulationView, log: (s: string) => void, focusScenario?: string): SimulatePanel {
    const existing = SimulatePanel.current;
    if (existing) {
      existing.documentUri = documentUri;
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      existing.update(view, focusScenario);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(SimulatePanel.viewType, 'Simulation', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      enableCommandUris: false,
      enableForms: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')],
      retainContextWhenHidden: true,
    });
    SimulatePanel.current = new SimulatePanel(panel, extensionUri, documentUri, log);
    SimulatePanel.current.update(view, focusScenario);
    return SimulatePanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private documentUri: vscode.Uri,
    private readonly log: (s: string) => void,
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html();
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m), null, this.disposables);
  }

  private update(view: SimulationView, focusScenario?: string): void {
    this.view = view;
    this.focusScenario = focusScenario;
    this.panel.title = `Simulation: ${view.title}`;
    if (this.ready) void this.panel.webview.postMessage({ type: 'show', view, focus: focusScenario ?? null });
  }

  private async onMessage(raw: unknown): Promise<void> {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.documentUri.toString());
    const msg = parseWebviewMessage(raw, doc?.lineCount ?? Number.MAX_SAFE_INTEGER);
    if (!msg) {
      this.log(`simulation view: ignored an unexpected message ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    if (msg.type === 'ready') {
      this.ready = true;
      if (this.view) void this.panel.webview.postMessage({ type: 'show', view: this.view, focus: this.focusScenario ?? null });
      return;
    }
    const line = msg.line - 1;
    const range = new vscode.Range(line, 0, line, 0);
    const editor = await vscode.window.showTextDocument(this.documentUri, { viewColumn: vscode.ViewColumn.One, selection: range, preserveFocus: false });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private html(): string {
    const webview = this.panel.webview;
    return webviewHtml({
      cspSource: webview.cspSource,
      nonce: newNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'simulate.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'simulate.css')).toString(),
    });
  }

  dispose(): void {
    if (SimulatePanel.current === this) SimulatePanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
