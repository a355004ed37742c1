// Applies the #define changes a patch makes to a symbol table, so rules and the bridge see
// the patched kernel's names. The C side (collectDefineChanges) produces the changes.

/** Structural type of one change from src/c's collectDefineChanges. */
export interface DefineChangeLike {
  name: string;
  /** Value when the define is a constant expression; absent when it is not. */
  value?: bigint;
  change: 'added' | 'removed' | 'changed';
  path?: string;
  line?: number;
  column?: number;
}

/** A new table with `changes` applied in order: added/changed set the value, removed deletes
 *  the name. An added or changed define whose value is not a constant removes the old value
 *  (it no longer means what the table says). The input table is not modified. */
export function applyDefineChanges(table: ReadonlyMap<string, bigint>, changes: readonly DefineChangeLike[]): Map<string, bigint> {
  const out = new Map(table);
  for (const c of changes) {
    if (c.change === 'removed') out.delete(c.name);
    else if (c.value !== undefined) out.set(c.name, BigInt.asUintN(64, c.value));
    else out.delete(c.name);
  }
  return out;
}
