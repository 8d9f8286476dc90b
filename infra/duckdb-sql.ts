/**
 * Literals for DuckDB SQL, which quotes strings the standard way ('' for '; a backslash is just a
 * character), unlike ClickHouse (infra/olap/sql.ts). Used for file paths and instants that DuckDB
 * reads: nothing a user typed reaches these.
 */
export const duckString = (text: string): string => `'${text.replaceAll("'", "''")}'`;

export const duckList = (texts: readonly string[]): string => `[${texts.map(duckString).join(', ')}]`;
