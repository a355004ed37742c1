// End-to-end: the packaged extension in code-server, driven by Playwright in Debian's Chromium.
// Called by scripts/e2e.mjs (which installs code-server, packages the .vsix, installs it and
// starts the server). Each step saves a screenshot to test-results/e2e/NN-step.png; a failed
// step saves one too and the remaining steps that do not depend on it still run.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const FIXTURE = 'test-fixtures/examples/prot-dontcopy.patch';
const FIX_FIXTURE = 'test/e2e/fixtures/vm-flags-direct.patch';
const MAIL_FIXTURE = 'test-fixtures/examples/prot-dontcopy-reply.eml';
const UNTITLED_HUNK = [
  '@@ -235,1 +235,1 @@ sys_mprotect(unsigned long start, size_t len, unsigned long prot)',
  '-\t\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC));',
  '+\t\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC | VM_DONTCOPY));',
  '',
].join('\n');
const STEP_TIMEOUT = Number(process.env.MMLENS_E2E_STEP_TIMEOUT ?? 45_000);

export async function runE2E({ url, workspace, root, results, log }) {
  mkdirSync(results, { recursive: true });
  const patchName = 'prot-dontcopy.patch';
  const fixName = 'vm-flags-direct.patch';
  const mailName = 'prot-dontcopy-reply.eml';
  copyFileSync(join(root, MAIL_FIXTURE), join(workspace, mailName));
  copyFileSync(join(root, FIXTURE), join(workspace, patchName));
  copyFileSync(join(root, FIX_FIXTURE), join(workspace, fixName));

  const browser = await chromium.launch({ executablePath: process.env.MMLENS_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(STEP_TIMEOUT);
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });

  const outcome = { passed: 0, failed: 0, steps: [] };
  let n = 0;
  async function step(name, fn, { required = false } = {}) {
    n++;
    const shot = join(results, `${String(n).padStart(2, '0')}-${name}.png`);
    const t0 = Date.now();
    try {
      const detail = await fn();
      await page.screenshot({ path: shot });
      outcome.passed++;
      outcome.steps.push({ name, ok: true, ms: Date.now() - t0, detail: detail ?? null, screenshot: shot });
      log(`ok   ${name} (${Date.now() - t0} ms)${detail ? `: ${detail}` : ''}`);
      return true;
    } catch (e) {
      await page.screenshot({ path: shot }).catch(() => {});
      outcome.failed++;
      outcome.steps.push({ name, ok: false, ms: Date.now() - t0, error: String(e?.message ?? e), screenshot: shot });
      log(`FAIL ${name}: ${String(e?.message ?? e).split('\n').slice(0, 6).join('\n     ')}`);
      if (required) throw new StopRun();
      return false;
    }
  }

  try {
    await step('workbench', async () => {
      await page.goto(url);
      await page.waitForSelector('.monaco-workbench');
      await page.waitForSelector('.explorer-folders-view, .explorer-viewlet', { timeout: STEP_TIMEOUT });
      await page.getByRole('treeitem', { name: patchName }).first().waitFor();
    }, { required: true });

    await step('open-patch', async () => {
      await openFile(page, patchName);
      await page.waitForSelector('.monaco-editor .view-lines');
      await expectText(page.locator('.monaco-editor .view-lines').first(), 'PROT_DONTCOPY');
    }, { required: true });

    let problems = [];
    await step('problems-panel', async () => {
      await page.locator('.monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+Shift+M');
      const panel = page.locator('.markers-panel');
      await panel.waitFor();
      await waitFor(async () => (await panel.locator('.monaco-list-row').count()) > 1, 'rows in the Problems panel');
      await waitFor(async () => (await panel.innerText()).includes('MM002'), 'MM002 in the Problems panel');
      problems = (await panel.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      for (const want of ['MM001', 'MM002']) if (!problems.some((p) => p.includes(want))) throw new Error(`no ${want} in the Problems panel:\n${problems.join('\n')}`);
      if (!problems.some((p) => p.includes('mmlens'))) throw new Error('diagnostics do not name their source mmlens');
      return `${problems.length} rows`;
    });

    await step('codelens', async () => {
      // Above each hunk whose lines the background simulation ties to consequences.
      const lens = page.locator('.editor-group-container.active .codelens-decoration', { hasText: 'consequence' }).first();
      await page.locator('.markers-panel .monaco-list-row', { hasText: 'MM002' }).first().click();
      await lens.waitFor({ state: 'attached' });
      return (await lens.textContent()).replace(/\s+/g, ' ').trim().slice(0, 120);
    });

    await step('hover-finding', async () => {
      // Reveal the MM002 line by clicking its row, then hover the squiggle under the cursor.
      await page.locator('.markers-panel .monaco-list-row', { hasText: 'MM002' }).first().click();
      const editor = page.locator('.monaco-editor').first();
      await page.waitForTimeout(300);
      const squiggles = editor.locator('.squiggly-error, .squiggly-warning');
      await waitFor(async () => (await squiggles.count()) > 0, 'a squiggle in the editor');
      // Our part of the hover (after VS Code's own line for the diagnostic) has the links.
      const hover = page.locator('.monaco-hover:visible, .monaco-resizable-hover:visible').filter({ hasText: 'Simulate This Patch' }).first();
      // Read the text while the hover is up (it closes when the mouse leaves or time passes).
      const readHover = () => hover.innerText({ timeout: 2000 }).then((t) => t.replace(/\s+/g, ' '), () => null);
      let text = null;
      for (let i = 0; i < (await squiggles.count()) && !text; i++) {
        const box = await squiggles.nth(i).boundingBox();
        if (!box) continue;
        await page.mouse.move(box.x + Math.min(20, box.width / 2), box.y + box.height / 2);
        if (await hover.waitFor({ timeout: 4000 }).then(() => true, () => false)) text = await readHover();
      }
      // Fallback: the hover at the cursor (the row click put it on the finding).
      if (!text) text = ((await (await hoverAtCursor(page, 'Simulate This Patch')).innerText({ timeout: 2000 })) ?? '').replace(/\s+/g, ' ');
      for (const want of ['MM002', 'Simulate This Patch', 'Explain MM002']) if (!text.includes(want)) throw new Error(`hover lacks "${want}": ${text}`);
      return text.slice(0, 160);
    });

    await step('simulate-webview', async () => {
      await page.mouse.move(5, 5);
      await page.keyboard.press('Escape');
      await page.locator('.monaco-editor .view-lines').first().click();
      await runCommand(page, 'Kernel Patch: Simulate This Patch');
      const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      const cards = frame.locator('.consequence');
      await cards.first().waitFor({ timeout: STEP_TIMEOUT });
      const count = await cards.count();
      const first = (await cards.first().locator('.c-head').innerText()).replace(/\s+/g, ' ');
      if (!/line \d+/.test(first)) throw new Error(`consequence without hunk lines: ${first}`);
      await frame.locator('.runs .run-base').first().waitFor();
      await frame.locator('.runs .run-patched').first().waitFor();
      const pictures = await frame.locator('.runs .state .vma').count();
      if (pictures === 0) throw new Error('no VMA pictures in the runs');
      // A second picture with room: the panel closed, the runs of the first consequence in view.
      await page.keyboard.press('Control+J');
      await frame.locator('.runs').first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(results, `${String(n).padStart(2, '0')}-simulate-runs.png`) });
      await page.keyboard.press('Control+J');
      return `${count} consequence(s); first: ${first.slice(0, 140)}`;
    });

    await step('reveal-from-webview', async () => {
      const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      const link = frame.locator('.consequence .c-head a.line-link').first();
      const line = Number((await link.innerText()).replace(/\D+/g, ''));
      await link.click();
      const status = page.locator('.statusbar-item[id="status.editor.selection"]');
      await waitFor(async () => (await status.innerText()).includes(`Ln ${line},`), `cursor on line ${line}`);
      return `line ${line}`;
    });

    await step('quick-fix', async () => {
      await openFile(page, fixName);
      const editor = page.locator('.editor-group-container.active .monaco-editor').first();
      await expectText(editor.locator('.view-lines'), 'vm_flags |=');
      await page.keyboard.press('Control+Shift+M');
      const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'MM009' }).first();
      await row.waitFor();
      await row.click();
      await page.waitForTimeout(300);
      const item = await quickFixItem(page, editor, /vm_flags_set\(\) \(MM009\)/);
      await page.screenshot({ path: join(results, `${String(n).padStart(2, '0')}-quick-fix-menu.png`) });
      await item.click();
      await expectText(editor.locator('.view-lines'), 'vm_flags_set(');
      return 'vm_flags_set applied';
    });

    await step('flag-hover', async () => {
      await openFile(page, patchName);
      // Onto the name in ` #define PROT_SEM\t0x8`.
      await goTo(page, 28, 12);
      const hover = await hoverAtCursor(page, 'PROT_SEM');
      const text = (await hover.innerText()).replace(/\s+/g, ' ');
      for (const want of ['PROT namespace', 'bit 3', 'alpha']) if (!text.includes(want)) throw new Error(`flag hover lacks "${want}": ${text}`);
      await page.keyboard.press('Escape');
      // A name the patch itself adds: its value and where.
      await goTo(page, 31, 12);
      const own = await hoverAtCursor(page, 'This patch');
      const ownText = (await own.innerText()).replace(/\s+/g, ' ');
      if (!/This patch adds PROT_DONTCOPY = 0x04000000 \(bit 26\)/.test(ownText)) throw new Error(`hover on PROT_DONTCOPY: ${ownText}`);
      await page.keyboard.press('Escape');
      return text.slice(0, 100);
    });

    await step('explain-rule', async () => {
      await runCommand(page, 'Kernel Patch: Explain Rule');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill('MM002');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'MM002' }).first().click();
      await page.locator('.tabs-container .tab', { hasText: 'MM002' }).first().waitFor();
      return 'rule page opened';
    });

    await step('mail-language', async () => {
      await openFile(page, mailName);
      const mode = page.locator('.statusbar-item[id="status.editor.mode"]');
      await waitFor(async () => (await mode.innerText()).includes('Kernel Patch Mail'), 'the Kernel Patch Mail language mode');
      await page.keyboard.press('Control+Shift+M');
      await page.locator('.markers-panel .monaco-list-row', { hasText: mailName }).first().waitFor();
      const rows = (await page.locator('.markers-panel .monaco-list-row').allInnerTexts()).join('\n');
      return /MM00\d/.test(rows) ? 'findings on the quoted patch' : 'no findings';
    });

    await step('untitled-as-you-type', async () => {
      await runCommand(page, 'File: New Untitled Text File');
      await page.locator('.tabs-container .tab', { hasText: 'Untitled-1' }).first().waitFor();
      await page.waitForTimeout(300);
      // A bare hunk as someone would paste it from a mail; then one more keystroke.
      await page.keyboard.insertText(UNTITLED_HUNK);
      const editor = page.locator('.editor-group-container.active .monaco-editor').first();
      await waitFor(async () => (await editor.locator('.squiggly-error').count()) > 0, 'a squiggle in the untitled document');
      // Cursor onto the + line, then the hover at the cursor.
      await goTo(page, 3, 12);
      await hoverAtCursor(page, 'MM002');
      return 'MM002 while typing';
    });

    await step('run-scenario', async () => {
      // With the untitled patch active: the scenario runs on its era and on its patched model.
      await runCommand(page, 'Kernel Patch: Run Fork-Safety Scenario...');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill('mr-fork-parent-write');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'mr-fork-parent-write' }).first().click();
      const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      await frame.locator('.consequence', { hasText: 'mr-fork-parent-write' }).first().waitFor();
      await waitFor(async () => (await frame.locator('.page.pinned').count()) > 0, 'a page pinned for DMA in the picture');
      const steps = await frame.locator('.run-base .step').count();
      return `${steps} steps, pinned pages drawn`;
    });

    await step('select-era', async () => {
      await openFile(page, patchName);
      const status = page.locator('.statusbar-item', { hasText: 'Kernel' }).first();
      await waitFor(async () => (await status.innerText()).includes('(auto)'), 'the era chosen by auto in the status bar');
      await runCommand(page, 'Kernel Patch: Select Kernel Era');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill('v6.12');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'v6.12' }).first().click();
      await waitFor(async () => /Kernel v6\.12(?! \(auto\))/.test(await status.innerText()), 'Kernel v6.12 in the status bar');
      return (await status.innerText()).trim();
    });
  } catch (e) {
    if (!(e instanceof StopRun)) throw e;
  } finally {
    writeFileSync(join(results, 'steps.json'), JSON.stringify({ ...outcome, consoleErrors: consoleErrors.slice(0, 50) }, null, 2));
    await browser.close();
  }
  return outcome;
}

