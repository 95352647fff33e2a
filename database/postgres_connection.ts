/**
 * Per-connection set-up of PostgreSQL (node-postgres), so that it reads and
 * compares values as the SQLite and MySQL connections do.
 */
type PostgresConnection = {
  setTypeParser(oid: number, parse: (value: string) => unknown): void
  query(sql: string, done: (error: Error | null) => void): void
}

/* BIGINT: bigserial ids, `count(*)`, the limiter's expiry in milliseconds */
const INT8_OID = 20

export function tunePostgresConnection(
  connection: PostgresConnection,
  done: (error: Error | null, connection: PostgresConnection) => void
) {
  /*
   * node-postgres hands BIGINT over as a string; mysql2 and better-sqlite3
   * as a number, which ids and millisecond times fit (far below 2^53).
   */
  connection.setTypeParser(INT8_OID, Number)
  /* times in hand-written conditions are UTC wall-clock text (sqlTime, app/models/columns.ts) */
  connection.query("SET TIME ZONE 'UTC'", (error) => done(error, connection))
}
