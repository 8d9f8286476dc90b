/** Messages between the ingest handler and the ingest pool's threads. */
import type { ErrorCode } from '../core/errors';
import type { SamplingRules } from '../core/sampling';
import type { BatchInput, EventError } from './ingest-batch';

/** Settled once per thread, as its workerData, rather than sent with every request. */
export interface IngestThreadData {
  sampling: SamplingRules;
}

export interface PrepareRequest {
  id: number;
  input: BatchInput;
}

export type PrepareReply =
  | { id: number; ok: true; keys: string[]; values: Uint8Array[]; accepted: number; sampledOut: number; errors: EventError[] }
  | { id: number; ok: false; code: ErrorCode; message: string; details: Record<string, unknown> | undefined };
