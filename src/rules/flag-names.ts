// Which VM_ names stand for a flag value. mm.h also defines bit numbers (VM_HIGH_ARCH_BIT_0 is
// 32, VM_PKEY_SHIFT), counts and masks with the same prefix; treating their numbers as flag
// values would make "32" collide with VM_MAYWRITE (0x20).
export function isBitNumberName(name: string): boolean {
  return /(_BIT(_\d+)?|_BITS|_SHIFT|_NR|_COUNT|_WIDTH|_MASK|_OFFSET)$/.test(name) || /_BIT_\d+$/.test(name);
}
