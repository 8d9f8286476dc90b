import type { OutputColumn } from '../../core/query';

/** The reply of POST /v1/query. */
export interface QueryReply {
  columns: OutputColumn[];
  rows: unknown[][];
}
