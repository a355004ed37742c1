// The extension's costs, in Node:
// 1. activation: loading dist/extension.cjs and running activate() against a stand-in `vscode`
//    module whose every call is a no-op (the real host adds its own cost; the e2e run logs the
//    real activation time from the extension's output channel);
// 2. keystroke -> diagnostics engine time on a 2,000-line patch: one character typed, then
//    what the extension does off the keystroke path: checkText + the diagnostic mapping
//    (aim: one frame, 16 ms); and the background simulation, when the bridge provides it;
//    the same through the engine worker (round trip);
// 3. a flag hover (tables lookup + markdown).
// Medians of several runs. Run `npm run build` first for (1).
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Engine } from '../src/extension/engine';
import { wireEngine } from '../src/extension/wiring';
import { toDiagnosticSpecs } from '../src/extension/diagnostic-specs';
import { EngineClient } from '../src/extension/worker-client';
import { flagTokenAt } from '../src/extension/flag-token';
import { flagHoverMarkdown } from '../src/extension/flag-hover';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// --- a 2,000-line patch: the seed patch plus generated mm hunks ------------------------------
function bigPatch(targetLines: number): string {
  const seed = readFileSync('test-fixtures/examples/prot-dontcopy.patch', 'utf8').replace(/\n-- \n[\s\S]*$/, '\n');
  const out: string[] = [seed.trimEnd()];
  let n = 0;
  while (out.join('\n').split('\n').length < targetLines) {
    n++;
    const start = 100 + n * 40;
    out.push(
      `diff --git a/mm/gen${n}.c b/mm/gen${n}.c`,
      `index 1111111..2222222 100644`,
      `--- a/mm/gen${n}.c`,
      `+++ b/mm/gen${n}.c`,
      `@@ -${start},8 +${start},9 @@ static int gen_fixup_${n}(struct vm_area_struct *vma, unsigned long newflags)`,
      ` \tstruct mm_struct *mm = vma->vm_mm;`,
      ` \tunsigned long oldflags = vma->vm_flags;`,
      ` `,
      `-\tif (newflags & VM_LOCKED)`,
      `+\tif ((newflags & VM_LOCKED) && !(oldflags & VM_IO))`,
      ` \t\tmm->locked_vm += ${n};`,
      `+\tnewflags &= ~(VM_READ | VM_WRITE | VM_EXEC) | VM_MAYREAD;`,
      ` \tvma->vm_page_prot = vm_get_page_prot(newflags);`,
      ` \treturn 0;`,
      ` }`,
    );
  }
  return out.join('\n') + '\n-- \n2.43.0\n';
}

async function benchEngine(): Promise<void> {
  const engine = new Engine(undefined, () => {});
  wireEngine(engine);
  await engine.ready();
  const text = bigPatch(2000);
  const lines = text.split('\n').length;
  const options = { path: 'big.patch', kernel: 'auto' as const, arch: 'all' as const, rules: {} };
  // Warm-up: JIT, the tables' indexes, tree-sitter.
  for (let i = 0; i < 3; i++) await engine.check(text, options);

  const runs: number[] = [];
  let findings = 0;
  for (let i = 0; i < 15; i++) {
    // One keystroke: a character typed into a context line of some hunk.
    const at = text.indexOf('mm->locked_vm', (i * 997) % (text.length - 20));
    const edited = at > 0 ? text.slice(0, at) + 'x' + text.slice(at) : text;
    const t = performance.now();
    const { report } = await engine.check(edited, options);
    const specs = toDiagnosticSpecs(report.findings, [], (id) => `file:///docs/rules/${id}.md`);
    runs.push(performance.now() - t);
    findings = specs.length;
  }
  const ms = median(runs);
  console.log(`keystroke -> diagnostics engine time, ${lines}-line patch: ${ms.toFixed(1)} ms median of ${runs.length} (min ${Math.min(...runs).toFixed(1)}, max ${Math.max(...runs).toFixed(1)}), ${findings} findings; aim 16 ms: ${ms <= 16 ? 'met' : 'NOT met'}`);

  // The same keystroke through the engine worker, as the extension runs it: structured clone
  // both ways plus the check, while the extension host's thread stays free.
  const workerFile = join(process.cwd(), 'dist', 'engine-worker.cjs');
  if (existsSync(workerFile)) {
    const client = new EngineClient(engine, workerFile, join(process.cwd(), 'dist'), () => {});
    for (let i = 0; i < 3; i++) await client.check(text, options, 'bench');
    const rt: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t = performance.now();
      await client.check(text + ' '.repeat(i), options, 'bench');
      rt.push(performance.now() - t);
    }
    console.log(`same, through the engine worker (round trip, host thread free meanwhile): ${median(rt).toFixed(1)} ms median of ${rt.length}`);
    client.dispose();
  }

  if (engine.canSimulate) {
    const sim: number[] = [];
    for (let i = 0; i < 5; i++) sim.push((await engine.simulate(text, { path: 'big.patch', kernel: 'auto' })).ms);
    console.log(`background simulation, ${lines}-line patch: ${median(sim).toFixed(1)} ms median of ${sim.length}`);
  } else {
    console.log('background simulation: not wired in this build (src/bridge simulatePatch missing)');
  }

  const line = '+\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC | VM_DONTCOPY));';
  const tok = flagTokenAt(line, line.indexOf('VM_DONTCOPY') + 1)!;
  const hv: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    for (let i = 0; i < 1000; i++) flagHoverMarkdown(tok, engine.describeFlag(tok, { era: 'v2.6.13', arch: 'all', lineText: line }));
    hv.push((performance.now() - t) / 1000);
  }
  console.log(`flag hover (facts + markdown): ${(median(hv) * 1000).toFixed(1)} us median`);
}

// --- activation against a stand-in vscode ---------------------------------------------------
/** A value that is every function, constructor and object at once: any call or property access
 *  answers another such value, so activate() runs through the real code with no host. */
function anything(): unknown {
  const fn = function () {};
  return new Proxy(fn, {
    get: (_t, p) => (p === Symbol.toPrimitive ? () => '' : p === 'then' ? undefined : p === Symbol.iterator ? function* () {} : anything()),
    apply: () => anything(),
    construct: () => anything() as object,
    // esbuild's CJS interop copies the module onto an object made from its prototype: make the
    // prototype answer every property too.
    getPrototypeOf: () => new Proxy({}, { get: (_t, p) => (p === 'then' ? undefined : anything()) }),
  });
}

function benchActivation(): void {
  const bundle = join(process.cwd(), 'dist', 'extension.cjs');
  if (!existsSync(bundle)) {
    console.log('activation: dist/extension.cjs missing (run npm run build)');
    return;
  }
  const req = createRequire(bundle);
  const Module = req('node:module') as { _load: (r: string, ...a: unknown[]) => unknown };
  const load = Module._load;
  const stub = anything();
  Module._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? stub : load.call(this, request, ...rest);
  };
  try {
    const tLoad = performance.now();
    const ext = req(bundle) as { activate: (ctx: unknown) => { activationMs: number } };
    const loadMs = performance.now() - tLoad;
    const context = { subscriptions: [], extensionPath: process.cwd(), extensionUri: anything(), extension: { packageJSON: { version: 'bench' } } };
    const runs: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      ext.activate(context);
      runs.push(performance.now() - t);
    }
    console.log(`activation: bundle load ${loadMs.toFixed(1)} ms (once), activate() ${median(runs).toFixed(2)} ms median of ${runs.length} (first ${runs[0]!.toFixed(2)} ms)`);
  } finally {
    Module._load = load;
  }
}

benchActivation();
await benchEngine();
