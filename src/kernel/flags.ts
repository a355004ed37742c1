// Query and formatting API over the flag tables: symbol tables, hovers, collisions, and
// the "NAME (0x00020000, bit 17)" spelling used in every message.
import type { ArchId, EraId } from './model';
import { LATEST_ERA } from './model';
import { archesInEra, definitionsOf, type FlagDefinition, type Namespace, namespaceOf } from './tables/index';

/** Name -> value for every VM/PROT/MAP/MADV constant of `era` on `arch` (a fresh Map). */
export function symbolTable(era: EraId, arch: ArchId = 'generic'): Map<string, bigint> {
  return new Map(definitionsOf(era, arch).map((d) => [d.name, d.value]));
}

/** The definitions (name, value, namespace, header, arch, note) of `era` on `arch`. */
export function flagDefinitions(era: EraId, arch: ArchId = 'generic'): readonly FlagDefinition[] {
  return definitionsOf(era, arch);
}

/** Set bit numbers of a value, lowest first. */
export function bitsOf(value: bigint): number[] {
  const bits: number[] = [];
  let v = BigInt.asUintN(64, value);
  for (let i = 0; v !== 0n; i++, v >>= 1n) if (v & 1n) bits.push(i);
  return bits;
}

function hex(value: bigint): string {
  const v = BigInt.asUintN(64, value);
  return '0x' + v.toString(16).padStart(v > 0xffffffffn ? 16 : 8, '0');
}

/** `VM_DONTCOPY (0x00020000, bit 17)`; MADV_ values are numbers, shown in decimal. */
export function formatFlag(name: string, value: bigint): string {
  if (namespaceOf(name) === 'MADV') return `${name} (${value})`;
  const bits = bitsOf(value);
  if (bits.length === 0) return `${name} (${hex(value)})`;
  const where = bits.length === 1 ? `bit ${bits[0]}` : `bits ${bits.join(',')}`;
  return `${name} (${hex(value)}, ${where})`;
}

/** Names the bits of `bits` in `namespace`: `VM_IO | VM_DONTCOPY (0x00024000)`. Bits with no
 *  single-bit name in the era are written `bit N`. MADV values are looked up as a whole. */
export function formatFlagSet(bits: bigint, namespace: Namespace, era: EraId = LATEST_ERA, arch: ArchId = 'generic'): string {
  const defs = definitionsOf(era, arch).filter((d) => d.namespace === namespace && !d.composite);
  if (namespace === 'MADV') {
    const d = defs.find((x) => x.value === bits);
    return d ? formatFlag(d.name, bits) : `advice ${bits}`;
  }
  const parts: string[] = [];
  for (const b of bitsOf(bits)) {
    const v = 1n << BigInt(b);
    const d = defs.find((x) => x.value === v);
    parts.push(d ? d.name : `bit ${b}`);
  }
  if (parts.length === 0) return namespace === 'VM' ? `VM_NONE (${hex(0n)})` : `0 (${hex(0n)})`;
  return `${parts.join(' | ')} (${hex(bits)})`;
}

export interface FlagDescription {
  name: string | null;
  value: bigint;
  bits: number[];
  namespace: Namespace;
  era: EraId;
  arch: ArchId;
  /** Header of the definition on this arch (null when only a value was asked and nothing has it). */
  header: string | null;
  note?: string;
  composite?: boolean;
  only64?: boolean;
  /** Other names with the same value in the namespace on this arch. */
  aliases: string[];
  /** Names with the same value in the namespace on other arches of this era. */
  collisions: FlagDefinition[];
  /** Arches of this era where the same name has another value, or none (value null). */
  variants: Array<{ arch: ArchId; value: bigint | null; header: string | null }>;
  /** One-line summary for messages, `formatFlag` plus the header. */
  summary: string;
  /** Markdown hover text. */
  hover: string;
}

export interface DescribeOptions {
  era?: EraId;
  arch?: ArchId;
  namespace?: Namespace;
}

function parseNumber(text: string): bigint | null {
  const m = /^\s*(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)(?:u?l{0,2}|l{0,2}u?)\s*$/i.exec(text);
  if (!m) return null;
  const t = m[1]!;
  if (/^0x/i.test(t)) return BigInt(t);
  if (t.length > 1 && t.startsWith('0')) return BigInt('0o' + t.slice(1));
  return BigInt(t);
}

/** Everything a hover needs about a flag given by name (`VM_DONTCOPY`) or value (0x20000n,
 *  '0x20000'). A value needs a namespace (default VM). Null when the name is unknown. */
