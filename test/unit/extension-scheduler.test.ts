// Debounce and staleness of document analyses (the rules behind "as you type, never blocking,
// stale results dropped"), with Node's mock timers.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { AnalysisScheduler } from '../../src/extension/analysis-scheduler';

test('edits within the debounce delay give one run, with the newest generation', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const runs: Array<[string, number]> = [];
    const s = new AnalysisScheduler<string>((k, g) => void runs.push([k, g]));
    s.schedule('a', 200);
    mock.timers.tick(150);
    s.schedule('a', 200);
    mock.timers.tick(150);
    s.schedule('a', 200);
    assert.deepEqual(runs, []);
    mock.timers.tick(200);
    assert.deepEqual(runs, [['a', 3]]);
    assert.equal(s.isCurrent('a', 3), true);
    // Documents do not share a timer.
    s.schedule('b', 0);
    mock.timers.tick(0);
    assert.deepEqual(runs, [['a', 3], ['b', 1]]);
    s.dispose();
  } finally {
    mock.timers.reset();
  }
});

test('a run overtaken by an edit is stale; now() cancels the pending timer', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const runs: number[] = [];
    const s = new AnalysisScheduler<string>((_k, g) => void runs.push(g));
    s.schedule('a', 100);
    mock.timers.tick(100);
    assert.deepEqual(runs, [1]);
    s.schedule('a', 100); // typing while run 1 is in flight
    assert.equal(s.isCurrent('a', 1), false, 'run 1 result must be dropped');
    await s.now('a'); // a command wants a result now
    assert.deepEqual(runs, [1, 3]);
    mock.timers.tick(1000);
    assert.deepEqual(runs, [1, 3], 'the pending debounced run was cancelled');
    s.forget('a');
    assert.equal(s.isCurrent('a', 3), false, 'closing the document makes runs in flight stale');
    s.schedule('a', 10);
    s.dispose();
    mock.timers.tick(1000);
    assert.deepEqual(runs, [1, 3], 'nothing runs after dispose');
  } finally {
    mock.timers.reset();
  }
});
