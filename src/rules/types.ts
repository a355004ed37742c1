// The lint engine's public types. A rule is one file exporting a `Rule` (ESLint-style: `meta`
// plus `check`); it reads a `RuleContext` and returns `Finding`s. Every position is 1-based in
// the input document, so the CLI, SARIF and the VS Code extension can show a finding exactly
// where the reader sees the line (through `> ` quoting and transfer encodings).
import type { ArchId, EraId } from '../kernel/model';

export type Severity = 'error' | 'warning' | 'info';
/** What a user can set a rule to (`--rule MM002=off`, `.mmlens.json`). */
export type SeveritySetting = Severity | 'off';
export const SEVERITY_SETTINGS: readonly SeveritySetting[] = ['off', 'info', 'warning', 'error'];

/** Another place that matters for a finding: the define a value collides with, the switch
 *  that lacks a case. `line`/`column` are in the same document as the finding. */
export interface RelatedLocation {
  message: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

/** Replace the document text from (line, column) up to, not including, (endLine, endColumn). */
export interface TextEdit {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  newText: string;
}

export interface Fix {
  /** What applying the fix does, for a code action title. */
  description: string;
  edits: TextEdit[];
}

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  related: RelatedLocation[];
  fix?: Fix;
}

export interface RuleMeta {
  /** Stable id, `MM002`. */
  id: string;
  /** A short kebab-case name (SARIF `name`, `mmlens rules`). */
  name: string;
  defaultSeverity: Severity;
  shortDescription: string;
  fullDescription: string;
  /** Path of the rule page relative to the project root: `docs/rules/MM002.md`. */
  docs: string;
}

export interface Rule {
  meta: RuleMeta;
  /** Findings come back with `severity` already set from the effective configuration
   *  (`context.severity`); the engine drops rules that are off before calling them. */
  check(context: import('./context').RuleContext): Finding[];
}

/** The era the engine checks against and why. */
export interface KernelChoice {
  era: EraId;
  /** `auto` when the patch chose it, otherwise the era the user named. */
  requested: EraId | 'auto' | 'latest';
  /** What in the patch made `auto` choose this era (empty for an explicit era). */
  clues: string[];
}

export interface CheckOptions {
  /** Shown in output; null for standard input. */
  path?: string | null;
  /** Default `auto`. */
  kernel?: EraId | 'auto' | 'latest';
  /** Default `all`: uapi collisions are checked against every architecture. */
  arch?: ArchId | 'all';
  /** Per-rule severity overrides: `{ MM009: 'off' }`. */
  rules?: Record<string, SeveritySetting>;
}

export interface CheckReport {
  path: string | null;
  kernel: KernelChoice;
  arch: ArchId | 'all';
  findings: Finding[];
}
