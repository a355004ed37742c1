// The extension manifest and grammars hang together: every contributed command is registered
// by the code, every grammar file exists with the scope the manifest names, every `#include`
// resolves, and the capabilities say what the extension supports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

test('every contributed command is registered in src/extension', () => {
  const code = readdirSync('src/extension').filter((f) => f.endsWith('.ts')).map((f) => readFileSync(`src/extension/${f}`, 'utf8')).join('\n');
  const commands: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);
  assert.ok(commands.length >= 4);
  for (const c of commands) assert.match(code, new RegExp(`registerCommand\\('${c.replace('.', '\\.')}'`), `${c} is registered`);
  for (const c of pkg.contributes.commands) if (c.command !== 'mmlens.showOutput') assert.equal(c.category, 'Kernel Patch');
});

test('capabilities, activation and settings', () => {
  assert.deepEqual(pkg.capabilities, { untrustedWorkspaces: { supported: true }, virtualWorkspaces: true });
  for (const l of ['diff', 'kernel-patch-mail']) assert.ok(pkg.activationEvents.includes(`onLanguage:${l}`));
  const props = pkg.contributes.configuration.properties;
  for (const k of ['mmlens.kernel', 'mmlens.arch', 'mmlens.rules', 'mmlens.scenarioFolders']) assert.ok(props[k], k);
  assert.equal(props['mmlens.kernel'].default, 'auto');
  assert.ok(existsSync(pkg.icon));
});

type Rule = { include?: string; patterns?: Rule[]; captures?: Record<string, Rule>; beginCaptures?: Record<string, Rule>; endCaptures?: Record<string, Rule> };

function includes(r: Rule, out: string[]): string[] {
  if (r.include) out.push(r.include);
  for (const p of r.patterns ?? []) includes(p, out);
  for (const c of [r.captures, r.beginCaptures, r.endCaptures]) for (const v of Object.values(c ?? {})) includes(v, out);
  return out;
}

test('grammars: files exist, scopes match the manifest, includes resolve', () => {
  const known = new Set(['source.c', 'source.diff']);
  for (const g of pkg.contributes.grammars) known.add(g.scopeName);
  for (const g of pkg.contributes.grammars) {
    const grammar = JSON.parse(readFileSync(g.path, 'utf8'));
    assert.equal(grammar.scopeName, g.scopeName, g.path);
    const repo = grammar.repository ?? {};
    const all = includes({ patterns: grammar.patterns }, []);
    for (const r of Object.values(repo)) includes(r as Rule, all);
    for (const inc of all) {
      if (inc.startsWith('#')) assert.ok(repo[inc.slice(1)], `${g.path}: ${inc} is in the repository`);
      else assert.ok(known.has(inc), `${g.path}: ${inc} is a known grammar`);
    }
  }
  const lang = pkg.contributes.languages.find((l: { id: string }) => l.id === 'kernel-patch-mail');
  assert.deepEqual(lang.extensions, ['.eml', '.mbox']);
  const first = new RegExp(lang.firstLine);
  assert.ok(first.test('From 7d2f1e0c4b9a8e3d6c5b4a392817f6e5d4c3b2a1 Mon Sep 17 00:00:00 2001'));
  assert.ok(first.test('From: Rowan Vettel <rowan@example.net>'));
  assert.ok(!first.test('diff --git a/x b/x'));
  assert.ok(existsSync(lang.configuration));
});
