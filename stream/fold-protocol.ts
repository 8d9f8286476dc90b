/** Messages between the speed layer and its fold thread. */

export type FoldRequest =
  /** Record values laid end to end in one transferred buffer; `ends` marks where each one stops. */
  | { type: 'records'; buffer: ArrayBuffer; ends: number[] }
  /** Asks for everything folded since the last drain, in the order requests were sent. */
  | { type: 'drain'; id: number };

export interface FoldReply {
  id: number;
  events: number;
  /** Per cube, the input table its deltas go to, the rows as JSONEachRow bytes, and how many. */
  rows: { table: string; body: Uint8Array; count: number }[];
  oldest: number;
  newest: number;
  undecodable: number;
}
