// Connects engine entry points that live in other folders (the bridge's simulation and
// patched model, the kernel tables' flag facts) to the Engine facade. Kept apart from
// engine.ts so the bench can build an Engine with exactly the same wiring as the extension.
import type { Engine } from './engine';
import { flagFacts } from './flag-facts';
import { simulatePatch, patchedModelOfPatchSet } from '../bridge/index';
import { readPatchSet } from '../patch/index';
import { reportLike, withReplays } from './simulation-replay';

export function wireEngine(engine: Engine): void {
  engine.setDescribeFlag(flagFacts);
  engine.setSimulate(async (text, options) => {
    const arch = options.arch ?? 'generic';
    const kernel = options.kernel ?? 'auto';
    const report = await simulatePatch(text, { kernel, arch, scenarios: options.scenarios });
    // Whole runs with a picture per step only where someone will look at them (the view).
    return options.replay ? withReplays(report, text, { kernel, arch, scenarios: options.scenarios }) : reportLike(report);
  });
  engine.setPatchedModel((text, { kernel, arch }) => {
    const pm = patchedModelOfPatchSet(text, readPatchSet(text), { kernel, arch });
    return pm.hookChanges.length ? pm.patched : null;
  });
}