class StopRun extends Error {}

async function waitFor(pred, what, timeout = STEP_TIMEOUT) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    try {
      if (await pred()) return;
    } catch {
      /* element not there yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
}

async function expectText(locator, text) {
  await waitFor(async () => (await locator.innerText()).replace(/\u00a0/g, ' ').includes(text), `"${text}"`);
}

async function openFile(page, name) {
  await page.getByRole('treeitem', { name }).first().dblclick();
  await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor();
}

/** Puts the cursor at line:column (1-based) with Go to Line, and waits until it is there. */
async function goTo(page, line, column) {
  const status = page.locator('.statusbar-item[id="status.editor.selection"]');
  for (let attempt = 1; attempt <= 3; attempt++) {
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`:${line}:${column}`);
    await page.keyboard.press('Enter');
    // The status bar counts tabs as several columns, so only the line is checked.
    const there = await waitFor(async () => (await status.innerText()).includes(`Ln ${line},`), `cursor at ${line}:${column}`, 3000).then(() => true, () => false);
    if (there) return;
  }
  throw new Error(`could not put the cursor at ${line}:${column}`);
}

async function runCommand(page, title) {
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('>' + title);
    // The row whose label is exactly the command (fuzzy matching offers others too); wait for
    // the list to be filtered for this text, not a stale one.
    const row = page.locator('.quick-input-widget .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp('^\\s*' + escapeRe(title) + '\\s*$') }) }).first();
    const found = await row.waitFor({ timeout: 8000 }).then(() => true, () => false);
    if (found) {
      await row.click();
      // The palette has done its job when it closes, or when the command reuses the same
      // quick-input widget for a picker of its own (its input then no longer holds '>title').
      const ran = await page
        .waitForFunction(() => {
          const w = document.querySelector('.quick-input-widget');
          if (!w || getComputedStyle(w).display === 'none') return true;
          const i = w.querySelector('input');
          return !!i && !i.value.startsWith('>');
        }, null, { timeout: 5000 })
        .then(() => true, () => false);
      if (ran) return;
    }
    if (attempt >= 3) throw new Error(`could not run "${title}" from the command palette`);
  }
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Shows the hover at the text cursor: the keyboard chord, then the mouse on the cursor. */
async function hoverAtCursor(page, hasText) {
  const hover = page.locator('.monaco-hover:visible, .monaco-resizable-hover:visible').filter({ hasText }).first();
  for (let attempt = 1; attempt <= 3; attempt++) {
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    if (await hover.waitFor({ timeout: 4000 }).then(() => true, () => false)) return hover;
    const cursor = page.locator('.editor-group-container.active .monaco-editor .cursor').first();
    const box = await cursor.boundingBox().catch(() => null);
    if (box) {
      await page.mouse.move(box.x + 3, box.y + box.height / 2);
      if (await hover.waitFor({ timeout: 4000 }).then(() => true, () => false)) return hover;
      await page.mouse.move(5, 5);
    }
  }
  throw new Error(`no hover with "${hasText}" at the cursor`);
}

/** Opens the quick-fix menu (Problems panel context menu or the editor's action widget) and
 *  returns the item matching `pattern`. */
async function quickFixItem(page, editor, pattern) {
  const item = page.locator('.context-view, .action-widget').getByText(pattern).first();
  for (let attempt = 1; attempt <= 3; attempt++) {
    await page.keyboard.press('Control+.');
    if (await item.waitFor({ timeout: 5000 }).then(() => true, () => false)) return item;
    await page.keyboard.press('Escape');
    // Next try from the editor: click on the squiggle to put the cursor (and focus) there.
    const sq = editor.locator('.squiggly-error, .squiggly-warning').first();
    const box = await sq.boundingBox().catch(() => null);
    if (box) await page.mouse.click(box.x + Math.min(8, box.width / 2), box.y + box.height / 2);
  }
  throw new Error(`no quick fix matching ${pattern}`);
}

// Allow `node test/e2e/extension.e2e.mjs URL WORKSPACE` against an already running server.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [url, workspace] = process.argv.slice(2);
  const root = process.cwd();
  runE2E({ url, workspace, root, results: join(root, 'test-results', 'e2e'), log: (m) => console.log(m) }).then((o) => {
    console.log(`${o.passed} passed, ${o.failed} failed`);
    process.exit(o.failed ? 1 : 0);
  });
}
