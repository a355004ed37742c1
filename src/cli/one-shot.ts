// V8 settings for a one-shot `mmlens` process (bin/mmlens running a command itself, not a
// server). A one-shot run parses each hunk once and exits: tree-sitter's wasm never gets hot
// enough for its optimizing tier to pay back the background compiles, which on a 2-vCPU
// machine compete with the parse itself. Liftoff-only halves the cold parse of the 300-patch
// bench series (`npm run bench -- floor`); on long inputs the optimized code wins again, so
// the flag is only set when the input is known to be small. A server (long-lived, many
// requests) keeps V8's defaults.
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

/** The V8 flags a one-shot run of `argv` should set before any wasm is compiled. */
export function oneShotV8Flags(argv: readonly string[], sizeOf: (path: string) => number | null = fileSize): string[] {
  const [command, ...rest] = argv;
  if (!command || NO_WASM.has(command)) return [];
  let total = 0;
  for (const arg of rest) {
    if (arg === '-') return []; // stdin: size unknown
    const size = arg.startsWith('-') ? null : sizeOf(arg);
    if (size !== null) total += size;
  }
  return total <= LIFTOFF_ONLY_MAX_INPUT ? ['--liftoff-only'] : [];
}
