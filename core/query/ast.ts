/**
 * The syntax tree of an ad-hoc query, as the parser reads it: names as written, nothing resolved.
 * Every node keeps `at`, its offset in the query text, so that later errors can point at it.
 */

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Expr =
  /** `country`, or `properties.plan` (`path` is the part after the dot, case kept). */
  | { kind: 'column'; name: string; path?: string; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'number'; value: number; text: string; at: number }
  /** `TIMESTAMP '…'`: the text is parsed as a time later, where errors can name the column. */
  | { kind: 'timestamp'; text: string; at: number }
  /** `name(args)`: `star` for `count(*)`, `distinct` for `count(DISTINCT x)`. */
  | { kind: 'call'; name: string; args: Expr[]; star: boolean; distinct: boolean; at: number }
  /** `now() - INTERVAL n unit`; the unit is lower-cased and singular. */
  | { kind: 'interval'; base: Expr; amount: number; unit: IntervalUnit; at: number };

export type IntervalUnit = 'minute' | 'hour' | 'day' | 'week';

export type Condition =
  | { kind: 'compare'; op: CompareOp; left: Expr; right: Expr; at: number }
  | { kind: 'in'; negated: boolean; left: Expr; list: Expr[]; at: number }
  /** Operands kept flat: `a AND b AND c` is one node with three parts. */
  | { kind: 'and' | 'or'; parts: Condition[]; at: number }
  | { kind: 'not'; operand: Condition; at: number };

export interface SelectItem {
  expr: Expr;
  /** The name after AS, as written. */
  alias?: string;
  at: number;
}

export interface OrderItem {
  expr: Expr;
  descending: boolean;
}

export interface Query {
  select: SelectItem[];
  /** The table named after FROM, lower-cased. */
  from: string;
  fromAt: number;
  where?: Condition;
  groupBy: Expr[];
  orderBy: OrderItem[];
  limit?: { value: number; at: number };
}
