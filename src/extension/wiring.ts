// Connects engine entry points that live in other folders (the bridge's simulation, the
// kernel tables' flag facts) to the Engine facade. Kept apart from engine.ts so the bench can
// build an Engine with exactly the same wiring as the extension.
import type { Engine } from './engine';
import { flagFacts } from './flag-facts';

export function wireEngine(engine: Engine): void {
  engine.setDescribeFlag(flagFacts);
}
