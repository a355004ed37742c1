// What a hover is over: a flag name (VM_DONTCOPY, PROT_READ, MAP_*, MADV_*, FOLL_*) or a numeric
// value (0x04000000, 8UL, BIT(17)'s argument is not a flag value). Pure, on one line of text.
export interface FlagToken {
  kind: 'name' | 'value';
  text: string;
  /** The name, or the value as a bigint. */
  name?: string;
  value?: bigint;
  /** 0-based start and end (exclusive) character on the line. */
  start: number;
  end: number;
}

const FLAG_NAME = /^(?:VM|PROT|MAP|MADV|FOLL|MCL|MREMAP|MS)_[A-Z0-9_]+$/;
const TOKEN = /0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|[A-Za-z_][A-Za-z0-9_]*/g;

export function flagTokenAt(lineText: string, character: number): FlagToken | null {
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(lineText); m; m = TOKEN.exec(lineText)) {
    const start = m.index;
    const end = start + m[0].length;
    if (character < start || character >= end) continue;
    const text = m[0];
    if (/^[A-Za-z_]/.test(text)) return FLAG_NAME.test(text) ? { kind: 'name', text, name: text, start, end } : null;
    const digits = text.replace(/[uUlL]+$/, '');
    let value: bigint;
    try {
      value = /^0[0-7]+$/.test(digits) ? BigInt('0o' + digits.slice(1)) : BigInt(digits);
    } catch {
      return null;
    }
    // 0 and 1 say nothing about a flag and are everywhere in C.
    if (value < 2n) return null;
    return { kind: 'value', text, value, start, end };
  }
  return null;
}

/** The bit numbers set in a value, lowest first (`0x20000` -> [17]). */
export function bitsOf(value: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; value >> BigInt(i) !== 0n && i < 64; i++) if ((value >> BigInt(i)) & 1n) out.push(i);
  return out;
}

export function hex(value: bigint): string {
  return '0x' + value.toString(16).padStart(8, '0');
}
