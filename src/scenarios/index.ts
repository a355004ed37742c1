// Public API of the scenarios module (docs/scenario-format.md, docs/simulator.md).
// Callers evaluate expressions through the C evaluator: `await initC()` (src/c) once before
// validateScenario/runScenario.
export { parseScenario, scenarioFromJson, type ParseResult } from './parse';
export { validateScenario, resolveScenario, type ResolvedStep } from './validate';
export { runScenario, ScenarioRun, expectationFor, expectationHolds, type RunOptions } from './run';
export { libraryScenarios } from './library';
export { formatTimeline, resultsToJson } from './report';
export { isUserspaceExpressible } from './expressible';
export * from './types';
