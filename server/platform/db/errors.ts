/** True when a write failed on a unique index, on either database. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number };
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.errno === 1062;
}

// What the drivers say when the server cannot be reached or went away mid-statement: the MySQL
// client errnos 2002/2003 (no connection), 2006/2013 (gone, lost), 1053 (shutting down), 1927
// (connection killed), 1047 (a Galera node that left the primary component: "WSREP has not yet
// prepared node for application use"); the socket codes; knex's pool giving up; SQLite's lock held too long.
const UNAVAILABLE_ERRNOS = new Set([1047, 1053, 1927, 2002, 2003, 2006, 2013]);
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'SQLITE_BUSY']);

/**
 * True when a statement failed because the database could not be reached (down, restarting, the
 * connection lost): the request may succeed later, so it is answered 503 rather than 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; fatal?: boolean; name?: string };
  if (!e || typeof e !== 'object') return false;
  return e.name === 'KnexTimeoutError' || e.fatal === true || UNAVAILABLE_CODES.has(e.code as string) || UNAVAILABLE_ERRNOS.has(e.errno as number);
}
