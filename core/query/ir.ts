/**
 * A checked query: every name resolved against the schema, every literal typed (times as epoch
 * milliseconds, `now()` already applied), aliases and positions replaced by what they refer to.
 * The compilers render this, and trust it.
 */
import { toIso } from '../time';
import type { CompareOp } from './ast';
import type { BucketUnit, Table, ValueType } from './schema';

export type AggregateFn = 'count' | 'countDistinct' | 'sum' | 'avg' | 'min' | 'max' | 'uniq';

export type Value =
  | { kind: 'column'; name: string; type: ValueType }
  /** `properties.<name>` on events; `name` matched PROPERTY_NAME. */
  | { kind: 'property'; name: string; type: 'string' }
  | { kind: 'literal'; type: 'string'; value: string }
  | { kind: 'literal'; type: 'number' | 'time'; value: number }
  /** `spelling` only keeps the default output name close to what was written. */
  | { kind: 'bucket'; unit: BucketUnit; arg: Value; spelling: 'toStartOf' | 'date_trunc'; type: 'time' }
  | { kind: 'aggregate'; fn: AggregateFn; arg?: Value; type: ValueType };

export type Predicate =
  | { kind: 'compare'; op: CompareOp; left: Value; right: Value }
  | { kind: 'in'; negated: boolean; left: Value; list: Value[] }
  | { kind: 'and' | 'or'; parts: Predicate[] }
  | { kind: 'not'; operand: Predicate };

export interface OutputColumn {
  name: string;
  type: ValueType;
}

export interface CheckedQuery {
  table: Table;
  select: { value: Value; column: OutputColumn }[];
  where: Predicate | undefined;
  groupBy: Value[];
  /** `select` refers to a select item by index; otherwise the value is ordered on directly. */
  orderBy: ({ select: number; descending: boolean } | { value: Value; descending: boolean })[];
  limit: number;
}

export function sameValue(a: Value, b: Value): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Whether the value is, or holds, an aggregate. */
export function isAggregate(value: Value): boolean {
  return value.kind === 'aggregate';
}

/** Every column a value reads (the JSON column for properties). */
export function columnsOf(value: Value): string[] {
  switch (value.kind) {
    case 'column': return [value.name];
    case 'property': return ['properties'];
    case 'literal': return [];
    case 'bucket': return columnsOf(value.arg);
    case 'aggregate': return value.arg ? columnsOf(value.arg) : [];
  }
}

/** The default output name of a select item, and how errors name a value. */
export function nameOf(value: Value): string {
  switch (value.kind) {
    case 'column': return value.name;
    case 'property': return `properties.${value.name}`;
    case 'literal':
      if (value.type === 'string') return `'${value.value.replaceAll("'", "''")}'`;
      return value.type === 'time' ? `TIMESTAMP '${toIso(value.value)}'` : String(value.value);
    case 'bucket': return value.spelling === 'date_trunc'
      ? `date_trunc('${value.unit}', ${nameOf(value.arg)})`
      : `toStartOf${value.unit[0]?.toUpperCase()}${value.unit.slice(1)}(${nameOf(value.arg)})`;
    case 'aggregate': {
      const arg = value.arg ? nameOf(value.arg) : '';
      return value.fn === 'countDistinct' ? `count(DISTINCT ${arg})` : `${value.fn}(${arg})`;
    }
  }
}
