// The function a hunk header's context names: `sys_mprotect(unsigned long start, ...)`,
// `static int foo(`, `SYSCALL_DEFINE3(mprotect, ...)` (-> sys_mprotect), `asmlinkage long
// sys_madvise(`. Null when the context is not a function (`static inline unsigned long`,
// `struct vm_area_struct {`, a comment).

const NOT_A_FUNCTION = new Set([
  'if', 'while', 'for', 'switch', 'return', 'sizeof', 'typeof', '__typeof__', 'defined',
  '__attribute__', '__attribute', 'alignof', '_Alignof', 'do', 'else', 'case', 'goto',
  'int', 'long', 'short', 'char', 'void', 'unsigned', 'signed', 'float', 'double', 'const',
  'volatile', 'static', 'inline', 'extern', 'struct', 'union', 'enum',
  'likely', 'unlikely', 'offsetof', '__must_check', '__init', '__exit', '__user',
]);

const CALL = /([A-Za-z_][A-Za-z0-9_]*)\s*\(/g;

export function functionNameOf(header: string): string | null {
  const h = header.trim();
  if (h === '' || h.startsWith('/*') || h.startsWith('*') || h.startsWith('//')) return null;
  const syscall = /^(?:COMPAT_)?SYSCALL_DEFINE\d*\(\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(h);
  if (syscall) return (h.startsWith('COMPAT_') ? 'compat_sys_' : 'sys_') + syscall[1];
  // A macro definition names the macro.
  const define = /^#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)\(/.exec(h);
  if (define) return define[1];
  if (h.startsWith('#')) return null;
  CALL.lastIndex = 0;
  for (let m = CALL.exec(h); m; m = CALL.exec(h)) {
    const name = m[1];
    if (NOT_A_FUNCTION.has(name)) continue;
    // `int (*fn)(...)` and similar: the identifier must not follow `(`.
    return name;
  }
  return null;
}
