// MariaDB's JSON is LONGTEXT and mysql2 may hand back parsed objects; better-sqlite3 hands back strings.
export function parseJsonColumn<T>(value: unknown): T {
  if (value === null || value === undefined) return value as T;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export function toBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}

/** A nullable numeric column (mysql2 may return BIGINT as a string). */
export function toNullableNumber(value: unknown): number | null {
  return value == null ? null : Number(value);
}
