// The simulation webview page: strict CSP with a fresh nonce, no inline code, and the
// webview script builds no markup from report text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { contentSecurityPolicy, newNonce, webviewHtml } from '../../src/extension/webview-html';

test('CSP: nothing by default, scripts only with the nonce, no unsafe-*', () => {
  const csp = contentSecurityPolicy('https://file+.vscode-resource.vscode-cdn.net', 'abc');
  assert.match(csp, /^default-src 'none'; /);
  assert.match(csp, /script-src 'nonce-abc'$/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
});

test('the page: one external script carrying the nonce, no inline script or style', () => {
  const nonce = newNonce();
  assert.notEqual(nonce, newNonce(), 'a fresh nonce each time');
  assert.ok(Buffer.from(nonce, 'base64').length >= 16, 'at least 128 bits');
  const html = webviewHtml({ cspSource: 'vscode-resource:', nonce, scriptUri: 'vscode-resource:/media/simulate.js', styleUri: 'vscode-resource:/media/simulate.css' });
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  assert.match(scripts[0][1], new RegExp(`nonce="${nonce.replace(/[+/=]/g, (c) => '\\' + c)}"`));
  assert.match(scripts[0][1], /src="vscode-resource:\/media\/simulate\.js"/);
  assert.equal(scripts[0][2].trim(), '', 'no inline code');
  assert.doesNotMatch(html, /<style|style="/, 'no inline style');
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline handlers');
});

test('the webview script never turns report text into markup', () => {
  const js = readFileSync('media/simulate.js', 'utf8');
  assert.doesNotMatch(js, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  assert.match(js, /textContent/);
  // It only ever sends the two messages the extension validates.
  const sent = [...js.matchAll(/postMessage\(\{ type: '([a-z]+)'/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(sent)].sort(), ['ready', 'reveal']);
});
