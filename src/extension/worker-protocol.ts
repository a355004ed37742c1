// Messages between the extension host and the engine worker.
import type { CheckOptions } from './engine-types';
import type { SimulateOptions } from './engine';

export type WorkerRequest =
  | { kind: 'check'; id: number; text: string; options: CheckOptions }
  | { kind: 'simulate'; id: number; text: string; options: SimulateOptions };

export type WorkerReply =
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'error'; id: number; message: string }
  | { kind: 'log'; line: string };
