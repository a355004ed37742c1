// "Run Fork-Safety Scenario...": run one scenario on the chosen era (and, when a patch is
// open and the simulation has a patched model, on that too), as a simulation view. No vscode.
import { parseScenario, runScenario, formatTimeline, libraryScenarios, formatScenarioError } from '../scenarios/index';
import type { Scenario } from '../scenarios/index';
import type { KernelModel } from '../kernel/model';
import { replay } from './replay';
import type { SimulationView } from './simulation-view';
import { runView } from './simulation-view';

export interface ScenarioSource {
  label: string;
  /** Where it came from: `library` or the file's path/URI. */
  origin: string;
  load(): Promise<Scenario>;
}

export function librarySources(): ScenarioSource[] {
  return libraryScenarios().map((s) => ({ label: s.name, origin: 'library', load: async () => s }));
}

/** Parses a scenario file's text; errors name the file, step and field. */
export function scenarioFromText(text: string, file: string): Scenario {
  const r = parseScenario(text, file);
  if (!r.ok) throw new Error(r.errors.map(formatScenarioError).join('\n'));
  return r.scenario;
}

export interface ScenarioRunResult {
  view: SimulationView;
  timeline: string;
  passed: boolean;
}

/** Runs `scenario` on `model` (and on `patched` when given). Invalid scenarios throw with the
 *  runner's message. */
export function runScenarioView(scenario: Scenario, model: KernelModel, patched: KernelModel | null): ScenarioRunResult {
  const result = runScenario(scenario, model);
  if (!result.valid) throw new Error(result.errors.map(formatScenarioError).join('\n'));
  const timeline = formatTimeline(scenario, result);
  const base = replay(scenario, model) ?? { steps: [], events: [], passed: result.passed };
  const after = patched ? replay(scenario, patched) : null;
  const summary = scenario.description ?? scenario.name;
  return {
    view: {
      title: scenario.name,
      kernel: model.era + (patched ? ' (and the patched model)' : ''),
      kernelClues: [],
      hookChanges: [],
      consequences: [
        {
          id: 0,
          scenario: scenario.name,
          severity: result.passed ? 'info' : 'error',
          summary: result.passed ? `${summary}: every expectation met` : `${summary}: an expectation failed`,
          lines: [],
          base: runView(base, after),
          patched: after ? runView(after, base) : null,
        },
      ],
      notes: [],
    },
    timeline,
    passed: result.passed,
  };
}
