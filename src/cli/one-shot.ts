// V8 settings for a one-shot `mmlens` process (bin/mmlens running a command itself, not a
// server). A one-shot run parses each hunk once and exits, so code V8 would optimise later
// rarely pays back its compile, and on a 2-vCPU machine the background compiles compete with
// the work itself:
// - tree-sitter's wasm is compiled with Liftoff only when the input is small (it halves the
//   cold parse of the 300-patch bench series, `npm run bench -- floor`; on long inputs the
//   optimised code wins again);
// - JavaScript is optimised later than V8's default (a larger interrupt budget), which adds
//   to Liftoff-only's gain (`npm run bench -- floor` shows each flag's share on the series).
// The flags are set at run time (v8.setFlagsFromString) before any engine code runs: given
// on Node's command line they measured ~12 ms slower on a one-mail check.
// A server (long-lived, many requests) and the editor keep V8's defaults.
import { statSync } from 'node:fs';

/** Above this much input (bytes), a one-shot run keeps V8's tiered wasm compilation. About
 *  three times the 300-patch series: in `bench -- floor` Liftoff-only gains ~90 ms on the first
 *  parse of the series and loses ~13 ms on each further one, so it stays ahead for about seven
 *  series' worth of parsing. */
export const LIFTOFF_ONLY_MAX_INPUT = 1 << 20;

const NO_WASM = new Set(['rules', 'explain', 'server', 'help', '-h', '--help', '--version', '-V']);

/** The size of a path if it is a regular file, else null (options, missing files). */
function fileSize(path: string): number | null {
  try {
    const s = statSync(path);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

/** About three times V8's default (67,584): between 130,000 and 270,000 measured the same. */
export const ONE_SHOT_INTERRUPT_BUDGET = '--interrupt-budget=200000';

/** The V8 flags a one-shot run of `argv` should set before any engine code runs. */
export function oneShotV8Flags(argv: readonly string[], sizeOf: (path: string) => number | null = fileSize): string[] {
  const [command, ...rest] = argv;
  if (!command || NO_WASM.has(command)) return [];
  let total = 0;
  for (const arg of rest) {
    if (arg === '-') return [ONE_SHOT_INTERRUPT_BUDGET]; // stdin: size unknown
    const size = arg.startsWith('-') ? null : sizeOf(arg);
    if (size !== null) total += size;
  }
  return total <= LIFTOFF_ONLY_MAX_INPUT ? [ONE_SHOT_INTERRUPT_BUDGET, '--liftoff-only'] : [ONE_SHOT_INTERRUPT_BUDGET];
}