export function describeFlag(nameOrValue: string | bigint, options: DescribeOptions = {}): FlagDescription | null {
  const era = options.era ?? LATEST_ERA;
  const arch = options.arch ?? 'generic';
  const defs = definitionsOf(era, arch);
  let def: FlagDefinition | undefined;
  let value: bigint;
  let namespace: Namespace;
  const asNumber = typeof nameOrValue === 'bigint' ? nameOrValue : parseNumber(nameOrValue);
  if (asNumber !== null) {
    value = asNumber;
    namespace = options.namespace ?? 'VM';
    def = (eraIndex(era).byValue.get(`${namespace}:${value}`) ?? []).find((d) => d.arch === arch);
  } else {
    const name = (nameOrValue as string).trim();
    const perArch = eraIndex(era).byName.get(name);
    // Known only on another arch of this era? Describe it there, so hovers still say something.
    def = perArch?.get(arch) ?? (perArch ? [...perArch.values()][0] : undefined);
    if (!def) return null;
    value = def.value;
    namespace = def.namespace;
  }
  const name = def?.name ?? null;
  const aliases = defs
    .filter((d) => d.namespace === namespace && d.value === value && d.name !== name && !d.composite)
    .map((d) => d.name);
  const collisions = findValueCollisions(namespace, value, era).filter((d) => d.arch !== arch && d.name !== name);
  const variants = name ? valuesAcrossArches(name, era).filter((v) => v.value !== value) : [];
  const bits = bitsOf(value);
  const summary = `${formatFlag(name ?? `${namespace} value`, value)}${def ? ` in ${def.header}` : ''}`;
  const lines = [`**${formatFlag(name ?? `${namespace} value`, value)}**`, ''];
  lines.push(`${namespace} namespace, kernel ${era}, arch ${def?.arch ?? arch}${def ? `, defined in \`${def.header}\`` : ', no definition has this value'}.`);
  if (def?.note) lines.push('', def.note);
  if (def?.only64) lines.push('', 'Only on 64-bit kernels (above bit 31).');
  if (aliases.length) lines.push('', `Same value here: ${aliases.join(', ')}.`);
  if (collisions.length) {
    lines.push('', `Same value on other architectures: ${collisions.map((c) => `${c.name} (${c.arch})`).join(', ')}.`);
  }
  if (variants.length) {
    const show = (v: bigint | null) => (v === null ? 'undefined' : namespace === 'MADV' ? `${v}` : hex(v));
    lines.push('', `Differs on: ${variants.map((v) => `${v.arch} ${show(v.value)}`).join(', ')}.`);
  }
  return {
    name, value, bits, namespace, era, arch: def?.arch ?? arch, header: def?.header ?? null, variants,
    ...(def?.note ? { note: def.note } : {}), ...(def?.composite ? { composite: true } : {}), ...(def?.only64 ? { only64: true } : {}),
    aliases, collisions, summary, hover: lines.join('\n'),
  };
}

// Per-era indexes over every arch, so hovers and per-define rule checks stay cheap.
interface EraIndex {
  byValue: Map<string, FlagDefinition[]>;
  byName: Map<string, Map<ArchId, FlagDefinition>>;
}
const eraIndexes = new Map<EraId, EraIndex>();

function eraIndex(era: EraId): EraIndex {
  let idx = eraIndexes.get(era);
  if (idx) return idx;
  idx = { byValue: new Map(), byName: new Map() };
  for (const arch of archesInEra(era)) {
    for (const d of definitionsOf(era, arch)) {
      if (!d.composite) {
        const key = `${d.namespace}:${d.value}`;
        const list = idx.byValue.get(key) ?? [];
        list.push(d);
        idx.byValue.set(key, list);
      }
      const perArch = idx.byName.get(d.name) ?? new Map<ArchId, FlagDefinition>();
      perArch.set(arch, d);
      idx.byName.set(d.name, perArch);
    }
  }
  eraIndexes.set(era, idx);
  return idx;
}

/** Every non-composite definition in `namespace` with exactly `value`, on every arch of `era`.
 *  Value 0 only matches when asked for explicitly (VM_NONE, PROT_NONE, MADV_NORMAL). */
export function findValueCollisions(namespace: Namespace, value: bigint, era: EraId = LATEST_ERA): FlagDefinition[] {
  return [...(eraIndex(era).byValue.get(`${namespace}:${value}`) ?? [])];
}

/** Which arches of `era` define `name` and with what value (for "missing from an arch header"). */
export function valuesAcrossArches(name: string, era: EraId = LATEST_ERA): Array<{ arch: ArchId; value: bigint | null; header: string | null }> {
  const perArch = eraIndex(era).byName.get(name);
  return archesInEra(era).map((arch) => {
    const d = perArch?.get(arch);
    return { arch, value: d ? d.value : null, header: d ? d.header : null };
  });
}
