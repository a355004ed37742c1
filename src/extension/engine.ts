// The one place the extension calls the engine. Loads tree-sitter from the extension's own
// dist/ (the wasm files ship next to dist/extension.cjs), times every call, and logs what the
// engine did to the output channel. No vscode import: bench/extension.bench.ts drives it in Node.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { initC } from '../c/load';
import { checkText } from '../rules/check';
import { RULES, findRule } from '../rules/registry';
import type { CheckOptions, CheckReport, RuleMeta } from './engine-types';
import type { SimulationReportLike } from './engine-types';
import type { FlagToken } from './flag-token';
import type { ArchId, EraId, KernelModel } from '../kernel/model';
import type { Scenario } from '../scenarios/index';
import type { FlagDescriptionLike } from './flag-hover';

export type Logger = (line: string) => void;

export interface SimulateOptions {
  path?: string | null;
  kernel?: CheckOptions['kernel'];
  arch?: ArchId;
  /** Extra scenarios (from mmlens.scenarioFolders) to run besides the library. */
  scenarios?: Scenario[];
  /** Replace each consequence's differing steps with whole runs and per-step machine
   *  pictures (for the simulation view; the diagnostics do not need them). */
  replay?: boolean;
}

/** The simulation entry point, set once the bridge is available (see wireSimulation). */
export type SimulateFn = (text: string, options: SimulateOptions) => Promise<SimulationReportLike> | SimulationReportLike;

/** The patched KernelModel of a patch (base era + its hook changes), set with the bridge. */
export type PatchedModelFn = (text: string, options: { kernel: EraId; arch: ArchId }) => Promise<KernelModel | null> | KernelModel | null;

/** Flag facts for a hover, set once the kernel tables' describeFlag is available. */
export type DescribeFlagFn = (token: FlagToken, options: { era?: string; arch: string; lineText?: string; text?: string }) => FlagDescriptionLike | null;

export class Engine {
  private cReady: Promise<void> | null = null;
  private simulateFn: SimulateFn | null = null;
  private describeFn: DescribeFlagFn | null = null;
  private patchedModelFn: PatchedModelFn | null = null;

  constructor(
    private readonly distDir: string | undefined,
    private readonly log: Logger = () => {},
  ) {}

  /** Loads tree-sitter once. A failure is logged and retried on the next call. */
  ready(): Promise<void> {
    if (!this.cReady) {
      const t0 = performance.now();
      this.cReady = initC(this.distDir ? { wasmDir: this.distDir } : {}).then(
        () => this.log(`tree-sitter loaded in ${(performance.now() - t0).toFixed(0)} ms${this.distDir ? ` from ${this.distDir}` : ''}`),
        (e: unknown) => {
          this.cReady = null;
          this.log(`tree-sitter failed to load: ${e instanceof Error ? e.message : String(e)}`);
          throw e;
        },
      );
    }
    return this.cReady;
  }

  async check(text: string, options: CheckOptions): Promise<{ report: CheckReport; ms: number }> {
    await this.ready();
    const t0 = performance.now();
    const report = await checkText(text, options);
    return { report, ms: performance.now() - t0 };
  }

  setSimulate(fn: SimulateFn): void {
    this.simulateFn = fn;
  }

  get canSimulate(): boolean {
    return this.simulateFn !== null;
  }

  async simulate(text: string, options: SimulateOptions): Promise<{ report: SimulationReportLike; ms: number }> {
    if (!this.simulateFn) throw new Error('the simulation engine (src/bridge) is not part of this build');
    await this.ready();
    const t0 = performance.now();
    const report = await this.simulateFn(text, options);
    return { report, ms: performance.now() - t0 };
  }

  setPatchedModel(fn: PatchedModelFn): void {
    this.patchedModelFn = fn;
  }

  /** Null when the bridge is not wired or the patch changes nothing modelled. */
  async patchedModel(text: string, options: { kernel: EraId; arch: ArchId }): Promise<KernelModel | null> {
    if (!this.patchedModelFn) return null;
    await this.ready();
    return this.patchedModelFn(text, options);
  }

  setDescribeFlag(fn: DescribeFlagFn): void {
    this.describeFn = fn;
  }

  describeFlag(token: FlagToken, options: { era?: string; arch: string; lineText?: string; text?: string }): FlagDescriptionLike | null {
    if (!this.describeFn) return null;
    try {
      return this.describeFn(token, options);
    } catch (e) {
      this.log(`describeFlag ${token.text} failed: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  }

  rules(): RuleMeta[] {
    return RULES.map((r) => r.meta);
  }

  rule(id: string): RuleMeta | undefined {
    return findRule(id)?.meta;
  }
}

/** dist/ next to the running bundle (dist/extension.cjs) or under an extension root. */
export function distDirOf(extensionPath: string): string {
  return join(extensionPath, 'dist');
}
