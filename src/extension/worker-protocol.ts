// Messages between the extension host and the engine worker.
import type { CheckOptions } from './engine-types';
import type { SimulateOptions } from './engine';

/** `key` names the document: a newer request with the same key and kind cancels an older one
 *  that has not started yet (typing faster than the engine runs). */
export type WorkerRequest =
  | { kind: 'check'; id: number; key: string; text: string; options: CheckOptions }
  | { kind: 'simulate'; id: number; key: string; text: string; options: SimulateOptions };

export const SUPERSEDED = 'superseded by a newer edit';

export type WorkerReply =
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'error'; id: number; message: string }
  | { kind: 'log'; line: string };
