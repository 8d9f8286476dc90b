/** Messages between the speed layer and its fold thread. */
import type { SpeedDeltaRow } from './buckets';

export type FoldRequest =
  /** Record values laid end to end in one transferred buffer; `ends` marks where each one stops. */
  | { type: 'records'; buffer: ArrayBuffer; ends: number[] }
  /** Asks for everything folded since the last drain, in the order requests were sent. */
  | { type: 'drain'; id: number };

export interface FoldReply {
  id: number;
  events: number;
  rows: (readonly [cubeName: string, rows: SpeedDeltaRow[]])[];
  oldest: number;
  newest: number;
  undecodable: number;
}
