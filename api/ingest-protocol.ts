/** Messages between the ingest handler and the ingest pool's threads. */
import type { ErrorCode } from '../core/errors';
import type { BatchInput, EventError } from './ingest-batch';

export interface PrepareRequest {
  id: number;
  input: BatchInput;
}

export type PrepareReply =
  | { id: number; ok: true; keys: string[]; values: Uint8Array[]; accepted: number; errors: EventError[] }
  | { id: number; ok: false; code: ErrorCode; message: string; details: Record<string, unknown> | undefined };
