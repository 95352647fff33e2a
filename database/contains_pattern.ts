/**
 * A LIKE pattern that finds `text` anywhere, case-insensitively, with `%`
 * and `_` taken literally; used as `LOWER(column) LIKE ? ESCAPE '!'`, which
 * SQLite, MySQL and PostgreSQL all read the same way.
 */
export const CONTAINS = "LIKE ? ESCAPE '!'"

export function containsPattern(text: string) {
  return `%${text.trim().toLowerCase().replace(/[!%_]/g, '!$&')}%`
}
