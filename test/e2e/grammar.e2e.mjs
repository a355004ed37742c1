// The grammars tokenized by the same TextMate engine VS Code uses (vscode-textmate and
// vscode-oniguruma from the code-server install), with VS Code's own diff and C grammars:
// C scopes inside the hunks of .c/.h files, quote levels and quoted diff lines in mails.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export async function runGrammarChecks({ vscodeDir, root, log }) {
  const require = createRequire(join(vscodeDir, 'package.json'));
  const tm = require('vscode-textmate');
  const onig = require('vscode-oniguruma');
  await onig.loadWASM(readFileSync(join(vscodeDir, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm')).buffer);
  const files = {
    'source.diff': join(vscodeDir, 'extensions', 'diff', 'syntaxes', 'diff.tmLanguage.json'),
    'source.c': join(vscodeDir, 'extensions', 'cpp', 'syntaxes', 'c.tmLanguage.json'),
    'text.mail.kernel-patch': join(root, 'syntaxes', 'kernel-patch-mail.tmLanguage.json'),
    'source.diff.kernel-c.injection': join(root, 'syntaxes', 'diff-c.injection.tmLanguage.json'),
  };
  const registry = new tm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new onig.OnigScanner(p), createOnigString: (s) => new onig.OnigString(s) }),
    loadGrammar: async (s) => (files[s] ? tm.parseRawGrammar(readFileSync(files[s], 'utf8'), files[s]) : null),
    getInjections: (s) => (s === 'source.diff' || s === 'text.mail.kernel-patch' ? ['source.diff.kernel-c.injection'] : undefined),
  });
  async function scopesOf(scope, file) {
    const g = await registry.loadGrammar(scope);
    let state = tm.INITIAL;
    return readFileSync(join(root, file), 'utf8').split('\n').map((line) => {
      const r = g.tokenizeLine(line, state);
      state = r.ruleStack;
      return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
    });
  }
  const checks = [];
  const check = (name, ok, detail) => {
    checks.push({ name, ok });
    log(`${ok ? 'ok  ' : 'FAIL'} grammar: ${name}${ok ? '' : `: ${detail}`}`);
  };
  const patch = await scopesOf('source.diff', 'test-fixtures/examples/prot-dontcopy.patch');
  const line58 = patch[57]; // + newflags = vm_flags | (vma->vm_flags & ~(... | VM_DONTCOPY));
  check('C operators inside a hunk of a .c file', line58.some((t) => t.text === '=' && t.scopes.includes('keyword.operator.assignment.c')), JSON.stringify(line58.slice(0, 4)));
  check('the + marker stays a diff insertion', line58[0].text === '+' && line58[0].scopes.some((s) => s.startsWith('markup.inserted')), JSON.stringify(line58[0]));
  const header = patch[22]; // diff --git line: not C
  check('file headers are not C', !header.some((t) => t.scopes.some((s) => s.endsWith('.c'))), JSON.stringify(header));
  const mail = await scopesOf('text.mail.kernel-patch', 'test-fixtures/examples/prot-dontcopy-reply.eml');
  check('mail headers', mail[0][0].scopes.includes('keyword.other.header.mail'), JSON.stringify(mail[0][0]));
  const quoted = mail.find((toks) => toks.some((t) => t.text.startsWith('+#define PROT_DONTCOPY') || (t.text === '+' && t.scopes.some((s) => s.startsWith('markup.inserted')))));
  check('a quoted + line is an insertion inside its quote', !!quoted && quoted[0].scopes.some((s) => s.includes('quote.level-3')), JSON.stringify(quoted?.slice(0, 3)));
  return { passed: checks.filter((c) => c.ok).length, failed: checks.filter((c) => !c.ok).length };
}
