import { describe, expect, it } from 'vitest';
import { analyse } from './statement';

describe('stand-in statement analysis', () => {
  it('finds the output FORMAT only at the end, outside strings, comments and calls', () => {
    expect(analyse('SELECT 1 FORMAT JSONEachRow').format?.name).toBe('JSONEachRow');
    expect(analyse('SELECT 1 \nFORMAT JSONEachRow;').format?.name).toBe('JSONEachRow');
    expect(analyse("SELECT 'FORMAT CSV' -- FORMAT TSV\n").format).toBeUndefined();
    expect(analyse('SELECT format FROM t').format).toBeUndefined();
    expect(analyse("SELECT format('{}', 1) /* FORMAT CSV */").format).toBeUndefined();
    expect(analyse('(SELECT 1) FORMAT CSV')).toMatchObject({ kind: 'SELECT', format: { name: 'CSV' } });
  });

  it('finds where insert data starts, and the SETTINGS before it', () => {
    const sql = 'INSERT INTO `db`.`t` (a, b) SETTINGS async_insert = 0 FORMAT JSONEachRow\n{"a":"FORMAT CSV;"}';
    const st = analyse(sql);
    expect(st).toMatchObject({ kind: 'INSERT', format: { name: 'JSONEachRow' } });
    expect(sql.slice(st.settingsAt)).toMatch(/^SETTINGS async_insert/);
    expect(sql.slice(st.dataStart)).toBe('\n{"a":"FORMAT CSV;"}');
    const values = 'INSERT INTO t VALUES (1, \'x\')';
    expect(values.slice(analyse(values).dataStart)).toBe(" (1, 'x')");
  });

  it('finds an input() call with its arguments', () => {
    const sql = "INSERT INTO t (a) SELECT uniqCombinedState(u) FROM input('u String, n Tuple(x UInt8)') GROUP BY a FORMAT Parquet";
    const st = analyse(sql);
    expect(st.input?.args).toBe("'u String, n Tuple(x UInt8)'");
    expect(sql.slice(st.input?.start, st.input?.end)).toBe("input('u String, n Tuple(x UInt8)')");
    expect(st.format?.name).toBe('Parquet');
  });

  it('recognises KILL QUERY by query_id and leaves other KILLs alone', () => {
    expect(analyse("KILL QUERY WHERE query_id = 'a\\'b'").killQueryId).toEqual({ id: "a'b", mode: 'ASYNC' });
    expect(analyse("kill query where query_id = 'q' SYNC FORMAT JSON").killQueryId).toEqual({ id: 'q', mode: 'SYNC' });
    expect(analyse("KILL QUERY WHERE user = 'x'").killQueryId).toBeUndefined();
    expect(analyse("KILL QUERY WHERE query_id = 'q' AND user = 'x'").killQueryId).toBeUndefined();
    expect(() => analyse("KILL QUERY WHERE user = 'x' SYNC")).toThrow(/only as KILL QUERY WHERE query_id/);
  });

  it('refuses a second statement and an empty query', () => {
    expect(() => analyse('SELECT 1; DROP TABLE t')).toThrow(/Multi-statements are not allowed/);
    expect(() => analyse("SELECT ';'")).not.toThrow();
    expect(() => analyse('  -- nothing\n')).toThrow(/Empty query/);
  });
});
